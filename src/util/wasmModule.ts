/**
 * A WebAssembly module compiled once from base64 bytes (the committed kernels under src/compute
 * and src/vector), or null where WebAssembly or the instructions it uses (SIMD) are missing, so
 * the caller falls back to JavaScript. Browser-safe.
 */
export function lazyWasmModule(base64: string): () => WebAssembly.Module | null {
  let module: WebAssembly.Module | null | undefined;
  return () => {
    if (module !== undefined) return module;
    try {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      module = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      module = null;
    }
    return module;
  };
}

/**
 * Node-side choice of a compute back end by name: "onnx" (onnxruntime-node, the default in
 * Node), "ts" (the TypeScript reference; what browsers use). The maths never chooses; callers do.
 */
import { tsBackend } from "./ts.js";
import type { ComputeBackend } from "./types.js";

export type BackendName = "ts" | "onnx";
export const BACKEND_NAMES: readonly BackendName[] = ["onnx", "ts"];

/** One back end object per (name, threads), so accumulators built from names share compiled kernels. */
const BACKENDS = new Map<string, Promise<ComputeBackend>>();

export async function selectBackend(
  name: BackendName = "onnx",
  options: { threads?: number } = {},
): Promise<ComputeBackend> {
  if (name === "ts") return tsBackend;
  if (name !== "onnx")
    throw new RangeError(`unknown compute back end "${String(name)}" (expected ${BACKEND_NAMES.join(", ")})`);
  const key = `${name}|${options.threads ?? "all"}`;
  let backend = BACKENDS.get(key);
  if (!backend) {
    // loads the native module only when asked for
    backend = import("./onnx.js").then(
      ({ onnxBackend }) => onnxBackend(options),
      (error: Error) => {
        BACKENDS.delete(key);
        throw new RangeError(
          `the onnx back end is not available here (onnxruntime-node failed to load: ${error.message}); use the ts back end (--backend ts)`,
        );
      },
    );
    BACKENDS.set(key, backend);
  }
  return backend;
}

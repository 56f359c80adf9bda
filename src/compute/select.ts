/**
 * Node-side choice of a compute back end by name: "onnx" (onnxruntime-node, the default in
 * Node), "ts" (the TypeScript reference; what browsers use). The maths never chooses; callers do.
 */
import { tsBackend } from "./ts.js";
import type { ComputeBackend } from "./types.js";

export type BackendName = "ts" | "onnx";
export const BACKEND_NAMES: readonly BackendName[] = ["onnx", "ts"];

export async function selectBackend(name: BackendName = "onnx", options: { threads?: number } = {}): Promise<ComputeBackend> {
  if (name === "ts") return tsBackend;
  if (name !== "onnx") throw new RangeError(`unknown compute back end "${String(name)}" (expected ${BACKEND_NAMES.join(", ")})`);
  const { onnxBackend } = await import("./onnx.js"); // loads the native module only when asked for
  return onnxBackend(options);
}

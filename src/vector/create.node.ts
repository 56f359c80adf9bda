/**
 * Node-only convenience (named *.node.ts: the one layer of src/vector that may load native
 * modules): `createAccumulatorNode({..., backend: "onnx" | "ts"})` picks the compute back end
 * by name — onnxruntime by default — and otherwise is `createAccumulator`, with the label-set cells
 * of large label sets on a second thread (labelCellsThread.node.ts).
 */
import { selectBackend, type BackendName } from "../compute/select.js";
import type { ComputeBackend } from "../compute/types.js";
import type { EntropyAccumulator } from "./accumulator.js";
import { createAccumulator, type CreateAccumulatorOptions } from "./create.js";
import { installLabelCellsThread } from "./labelCellsThread.node.js";

/** CreateAccumulatorOptions' named options (without the index signature for run-time estimators' options). */
type NamedOptions = {
  [K in keyof CreateAccumulatorOptions as string extends K ? never : K]: CreateAccumulatorOptions[K];
};

export interface NodeAccumulatorOptions extends Omit<NamedOptions, "backend"> {
  /** "onnx" (default), "ts", or a back end object. */
  backend?: BackendName | ComputeBackend;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
}

export async function createAccumulatorNode(options: NodeAccumulatorOptions): Promise<EntropyAccumulator> {
  const { backend = "onnx", threads, ...rest } = options;
  installLabelCellsThread();
  const resolved = typeof backend === "string" ? await selectBackend(backend, threads ? { threads } : {}) : backend;
  return createAccumulator({ ...rest, backend: resolved });
}

/**
 * onnxruntime-node anchor kernel (Node only): normalise → matmul → softmax (→ column sums)
 * run inside ONNX Runtime's CPU kernels, multi-threaded.
 *
 * Float32 norms can overflow (|z| ≳ 1e19) or underflow (|z| ≲ 1e-19) where the TypeScript
 * kernel's Float64 norms do not; such rows are recomputed exactly by the TS kernel, so the
 * two back ends agree on every valid Float32 row.
 */
import os from "node:os";
import ort from "onnxruntime-node";
import { buildAnchorModel, GRAPH_INPUT } from "./onnxGraph.js";
import { kernelOutputs, OnnxAnchorKernel, sessionRunGraph } from "./onnxKernel.js";
import { OnnxWorkerSession } from "./onnxWorker.js";
import { checkKernelSpec, type AnchorKernel, type AnchorKernelSpec, type ComputeBackend } from "./types.js";

/**
 * Rows per onnxruntime run: a 4,096-row batch runs as four runs of 1,024, measured 1.5–2.3×
 * faster on this 2-core machine (the 3 MB input and its intermediates stay in cache; bench (k)).
 */
const CHUNK_ROWS = 1024;

export interface OnnxBackendOptions {
  /** Intra-op threads (default: all cores). */
  threads?: number;
  /**
   * Run the session on a worker thread, so that the caller's JavaScript (counting the previous
   * batch) runs while the kernel computes: onnxruntime-node's `run` blocks the calling thread.
   * Default false: on the shared 2-core machine (load average 15–19) the hand-offs between
   * threads cost more wall time than the overlap gained (bench (o), BENCHMARKS.md); try it
   * where a core is free.
   */
  worker?: boolean;
  /** Rows per onnxruntime run (default 1,024; Infinity: the whole batch in one run). */
  chunkRows?: number;
}

export function onnxBackend(options: OnnxBackendOptions = {}): ComputeBackend {
  const threads = options.threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return {
    name: "onnx",
    async createAnchorKernel(spec: AnchorKernelSpec): Promise<AnchorKernel> {
      checkKernelSpec(spec);
      const chunkRows = options.chunkRows ?? CHUNK_ROWS;
      if (!(chunkRows >= 1)) throw new RangeError(`onnx back end: chunkRows must be ≥ 1, got ${chunkRows}`);
      const outputs = kernelOutputs(spec);
      if (options.worker ?? false) {
        const session = await OnnxWorkerSession.create(buildAnchorModel(spec), onnxSessionOptions(threads));
        return new OnnxAnchorKernel(
          "onnx",
          spec,
          (rows, count, d) => session.run(GRAPH_INPUT, rows, count, d, outputs),
          () => session.release(),
          chunkRows,
          true,
        );
      }
      const session = await ort.InferenceSession.create(buildAnchorModel(spec), onnxSessionOptions(threads));
      return new OnnxAnchorKernel(
        "onnx",
        spec,
        sessionRunGraph(session, ort, outputs),
        () => session.release(),
        chunkRows,
      );
    },
  };
}

export function onnxSessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ["cpu"],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    // Pool threads otherwise spin after each run, taking the core the JavaScript accumulation needs.
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
}

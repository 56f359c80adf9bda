/**
 * onnxruntime-node anchor kernel (Node only): normalise → matmul → softmax (→ column sums)
 * run inside ONNX Runtime's CPU kernels, multi-threaded. The kernel itself (onnxKernel.ts) is
 * shared with the dashboard's onnxruntime-web back end.
 */
import os from "node:os";
import ort from "onnxruntime-node";
import { buildAnchorModel } from "./onnxGraph.js";
import { OnnxAnchorKernel } from "./onnxKernel.js";
import { checkKernelSpec, type AnchorKernel, type AnchorKernelSpec, type ComputeBackend } from "./types.js";

export interface OnnxBackendOptions {
  /** Intra-op threads (default: all cores). */
  threads?: number;
}

export function onnxBackend(options: OnnxBackendOptions = {}): ComputeBackend {
  const threads = options.threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return {
    name: "onnx",
    async createAnchorKernel(spec: AnchorKernelSpec): Promise<AnchorKernel> {
      checkKernelSpec(spec);
      const session = await ort.InferenceSession.create(buildAnchorModel(spec), onnxSessionOptions(threads));
      return new OnnxAnchorKernel(spec, session, ort, "onnx");
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

/**
 * The anchor kernel on onnxruntime-web (WebAssembly, SIMD; threads when the page is
 * cross-origin isolated, which `glossa serve` arranges with COOP/COEP): the same graph
 * (src/compute/onnxGraph.ts) and kernel (src/compute/onnxKernel.ts) as the Node onnx back end,
 * on the web runtime.
 */
import * as ort from "onnxruntime-web/wasm";
import { buildAnchorModel } from "../compute/onnxGraph.js";
import { kernelOutputs, OnnxAnchorKernel, sessionRunGraph } from "../compute/onnxKernel.js";
import { checkKernelSpec, type AnchorKernel, type AnchorKernelSpec, type ComputeBackend } from "../compute/types.js";

export interface OnnxWebOptions {
  /** WebAssembly threads (default: up to 4 when cross-origin isolated, else 1). */
  threads?: number;
}

export function onnxWebBackend(options: OnnxWebOptions = {}): ComputeBackend {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  ort.env.wasm.numThreads = options.threads ?? (isolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1);
  ort.env.wasm.simd = true;
  return {
    name: "onnx-web",
    async createAnchorKernel(spec: AnchorKernelSpec): Promise<AnchorKernel> {
      checkKernelSpec(spec);
      const session = await ort.InferenceSession.create(buildAnchorModel(spec), {
        executionProviders: ["wasm"],
        graphOptimizationLevel: "all",
      });
      const run = sessionRunGraph(session, ort, kernelOutputs(spec));
      // one run per batch: the web kernel's threads are its own (chunking was measured for Node only)
      return new OnnxAnchorKernel("onnx-web", spec, run, () => session.release(), Number.POSITIVE_INFINITY);
    },
  };
}

/**
 * The anchor kernel on onnxruntime-web (WebAssembly, SIMD; threads when the page is
 * cross-origin isolated, which `glossa serve` arranges with COOP/COEP): the browser's
 * counterpart of src/compute/onnx.ts, running the same graph (src/compute/onnxGraph.ts).
 * Float32 like the Node onnx back end; rows whose Float32 norm over/underflows are recomputed
 * by the TypeScript kernel in Float64, as there.
 */
import * as ort from "onnxruntime-web/wasm";
import { buildAnchorModel, GRAPH_INPUT, GRAPH_NORMS, GRAPH_OUTPUT, GRAPH_SUMS } from "../compute/onnxGraph.js";
import { columnSums, runAnchorKernelSync } from "../compute/ts.js";
import {
  checkBatch,
  checkKernelSpec,
  type AnchorKernel,
  type AnchorKernelOutput,
  type AnchorKernelSpec,
  type ComputeBackend,
} from "../compute/types.js";

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
      return new OnnxWebAnchorKernel(spec, session);
    },
  };
}

class OnnxWebAnchorKernel implements AnchorKernel {
  readonly backend = "onnx-web";
  constructor(
    private readonly spec: AnchorKernelSpec,
    private readonly session: ort.InferenceSession,
  ) {}

  async run(rows: Float32Array, count: number): Promise<AnchorKernelOutput> {
    const { n, d } = this.spec;
    checkBatch(rows, count, d);
    if (count === 0)
      return {
        values: new Float32Array(0),
        norms: new Float64Array(0),
        ...(this.spec.columnSums ? { columnSums: new Float64Array(n) } : {}),
      };
    const input = new ort.Tensor("float32", rows.subarray(0, count * d), [count, d]);
    const result = await this.session.run({ [GRAPH_INPUT]: input });
    const values = Float32Array.from(result[GRAPH_OUTPUT]!.data as Float32Array);
    const norms = Float64Array.from(result[GRAPH_NORMS]!.data as Float32Array);
    let repaired = false;
    for (let i = 0; i < count; i++) {
      const norm = norms[i]!;
      if (norm > 1e-18 && norm < 1e18) continue;
      const single = runAnchorKernelSync({ ...this.spec, columnSums: false }, rows.subarray(i * d, (i + 1) * d), 1);
      norms[i] = single.norms[0]!;
      values.set(single.values, i * n);
      repaired = true;
    }
    const out: AnchorKernelOutput = { values, norms };
    if (this.spec.columnSums)
      out.columnSums = repaired
        ? columnSums(values, count, n)
        : Float64Array.from(result[GRAPH_SUMS]!.data as Float64Array);
    for (const tensor of Object.values(result)) tensor.dispose();
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

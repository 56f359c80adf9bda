/**
 * The anchor kernel on an ONNX Runtime session, for either runtime: onnxruntime-node
 * (src/compute/onnx.ts) and onnxruntime-web (src/web/onnxWebBackend.ts) pass their module's
 * Tensor class and a session built from onnxGraph.ts. No runtime import of its own, so it
 * runs in a browser.
 *
 * Float32 norms can overflow (|z| ≳ 1e19) or underflow (|z| ≲ 1e-19) where the TypeScript
 * kernel's Float64 norms do not; such rows are recomputed exactly by the TS kernel, so the
 * back ends agree on every valid Float32 row.
 */
import type { InferenceSession, Tensor } from "onnxruntime-common";
import { GRAPH_INPUT, GRAPH_NORMS, GRAPH_OUTPUT, GRAPH_SUMS } from "./onnxGraph.js";
import { columnSums, runAnchorKernelSync } from "./ts.js";
import { checkBatch, type AnchorKernel, type AnchorKernelOutput, type AnchorKernelSpec } from "./types.js";

/** The part of an onnxruntime module the kernel uses (both runtimes' `ort`). */
export interface OnnxRuntimeModule {
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => Tensor;
}

export class OnnxAnchorKernel implements AnchorKernel {
  constructor(
    private readonly spec: AnchorKernelSpec,
    private readonly session: InferenceSession,
    private readonly ort: OnnxRuntimeModule,
    /** The back end's name ("onnx", "onnx-web"). */
    readonly backend: string,
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
    const input = new this.ort.Tensor("float32", rows.length === count * d ? rows : rows.subarray(0, count * d), [
      count,
      d,
    ]);
    const result = await this.session.run({ [GRAPH_INPUT]: input });
    const values = result[GRAPH_OUTPUT]!.data as Float32Array;
    const norms = Float64Array.from(result[GRAPH_NORMS]!.data as Float32Array);
    let repaired = false;
    for (let i = 0; i < count; i++) {
      const norm = norms[i]!;
      if (norm > 0 && norm < Infinity && norm > 1e-18 && norm < 1e18) continue;
      // Recompute in Float64: either the row is really invalid (the TS norm says so) or Float32 over/underflowed.
      const single = runAnchorKernelSync({ ...this.spec, columnSums: false }, rows.subarray(i * d, (i + 1) * d), 1);
      norms[i] = single.norms[0]!;
      values.set(single.values, i * n);
      repaired = true;
    }
    const out: AnchorKernelOutput = { values, norms };
    if (this.spec.columnSums) {
      out.columnSums = repaired ? columnSums(values, count, n) : (result[GRAPH_SUMS]!.data as Float64Array);
    }
    for (const name of Object.keys(result)) if (name !== GRAPH_OUTPUT) result[name]!.dispose?.();
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/**
 * The anchor kernel on an ONNX Runtime session, for either runtime: onnxruntime-node
 * (src/compute/onnx.ts, in this thread or a worker) and onnxruntime-web (src/web/onnxWebBackend.ts)
 * hand it a `RunGraph` built over a session of the graph from onnxGraph.ts. No runtime import of
 * its own, so it runs in a browser.
 *
 * Float32 norms can overflow (|z| ≳ 1e19) or underflow (|z| ≲ 1e-19) where the TypeScript
 * kernel's Float64 norms do not; such rows are recomputed exactly by the TS kernel, so the
 * back ends agree on every valid Float32 row.
 */
import type { InferenceSession, Tensor } from "onnxruntime-common";
import { GRAPH_INPUT, GRAPH_NORMS, GRAPH_OUTPUT, GRAPH_SUMS } from "./onnxGraph.js";
import { columnSums, runAnchorKernelSync } from "./ts.js";
import { checkBatch, type AnchorKernel, type AnchorKernelOutput, type AnchorKernelSpec } from "./types.js";

/** What the kernel needs of a session: run the graph on [count, d] rows, return named outputs. */
export type RunGraph = (
  rows: Float32Array,
  count: number,
  d: number,
) => Promise<Record<string, Float32Array | Float64Array>>;

/** The part of an onnxruntime module the kernel uses (both runtimes' `ort`). */
export interface OnnxRuntimeModule {
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => Tensor;
}

/** The graph outputs a kernel reads (column sums only when the spec asks for them). */
export function kernelOutputs(spec: AnchorKernelSpec): string[] {
  return spec.columnSums ? [GRAPH_OUTPUT, GRAPH_NORMS, GRAPH_SUMS] : [GRAPH_OUTPUT, GRAPH_NORMS];
}

/** A `RunGraph` over a session in this thread (either runtime). */
export function sessionRunGraph(
  session: InferenceSession,
  ort: OnnxRuntimeModule,
  outputs: readonly string[],
): RunGraph {
  return async (rows, count, d) => {
    // onnxruntime-node refuses shared memory ("Invalid argument"): such rows are copied first
    const own =
      typeof SharedArrayBuffer !== "undefined" && rows.buffer instanceof SharedArrayBuffer ? rows.slice() : rows;
    const result = await session.run({ [GRAPH_INPUT]: new ort.Tensor("float32", own, [count, d]) });
    const out: Record<string, Float32Array | Float64Array> = {};
    for (const name of outputs) out[name] = result[name]!.data as Float32Array | Float64Array;
    for (const name of Object.keys(result)) if (name !== GRAPH_OUTPUT) result[name]!.dispose?.();
    return out;
  };
}

export class OnnxAnchorKernel implements AnchorKernel {
  constructor(
    /** The back end's name ("onnx", "onnx-web"). */
    readonly backend: string,
    private readonly spec: AnchorKernelSpec,
    private readonly runGraph: RunGraph,
    private readonly release: () => Promise<void>,
    private readonly chunkRows: number,
    readonly concurrent = false,
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
    const result = await this.runChunks(rows, count);
    const values = result[GRAPH_OUTPUT] as Float32Array;
    const norms = Float64Array.from(result[GRAPH_NORMS] as Float32Array);
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
      out.columnSums = repaired ? columnSums(values, count, n) : (result[GRAPH_SUMS] as Float64Array);
    }
    return out;
  }

  /**
   * Runs the graph on pieces of at most `chunkRows` rows (each row's outputs do not depend on
   * its neighbours: tested identical) and joins the outputs. With column sums requested the
   * batch runs whole, so their in-graph summation order is unchanged.
   */
  private async runChunks(rows: Float32Array, count: number): Promise<Record<string, Float32Array | Float64Array>> {
    const { n, d } = this.spec;
    const chunk = this.chunkRows;
    if (this.spec.columnSums || count <= chunk)
      return this.runGraph(rows.length === count * d ? rows : rows.subarray(0, count * d), count, d);
    const starts = Array.from({ length: Math.ceil(count / chunk) }, (_, c) => c * chunk);
    const parts = await Promise.all(
      starts.map((start) => {
        const m = Math.min(chunk, count - start);
        return this.runGraph(rows.subarray(start * d, (start + m) * d), m, d);
      }),
    );
    const values = new Float32Array(count * n);
    const norms = new Float32Array(count);
    parts.forEach((part, c) => {
      values.set(part[GRAPH_OUTPUT]!, starts[c]! * n);
      norms.set(part[GRAPH_NORMS]!, starts[c]!);
    });
    return { [GRAPH_OUTPUT]: values, [GRAPH_NORMS]: norms };
  }

  async dispose(): Promise<void> {
    await this.release();
  }
}

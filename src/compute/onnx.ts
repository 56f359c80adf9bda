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
import { buildAnchorModel, GRAPH_INPUT, GRAPH_NORMS, GRAPH_OUTPUT, GRAPH_SUMS } from "./onnxGraph.js";
import { OnnxWorkerSession } from "./onnxWorker.js";
import { columnSums, runAnchorKernelSync } from "./ts.js";
import {
  checkBatch,
  checkKernelSpec,
  type AnchorKernel,
  type AnchorKernelOutput,
  type AnchorKernelSpec,
  type ComputeBackend,
} from "./types.js";

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

/** What the kernel needs of a session: run the graph on [count, d] rows, return named outputs. */
type RunGraph = (rows: Float32Array, count: number, d: number) => Promise<Record<string, Float32Array | Float64Array>>;

export function onnxBackend(options: OnnxBackendOptions = {}): ComputeBackend {
  const threads = options.threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return {
    name: "onnx",
    async createAnchorKernel(spec: AnchorKernelSpec): Promise<AnchorKernel> {
      checkKernelSpec(spec);
      const chunkRows = options.chunkRows ?? CHUNK_ROWS;
      if (!(chunkRows >= 1)) throw new RangeError(`onnx back end: chunkRows must be ≥ 1, got ${chunkRows}`);
      const outputs = spec.columnSums ? [GRAPH_OUTPUT, GRAPH_NORMS, GRAPH_SUMS] : [GRAPH_OUTPUT, GRAPH_NORMS];
      if (options.worker ?? false) {
        const session = await OnnxWorkerSession.create(buildAnchorModel(spec), onnxSessionOptions(threads));
        return new OnnxAnchorKernel(
          spec,
          (rows, count, d) => session.run(GRAPH_INPUT, rows, count, d, outputs),
          () => session.release(),
          chunkRows,
          true,
        );
      }
      const session = await ort.InferenceSession.create(buildAnchorModel(spec), onnxSessionOptions(threads));
      const runHere: RunGraph = async (rows, count, d) => {
        // onnxruntime-node refuses shared memory ("Invalid argument"): such rows are copied first
        const own = rows.buffer instanceof SharedArrayBuffer ? rows.slice() : rows;
        const result = await session.run({ [GRAPH_INPUT]: new ort.Tensor("float32", own, [count, d]) });
        const out: Record<string, Float32Array | Float64Array> = {};
        for (const name of outputs) out[name] = result[name]!.data as Float32Array | Float64Array;
        for (const name of Object.keys(result)) if (name !== GRAPH_OUTPUT) result[name]!.dispose?.();
        return out;
      };
      return new OnnxAnchorKernel(spec, runHere, () => session.release(), chunkRows);
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

class OnnxAnchorKernel implements AnchorKernel {
  readonly backend = "onnx";
  constructor(
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

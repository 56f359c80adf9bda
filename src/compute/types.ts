/**
 * The dense kernel behind the anchor estimators (soft entropy, nearest-anchor binning):
 * rows → cosine similarities with n unit anchors → (optionally) a softmax at 1/ε.
 *
 * Back ends (plain TypeScript, onnxruntime) implement `ComputeBackend` and are chosen by
 * the caller at construction; the maths never inspects its environment.
 */

export interface AnchorKernelSpec {
  /** n × d anchors, row-major, each row of unit length. */
  anchors: Float32Array;
  n: number;
  d: number;
  /**
   * "soft": each output row is softmax(cos(z, W) / ε), a probability vector over anchors.
   * "scores": each output row is the cosine similarities cos(z, W) (nearest-anchor binning
   * takes their argmax).
   */
  mode: "soft" | "scores";
  /** 1/ε; used in "soft" mode. */
  inverseTemperature: number;
  /** Also return the per-batch column sums of the output, accumulated in Float64 (over all rows, valid or not). */
  columnSums?: boolean;
}

export interface AnchorKernelOutput {
  /** count × n, row-major: soft assignments or cosine scores. */
  values: Float32Array;
  /**
   * Euclidean norm of each input row. 0 or a non-finite value marks a row whose output is
   * meaningless (all-zero, NaN or ±Inf); callers must reject or skip such rows.
   */
  norms: Float64Array;
  /** Column sums of `values` over all rows of the batch, when requested. */
  columnSums?: Float64Array;
}

export interface AnchorKernel {
  readonly backend: string;
  /**
   * True when `run` computes off the calling thread (it returns at once and the caller's
   * JavaScript runs meanwhile): callers may then start the next batch's kernel before counting
   * this one. False or absent for kernels that compute inside `run`.
   */
  readonly concurrent?: boolean;
  /** `rows` holds at least count × d values; only the first count rows are read. */
  run(rows: Float32Array, count: number): Promise<AnchorKernelOutput>;
  dispose(): Promise<void>;
}

export interface ComputeBackend {
  readonly name: string;
  createAnchorKernel(spec: AnchorKernelSpec): Promise<AnchorKernel>;
}

export function checkKernelSpec(spec: AnchorKernelSpec): void {
  const { anchors, n, d } = spec;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`anchor kernel: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`anchor kernel: d must be a positive integer, got ${d}`);
  if (anchors.length !== n * d)
    throw new RangeError(`anchor kernel: anchors have ${anchors.length} values, expected n × d = ${n * d}`);
  if (spec.mode === "soft" && !(spec.inverseTemperature > 0 && Number.isFinite(spec.inverseTemperature))) {
    throw new RangeError(`anchor kernel: 1/ε must be a positive finite number, got ${spec.inverseTemperature}`);
  }
}

export function checkBatch(rows: Float32Array, count: number, d: number): void {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`anchor kernel: row count must be a non-negative integer, got ${count}`);
  if (rows.length < count * d)
    throw new RangeError(`anchor kernel: ${count} rows of width ${d} need ${count * d} values, got ${rows.length}`);
}

/**
 * Plain TypeScript anchor kernel (reference back end; runs anywhere, including browsers).
 *
 * Cosines are computed as (z · w) / ‖z‖ — dividing the n scores instead of the d inputs —
 * with a register-blocked dot-product loop (4 rows × 2 anchors per pass), Float64
 * accumulation, and a max-subtracted softmax. Outputs are stored as Float32.
 */
import { checkBatch, checkKernelSpec, type AnchorKernel, type AnchorKernelOutput, type AnchorKernelSpec, type ComputeBackend } from "./types.js";

export const tsBackend: ComputeBackend = {
  name: "ts",
  async createAnchorKernel(spec: AnchorKernelSpec): Promise<AnchorKernel> {
    checkKernelSpec(spec);
    return new TsAnchorKernel(spec);
  },
};

class TsAnchorKernel implements AnchorKernel {
  readonly backend = "ts";
  private scratch = new Float64Array(0);
  constructor(private readonly spec: AnchorKernelSpec) {}

  async run(rows: Float32Array, count: number): Promise<AnchorKernelOutput> {
    return runAnchorKernelSync(this.spec, rows, count, this);
  }

  /** Reusable Float64 score buffer (avoids an allocation per batch). */
  buffer(size: number): Float64Array {
    if (this.scratch.length < size) this.scratch = new Float64Array(size);
    return this.scratch;
  }

  async dispose(): Promise<void> {}
}

/** Synchronous kernel, exported so other back ends can recompute single awkward rows. */
export function runAnchorKernelSync(
  spec: AnchorKernelSpec,
  rows: Float32Array,
  count: number,
  scratch?: { buffer(size: number): Float64Array },
): AnchorKernelOutput {
  const { anchors, n, d } = spec;
  checkBatch(rows, count, d);
  const norms = rowNorms(rows, count, d);
  const dots = scratch ? scratch.buffer(count * n) : new Float64Array(count * n);
  dotProducts(rows, count, d, anchors, n, dots);
  const values = new Float32Array(count * n);
  const scale = spec.mode === "soft" ? spec.inverseTemperature : 1;
  for (let i = 0; i < count; i++) {
    const norm = norms[i]!;
    const f = scale / norm;
    const base = i * n;
    if (spec.mode === "scores") {
      for (let k = 0; k < n; k++) values[base + k] = dots[base + k]! * f;
    } else {
      softmaxRow(dots, base, n, f, values);
    }
  }
  const out: AnchorKernelOutput = { values, norms };
  if (spec.columnSums) out.columnSums = columnSums(values, count, n);
  return out;
}

/** Euclidean norms in Float64 (no overflow or underflow for any Float32 input). */
export function rowNorms(rows: Float32Array, count: number, d: number): Float64Array {
  const norms = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const base = i * d;
    let s0 = 0;
    let s1 = 0;
    let j = 0;
    for (; j + 1 < d; j += 2) {
      const a = rows[base + j]!;
      const b = rows[base + j + 1]!;
      s0 += a * a;
      s1 += b * b;
    }
    if (j < d) s0 += rows[base + j]! * rows[base + j]!;
    norms[i] = Math.sqrt(s0 + s1);
  }
  return norms;
}

/** out[i·n + k] = rows_i · anchors_k, blocked 4 rows × 2 anchors so loaded values are reused. */
function dotProducts(rows: Float32Array, count: number, d: number, anchors: Float32Array, n: number, out: Float64Array): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const r0 = i * d;
    const r1 = r0 + d;
    const r2 = r1 + d;
    const r3 = r2 + d;
    let k = 0;
    for (; k + 2 <= n; k += 2) {
      const a0 = k * d;
      const a1 = a0 + d;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let j = 0; j < d; j++) {
        const w0 = anchors[a0 + j]!;
        const w1 = anchors[a1 + j]!;
        const x0 = rows[r0 + j]!;
        const x1 = rows[r1 + j]!;
        const x2 = rows[r2 + j]!;
        const x3 = rows[r3 + j]!;
        s00 += x0 * w0; s01 += x0 * w1;
        s10 += x1 * w0; s11 += x1 * w1;
        s20 += x2 * w0; s21 += x2 * w1;
        s30 += x3 * w0; s31 += x3 * w1;
      }
      out[i * n + k] = s00; out[i * n + k + 1] = s01;
      out[(i + 1) * n + k] = s10; out[(i + 1) * n + k + 1] = s11;
      out[(i + 2) * n + k] = s20; out[(i + 2) * n + k + 1] = s21;
      out[(i + 3) * n + k] = s30; out[(i + 3) * n + k + 1] = s31;
    }
    for (; k < n; k++) {
      for (let r = 0; r < 4; r++) out[(i + r) * n + k] = dot(rows, (i + r) * d, anchors, k * d, d);
    }
  }
  for (; i < count; i++) {
    for (let k = 0; k < n; k++) out[i * n + k] = dot(rows, i * d, anchors, k * d, d);
  }
}

function dot(a: Float32Array, aBase: number, b: Float32Array, bBase: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[aBase + j]! * b[bBase + j]!;
  return s;
}

/** values[base..base+n) = softmax(scores[base..] · f), subtracting the maximum first. */
function softmaxRow(scores: Float64Array, base: number, n: number, f: number, values: Float32Array): void {
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    const s = scores[base + k]! * f;
    scores[base + k] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp(scores[base + k]! - max);
    scores[base + k] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let k = 0; k < n; k++) values[base + k] = scores[base + k]! * inv;
}

export function columnSums(values: Float32Array, count: number, n: number): Float64Array {
  const sums = new Float64Array(n);
  for (let i = 0; i < count; i++) {
    const base = i * n;
    for (let k = 0; k < n; k++) sums[k]! += values[base + k]!;
  }
  return sums;
}

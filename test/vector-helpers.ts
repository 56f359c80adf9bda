/** Shared generators for the vector-engine tests (not a test file itself). */
import { Random } from "../src/util/random.js";

/** Standard-normal-ish rows via Box–Muller on the seeded generator. */
export function gaussianRows(count: number, d: number, seed: number, mean?: ArrayLike<number>, sd = 1): Float32Array {
  const r = new Random(seed);
  const out = new Float32Array(count * d);
  for (let i = 0; i < out.length; i++) {
    const u = r.uniform53() || 1e-12;
    const v = r.uniform53();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * sd + (mean ? mean[i % d]! : 0);
  }
  return out;
}

/** Rows clustered around `k` random centres; labels = cluster index. */
export function clusteredRows(
  count: number,
  d: number,
  k: number,
  seed: number,
  spread = 0.3,
): { rows: Float32Array; labels: Int32Array } {
  const centres = gaussianRows(k, d, seed + 1);
  const noise = gaussianRows(count, d, seed + 2, undefined, spread);
  const r = new Random(seed);
  const labels = new Int32Array(count);
  const rows = new Float32Array(count * d);
  for (let i = 0; i < count; i++) {
    const c = r.int(k);
    labels[i] = c;
    for (let j = 0; j < d; j++) rows[i * d + j] = centres[c * d + j]! + noise[i * d + j]!;
  }
  return { rows, labels };
}

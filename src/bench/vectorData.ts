/** Synthetic inputs for the vector benchmarks: Gaussian-ish rows and Zipf-distributed labels. */
import { Random } from "../util/random.js";

/** count × d rows, each value a sum of three uniforms (cheap, roughly normal, centred). */
export function benchRows(count: number, d: number, seed: number): Float32Array {
  const r = new Random(seed);
  const out = new Float32Array(count * d);
  for (let i = 0; i < out.length; i++) out[i] = r.uniform() + r.uniform() + r.uniform() - 1.5;
  return out;
}

/** Labels drawn from a Zipf(1) law over `values` values (inverse-CDF by binary search). */
export function zipfLabels(count: number, values: number, seed: number): Int32Array {
  const cdf = new Float64Array(values);
  let total = 0;
  for (let k = 0; k < values; k++) cdf[k] = total += 1 / (k + 1);
  const r = new Random(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const u = r.uniform53() * total;
    let lo = 0;
    let hi = values - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

/**
 * Seeded synthetic rows and labels with known structure (or none), and a plain batch feeder:
 * shared by the tests, the bias-correction benches and any check that needs data whose truth is
 * known. Pure: no I/O.
 */
import { Random } from "../util/random.js";
import type { EntropyAccumulator } from "./accumulator.js";

/** Standard-normal rows (count × d) via Box–Muller on the seeded generator, shifted by `mean` per dimension, scaled by `sd`. */
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

/**
 * `values` cluster centres (seed 1000) with exactly `perValue` rows around each, noise of standard
 * deviation `spread`, rows in a seeded random order; labels = the row's centre.
 */
export function clustersWithRowsPerValue(
  values: number,
  perValue: number,
  d: number,
  spread: number,
  seed: number,
): { rows: Float32Array; labels: Int32Array } {
  const centres = gaussianRows(values, d, 1000);
  const noise = gaussianRows(values * perValue, d, seed, undefined, spread);
  const order = new Random(seed).permutation(values * perValue);
  const rows = new Float32Array(values * perValue * d);
  const labels = new Int32Array(values * perValue);
  order.forEach((i, t) => {
    const v = i % values;
    labels[t] = v;
    for (let j = 0; j < d; j++) rows[t * d + j] = centres[v * d + j]! + noise[t * d + j]!;
  });
  return { rows, labels };
}

/** `count` labels with `perValue` rows per value, in random order: labels that carry nothing about any rows. */
export function independentLabels(count: number, perValue: number, seed: number): Int32Array {
  const values = Math.round(count / perValue);
  return new Random(seed).shuffle(Int32Array.from({ length: count }, (_, i) => i % values)) as Int32Array;
}

/** Feeds rows and whole-data label arrays in batches of `batch` rows, one update awaited at a time. */
export async function feedInBatches(
  acc: EntropyAccumulator,
  rows: Float32Array,
  labels: Record<string, Int32Array>,
  batch: number,
): Promise<void> {
  const d = acc.d;
  const count = rows.length / d;
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch);
    await acc.update(
      rows.subarray(start * d, end * d),
      Object.fromEntries(Object.entries(labels).map(([name, l]) => [name, l.subarray(start, end)])),
    );
  }
}

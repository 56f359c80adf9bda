/**
 * Percentile bootstrap over independent units (runs, probe inputs): resample the units with
 * replacement, recompute the statistic, and take the 2.5% and 97.5% quantiles of the
 * resampled statistics (linear interpolation between order statistics, as numpy's default).
 * Seeded, so the same call gives the same interval everywhere. Pure.
 */
import { Random } from "../util/random.js";
import { intervalSummary, type IntervalSummary, noEstimate } from "./summary.js";

export const DEFAULT_RESAMPLES = 2000;

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
}

/** Linear-interpolation quantile (numpy "linear") of sorted values, 0 ≤ q ≤ 1. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of no values");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile needs 0 ≤ q ≤ 1, got ${q}`);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The statistic's bootstrap distribution: `resamples` values of statistic(indices), each
 * indices an n-long resample (with replacement) of 0..n−1. Resamples whose statistic is not
 * finite (e.g. a constant resample of a correlation) are dropped.
 */
export function bootstrapDistribution(
  n: number,
  statistic: (indices: Int32Array) => number,
  options: BootstrapOptions = {},
): Float64Array {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const rng = new Random(options.seed ?? 1);
  const out: number[] = [];
  const indices = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) indices[i] = rng.int(n);
    const v = statistic(indices);
    if (Number.isFinite(v)) out.push(v);
  }
  return Float64Array.from(out).sort();
}

/** Percentile 95% interval of a bootstrap distribution (sorted ascending). */
export function percentileInterval95(sorted: Float64Array): [number, number] {
  return [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)];
}

/**
 * A statistic of n units with its percentile-bootstrap 95% interval over units. `statistic`
 * receives the indices of the units to use (all of them, once each, for the estimate).
 */
export function bootstrapSummary(
  name: string,
  n: number,
  statistic: (indices: Int32Array) => number,
  options: BootstrapOptions = {},
): IntervalSummary {
  const method = `bootstrap percentile, ${options.resamples ?? DEFAULT_RESAMPLES} resamples`;
  if (n < 2) return noEstimate(name, n, method, "fewer than 2 values");
  const estimate = statistic(Int32Array.from({ length: n }, (_, i) => i));
  if (!Number.isFinite(estimate)) return noEstimate(name, n, method, "no finite estimate");
  const distribution = bootstrapDistribution(n, statistic, options);
  if (distribution.length === 0) return noEstimate(name, n, method, "no finite resample");
  return intervalSummary(name, n, estimate, percentileInterval95(distribution), method);
}

/** The mean of the values with its bootstrap 95% interval (units = values). */
export function meanWithInterval(
  name: string,
  values: readonly number[],
  options: BootstrapOptions = {},
): IntervalSummary {
  return bootstrapSummary(
    name,
    values.length,
    (idx) => {
      let s = 0;
      for (const i of idx) s += values[i]!;
      return s / idx.length;
    },
    options,
  );
}

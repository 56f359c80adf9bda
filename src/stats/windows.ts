/**
 * Training-time windows for across-run summaries (METHODS "Statistics"): over epochs 1..E
 * (epoch 0, the untrained pair, excluded), the early window is the first ⌈0.1 E⌉ epochs and
 * the late window the last ⌈0.5 E⌉. A run's value in a window is its mean over the window's
 * epochs; across runs, the mean of those with a bootstrap 95% interval over runs. Pure.
 */
import { type BootstrapOptions, meanWithInterval } from "./bootstrap.js";
import type { IntervalSummary } from "./summary.js";

export const EARLY_FRACTION = 0.1;
export const LATE_FRACTION = 0.5;

export interface EpochWindows {
  early: number[];
  late: number[];
}

/** The early and late windows of training epochs 1..lastEpoch. */
export function epochWindows(lastEpoch: number): EpochWindows {
  if (!Number.isInteger(lastEpoch) || lastEpoch < 1)
    throw new RangeError(`windows need ≥ 1 trained epoch, got ${lastEpoch}`);
  const early = Math.max(1, Math.ceil(EARLY_FRACTION * lastEpoch));
  const late = Math.max(1, Math.ceil(LATE_FRACTION * lastEpoch));
  return {
    early: Array.from({ length: early }, (_, i) => i + 1),
    late: Array.from({ length: late }, (_, i) => lastEpoch - late + 1 + i),
  };
}

/** Mean of a run's series over the window's epochs; NaN when an epoch is missing. */
export function windowMean(series: ReadonlyMap<number, number>, epochs: readonly number[]): number {
  let sum = 0;
  for (const e of epochs) {
    const v = series.get(e);
    if (v === undefined) return Number.NaN;
    sum += v;
  }
  return sum / epochs.length;
}

/** Across runs: the mean of each run's window mean, with a bootstrap 95% interval over runs. */
export function windowSummary(
  name: string,
  runs: readonly ReadonlyMap<number, number>[],
  epochs: readonly number[],
  options: BootstrapOptions = {},
): IntervalSummary {
  const values = runs.map((s) => windowMean(s, epochs)).filter(Number.isFinite);
  return meanWithInterval(name, values, options);
}

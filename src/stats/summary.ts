/**
 * The one shape every statistical summary takes (METHODS "Statistics"): the statistic's name,
 * n, the estimate, its 95% interval, whether that interval excludes 0, and how the interval
 * was formed. A correlation over fewer than MIN_RUNS_FOR_CORRELATION runs has no estimate:
 * estimate and interval are null and `note` says "too few runs". Pure.
 */

/** Correlations over fewer runs than this are reported as "too few runs", not as a number. */
export const MIN_RUNS_FOR_CORRELATION = 5;

export const TOO_FEW_RUNS = "too few runs";

export interface IntervalSummary {
  /** What was estimated, e.g. "spearman(hiddenSize, 1-synonymy)". */
  statistic: string;
  n: number;
  /** null when there is no estimate (too few runs, a constant variable). */
  estimate: number | null;
  /** The 95% interval [low, high]; null with the estimate. */
  interval95: [number, number] | null;
  /** Whether the interval lies wholly above or wholly below 0; null without an interval. */
  excludesZero: boolean | null;
  /** How the interval was formed, e.g. "fisher-z (Fieller)" or "bootstrap percentile, 2000 resamples". */
  method: string;
  /** Why there is no estimate ("too few runs", "constant variable"). */
  note?: string;
}

/** A summary with an estimate and interval. */
export function intervalSummary(
  statistic: string,
  n: number,
  estimate: number,
  interval95: [number, number],
  method: string,
): IntervalSummary {
  return {
    statistic,
    n,
    estimate,
    interval95,
    excludesZero: interval95[0] > 0 || interval95[1] < 0,
    method,
  };
}

/** A summary without an estimate, saying why. */
export function noEstimate(statistic: string, n: number, method: string, note: string): IntervalSummary {
  return { statistic, n, estimate: null, interval95: null, excludesZero: null, method, note };
}

/** One line: "spearman(a, b): n = 12, 0.412 [0.010, 0.700], excludes 0" or "… too few runs". */
export function describeSummary(s: IntervalSummary, digits = 3): string {
  if (s.estimate === null || s.interval95 === null) return `${s.statistic}: n = ${s.n}, ${s.note ?? "no estimate"}`;
  const [lo, hi] = s.interval95;
  return `${s.statistic}: n = ${s.n}, ${s.estimate.toFixed(digits)} [${lo.toFixed(digits)}, ${hi.toFixed(digits)}], ${s.excludesZero ? "excludes 0" : "includes 0"}`;
}

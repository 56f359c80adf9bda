/**
 * Size trends of an LM sweep (METHODS §6.3, "Statistics"): across models, Spearman's ρ of a
 * headline measure of each model's last layer (at its last training step) against log
 * parameter count, with a Fisher-z 95% interval and the test's p-value. Spearman is
 * rank-based, so against log parameters it equals against parameters. Fewer than 5 models
 * give "too few runs". Label-dependent measures are read bias-corrected when present. Pure.
 */
import type { ResultRow } from "../../io/runFolder.js";
import { spearmanTest } from "../../stats/correlation.js";
import { spearmanWithInterval } from "../../stats/rankCorrelation.js";
import { describeSummary, type IntervalSummary } from "../../stats/summary.js";
import { defaultView } from "../correctedRows.js";

export type TrendSummary = IntervalSummary & { p: number | null };

/** The measures whose size trend is reported: [measure, label set or undefined for Z alone]. */
export const TREND_MEASURES: readonly [string, string | undefined][] = [
  ["information", undefined],
  ["regularity-ln-n", "token"],
  ["disentanglement", "token"],
];

/** One trend per measure over the models of the first estimator in the rows. */
export function lmSizeTrends(rows: readonly ResultRow[]): TrendSummary[] {
  const view = defaultView(rows).filter((r) => typeof r.value === "number" && typeof r.params === "number");
  const estimator = view.find((r) => typeof r.estimator === "string")?.estimator;
  const models = [...new Set(view.map((r) => String(r.model)))];
  return TREND_MEASURES.map(([measure, labelSet]) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const model of models) {
      const mine = view.filter((r) => r.model === model && r.estimator === estimator);
      if (!mine.length) continue;
      const lastStep = Math.max(...mine.map((r) => (typeof r.step === "number" ? r.step : 0)));
      const lastLayer = Math.max(...mine.map((r) => Number(r.layer)));
      const hit = mine.find(
        (r) =>
          r.measure === measure &&
          (r.labelSet ?? undefined) === labelSet &&
          Number(r.layer) === lastLayer &&
          (typeof r.step === "number" ? r.step : 0) === lastStep,
      );
      if (!hit) continue;
      xs.push(Math.log(hit.params as number));
      ys.push(hit.value as number);
    }
    const name = `spearman(log parameters, ${measure}${labelSet ? ` (${labelSet})` : ""})`;
    const summary = spearmanWithInterval(name, xs, ys);
    return { ...summary, p: summary.estimate === null ? null : spearmanTest(xs, ys).p };
  });
}

/** describeSummary plus the p-value when there is an estimate. */
export function describeSummaryWithP(s: TrendSummary): string {
  return `${describeSummary(s)}${s.p === null ? "" : `, p = ${s.p.toPrecision(2)}`}`;
}

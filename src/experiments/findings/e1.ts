/**
 * E1 — variation and generalisation coexist (Conklin & Smith, ICLR 2023): runs that
 * generalise to unseen combinations keep non-zero synonymy and word-order freedom.
 */
import { meanWithInterval, bootstrapSummary } from "../../stats/bootstrap.js";
import { renderSvg } from "../../report/plot.js";
import { type EmergentConfig, MEDIUM_PRESET, QUICK_PRESET } from "../emergent/config.js";
import { headline, wholly } from "./claim.js";
import {
  chanceAccuracy,
  type EmergentClaim,
  emergentWithSplits,
  runEmergentClaim,
  runSeries,
} from "./emergentClaim.js";

/** A run generalises when its final compositional accuracy is at least this many times chance. */
export const GENERALISES_AT = 10;
/** Variation at or below this level counts as none. */
export const NEGLIGIBLE_VARIATION = 0.01;
/** Generalising runs needed for a verdict either way. */
export const MIN_GENERALISING_RUNS = 5;

const quick: EmergentConfig = { ...QUICK_PRESET, hiddenSizes: [64], seeds: [1, 2, 3, 4, 5, 6] };
const full: EmergentConfig = {
  ...MEDIUM_PRESET,
  hiddenSizes: [128],
  seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  epochs: 60,
};

export const E1: EmergentClaim = {
  name: "E1",
  title: "variation and generalisation coexist",
  thesis:
    "Conklin & Smith (ICLR 2023): languages that generalise to unseen meanings are compositional with a degree of variation (non-zero synonymy and word-order freedom).",
  definition: `Runs: one hidden size, several seeds; at each run's last epoch. A run generalises when its compositional-test accuracy (all roles) is ≥ ${GENERALISES_AT} × chance (chance = 1/Π|A_r|). Statistic: over generalising runs, min(mean synonymy, mean word-order freedom), with a percentile-bootstrap 95% interval over runs (2000 resamples, seed 1). Verdict: with fewer than ${MIN_GENERALISING_RUNS} generalising runs, inconclusive; supported when the interval lies wholly above ${NEGLIGIBLE_VARIATION}; not supported when it lies wholly below ${NEGLIGIBLE_VARIATION}; inconclusive otherwise.`,
  configurations: { quick, full },
  withSplits: emergentWithSplits,
  run: runEmergentClaim,
  analyse(rows, config) {
    const runs = runSeries(rows);
    const threshold = GENERALISES_AT * chanceAccuracy(config);
    const generalising = runs.filter((r) => (r.final["compositional.accuracy"] ?? 0) >= threshold);
    const synonymy = generalising.map((r) => r.final.synonymy!);
    const freedom = generalising.map((r) => r.final.wordOrderFreedom!);
    const mean = (v: readonly number[], idx: Int32Array) => {
      let s = 0;
      for (const i of idx) s += v[i]!;
      return s / idx.length;
    };
    const statistic = "min(mean synonymy, mean word-order freedom) over generalising runs";
    const summary = bootstrapSummary(statistic, generalising.length, (idx) =>
      Math.min(mean(synonymy, idx), mean(freedom, idx)),
    );
    const details = [
      meanWithInterval("mean synonymy (generalising runs)", synonymy),
      meanWithInterval("mean word-order freedom (generalising runs)", freedom),
      meanWithInterval(
        "compositional accuracy (all runs)",
        runs.map((r) => r.final["compositional.accuracy"] ?? 0),
      ),
    ];
    const share = `${generalising.length} of ${runs.length} runs generalise (compositional accuracy ≥ ${threshold.toFixed(4)})`;
    if (generalising.length < MIN_GENERALISING_RUNS)
      return headline("E1", summary, "inconclusive", `${share}; ${MIN_GENERALISING_RUNS} are needed`, details);
    if (wholly.above(summary.interval95, NEGLIGIBLE_VARIATION))
      return headline(
        "E1",
        summary,
        "supported",
        `${share}; their variation is above ${NEGLIGIBLE_VARIATION}`,
        details,
      );
    if (wholly.below(summary.interval95, NEGLIGIBLE_VARIATION))
      return headline(
        "E1",
        summary,
        "not supported",
        `${share}; their variation is below ${NEGLIGIBLE_VARIATION}`,
        details,
      );
    return headline("E1", summary, "inconclusive", `${share}; the interval straddles ${NEGLIGIBLE_VARIATION}`, details);
  },
  plot(rows, _result, config) {
    const threshold = GENERALISES_AT * chanceAccuracy(config);
    const values = runSeries(rows).flatMap((r) => [
      { run: r.meta.run, accuracy: r.final["compositional.accuracy"], measure: "synonymy", value: r.final.synonymy },
      {
        run: r.meta.run,
        accuracy: r.final["compositional.accuracy"],
        measure: "word-order freedom",
        value: r.final.wordOrderFreedom,
      },
    ]);
    return renderSvg({
      title: "E1: variation of each run against its compositional accuracy (last epoch)",
      layer: [
        {
          data: { values },
          mark: { type: "point", filled: true },
          encoding: {
            x: { field: "accuracy", type: "quantitative", title: "compositional accuracy (all roles)" },
            y: { field: "value", type: "quantitative", title: "variation" },
            color: { field: "measure", type: "nominal" },
          },
        },
        {
          data: { values: [{ threshold }] },
          mark: { type: "rule", strokeDash: [4, 3], color: "#888" },
          encoding: { x: { field: "threshold", type: "quantitative" } },
        },
      ],
      width: 360,
      height: 220,
    });
  },
};

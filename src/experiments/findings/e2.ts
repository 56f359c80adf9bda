/**
 * E2 — capacity conditions structure (Conklin & Smith, ICLR 2023): reducing a model's
 * capacity makes its language more regular.
 */
import { meanWithInterval } from "../../stats/bootstrap.js";
import { spearmanWithInterval } from "../../stats/rankCorrelation.js";
import { renderSvg } from "../../report/plot.js";
import { type EmergentConfig, MEDIUM_PRESET, QUICK_PRESET } from "../emergent/config.js";
import { headline, wholly } from "./claim.js";
import { type EmergentClaim, emergentWithSplits, runEmergentClaim, runSeries } from "./emergentClaim.js";

/** A |ρ| below this is no effect worth the name. */
export const SMALL_CORRELATION = 0.3;

const quick: EmergentConfig = { ...QUICK_PRESET, hiddenSizes: [16, 32, 64], seeds: [1, 2, 3, 4, 5], epochs: 40 };
const full: EmergentConfig = { ...MEDIUM_PRESET, hiddenSizes: [64, 128, 256], seeds: [1, 2, 3, 4, 5], epochs: 60 };

const READINGS: [string, (v: Record<string, number>) => number][] = [
  ["1-homonymy", (v) => 1 - v.homonymy!],
  ["topsim", (v) => v.topsim!],
  ["posdis", (v) => v.posdis!],
];

export const E2: EmergentClaim = {
  name: "E2",
  title: "capacity conditions structure",
  thesis:
    "Conklin & Smith (ICLR 2023): reducing a model's capacity results in greater regularity of the emergent language.",
  definition: `Runs: ≥ 3 hidden sizes × ≥ 5 seeds; at each run's last epoch. Statistic: Spearman ρ across runs of hidden size against regularity = 1 − synonymy, with a Fisher-z 95% interval (SE = √(1.06/(n − 3))); fewer than 5 runs: "too few runs". Verdict: supported when the interval lies wholly below 0 (smaller agents, more regular languages); not supported when its lower end is above −${SMALL_CORRELATION} (no moderate negative trend; this includes the opposite direction); inconclusive otherwise. Secondary (reported, not deciding): the same for 1 − homonymy, topsim and posdis, and 1 − synonymy per size with bootstrap intervals. The readings are discrete mapping measures (no vector estimator, so no bias correction applies).`,
  configurations: { quick, full },
  withSplits: emergentWithSplits,
  run: runEmergentClaim,
  analyse(rows) {
    const runs = runSeries(rows);
    const size = runs.map((r) => r.meta.hiddenSize);
    const regularity = runs.map((r) => 1 - r.final.synonymy!);
    const summary = spearmanWithInterval("spearman(hiddenSize, 1-synonymy) at the last epoch", size, regularity);
    const details = [
      ...READINGS.map(([name, read]) =>
        spearmanWithInterval(
          `spearman(hiddenSize, ${name})`,
          size,
          runs.map((r) => read(r.final)),
        ),
      ),
      ...[...new Set(size)]
        .sort((a, b) => a - b)
        .map((h) =>
          meanWithInterval(
            `1-synonymy at hidden size ${h}`,
            regularity.filter((_, i) => size[i] === h),
          ),
        ),
    ];
    const rho = summary.estimate === null ? summary.note : `ρ = ${summary.estimate.toFixed(3)}`;
    if (wholly.below(summary.interval95, 0))
      return headline("E2", summary, "supported", `${rho}: smaller agents make more regular languages`, details);
    if (summary.interval95 !== null && summary.interval95[0] > -SMALL_CORRELATION)
      return headline(
        "E2",
        summary,
        "not supported",
        `${rho}: the interval excludes a moderate negative trend`,
        details,
      );
    return headline(
      "E2",
      summary,
      "inconclusive",
      `${rho}: the interval includes 0 and moderate negative trends`,
      details,
    );
  },
  plot(rows) {
    const values = runSeries(rows).map((r) => ({
      hiddenSize: r.meta.hiddenSize,
      regularity: 1 - r.final.synonymy!,
      seed: r.meta.seed,
    }));
    const x = { field: "hiddenSize", type: "quantitative", scale: { type: "log", base: 2 }, title: "hidden size" };
    return renderSvg({
      title: "E2: regularity (1 − synonymy) at the last epoch against hidden size",
      data: { values },
      layer: [
        {
          mark: { type: "point", filled: true, opacity: 0.6 },
          encoding: {
            x,
            y: { field: "regularity", type: "quantitative", title: "1 − synonymy", scale: { zero: false } },
          },
        },
        {
          mark: { type: "line", point: true, color: "#d62728" },
          encoding: { x, y: { aggregate: "mean", field: "regularity", type: "quantitative" } },
        },
      ],
      width: 360,
      height: 220,
    });
  },
};

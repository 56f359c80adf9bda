/**
 * E3 — variation relates to generalisation early in training, not late (Conklin & Smith,
 * ICLR 2023): "early in training measures of variation correlate with generalization
 * performance, but this effect goes away over time".
 */
import { partialSpearmanWithInterval, spearmanWithInterval } from "../../stats/rankCorrelation.js";
import type { IntervalSummary } from "../../stats/summary.js";
import { epochWindows, windowSummary } from "../../stats/windows.js";
import { windowPairs } from "../emergent/summary.js";
import { renderSvg } from "../../report/plot.js";
import { type EmergentConfig, MEDIUM_PRESET, QUICK_PRESET } from "../emergent/config.js";
import { headline, wholly } from "./claim.js";
import {
  type EmergentClaim,
  emergentWithSplits,
  type RunSeries,
  runEmergentClaim,
  runSeries,
  series,
} from "./emergentClaim.js";

/** A |ρ| below this is no effect worth the name. */
export const SMALL_CORRELATION = 0.3;

const quick: EmergentConfig = {
  ...QUICK_PRESET,
  hiddenSizes: [64],
  seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  epochs: 40,
};
const full: EmergentConfig = {
  ...MEDIUM_PRESET,
  hiddenSizes: [128],
  seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  epochs: 60,
};

const VARIATION = "synonymy";
const TARGET = "compositional.accuracy";

function windowCorrelation(name: string, runs: readonly RunSeries[], epochs: readonly number[]): IntervalSummary {
  const { x, y, h } = windowPairs(runs, VARIATION, TARGET, epochs);
  return partialSpearmanWithInterval(name, x, y, h);
}

export const E3: EmergentClaim = {
  name: "E3",
  title: "variation relates to generalisation early in training, not late",
  thesis:
    "Conklin & Smith (ICLR 2023): early in training, measures of variation correlate with generalisation; the effect goes away later in training.",
  definition: `Runs: ≥ 10 seeds at one hidden size. Windows over epochs 1..E: early = first ⌈10%⌉, late = last ⌈50%⌉; each run's value in a window is its mean there. Statistic: partial Spearman ρ across runs (controlling for hidden size; with one size it is plain Spearman) of window-mean synonymy against window-mean compositional accuracy, early and late, each with a Fisher-z 95% interval (SE = √(1.06/(n − 3 − k))). The headline is the early ρ. Verdict: supported when the early interval excludes 0 and the late interval includes 0; not supported when the late interval excludes 0 with the early estimate's sign (the relation persists), or the early interval lies inside (−${SMALL_CORRELATION}, ${SMALL_CORRELATION}) (no early relation); inconclusive otherwise (including fewer than 5 runs).`,
  configurations: { quick, full },
  withSplits: emergentWithSplits,
  run: runEmergentClaim,
  analyse(rows) {
    const runs = runSeries(rows);
    const lastEpoch = Math.min(...runs.map((r) => r.lastEpoch));
    const windows = epochWindows(lastEpoch);
    const early = windowCorrelation(
      `partial spearman(synonymy, compositional accuracy | hiddenSize), early epochs ${windows.early[0]}-${windows.early.at(-1)}`,
      runs,
      windows.early,
    );
    const late = windowCorrelation(
      `partial spearman(synonymy, compositional accuracy | hiddenSize), late epochs ${windows.late[0]}-${windows.late.at(-1)}`,
      runs,
      windows.late,
    );
    const details = [
      late,
      windowSummary(
        "early mean synonymy",
        runs.map((r) => series(r, VARIATION)),
        windows.early,
      ),
      windowSummary(
        "late mean synonymy",
        runs.map((r) => series(r, VARIATION)),
        windows.late,
      ),
      windowSummary(
        "early mean compositional accuracy",
        runs.map((r) => series(r, TARGET)),
        windows.early,
      ),
      windowSummary(
        "late mean compositional accuracy",
        runs.map((r) => series(r, TARGET)),
        windows.late,
      ),
    ];
    const say = (s: IntervalSummary) => (s.estimate === null ? (s.note ?? "no estimate") : s.estimate.toFixed(3));
    const both = `early ρ ${say(early)}, late ρ ${say(late)}`;
    if (early.estimate === null) return headline("E3", early, "inconclusive", both, details);
    if (early.excludesZero && late.excludesZero === false)
      return headline("E3", early, "supported", `${both}: early interval excludes 0, late includes it`, details);
    const persists =
      late.excludesZero === true && late.estimate !== null && Math.sign(late.estimate) === Math.sign(early.estimate);
    if (persists) return headline("E3", early, "not supported", `${both}: the relation persists late`, details);
    if (wholly.inside(early.interval95, -SMALL_CORRELATION, SMALL_CORRELATION))
      return headline("E3", early, "not supported", `${both}: no early relation of moderate size`, details);
    return headline("E3", early, "inconclusive", `${both}: the intervals cannot tell`, details);
  },
  plot(rows) {
    const runs = runSeries(rows);
    const lastEpoch = Math.min(...runs.map((r) => r.lastEpoch));
    const windows = epochWindows(lastEpoch);
    const values: Record<string, unknown>[] = [];
    for (let epoch = 1; epoch <= lastEpoch; epoch++) {
      const x = runs.map((r) => r.epochs.get(epoch)?.[VARIATION] ?? Number.NaN);
      const y = runs.map((r) => r.epochs.get(epoch)?.[TARGET] ?? Number.NaN);
      if (x.some((v) => !Number.isFinite(v)) || y.some((v) => !Number.isFinite(v))) continue;
      const s = spearmanWithInterval("rho", x, y);
      if (s.estimate === null) continue;
      values.push({ epoch, rho: s.estimate, low: s.interval95![0], high: s.interval95![1] });
    }
    const windowBands = [
      { from: windows.early[0], to: windows.early.at(-1), window: "early" },
      { from: windows.late[0], to: windows.late.at(-1), window: "late" },
    ];
    const x = { field: "epoch", type: "quantitative", title: "epoch" };
    return renderSvg({
      title: "E3: Spearman ρ across runs of synonymy with compositional accuracy, per epoch (95% interval)",
      layer: [
        {
          data: { values: windowBands },
          mark: { type: "rect", opacity: 0.12 },
          encoding: {
            x: { field: "from", type: "quantitative" },
            x2: { field: "to" },
            color: { field: "window", type: "nominal" },
          },
        },
        {
          data: { values },
          mark: { type: "area", opacity: 0.25, color: "#1f77b4" },
          encoding: { x, y: { field: "low", type: "quantitative", title: "ρ" }, y2: { field: "high" } },
        },
        {
          data: { values },
          mark: { type: "line", point: true, color: "#1f77b4" },
          encoding: { x, y: { field: "rho", type: "quantitative", scale: { domain: [-1, 1] } } },
        },
      ],
      width: 420,
      height: 220,
    });
  },
};

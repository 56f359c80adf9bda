/**
 * S1 — two phases in a seq2seq transformer (Conklin 2025, ch. 6): information of the encoder
 * states rises, then falls while the loss keeps falling; corrected token regularity and
 * disentanglement rise in the first phase.
 */
import { meanWithInterval } from "../../stats/bootstrap.js";
import { type IntervalSummary, intervalSummary } from "../../stats/summary.js";
import { PRESETS, type Seq2seqConfig } from "../seq2seq/config.js";
import type { RunSummary } from "../seq2seq/summary.js";
import { type ClaimResult, headline, wholly } from "./claim.js";
import { FULL_SCALE, informationPlot, runSeq2seqClaim, type Seq2seqClaim, summarise } from "./seq2seqClaim.js";

/** Seeds needed for a verdict. */
export const S1_MIN_SEEDS = 3;

const base: Seq2seqConfig = { ...PRESETS.quick, split: "turn-left", sizes: ["small"], regimes: ["standard"] };
const quick: Seq2seqConfig = {
  ...base,
  seeds: [1, 2, 3],
  steps: 300,
  batchSize: 32,
  measurePoints: 7,
  evalExamples: 100,
  probeInputs: 200,
};
const full: Seq2seqConfig = {
  ...base,
  seeds: [1, 2, 3, 4, 5],
  // The same runs as S2's seeds 1-5 (same settings), so they train once for both claims.
  steps: 4000,
  ...FULL_SCALE,
  measurePoints: 12,
};

/** A run shows both phases: information's bootstrap compression interval lies above 0, its peak interval ends before the last step, the loss falls after the peak, and corrected token regularity and disentanglement rose from trough to peak. */
export function twoPhases(r: RunSummary): boolean {
  return (
    r.phaseOne &&
    wholly.above(r.compressionInterval, 0) &&
    r.peakStepInterval !== null &&
    r.peakStepInterval[1] < r.steps &&
    r.lossFinal !== null &&
    r.lossAtPeak !== null &&
    r.lossFinal < r.lossAtPeak
  );
}

/** Each run's compression and peak step with their bootstrap intervals (resampling `unit`, e.g. "probe inputs"). */
export function phaseIntervals(runs: readonly RunSummary[], unit: string): IntervalSummary[] {
  return runs.flatMap((r) =>
    r.compressionInterval && r.peakStepInterval
      ? [
          intervalSummary(
            `${r.run}: compression`,
            r.bootstrapResamples,
            r.compression!,
            r.compressionInterval,
            `bootstrap over ${unit}`,
          ),
          intervalSummary(
            `${r.run}: peak step`,
            r.bootstrapResamples,
            r.peakStep!,
            r.peakStepInterval,
            `bootstrap over ${unit}`,
          ),
        ]
      : [],
  );
}

/**
 * S1's rule over runs (each a seed, or a size × seed): fewer than `minRuns` → inconclusive;
 * supported when every run shows both phases and the mean compression's interval lies wholly
 * above 0; not supported when no run's compression interval lies above 0; else inconclusive.
 */
export function twoPhaseVerdict(
  claim: string,
  summary: IntervalSummary,
  runs: readonly RunSummary[],
  details: IntervalSummary[],
  minRuns: number,
  unit: "seed" | "run",
): ClaimResult {
  const both = runs.filter(twoPhases);
  const share = `${both.length} of ${runs.length} ${unit}s show both phases`;
  if (runs.length < minRuns)
    return headline(claim, summary, "inconclusive", `${runs.length} ${unit}s; ${minRuns} are needed`, details);
  if (both.length === runs.length && wholly.above(summary.interval95, 0))
    return headline(claim, summary, "supported", share, details);
  if (runs.every((r) => !wholly.above(r.compressionInterval, 0)))
    return headline(
      claim,
      summary,
      "not supported",
      `${share}; in no ${unit} does information fall after its peak beyond the bootstrap interval`,
      details,
    );
  return headline(claim, summary, "inconclusive", share, details);
}

export const S1: Seq2seqClaim = {
  name: "S1",
  title: "two phases in a seq2seq transformer",
  thesis:
    "Conklin (2025, ch. 6): over training, the information of a seq2seq transformer's encoder states first rises, then falls (compression) while the loss keeps falling; token regularity and disentanglement rise in the first phase.",
  definition:
    `SCAN add-turn-left, small transformer (width 32), standard training, several seeds; quick: 3 seeds × 300 steps of 32 (≈ 3 × 300 × 0.1 CPU-s ≈ 1.5 min of training plus 7 measurements each, under 10 min); full: 5 seeds × 4000 steps of 64, the runs of S2's seeds 1–5 (trained once for both claims; 5 × 4000 × 0.21 CPU-s ≈ 1.2 h plus 12 measurements each, ≈ 1.5 h). ` +
    "Per run (last encoder layer; label measures bias-corrected with 4 null shadows): the peak step of information and compression = information at the peak − at the last step, each with a percentile-bootstrap 95% interval over 20 groups of probe inputs (200 resamples). " +
    "A run shows both phases when its compression interval lies wholly above 0, the upper end of its peak-step interval is before the last step, the final loss is below the loss at the peak, and corrected token regularity and disentanglement rose from the information trough to the peak. " +
    `Statistic: mean compression over seeds with a percentile-bootstrap 95% interval over seeds (2000 resamples). Verdict: fewer than ${S1_MIN_SEEDS} seeds → inconclusive; supported when every seed shows both phases and the interval lies wholly above 0; not supported when no seed's compression interval lies above 0 (information does not fall); inconclusive otherwise.`,
  configurations: { quick, full },
  run: runSeq2seqClaim,
  analyse(rows) {
    const runs = summarise(rows).runs.filter((r) => r.compression !== null);
    const summary = meanWithInterval(
      "mean compression (information at the peak − final), last encoder layer",
      runs.map((r) => r.compression!),
    );
    const details = [
      meanWithInterval(
        "peak step",
        runs.filter((r) => r.peakStep !== null).map((r) => r.peakStep!),
      ),
      meanWithInterval(
        "corrected token regularity rise (trough → peak)",
        runs.filter((r) => r.regularityRise !== null).map((r) => r.regularityRise!),
      ),
      meanWithInterval(
        "corrected token disentanglement rise (trough → peak)",
        runs.filter((r) => r.disentanglementRise !== null).map((r) => r.disentanglementRise!),
      ),
      ...phaseIntervals(runs, "probe inputs"),
    ];
    return twoPhaseVerdict("S1", summary, runs, details, S1_MIN_SEEDS, "seed");
  },
  plot(rows) {
    return informationPlot(rows, "S1: information of the last encoder layer over training");
  },
};

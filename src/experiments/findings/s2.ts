/**
 * S2 — compression goes with out-of-distribution generalisation (Conklin 2025, ch. 6): across
 * runs, the more a model's encoder compresses after its information peak, the better it
 * generalises out of distribution.
 */
import { meanWithInterval } from "../../stats/bootstrap.js";
import { PRESETS, type Seq2seqConfig } from "../seq2seq/config.js";
import {
  FULL_SCALE,
  informationPlot,
  runSeq2seqClaim,
  type Seq2seqClaim,
  summarise,
  verdictAboveZero,
} from "./seq2seqClaim.js";

const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const base: Seq2seqConfig = { ...PRESETS.quick, split: "turn-left", sizes: ["small"], regimes: ["standard"] };
const quick: Seq2seqConfig = {
  ...base,
  seeds: seeds(5),
  steps: 200,
  batchSize: 32,
  measurePoints: 6,
  evalExamples: 100,
  probeInputs: 200,
};
const full: Seq2seqConfig = {
  ...base,
  seeds: seeds(12),
  steps: 4000,
  ...FULL_SCALE,
  measurePoints: 12,
};

export const S2: Seq2seqClaim = {
  name: "S2",
  title: "compression goes with out-of-distribution generalisation",
  thesis:
    "Conklin (2025, ch. 6): across seq2seq runs, more compression of the encoder's representations after the information peak goes with better out-of-distribution (compositional) generalisation.",
  definition:
    "SCAN add-turn-left (OOD accuracy varies between runs there: 11–35% in earlier runs; add-jump gives ≈ 0 for every run, so no correlation could be measured), small transformer, standard training, one run per seed; " +
    "quick: 5 seeds × 200 steps of 32 (≈ 5 × 200 × 0.1 CPU-s ≈ 2 min of training, under 10 min with measurements); full: 12 seeds × 4000 steps of 64 (12 × 4000 × 0.21 CPU-s ≈ 2.8 h plus 12 measurements each, ≈ 3.5 h). " +
    "Statistic: Spearman ρ across runs between compression (information of the last encoder layer at its peak − at the last step) and final OOD exact-match accuracy, with a Fisher-z 95% interval (SE = √(1.06/(n − 3))). " +
    "Verdict: fewer than 5 runs, or a constant OOD accuracy or compression → inconclusive; supported when the interval lies wholly above 0; not supported when it lies wholly below 0; inconclusive otherwise.",
  configurations: { quick, full },
  run: runSeq2seqClaim,
  analyse(rows) {
    const s = summarise(rows);
    const summary = s.compressionVsOod;
    const ood = s.runs.filter((r) => r.oodFinal !== null).map((r) => r.oodFinal!);
    const details = [
      meanWithInterval("final OOD accuracy", ood),
      meanWithInterval(
        "compression",
        s.runs.filter((r) => r.compression !== null).map((r) => r.compression!),
      ),
      s.compressionVsIid,
    ];
    const spread = ood.length
      ? `OOD accuracy ${Math.min(...ood).toFixed(3)}–${Math.max(...ood).toFixed(3)}`
      : "no OOD accuracy";
    return verdictAboveZero(
      "S2",
      summary,
      details,
      {
        above: "more compression goes with higher OOD accuracy",
        below: "more compression goes with lower OOD accuracy",
      },
      spread,
    );
  },
  plot(rows) {
    return informationPlot(rows, "S2: information of the last encoder layer over training, one line per run");
  },
};

/**
 * S3 — larger models compress more (Conklin 2025, ch. 6): with the same data and steps, the
 * wider the transformer, the larger its second-phase compression.
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

const base: Seq2seqConfig = {
  ...PRESETS.quick,
  split: "turn-left",
  sizes: ["small", "medium", "large"],
  regimes: ["standard"],
};
const quick: Seq2seqConfig = {
  ...base,
  seeds: [1, 2],
  steps: 100,
  batchSize: 32,
  measurePoints: 5,
  evalExamples: 50,
  probeInputs: 150,
};
const full: Seq2seqConfig = {
  ...base,
  seeds: [1, 2, 3],
  steps: 4000,
  ...FULL_SCALE,
  measurePoints: 12,
};

export const S3: Seq2seqClaim = {
  name: "S3",
  title: "larger models compress more",
  thesis:
    "Conklin (2025, ch. 6): with the same data and number of steps, larger seq2seq transformers compress their encoder representations more in the second phase.",
  definition:
    "SCAN add-turn-left, widths 32 / 64 / 128 (small / medium / large; 2 encoder layers, 1 decoder layer), the same steps for every width; " +
    "quick: 2 seeds × 3 widths × 100 steps of 32 (2 × 100 × (0.1 + 0.29 + 1.19) CPU-s ≈ 5.3 min of training; inconclusive by design at this length); full: 3 seeds × 3 widths × 4000 steps of 64 (3 × 4000 × (0.21 + 0.58 + 2.38) CPU-s ≈ 10.6 h). " +
    "Statistic: Spearman ρ across runs between log parameter count and compression (information of the last encoder layer at its peak − at the last step), with a Fisher-z 95% interval. " +
    "Verdict: fewer than 5 runs or a constant compression → inconclusive; supported when the interval lies wholly above 0; not supported when wholly below 0; inconclusive otherwise.",
  configurations: { quick, full },
  run: runSeq2seqClaim,
  analyse(rows) {
    const s = summarise(rows);
    const summary = s.compressionVsSize;
    const details = [
      s.peakStepVsSize,
      ...[...new Set(s.runs.map((r) => r.model))].map((model) =>
        meanWithInterval(
          `compression (${model})`,
          s.runs.filter((r) => r.model === model && r.compression !== null).map((r) => r.compression!),
        ),
      ),
    ];
    return verdictAboveZero("S3", summary, details, {
      above: "larger models compress more",
      below: "larger models compress less",
    });
  },
  plot(rows) {
    return informationPlot(rows, "S3: information of the last encoder layer over training, by width and seed");
  },
};

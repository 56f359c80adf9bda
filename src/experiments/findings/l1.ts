/**
 * L1 — structure over a language model's training (issue 13): small causal transformer LMs
 * trained here on a public-domain corpus (no pretrained weights can be downloaded), each
 * checkpoint measured at every layer by `glossa lm`'s own code (../lmtrain/), read with S1's
 * phase summary at every layer.
 *
 * Training cost behind the budgets (measured on the 2-core machine while loaded, wasm back
 * end, 2 blocks, context 64, vocabulary 1000, one step of 16 windows, CPU-seconds): w32 0.25,
 * w64 0.51 (w128 1.62); steps of 8 windows cost about half.
 */
import { readRunFolder } from "../../io/runFolder.js";
import { renderSvg } from "../../report/plot.js";
import { meanWithInterval } from "../../stats/bootstrap.js";
import { LM_TRAIN_DEFAULTS, type LmTrainingConfig } from "../lmtrain/config.js";
import { runLmTraining, runName } from "../lmtrain/experiment.js";
import { type LayerSummary, summariseLayers } from "../lmtrain/summary.js";
import type { JournalRow } from "../seq2seq/summary.js";
import type { Claim } from "./claim.js";
import { phaseIntervals, twoPhaseVerdict } from "./s1.js";
import { runSharedRuns } from "./sharedRuns.js";

/** Runs (sizes × seeds) needed for a verdict. */
export const L1_MIN_RUNS = 3;

/** CPU-seconds per training step of 16 windows (see the module note). */
export const LM_SECONDS_PER_STEP_16 = { w32: 0.25, w64: 0.51, w128: 1.62 } as const;

const quick: LmTrainingConfig = { ...LM_TRAIN_DEFAULTS, seeds: [1, 2] };
const full: LmTrainingConfig = {
  ...LM_TRAIN_DEFAULTS,
  seeds: [1, 2, 3],
  steps: 4000,
  batchSize: 16,
  measurePoints: 12,
  probeTokens: 8000,
};

/** The layer the verdict reads: the last block's output. */
const lastLayer = (config: LmTrainingConfig) => config.layers;

export const L1: Claim<LmTrainingConfig> = {
  name: "L1",
  title: "structure over a language model's training",
  thesis:
    "Conklin (2025), as issue 13 summarises it: language models show the same dynamics as the seq2seq transformer across layers, sizes and checkpoints: over training the information of the hidden states first rises, then falls (compression) while the loss keeps falling; token and n-gram regularity rise in the first phase.",
  definition:
    "Causal transformer LMs (2 blocks, 4 heads, FF 4×, dropout 0.1, context 64, word-level vocabulary of 1000 learnt from the training text) of widths 32 and 64, trained with Adam (lr 1e-3) on the King James Genesis (test/fixtures/lm/kjv-genesis.txt, chapters 1–45; public domain), checkpointed at log-spaced steps; each checkpoint's layers 0–2 (embeddings, each block's output) are measured by `glossa lm`'s code on held-out chapters 46–50 (soft entropy, 100 anchors, exact calibration; token, bigram and POS label sets bias-corrected with 4 null shadows). " +
    "quick: 2 sizes × 2 seeds × 300 steps of 8 windows, 7 checkpoints, 2000 held-out tokens (2 × 300 × (0.13 + 0.26) ≈ 230 CPU-s of training plus 28 measurements; measured: one quick run with its 7 measurements takes 42 CPU-s at w32 and 86 CPU-s at w64, so ≈ 260 CPU-s in all, under 10 min); full: 2 sizes × 3 seeds × 4000 steps of 16, 12 checkpoints, all 7236 held-out tokens (3 × 4000 × (0.25 + 0.51) ≈ 9100 CPU-s ≈ 2.5 h of training plus 72 measurements, ≈ 3 h). " +
    "Per run and layer, S1's phase summary: the peak step of information and compression = information at the peak − at the last checkpoint, each with a percentile-bootstrap 95% interval over at most 20 groups of consecutive held-out windows (quick 16, full 20; 200 resamples); corrected token/bigram/POS regularity at the trough, the peak and the end. " +
    "A run shows both phases (S1's rule, at the last layer) when its compression interval lies wholly above 0, the upper end of its peak-step interval is before the last step, the final loss is below the loss at the peak, and corrected token regularity and disentanglement rose from the information trough to the peak. " +
    `Statistic: mean compression of the last layer over runs with a percentile-bootstrap 95% interval over runs (2000 resamples); the other layers are reported, not deciding. Verdict: fewer than ${L1_MIN_RUNS} runs → inconclusive; supported when every run shows both phases and the interval lies wholly above 0; not supported when no run's compression interval lies above 0 (information does not fall); inconclusive otherwise.`,
  configurations: { quick, full },
  run(config, context) {
    const { seeds: _s, sizes: _z, ...shared } = config;
    const runs = config.sizes.flatMap((size) =>
      config.seeds.map((seed) => ({ id: runName(size, seed), config: { ...config, sizes: [size], seeds: [seed] } })),
    );
    const train = async (single: LmTrainingConfig, out: string, resume: boolean) => {
      await runLmTraining(single, {
        out,
        resume,
        log: context.log,
        ...(context.backend ? { backend: context.backend } : {}),
      });
      return readRunFolder(out).rows;
    };
    return runSharedRuns({ kind: "lmtrain", config, shared, runs, train }, context);
  },
  analyse(rows, config) {
    const layers = summariseLayers(rows as unknown as JournalRow[]);
    const last = layers.filter((s) => s.layer === lastLayer(config) && s.compression !== null);
    const summary = meanWithInterval(
      `mean compression (information at the peak − final), layer ${lastLayer(config)} (last block)`,
      last.map((r) => r.compression!),
    );
    const details = [...layerDetails(layers, config), ...phaseIntervals(last, "held-out windows")];
    return twoPhaseVerdict("L1", summary, last, details, L1_MIN_RUNS, "run");
  },
  plot(rows) {
    const values = rows
      .filter((r) => r.measure === "information" && typeof r.layer === "number" && typeof r.step === "number")
      .map((r) => ({
        run: r.run,
        layer: `layer ${r.layer}`,
        "step + 1": (r.step as number) + 1,
        information: r.value,
      }));
    return renderSvg({
      title: "L1: information of every layer over an LM's training",
      data: { values },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "step + 1", type: "quantitative", scale: { type: "log" }, title: "training step + 1" },
        y: { field: "information", type: "quantitative", title: "information" },
        color: { field: "layer", type: "nominal" },
        detail: { field: "run", type: "nominal" },
      },
      width: 360,
      height: 220,
    });
  },
};

/** Per layer over runs: compression, peak step, and the trough → peak rise of each label set's corrected regularity. */
function layerDetails(layers: readonly LayerSummary[], config: LmTrainingConfig) {
  const out = [];
  for (let layer = 0; layer <= config.layers; layer++) {
    const at = layers.filter((s) => s.layer === layer);
    const values = (pick: (s: LayerSummary) => number | null) => at.map(pick).filter((v): v is number => v !== null);
    out.push(
      meanWithInterval(
        `layer ${layer}: compression`,
        values((s) => s.compression),
      ),
    );
    out.push(
      meanWithInterval(
        `layer ${layer}: peak step`,
        values((s) => s.peakStep),
      ),
    );
    for (const labelSet of config.labels) {
      const rise = (s: LayerSummary) => {
        const r = s.regularity[labelSet];
        return r && r.peak !== null && r.trough !== null ? r.peak - r.trough : null;
      };
      out.push(meanWithInterval(`layer ${layer}: corrected ${labelSet} regularity rise (trough → peak)`, values(rise)));
    }
  }
  return out;
}

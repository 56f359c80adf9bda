/**
 * Settings of the language-model training experiment (issue 13, claim L1): small causal
 * transformers trained on a committed public-domain corpus, checkpointed and measured at
 * log-spaced steps. Pure, except `corpusPath` (resolves against the package root).
 */
import { fileURLToPath } from "node:url";
import path from "node:path";
import { InputError } from "../../io/errors.js";
import { LM_LABEL_SETS, type LmLabelSet } from "../../labels/lmLabels.js";

/** Model sizes by width (every size has the same depth, heads and context). */
export const LM_TRAIN_SIZES = { w32: 32, w64: 64, w128: 128 } as const;
export type LmTrainSize = keyof typeof LM_TRAIN_SIZES;

export interface LmTrainingConfig {
  /** Text file, one document per line; relative paths resolve against the package root. */
  corpus: string;
  /** The last this-many documents are the held-out text that is measured (never trained on). */
  heldOutDocuments: number;
  vocabSize: number;
  sizes: LmTrainSize[];
  seeds: number[];
  /** Transformer blocks (layers 0..layers are measured: embeddings, then each block's output). */
  layers: number;
  heads: number;
  ffMultiplier: number;
  dropout: number;
  /** Tokens a position attends to; training windows and measured windows are this long. */
  context: number;
  steps: number;
  /** Windows per training step. */
  batchSize: number;
  learningRate: number;
  /** Log-spaced checkpoints (step 0 and the last included), each measured. */
  measurePoints: number;
  /** Held-out tokens measured per checkpoint (at most the held-out text). */
  probeTokens: number;
  labels: LmLabelSet[];
  /** Soft-entropy anchors (exact calibration, anchor seed 0, as `glossa lm`). */
  anchors: number;
  /** Null shadows per label set (bias correction, METHODS §5.1). */
  nullShadows: number;
  /** Groups of measured windows, the bootstrap's unit; and resamples of information per checkpoint. */
  bootstrapGroups: number;
  bootstrapResamples: number;
}

export const LM_TRAIN_DEFAULTS: LmTrainingConfig = {
  corpus: "test/fixtures/lm/kjv-genesis.txt",
  heldOutDocuments: 5,
  vocabSize: 1000,
  sizes: ["w32", "w64"],
  seeds: [1],
  layers: 2,
  heads: 4,
  ffMultiplier: 4,
  dropout: 0.1,
  context: 64,
  steps: 300,
  batchSize: 8,
  learningRate: 1e-3,
  measurePoints: 7,
  probeTokens: 2000,
  labels: ["token", "bigram", "pos"],
  anchors: 100,
  nullShadows: 4,
  bootstrapGroups: 20,
  bootstrapResamples: 200,
};

/** The package root (this module sits three folders below it, in src/ or dist/). */
export function packageRoot(): string {
  return path.resolve(fileURLToPath(new URL("../../../", import.meta.url)));
}

export function corpusPath(config: Pick<LmTrainingConfig, "corpus">): string {
  return path.resolve(packageRoot(), config.corpus);
}

export function validateLmTrainingConfig(c: LmTrainingConfig): void {
  const positive = [
    "heldOutDocuments",
    "vocabSize",
    "layers",
    "heads",
    "ffMultiplier",
    "context",
    "steps",
    "batchSize",
    "measurePoints",
    "probeTokens",
    "anchors",
    "bootstrapGroups",
  ] as const;
  for (const key of positive)
    if (!Number.isInteger(c[key]) || c[key] < 1)
      throw new InputError(`lmtrain: "${key}" must be a positive integer, got ${JSON.stringify(c[key])}`);
  for (const key of ["nullShadows", "bootstrapResamples"] as const)
    if (!Number.isInteger(c[key]) || c[key] < 0)
      throw new InputError(`lmtrain: "${key}" must be an integer ≥ 0, got ${JSON.stringify(c[key])}`);
  if (c.sizes.length === 0 || c.sizes.some((s) => !(s in LM_TRAIN_SIZES)))
    throw new InputError(`lmtrain: "sizes" must name sizes of ${Object.keys(LM_TRAIN_SIZES).join(", ")}`);
  if (c.seeds.length === 0 || c.seeds.some((s) => !Number.isInteger(s)))
    throw new InputError(`lmtrain: "seeds" must be a non-empty list of integers`);
  if (c.labels.length === 0 || c.labels.some((l) => !LM_LABEL_SETS.includes(l)))
    throw new InputError(`lmtrain: "labels" must name label sets of ${LM_LABEL_SETS.join(", ")}`);
  if (!(c.learningRate > 0 && c.learningRate < 1))
    throw new InputError(`lmtrain: "learningRate" must be in (0, 1), got ${c.learningRate}`);
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new InputError(`lmtrain: "dropout" must be in [0, 1), got ${c.dropout}`);
}

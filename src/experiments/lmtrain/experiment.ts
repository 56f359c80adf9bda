/**
 * NODE ONLY: the language-model training experiment (issue 13, claim L1), in the one
 * experiment shape (../runner.ts). For each size × seed: a causal transformer (./model.ts)
 * trained on the corpus minus its held-out documents (./trainer.ts); at log-spaced steps
 * (step 0 and the last included) a checkpoint `checkpoints/<run>/step<N>.json` (parameters
 * and Adam state, the format of ../training/checkpoint.ts) and a measurement of every layer
 * on the held-out text by `glossa lm`'s own code (../lm/measureModel.ts: the same windows,
 * label sets, accumulators, null shadows and result rows), with a bootstrap of information
 * over groups of windows for the phase summary's intervals. One commit per (run, step).
 *
 * Resume: finished (run, step) commits are kept; a run continues from the checkpoint of its
 * last journaled step (checkpoints are written before the commit they belong to), retraining
 * deterministically from step 0 when there is none.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type * as tfNs from "@tensorflow/tfjs";
import { tsBackend } from "../../compute/ts.js";
import { InputError } from "../../io/errors.js";
import type { ResultRow } from "../../io/runFolder.js";
import { tokenizeCorpus, type TokenizedCorpus } from "../../labels/lmLabels.js";
import { readCorpus } from "../../sources/corpus.js";
import type { LayerStates, PaddedBatch } from "../../sources/onnxModel.js";
import type { PartitionedAccumulator } from "../../vector/bootstrap.js";
import { cellRows, type LayerModel, measureCells, measureContext, type MeasureContext } from "../lm/measureModel.js";
import { type ExperimentOptions, withRunFolder, yieldToEventLoop } from "../runner.js";
import { BOOTSTRAP_MEASURE, bootstrapInformation } from "../seq2seq/bootstrapInformation.js";
import { logSpacedSteps } from "../seq2seq/config.js";
import type { Params } from "../seq2seq/model.js";
import { useTfBackend, type TfBackend } from "../tfSetup.js";
import { adamFromCheckpoint, adamToCheckpoint, loadCheckpoint, saveCheckpoint } from "../training/checkpoint.js";
import type { AdamState } from "../training/adam.js";
import type { ParameterValues } from "../training/parameters.js";
import type { TrainerSnapshot } from "../training/trainer.js";
import {
  corpusPath,
  LM_TRAIN_SIZES,
  type LmTrainingConfig,
  type LmTrainSize,
  validateLmTrainingConfig,
} from "./config.js";
import { lmParameterCount, type LmModelConfig, residualStates } from "./model.js";
import { WordTokenizer } from "./tokenizer.js";
import { LmTrainer } from "./trainer.js";

export const LMTRAIN_EXPERIMENT = "lmtrain";

export interface LmTrainingOptions extends ExperimentOptions {
  backend?: TfBackend;
}

/** The prepared corpus: tokenizer learnt from the training documents, the training stream, the measured windows. */
export interface PreparedCorpus {
  tokenizer: WordTokenizer;
  train: Int32Array;
  probe: TokenizedCorpus;
  sha256: string;
}

export function prepareCorpus(config: LmTrainingConfig, documents: readonly string[]): PreparedCorpus {
  if (documents.length <= config.heldOutDocuments)
    throw new InputError(
      `the corpus has ${documents.length} documents; ${config.heldOutDocuments} are held out, so none would be left to train on`,
      { file: config.corpus },
    );
  const trainDocs = documents.slice(0, documents.length - config.heldOutDocuments);
  const tokenizer = WordTokenizer.fromCorpus(trainDocs, config.vocabSize, config.context);
  const train = Int32Array.from(trainDocs.flatMap((d) => tokenizer.encode(d)));
  const probe = tokenizeCorpus(documents.slice(trainDocs.length), tokenizer, {
    maxLength: config.context,
    maxTokens: config.probeTokens,
    pos: config.labels.includes("pos"),
  });
  const hash = createHash("sha256");
  for (const d of documents) hash.update(d).update("\n");
  return { tokenizer, train, probe, sha256: hash.digest("hex") };
}

export function lmModelConfig(config: LmTrainingConfig, size: LmTrainSize, vocab: number): LmModelConfig {
  const { layers, heads, ffMultiplier, dropout } = config;
  return { width: LM_TRAIN_SIZES[size], heads, layers, ffMultiplier, dropout, vocab };
}

export const runName = (size: LmTrainSize, seed: number) => `${size}-seed${seed}`;

/** A trained model's parameters seen as `glossa lm` sees a model: residual states per layer (evaluation mode). */
export class TrainedLanguageModel implements LayerModel {
  readonly parameters: number;
  readonly layerCount: number;

  constructor(
    private readonly tf: typeof tfNs,
    private readonly params: Params,
    private readonly model: LmModelConfig,
    readonly tokenizer: WordTokenizer,
  ) {
    this.parameters = lmParameterCount(model);
    this.layerCount = model.layers + 1;
  }

  async forward(batch: PaddedBatch, layers: readonly number[]): Promise<LayerStates> {
    const tf = this.tf;
    const ids = tf.tensor(batch.ids, [batch.rows, batch.length], "int32");
    const all = tf.tidy(() => residualStates({ tf, p: this.params, c: this.model }, ids));
    ids.dispose();
    const states = layers.map((l) => {
      if (!(l >= 0 && l < all.length)) throw new RangeError(`layer ${l} out of range 0..${all.length - 1}`);
      return Float32Array.from(all[l]!.dataSync() as Float32Array);
    });
    for (const t of all) t.dispose();
    return { width: this.model.width, states };
  }
}

interface CheckpointData {
  step: number;
  adamStep: number;
  shapes: Record<string, number[]>;
}

export function saveStepCheckpoint(file: string, step: number, params: ParameterValues, adam: AdamState) {
  const a = adamToCheckpoint(adam);
  saveCheckpoint(file, {
    experiment: LMTRAIN_EXPERIMENT,
    data: { step, adamStep: a.adamStep, shapes: Object.fromEntries([...params].map(([k, p]) => [k, p.shape])) },
    arrays: { parameters: new Map([...params].map(([k, p]) => [k, p.values])), ...a.arrays },
  });
}

/** Reads a checkpoint written by this experiment (undefined when the file does not exist). */
export function loadStepCheckpoint(file: string): TrainerSnapshot | undefined {
  const checkpoint = loadCheckpoint<CheckpointData>(file, LMTRAIN_EXPERIMENT);
  if (!checkpoint) return undefined;
  const { data } = checkpoint;
  if (!Number.isInteger(data.step) || typeof data.shapes !== "object" || data.shapes === null)
    throw new InputError("damaged checkpoint: step or shapes missing", { file });
  const params: ParameterValues = new Map(
    [...(checkpoint.arrays.parameters ?? new Map<string, Float32Array>())].map(([k, values]) => [
      k,
      { shape: data.shapes[k] ?? [values.length], values },
    ]),
  );
  return { step: data.step, params, adam: adamFromCheckpoint(checkpoint, file) };
}

export interface LmTrainingResult {
  dir: string;
  rows: ResultRow[];
  seconds: number;
}

/** Trains and measures every size × seed into the run folder `options.out`. */
export async function runLmTraining(config: LmTrainingConfig, options: LmTrainingOptions): Promise<LmTrainingResult> {
  validateLmTrainingConfig(config);
  const started = performance.now();
  const documents = readCorpus(corpusPath(config)).documents;
  const corpus = prepareCorpus(config, documents);
  const identity = {
    experiment: LMTRAIN_EXPERIMENT,
    parameters: { ...config, corpusSha256: corpus.sha256, backend: options.backend ?? "wasm" },
  };
  return withRunFolder(identity, options, async (folder, log, cells) => {
    const tf = await useTfBackend(options.backend ?? "wasm");
    folder.recordParameters({
      trainTokens: corpus.train.length,
      // Not "probeTokens": that is the setting as asked, which a resume compares; fewer may exist.
      probeTokensMeasured: corpus.probe.tokens,
      vocabulary: corpus.tokenizer.vocabSize,
    });
    log(
      `lmtrain: ${corpus.train.length} training tokens, ${corpus.probe.tokens} held-out tokens measured in ${corpus.probe.sequences.length} windows, vocabulary ${corpus.tokenizer.vocabSize}`,
    );
    const context = measureContext(log);
    for (const size of config.sizes) {
      for (const seed of config.seeds) {
        const run = runName(size, seed);
        if (!cells.take(run)) continue;
        await trainRun(tf, config, corpus, size, seed, {
          isCommitted: (step) => folder.isCommitted(`${run}/step${step}`),
          checkpointFile: (step) => folder.file(path.join("checkpoints", run, `step${step}.json`)),
          commit: async (step, rows) => {
            folder.commit(`${run}/step${step}`, rows);
            await yieldToEventLoop();
          },
          context,
        });
      }
    }
    return { dir: folder.dir, rows: folder.rows(), seconds: (performance.now() - started) / 1000 };
  });
}

interface RunHooks {
  isCommitted(step: number): boolean;
  checkpointFile(step: number): string;
  commit(step: number, rows: ResultRow[]): Promise<void>;
  context: MeasureContext;
}

async function trainRun(
  tf: typeof tfNs,
  config: LmTrainingConfig,
  corpus: PreparedCorpus,
  size: LmTrainSize,
  seed: number,
  hooks: RunHooks,
): Promise<void> {
  const { log } = hooks.context;
  const run = runName(size, seed);
  const schedule = logSpacedSteps(config.steps, config.measurePoints);
  const pending = schedule.filter((s) => !hooks.isCommitted(s));
  if (pending.length === 0) return log(`${run}: already complete; skipped`);
  const model = lmModelConfig(config, size, corpus.tokenizer.vocabSize);
  const trainer = new LmTrainer(
    tf,
    model,
    { seed, batchSize: config.batchSize, context: config.context, learningRate: config.learningRate },
    corpus.train,
  );
  const coordinates = {
    experiment: LMTRAIN_EXPERIMENT,
    run,
    model: size,
    seed,
    width: model.width,
    regime: "standard",
  };
  try {
    // Resume from the last journaled step before the first missing one whose checkpoint exists.
    const resumeAt = schedule.filter((s) => s < pending[0]! && fs.existsSync(hooks.checkpointFile(s))).pop();
    if (resumeAt !== undefined) {
      trainer.restore(loadStepCheckpoint(hooks.checkpointFile(resumeAt))!);
      log(`${run}: resumed from the checkpoint at step ${resumeAt}`);
    }
    let lossSum = 0;
    let lossCount = 0;
    const t0 = performance.now();
    for (const target of schedule) {
      if (target < trainer.step) continue;
      while (trainer.step < target) {
        lossSum += trainer.trainStep();
        lossCount++;
        await yieldToEventLoop(); // so Ctrl-C/SIGTERM stop a run between checkpoints too
      }
      if (hooks.isCommitted(target)) {
        lossSum = lossCount = 0;
        continue;
      }
      const snapshot = trainer.snapshot();
      saveStepCheckpoint(hooks.checkpointFile(target), target, snapshot.params, snapshot.adam);
      const rows: ResultRow[] = [];
      const at = { ...coordinates, step: target };
      // The mean training loss since the previous checkpoint (none at step 0).
      if (lossCount > 0) rows.push({ ...at, measure: "loss", value: lossSum / lossCount });
      rows.push({ ...at, measure: "parameters", value: lmParameterCount(model) });
      rows.push(...(await measureCheckpoint(tf, trainer.params, model, config, corpus, at, hooks.context)));
      await hooks.commit(target, rows);
      log(
        `${run}: step ${target}/${config.steps}${lossCount ? `  loss ${(lossSum / lossCount).toFixed(3)}` : ""}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
      lossSum = lossCount = 0;
    }
  } finally {
    trainer.dispose();
  }
}

/** Every layer of one checkpoint through `glossa lm`'s measurement, plus the information bootstrap. */
async function measureCheckpoint(
  tf: typeof tfNs,
  params: Params,
  model: LmModelConfig,
  config: LmTrainingConfig,
  corpus: PreparedCorpus,
  at: { experiment: string; run: string; step: number } & Record<string, unknown>,
  context: MeasureContext,
): Promise<ResultRow[]> {
  const lm = new TrainedLanguageModel(tf, params, model, corpus.tokenizer);
  const todo = Array.from({ length: lm.layerCount }, (_, layer) => ({ layer, estimator: "soft" as const }));
  const { tokens, cells } = await measureCells(
    lm,
    String(at.run),
    corpus.probe,
    todo,
    {
      labels: config.labels,
      // One batch per bootstrap group: ceil(windows / groups) windows each, so at most `bootstrapGroups` groups.
      batchSize: Math.ceil(corpus.probe.sequences.length / config.bootstrapGroups),
      anchors: { n: config.anchors, seed: 0 },
      calibration: "exact",
      bins: 20,
      nullShadows: config.nullShadows,
      backend: tsBackend,
      bootstrapGroups: config.bootstrapGroups,
    },
    context,
  );
  const rows: ResultRow[] = [];
  for (const { layer, estimator, accumulator } of cells) {
    rows.push(...cellRows({ ...at, layer, estimator }, accumulator, accumulator.result(), tokens));
    const draws = bootstrapInformation((accumulator as PartitionedAccumulator).parts, config.bootstrapResamples, 0);
    draws.forEach((value, replicate) =>
      rows.push({ ...at, layer, estimator, measure: BOOTSTRAP_MEASURE, value, replicate }),
    );
  }
  return rows;
}

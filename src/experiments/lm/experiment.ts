/**
 * The language-model sweep (METHODS §6.4): models or checkpoints × layers × label sets ×
 * estimators → one tidy result row per measure, appended to a run folder.
 *
 * Memory: hidden states stream batch by batch into one accumulator per (layer, estimator),
 * which keeps only count vectors; no layer's states are ever held for the whole corpus.
 * The binned estimator needs per-dimension ranges first, so when it is asked for the corpus
 * is run twice (ranges, then counts).
 *
 * One experiment shape (../runner.ts): `runExperiment(config, options)`. A cell is one
 * (model, layer, estimator); its rows are one commit, so on resume an interrupted cell is
 * recomputed whole and a finished one never is.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { renderReport } from "../../report/html.js";
import { InputError } from "../../io/errors.js";
import type { ResultRow, RunFolder } from "../../io/runFolder.js";
import { type CellSelection, type ExperimentOptions, withRunFolder, yieldToEventLoop } from "../runner.js";
import { LanguageModel, inspectModelFolder, padBatch, type PaddedBatch } from "../../sources/onnxModel.js";
import { StreamedModel } from "../../sources/blockStream.js";
import { type Cell, measureStreamed, measureWhole, type Progress } from "./passes.js";

export { gatherRows } from "./passes.js";
import type { StateType } from "../../sources/stateStore.js";
import { tokenizeCorpus, type LmLabelSet, type TokenSequence } from "../../labels/lmLabels.js";
import type { RangeFinder } from "../../vector/binned.js";
import { createAccumulator } from "../../vector/create.js";
import { makeAnchors, type Anchors } from "../../vector/anchors.js";
import type { Calibration } from "../../vector/temperature.js";
import type { EntropyAccumulator } from "../../vector/accumulator.js";
import type { ComputeBackend } from "../../compute/types.js";
import { cellMeasures } from "./measures.js";
import { lmFigures, lmMethodNote } from "./report.js";

export type LmEstimator = "soft" | "hard" | "binned";
export const LM_EXPERIMENT = "lm";

export interface LmSweepOptions {
  /** Model folders (one per model size or checkpoint). */
  models: readonly string[];
  /** Training step per model (overrides the folder name's `step<N>`); undefined entries fall back. */
  steps?: readonly (number | undefined)[];
  documents: readonly string[];
  /** Layer indices (0 = embeddings) or every layer. */
  layers: "all" | readonly number[];
  labels: readonly LmLabelSet[];
  estimators: readonly LmEstimator[];
  /** Tokens analysed per model (the corpus is cut after this many). */
  maxTokens?: number;
  /** Sequences per forward pass. */
  batchSize: number;
  /** Window length (default: the tokenizer's model_max_length, capped at 512). */
  maxLength?: number;
  anchors: { n: number; seed: number };
  calibration: Calibration;
  bins: number;
  /**
   * Bias correction (METHODS §5.1): null shadows per label set (0 = raw values only). With k ≥ 1
   * label-dependent measures are raw / null / corrected rows and the report reads the corrected.
   */
  nullShadows: number;
  /** Explicit residual tensor names (embeddings first). */
  outputs?: readonly string[];
  backend: ComputeBackend;
  executionProviders?: string[];
  threads?: number;
  /** Where the documents came from (recorded in run.json; default "(given)"). */
  corpusName?: string;
  /**
   * Run the graph block by block (embeddings, then one block at a time over the whole corpus),
   * holding one block's weights and two layers of hidden states (see sources/blockStream.ts).
   */
  streamBlocks?: boolean;
  /** With streamBlocks: bytes for one block's weights plus held states; states beyond it spill to disk. */
  memoryLimit?: number;
  /** With streamBlocks: type of spilled states (default the model's own; float16 rounds float32 states). */
  spillPrecision?: StateType;
}

export interface LmSweepSummary {
  cellsComputed: number;
  cellsSkipped: number;
  tokens: number;
  seconds: number;
  warnings: string[];
}

/** `step1000`, `pythia-70m-step1000`, `checkpoint_500` → the number; else undefined. */
export function stepFromName(name: string): number | undefined {
  const m =
    /(?:^|[^a-z])(?:step|checkpoint|ckpt)[-_]?(\d+)$/i.exec(name) ??
    /(?:^|[-_])(?:step|checkpoint|ckpt)[-_]?(\d+)(?:[-_.]|$)/i.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Short model names: folder names, with the parent folder added where two would clash. */
export function modelNames(dirs: readonly string[]): string[] {
  const base = dirs.map((d) => basename(d.replace(/\/+$/, "")));
  return base.map((b, i) =>
    base.indexOf(b) !== base.lastIndexOf(b) ? `${basename(dirname(dirs[i]!.replace(/\/+$/, "")))}/${b}` : b,
  );
}

export function cellKey(model: string, layer: number, estimator: string): string {
  return `${model}\u0000${layer}\u0000${estimator}`;
}

/** The commit id of a cell. */
export function cellId(model: string, layer: number, estimator: string): string {
  return `${model}/layer${layer}/${estimator}`;
}

/** Cells whose closing `tokens` row is in the journal (how a journal from before commit records is read). */
export function finishedCells(rows: readonly ResultRow[]): Set<string> {
  const done = new Set<string>();
  for (const r of rows) {
    if (
      r.experiment === LM_EXPERIMENT &&
      r.measure === "tokens" &&
      typeof r.model === "string" &&
      typeof r.layer === "number" &&
      r.estimator
    ) {
      done.add(cellKey(r.model, r.layer, r.estimator));
    }
  }
  return done;
}

function scalarParameters(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === "estimator" || k === "d") continue;
    if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

/** Checks every input before any model runs: folders, graphs, tokenizers, corpus, layer choice. */
export async function validateLmInputs(options: LmSweepOptions): Promise<void> {
  if (options.models.length === 0) throw new InputError("give at least one --model folder");
  if (options.documents.length === 0) throw new InputError("the corpus is empty");
  if (!(options.batchSize >= 1)) throw new InputError(`--batch must be a positive integer, got ${options.batchSize}`);
  if (options.labels.length === 0) throw new InputError("give at least one label set");
  for (const dir of options.models) {
    // Streaming reads the graph without its weights, so checking a model never loads them.
    const info = await inspectModelFolder(dir, options.outputs, { skeleton: options.streamBlocks });
    if (options.layers !== "all") {
      const bad = options.layers.filter((l) => !Number.isInteger(l) || l < 0 || l >= info.layers.tensors.length);
      if (bad.length)
        throw new InputError(
          `${dir}: layer(s) ${bad.join(", ")} out of range (this model has layers 0..${info.layers.tensors.length - 1}, 0 = embeddings)`,
        );
    }
    const sample = tokenizeCorpus(options.documents.slice(0, 50), info.tokenizer, { maxLength: 1 << 30 });
    if (sample.tokens === 0 && tokenizeCorpus(options.documents, info.tokenizer, { maxLength: 1 << 30 }).tokens === 0) {
      throw new InputError(`the corpus gives no tokens with the tokenizer of ${dir}`);
    }
  }
}

/**
 * What run.json records (and a resume compares): every setting but the documents (a hash
 * of them instead, so another corpus under the same file name is caught) and the back end
 * object (its name instead).
 */
export function lmParameters(config: LmSweepOptions): Record<string, unknown> {
  const { backend, documents, corpusName, ...rest } = config;
  const hash = createHash("sha256");
  for (const d of documents) hash.update(d).update("\n");
  return {
    ...rest,
    corpus: corpusName ?? "(given)",
    documents: documents.length,
    corpusSha256: hash.digest("hex"),
    kernel: backend.name,
  };
}

/** Settings a resume may change: which cells the sweep holds, and how fast it runs. */
export const LM_MAY_CHANGE = [
  "models",
  "steps",
  "layers",
  "estimators",
  "threads",
  "executionProviders",
  "streamBlocks",
  "memoryLimit",
];

export interface LmResult {
  dir: string;
  summary: LmSweepSummary;
  /** Every row of the run folder (earlier runs' included). */
  rows: ResultRow[];
  /** SVG files written into the run folder. */
  plots: string[];
  /** The report section (method note, figures, table). */
  html: string;
}

/**
 * Runs the sweep into the run folder `options.out` (skipping finished cells), then writes
 * its plots and report.html there.
 */
export async function runExperiment(config: LmSweepOptions, options: ExperimentOptions): Promise<LmResult> {
  await validateLmInputs(config);
  return withRunFolder(
    { experiment: LM_EXPERIMENT, parameters: lmParameters(config), mayChange: LM_MAY_CHANGE },
    options,
    async (folder, log, cells) => {
      const summary = await runCells(config, folder, log, cells);
      const rows = folder.rows();
      const figures = await lmFigures(rows);
      for (const [name, svg] of Object.entries(figures.files)) writeFileSync(folder.file(name), svg);
      const html = lmMethodNote() + figures.html;
      writeFileSync(
        folder.file("report.html"),
        renderReport({
          title: "glossa lm",
          subtitle: folder.info.command,
          sections: [{ title: "Language models: structure of every layer", html }],
        }),
      );
      return { dir: folder.dir, summary, rows, plots: Object.keys(figures.files), html };
    },
  );
}

async function runCells(
  options: LmSweepOptions,
  run: RunFolder,
  log: (message: string) => void,
  cells: CellSelection,
): Promise<LmSweepSummary> {
  const names = modelNames(options.models);
  const legacyDone = finishedCells(run.existing);
  const isDone = (model: string, layer: number, estimator: string) =>
    run.isCommitted(cellId(model, layer, estimator)) || legacyDone.has(cellKey(model, layer, estimator));
  const anchorCache = new Map<number, Anchors>();
  const warnings: string[] = [];
  const summary: LmSweepSummary = { cellsComputed: 0, cellsSkipped: 0, tokens: 0, seconds: 0, warnings };
  const t0 = Date.now();

  for (let m = 0; m < options.models.length; m++) {
    const dir = options.models[m]!;
    const name = names[m]!;
    const step = options.steps?.[m] ?? stepFromName(basename(dir.replace(/\/+$/, "")));
    const loadOptions = {
      outputs: options.outputs,
      executionProviders: options.executionProviders,
      threads: options.threads,
    };
    const model = options.streamBlocks
      ? await StreamedModel.open(dir, loadOptions)
      : await LanguageModel.load(dir, loadOptions);
    try {
      const layers = options.layers === "all" ? model.layers.tensors.map((_, i) => i) : [...options.layers];
      const todo = layers.flatMap((layer) =>
        options.estimators
          // take() first: every cell is asked, in order, done or not (shards slice by position).
          .filter((e) => cells.take(cellId(name, layer, e), name) && !isDone(name, layer, e))
          .map((estimator) => ({ layer, estimator })),
      );
      summary.cellsSkipped += layers.length * options.estimators.length - todo.length;
      if (todo.length === 0) {
        log(`${name}: every cell already in ${run.dir}, skipped`);
        continue;
      }
      const maxLength = options.maxLength ?? Math.min(512, model.tokenizer.maxLength ?? 512);
      const corpus = tokenizeCorpus(options.documents, model.tokenizer, {
        maxLength,
        maxTokens: options.maxTokens,
        pos: options.labels.includes("pos"),
      });
      if (corpus.tokens === 0) throw new InputError(`the corpus gives no tokens with the tokenizer of ${dir}`);
      const todoLayers = [...new Set(todo.map((c) => c.layer))];
      const batches = batchesOf(corpus.sequences, options.batchSize, model.tokenizer.padId);
      log(
        `${name}: ${model.parameters.toLocaleString("en")} parameters, layers [${todoLayers.join(", ")}] of 0..${model.layerCount - 1} (${model.layers.layout} layout), ${corpus.tokens} tokens in ${corpus.sequences.length} windows of ≤ ${maxLength}`,
      );
      const progress: Progress = { log, started: Date.now(), lastReport: Date.now() };

      const accumulators = new Map<string, EntropyAccumulator>();
      const accumulatorFor = (layer: number, estimator: LmEstimator, width: number, finder?: RangeFinder) => {
        const key = cellKey(name, layer, estimator);
        let acc = accumulators.get(key);
        if (!acc)
          accumulators.set(key, (acc = makeAccumulator(estimator, width, options, anchorCache, finder, warnings, log)));
        return acc;
      };
      // One commit per cell, in todo order (layer, then estimator), whichever path measured it.
      const commitCells = async (cellsToCommit: readonly Cell[], tokens: number) => {
        for (const { layer, estimator } of cellsToCommit) {
          const acc = accumulators.get(cellKey(name, layer, estimator))!;
          const estimate = acc.result();
          const base = {
            experiment: LM_EXPERIMENT,
            model: name,
            params: model.parameters,
            ...(step !== undefined ? { step } : {}),
            layer,
            estimator,
            ...scalarParameters(acc.parameters()),
          };
          const rows: ResultRow[] = cellMeasures(estimate).map(({ labelSet, measure, component, value, ...rest }) => ({
            ...base,
            ...(labelSet ? { labelSet } : {}),
            measure,
            ...(component ? { component } : {}),
            value,
            ...rest,
          }));
          rows.push({ ...base, measure: "tokens", value: tokens });
          run.commit(cellId(name, layer, estimator), rows);
          await yieldToEventLoop();
          summary.cellsComputed++;
        }
      };
      const context = {
        name,
        todo,
        corpusTokens: corpus.tokens,
        batches,
        options,
        progress,
        accumulatorFor,
        commitCells,
      };
      summary.tokens +=
        model instanceof StreamedModel ? await measureStreamed(model, context) : await measureWhole(model, context);
    } finally {
      await model.dispose();
    }
  }
  summary.seconds = (Date.now() - t0) / 1000;
  return summary;
}

function batchesOf(
  sequences: readonly TokenSequence[],
  size: number,
  padId: number,
): { batch: PaddedBatch; seqs: TokenSequence[] }[] {
  const out: { batch: PaddedBatch; seqs: TokenSequence[] }[] = [];
  for (let i = 0; i < sequences.length; i += size) {
    const seqs = sequences.slice(i, i + size);
    out.push({
      batch: padBatch(
        seqs.map((s) => s.ids),
        padId,
      ),
      seqs,
    });
  }
  return out;
}

function makeAccumulator(
  estimator: LmEstimator,
  d: number,
  options: LmSweepOptions,
  anchorCache: Map<number, Anchors>,
  ranges: RangeFinder | undefined,
  warnings: string[],
  log: (message: string) => void,
): EntropyAccumulator {
  const shadows = options.nullShadows > 0 ? { nullShadows: options.nullShadows, nullSeed: 0 } : {};
  if (estimator === "binned") {
    if (!ranges) throw new Error("internal: binned estimator without a ranges pass");
    return createAccumulator({ estimator, d, bins: options.bins, ranges: ranges.ranges(), ...shadows });
  }
  // One anchor set per width, shared by every layer, checkpoint and model of that width (METHODS §4.2).
  let anchors = anchorCache.get(d);
  if (!anchors) anchorCache.set(d, (anchors = makeAnchors({ n: options.anchors.n, d, seed: options.anchors.seed })));
  const warn = (w: string) => {
    if (warnings.includes(w)) return;
    warnings.push(w);
    log(`warning: ${w}`);
  };
  return createAccumulator({
    estimator,
    d,
    anchors,
    calibration: options.calibration,
    backend: options.backend,
    warn,
    ...shadows,
  });
}

/**
 * The per-layer measurement of `glossa lm` for one model (METHODS §5, §6.4): a tokenized
 * corpus, in batches of windows, through the model; each requested layer's states at the
 * real (non-padding) positions stream with the label sets (token, n-grams, POS, position)
 * into one accumulator per (layer, estimator) (soft/hard/binned, null shadows for the bias
 * correction); the binned estimator first finds per-dimension ranges in a pass of its own.
 * Any model that returns residual states per layer can be measured: the ONNX models of
 * `glossa lm` and the language models trained by ../lmtrain/ go through this same code.
 *
 * With `bootstrapGroups` each accumulator keeps its counts per consecutive group of batches
 * (src/vector/bootstrap.ts), for a bootstrap over groups of windows; the merged result is the
 * same estimate.
 */
import type { ResultRow } from "../../io/runFolder.js";
import { type LabelVocabulary, realPositions } from "../../labels/ngrams.js";
import { lmLabelSets, type TokenizedCorpus, type TokenSequence } from "../../labels/lmLabels.js";
import { type LayerStates, type ModelTokenizer, padBatch, type PaddedBatch } from "../../sources/onnxModel.js";
import { makeAnchors, type Anchors } from "../../vector/anchors.js";
import type { EntropyAccumulator, EntropyEstimate } from "../../vector/accumulator.js";
import { RangeFinder } from "../../vector/binned.js";
import { PartitionedAccumulator } from "../../vector/bootstrap.js";
import { createAccumulator } from "../../vector/create.js";
import type { LmEstimator, LmSweepOptions } from "./experiment.js";
import { cellMeasures } from "./measures.js";

/** What the measurement needs of a model: its tokenizer and the residual states of a batch at chosen layers. */
export interface LayerModel {
  readonly parameters: number;
  readonly layerCount: number;
  readonly tokenizer: ModelTokenizer;
  forward(batch: PaddedBatch, layers: readonly number[]): Promise<LayerStates>;
}

/** The settings of the sweep the measurement reads. */
export type MeasureSettings = Pick<
  LmSweepOptions,
  "labels" | "batchSize" | "anchors" | "calibration" | "bins" | "nullShadows" | "backend"
> & {
  /** Keep counts per this many consecutive groups of batches (a bootstrap's unit); absent: one accumulator. */
  bootstrapGroups?: number;
};

/** State shared by the models of one sweep: one anchor set per width, warnings said once. */
export interface MeasureContext {
  anchorCache: Map<number, Anchors>;
  warnings: string[];
  log: (message: string) => void;
}

export function measureContext(log: (message: string) => void): MeasureContext {
  return { anchorCache: new Map(), warnings: [], log };
}

export interface CellPlan {
  layer: number;
  estimator: LmEstimator;
}

export interface MeasuredCell extends CellPlan {
  accumulator: EntropyAccumulator;
}

/** Copies the real (non-padding) rows of a rows × length × d state array into a compact count × d array. */
export function gatherRows(states: Float32Array, positions: Int32Array, d: number): Float32Array {
  const out = new Float32Array(positions.length * d);
  for (let k = 0; k < positions.length; k++) {
    const src = positions[k]! * d;
    out.set(states.subarray(src, src + d), k * d);
  }
  return out;
}

export function batchesOf(
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

interface Progress {
  log: (message: string) => void;
  started: number;
  lastReport: number;
}

function report(progress: Progress, message: string, tokens: number, force = false): void {
  const now = Date.now();
  if (!force && now - progress.lastReport < 2000) return;
  progress.lastReport = now;
  const rate = tokens / Math.max(1e-3, (now - progress.started) / 1000);
  progress.log(`${message} (${rate.toFixed(0)} tokens/s)`);
}

/** Measures the cells `todo` of `model` (named `name` in progress lines) on `corpus`; returns each cell's accumulator and the tokens seen. */
export async function measureCells(
  model: LayerModel,
  name: string,
  corpus: TokenizedCorpus,
  todo: readonly CellPlan[],
  settings: MeasureSettings,
  context: MeasureContext,
): Promise<{ tokens: number; cells: MeasuredCell[] }> {
  const { log } = context;
  const todoLayers = [...new Set(todo.map((c) => c.layer))];
  const batches = batchesOf(corpus.sequences, settings.batchSize, model.tokenizer.padId);
  const progress: Progress = { log, started: Date.now(), lastReport: Date.now() };

  // Pass 1 (binned only): per-dimension ranges of each layer.
  let ranges: Map<number, RangeFinder> | null = null;
  const binnedLayers = new Set(todo.filter((c) => c.estimator === "binned").map((c) => c.layer));
  if (binnedLayers.size) {
    ranges = new Map();
    let tokens = 0;
    for (const { batch } of batches) {
      const positions = realPositions(batch);
      const wanted = [...binnedLayers];
      const { width, states } = await model.forward(batch, wanted);
      wanted.forEach((layer, i) => {
        let finder = ranges!.get(layer);
        if (!finder) ranges!.set(layer, (finder = new RangeFinder(width)));
        finder.update(gatherRows(states[i]!, positions, width));
      });
      tokens += positions.length;
      report(progress, `${name}: ranges pass ${tokens}/${corpus.tokens} tokens`, tokens);
    }
  }

  // Pass 2: counts.
  const batchesPerGroup = settings.bootstrapGroups
    ? Math.max(1, Math.ceil(batches.length / settings.bootstrapGroups))
    : 0;
  const accumulators = new Map<string, EntropyAccumulator>();
  const key = (c: CellPlan) => `${c.layer}\u0000${c.estimator}`;
  const vocabularies = new Map<string, LabelVocabulary>();
  let tokens = 0;
  progress.started = Date.now();
  for (const { batch, seqs } of batches) {
    const positions = realPositions(batch);
    const labelSets = lmLabelSets(batch, seqs, settings.labels, vocabularies);
    const { width, states } = await model.forward(batch, todoLayers);
    const pending: Promise<void>[] = [];
    todoLayers.forEach((layer, i) => {
      const rows = gatherRows(states[i]!, positions, width);
      for (const cell of todo.filter((c) => c.layer === layer)) {
        let acc = accumulators.get(key(cell));
        if (!acc) {
          acc = makeAccumulator(cell.estimator, width, settings, context, ranges?.get(layer));
          if (batchesPerGroup) acc = new PartitionedAccumulator(acc, batchesPerGroup);
          accumulators.set(key(cell), acc);
        }
        pending.push(acc.update(rows, labelSets));
      }
    });
    await Promise.all(pending);
    tokens += positions.length;
    report(progress, `${name}: ${tokens}/${corpus.tokens} tokens`, tokens);
  }
  report(progress, `${name}: ${tokens} tokens done`, tokens, true);
  return { tokens, cells: todo.map((c) => ({ ...c, accumulator: accumulators.get(key(c))! })) };
}

function scalarParameters(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === "estimator" || k === "d") continue;
    if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

/** The result rows of one measured cell: `base` (model, step, layer, estimator, …) on every §5 measure, then the token count. */
export function cellRows(
  base: Record<string, unknown>,
  accumulator: EntropyAccumulator,
  estimate: EntropyEstimate,
  tokens: number,
): ResultRow[] {
  const withParameters = { ...base, ...scalarParameters(accumulator.parameters()) };
  const rows = cellMeasures(estimate).map(({ labelSet, measure, component, value, ...rest }) => ({
    ...withParameters,
    ...(labelSet ? { labelSet } : {}),
    measure,
    ...(component ? { component } : {}),
    value,
    ...rest,
  })) as ResultRow[];
  rows.push({ ...withParameters, measure: "tokens", value: tokens } as ResultRow);
  return rows;
}

function makeAccumulator(
  estimator: LmEstimator,
  d: number,
  settings: MeasureSettings,
  context: MeasureContext,
  ranges: RangeFinder | undefined,
): EntropyAccumulator {
  const shadows = settings.nullShadows > 0 ? { nullShadows: settings.nullShadows, nullSeed: 0 } : {};
  if (estimator === "binned") {
    if (!ranges) throw new Error("internal: binned estimator without a ranges pass");
    return createAccumulator({ estimator, d, bins: settings.bins, ranges: ranges.ranges(), ...shadows });
  }
  // One anchor set per width, shared by every layer, checkpoint and model of that width (METHODS §4.2).
  let anchors = context.anchorCache.get(d);
  if (!anchors)
    context.anchorCache.set(d, (anchors = makeAnchors({ n: settings.anchors.n, d, seed: settings.anchors.seed })));
  const warn = (w: string) => {
    if (context.warnings.includes(w)) return;
    context.warnings.push(w);
    context.log(`warning: ${w}`);
  };
  return createAccumulator({
    estimator,
    d,
    anchors,
    calibration: settings.calibration,
    backend: settings.backend,
    warn,
    ...shadows,
  });
}

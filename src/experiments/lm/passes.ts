/**
 * The two ways `glossa lm` gets one model's hidden states into its accumulators:
 *  - whole graph: every batch runs through the full graph once, all wanted layers fetched
 *    together (batch-major); the binned estimator's ranges take a first pass of their own;
 *  - streamed (--stream-blocks): the corpus runs through one block at a time, and each wanted
 *    layer is measured once all its states exist (layer-major), ranges then counts over the
 *    stored states.
 * Each accumulator sees the same batches in the same order either way, so the measures agree
 * to the rounding of the split graph (≤ 1e-5 relative, test/lm-stream-blocks.test.ts).
 */
import type { LanguageModel, PaddedBatch } from "../../sources/onnxModel.js";
import { type StreamedModel, streamLayers } from "../../sources/blockStream.js";
import { type LabelVocabulary, realPositions } from "../../labels/ngrams.js";
import { lmLabelSets, type TokenSequence } from "../../labels/lmLabels.js";
import { RangeFinder } from "../../vector/binned.js";
import type { EntropyAccumulator } from "../../vector/accumulator.js";
import type { LmEstimator, LmSweepOptions } from "./experiment.js";

export interface Progress {
  log: (message: string) => void;
  started: number;
  lastReport: number;
}

export function report(progress: Progress, message: string, tokens: number, force = false): void {
  const now = Date.now();
  if (!force && now - progress.lastReport < 2000) return;
  progress.lastReport = now;
  const rate = tokens / Math.max(1e-3, (now - progress.started) / 1000);
  progress.log(`${message} (${rate.toFixed(0)} tokens/s)`);
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

export interface Cell {
  layer: number;
  estimator: LmEstimator;
}

/** What both passes need from the sweep: its cells, batches, accumulators and commits. */
export interface PassContext {
  name: string;
  todo: readonly Cell[];
  corpusTokens: number;
  batches: readonly { batch: PaddedBatch; seqs: TokenSequence[] }[];
  options: LmSweepOptions;
  progress: Progress;
  /** The cell's accumulator, made on first use (binned needs the layer's ranges then). */
  accumulatorFor: (layer: number, estimator: LmEstimator, width: number, ranges?: RangeFinder) => EntropyAccumulator;
  /** Writes the rows of finished cells (tokens = tokens measured). */
  commitCells: (cells: readonly Cell[], tokens: number) => Promise<void>;
}

/** Whole graph, batch-major; commits every cell at the end. Returns the tokens measured. */
export async function measureWhole(model: LanguageModel, context: PassContext): Promise<number> {
  const { name, todo, batches, options, progress } = context;
  const todoLayers = [...new Set(todo.map((c) => c.layer))];
  // Pass 1 (binned only): per-dimension ranges of each layer.
  const ranges = new Map<number, RangeFinder>();
  const binnedLayers = [...new Set(todo.filter((c) => c.estimator === "binned").map((c) => c.layer))];
  if (binnedLayers.length) {
    let tokens = 0;
    for (const { batch } of batches) {
      const positions = realPositions(batch);
      const { width, states } = await model.forward(batch, binnedLayers);
      binnedLayers.forEach((layer, i) => {
        let finder = ranges.get(layer);
        if (!finder) ranges.set(layer, (finder = new RangeFinder(width)));
        finder.update(gatherRows(states[i]!, positions, width));
      });
      tokens += positions.length;
      report(progress, `${name}: ranges pass ${tokens}/${context.corpusTokens} tokens`, tokens);
    }
  }

  // Pass 2: counts.
  const vocabularies = new Map<string, LabelVocabulary>();
  let tokens = 0;
  progress.started = Date.now();
  for (const { batch, seqs } of batches) {
    const positions = realPositions(batch);
    const labelSets = lmLabelSets(batch, seqs, options.labels, vocabularies);
    const { width, states } = await model.forward(batch, todoLayers);
    const pending: Promise<void>[] = [];
    todoLayers.forEach((layer, i) => {
      const rows = gatherRows(states[i]!, positions, width);
      for (const { estimator } of todo.filter((c) => c.layer === layer))
        pending.push(context.accumulatorFor(layer, estimator, width, ranges.get(layer)).update(rows, labelSets));
    });
    await Promise.all(pending);
    tokens += positions.length;
    report(progress, `${name}: ${tokens}/${context.corpusTokens} tokens`, tokens);
  }
  report(progress, `${name}: ${tokens} tokens done`, tokens, true);
  await context.commitCells(todo, tokens);
  return tokens;
}

/** Block by block, layer-major; commits each layer's cells as soon as they are measured. Returns the tokens measured. */
export async function measureStreamed(model: StreamedModel, context: PassContext): Promise<number> {
  const { name, todo, batches, options, progress } = context;
  // Labels once per batch (the codes are the same whichever layer asks first).
  const vocabularies = new Map<string, LabelVocabulary>();
  const labelSets = batches.map(({ batch, seqs }) => lmLabelSets(batch, seqs, options.labels, vocabularies));
  const positions = batches.map(({ batch }) => realPositions(batch));
  const tokens = positions.reduce((n, p) => n + p.length, 0);
  const wanted = [...new Set(todo.map((c) => c.layer))];
  progress.started = Date.now();
  let done = 0;
  await streamLayers(
    model,
    batches.map((b) => b.batch),
    wanted,
    { memoryLimit: options.memoryLimit, spillPrecision: options.spillPrecision, log: progress.log },
    async ({ layer, width, batches: count, states }) => {
      const cells = todo.filter((c) => c.layer === layer);
      let finder: RangeFinder | undefined;
      if (cells.some((c) => c.estimator === "binned")) {
        finder = new RangeFinder(width);
        for (let b = 0; b < count; b++) finder.update(gatherRows(states(b), positions[b]!, width));
      }
      for (let b = 0; b < count; b++) {
        const rows = gatherRows(states(b), positions[b]!, width);
        await Promise.all(
          cells.map((c) => context.accumulatorFor(layer, c.estimator, width, finder).update(rows, labelSets[b]!)),
        );
      }
      await context.commitCells(cells, tokens);
      done++;
      const seconds = (Date.now() - progress.started) / 1000;
      progress.log(`${name}: layer ${layer} measured (${done}/${wanted.length} layers, ${seconds.toFixed(0)} s)`);
    },
  );
  return tokens;
}

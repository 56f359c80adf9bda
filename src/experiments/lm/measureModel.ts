/**
 * The per-layer measurement of `glossa lm` for one model (METHODS §5, §6.4): a tokenized
 * corpus, in batches of windows, through the model; each requested layer's states at the
 * real (non-padding) positions stream with the label sets (token, n-grams, POS, position)
 * into one accumulator per (layer, estimator) (soft/hard/binned, null shadows for the bias
 * correction); the binned estimator first finds per-dimension ranges. The model runs whole
 * (batch-major) or, for --stream-blocks, block by block (layer-major): ./passes.ts.
 * Any model that returns residual states per layer can be measured: the ONNX models of
 * `glossa lm` and the language models trained by ../lmtrain/ go through this same code.
 *
 * With `bootstrapGroups` each accumulator keeps its counts per consecutive group of batches
 * (src/vector/bootstrap.ts), for a bootstrap over groups of windows; the merged result is the
 * same estimate.
 */
import type { ResultRow } from "../../io/runFolder.js";
import type { TokenizedCorpus, TokenSequence } from "../../labels/lmLabels.js";
import { StreamedModel } from "../../sources/blockStream.js";
import { padBatch, type PaddedBatch } from "../../sources/onnxModel.js";
import { makeAnchors, type Anchors } from "../../vector/anchors.js";
import type { EntropyAccumulator, EntropyEstimate } from "../../vector/accumulator.js";
import type { RangeFinder } from "../../vector/binned.js";
import { PartitionedAccumulator } from "../../vector/bootstrap.js";
import { createAccumulator } from "../../vector/create.js";
import type { LmEstimator, LmSweepOptions } from "./experiment.js";
import { type Cell, type LayerModel, measureStreamed, measureWhole, type PassContext } from "./passes.js";
import { cellMeasures } from "./measures.js";

export type { LayerModel } from "./passes.js";

/** The settings of the sweep the measurement reads. */
export type MeasureSettings = Pick<
  LmSweepOptions,
  | "labels"
  | "batchSize"
  | "anchors"
  | "calibration"
  | "bins"
  | "nullShadows"
  | "backend"
  | "memoryLimit"
  | "spillPrecision"
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

/** One (layer, estimator) cell to measure. */
export type CellPlan = Cell;

export interface MeasuredCell extends CellPlan {
  accumulator: EntropyAccumulator;
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

/**
 * Measures the cells `todo` of `model` (named `name` in progress lines) on `corpus`: whole graph
 * for a model with `forward`, block by block for a StreamedModel (--stream-blocks). `onFinished`
 * is called with cells as soon as their counts are complete (all at the end for the whole graph,
 * one layer at a time when streamed), so a sweep can commit them; returns every cell's accumulator
 * and the tokens seen.
 */
export async function measureCells(
  model: LayerModel | StreamedModel,
  name: string,
  corpus: TokenizedCorpus,
  todo: readonly CellPlan[],
  settings: MeasureSettings,
  context: MeasureContext,
  onFinished?: (cells: readonly MeasuredCell[], tokens: number) => Promise<void>,
): Promise<{ tokens: number; cells: MeasuredCell[] }> {
  const batches = batchesOf(corpus.sequences, settings.batchSize, model.tokenizer.padId);
  // With bootstrap groups, each accumulator keeps counts per consecutive run of this many batches.
  const batchesPerGroup = settings.bootstrapGroups
    ? Math.max(1, Math.ceil(batches.length / settings.bootstrapGroups))
    : 0;
  const accumulators = new Map<string, EntropyAccumulator>();
  const key = (layer: number, estimator: LmEstimator) => `${layer}\u0000${estimator}`;
  const measured = (cells: readonly CellPlan[]): MeasuredCell[] =>
    cells.map((c) => ({ ...c, accumulator: accumulators.get(key(c.layer, c.estimator))! }));
  const passContext: PassContext = {
    name,
    todo,
    corpusTokens: corpus.tokens,
    batches,
    settings,
    progress: { log: context.log, started: Date.now(), lastReport: Date.now() },
    accumulatorFor: (layer, estimator, width, ranges) => {
      let acc = accumulators.get(key(layer, estimator));
      if (!acc) {
        acc = makeAccumulator(estimator, width, settings, context, ranges);
        if (batchesPerGroup) acc = new PartitionedAccumulator(acc, batchesPerGroup);
        accumulators.set(key(layer, estimator), acc);
      }
      return acc;
    },
    finishCells: async (cells, tokens) => {
      await onFinished?.(measured(cells), tokens);
    },
  };
  const tokens =
    model instanceof StreamedModel ? await measureStreamed(model, passContext) : await measureWhole(model, passContext);
  return { tokens, cells: measured(todo) };
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

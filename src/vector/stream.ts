/**
 * Feeds row batches (from any source: a .npy reader, a model, a generator) into an
 * accumulator, slicing whole-dataset label arrays to each batch. One batch is kept in
 * flight: while a back end computes batch k (onnxruntime runs on its own threads), the
 * source produces batch k + 1. Batches must therefore not share one reused buffer.
 */
import type { EntropyAccumulator } from "./accumulator.js";
import { labelRowCount, sliceLabels, type LabelSets } from "./batch.js";

export interface SourceBatch {
  /** Index of the batch's first row in the dataset. */
  start: number;
  count: number;
  rows: Float32Array;
}

export interface AccumulateOptions {
  /** One label array per label set, covering the whole dataset (indexed by global row). */
  labels?: LabelSets;
  /** Called after each batch is handed over, with the number of rows handed over so far. */
  onProgress?: (rowsDone: number) => void;
}

export async function accumulateBatches(
  accumulator: EntropyAccumulator,
  batches: Iterable<SourceBatch> | AsyncIterable<SourceBatch>,
  options: AccumulateOptions = {},
): Promise<void> {
  let inFlight: Promise<void> | null = null;
  for await (const batch of batches) {
    let labelSets: LabelSets | undefined;
    if (options.labels) {
      labelSets = {};
      for (const [name, all] of Object.entries(options.labels)) {
        if (labelRowCount(all) < batch.start + batch.count) {
          throw new RangeError(
            `label set "${name}" has ${labelRowCount(all)} labels but the data has at least ${batch.start + batch.count} rows`,
          );
        }
        labelSets[name] = sliceLabels(all, batch.start, batch.start + batch.count);
      }
    }
    const next = accumulator.update(batch.rows, labelSets);
    next.catch(() => {}); // observed below; avoids an unhandled-rejection report while the next batch is read
    if (inFlight) await inFlight;
    inFlight = next;
    options.onProgress?.(batch.start + batch.count);
  }
  if (inFlight) await inFlight;
}

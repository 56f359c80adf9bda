/**
 * The phase summary of S1 (../seq2seq/summary.ts: peak step, trough, compression, each with
 * a bootstrap interval over groups of measured windows; the rise of corrected token
 * regularity and disentanglement from trough to peak) read at every layer of every trained
 * language model, plus the corrected regularity of each label set (token, bigram, POS) at the
 * trough, the peak and the last checkpoint. Pure.
 */
import { defaultView } from "../correctedRows.js";
import { type JournalRow, type RunSummary, rowsByRun, summariseRun } from "../seq2seq/summary.js";

export interface LayerSummary extends RunSummary {
  layer: number;
  /** Corrected regularity (regularity-ln-n) per label set at the trough, the peak and the last checkpoint. */
  regularity: Record<string, { trough: number | null; peak: number | null; final: number | null }>;
}

/** The value of `measure` for (layer, label set) at `step`, read bias-corrected when corrected rows exist. */
function valueAt(rows: readonly JournalRow[], measure: string, layer: number, labelSet: string, step: number | null) {
  if (step === null) return null;
  const row = rows.find(
    (r) => r.measure === measure && r.layer === layer && r.labelSet === labelSet && r.step === step,
  );
  return typeof row?.value === "number" ? row.value : null;
}

/** One summary per (run, layer), runs in journal order, layers ascending. */
export function summariseLayers(rows: readonly JournalRow[]): LayerSummary[] {
  const out: LayerSummary[] = [];
  for (const runRows of rowsByRun(rows).values()) {
    const view = defaultView(runRows);
    const layers = [
      ...new Set(view.filter((r) => r.measure === "information" && typeof r.layer === "number").map((r) => r.layer)),
    ] as number[];
    const labelSets = [
      ...new Set(view.filter((r) => r.measure === "regularity-ln-n" && r.labelSet).map((r) => r.labelSet!)),
    ];
    for (const layer of layers.sort((a, b) => a - b)) {
      // summariseRun reads the highest layer present: give it this layer's rows and the run's layer-free rows.
      const summary = summariseRun(runRows.filter((r) => r.layer === undefined || r.layer === layer));
      const regularity = Object.fromEntries(
        labelSets.map((labelSet) => [
          labelSet,
          {
            trough: valueAt(view, "regularity-ln-n", layer, labelSet, summary.troughStep),
            peak: valueAt(view, "regularity-ln-n", layer, labelSet, summary.peakStep),
            final: valueAt(view, "regularity-ln-n", layer, labelSet, summary.steps),
          },
        ]),
      );
      out.push({ ...summary, layer, regularity });
    }
  }
  return out;
}

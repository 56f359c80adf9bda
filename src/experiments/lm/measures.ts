/**
 * The tidy measures of one (model, layer, estimator) cell: every METHODS §5 measure from
 * `structureMeasures` (src/vector/measures.ts), the residual decomposition over
 * token ⊂ bigram ⊂ trigram for each scheme whose three sets were measured, and the row and
 * label counts behind them. Pure.
 *
 * Residual decomposition rows are the shared format of ../residualRows.ts: measure
 * "residual", labelSet "nested" or "flat", component "token", "bigram-nested − token", …,
 * "unexplained".
 */
import type { EntropyEstimate } from "../../vector/accumulator.js";
import { type MeasureRow, structureMeasures } from "../../vector/measures.js";
import { residualRows } from "../residualRows.js";

/** A §5 measure row (with its correction columns, METHODS §5.1) or a count; residual rows name their component. */
export type CellMeasure = Omit<MeasureRow, "labelSet"> & {
  labelSet?: string;
  /** Residual decomposition: which component. */
  component?: string;
};

export function cellMeasures(estimate: EntropyEstimate): CellMeasure[] {
  const out: CellMeasure[] = structureMeasures(estimate).map(({ labelSet, ...r }) => ({
    ...r,
    ...(labelSet !== null && labelSet !== undefined ? { labelSet } : {}),
  }));
  out.push({ measure: "rows", value: estimate.rows });
  for (const [labelSet, e] of Object.entries(estimate.labelSets)) {
    out.push({ measure: "label-values", value: e.retainedValues, labelSet });
    out.push({ measure: "label-rows", value: e.retainedRows, labelSet });
    out.push({ measure: "excluded-rows", value: e.excludedRows + e.droppedRows, labelSet });
  }
  out.push(...residualRows(estimate));
  return out;
}

/**
 * The tidy measures of one (model, layer, estimator) cell: every METHODS §5 measure from
 * `structureMeasures` (src/vector/measures.ts), the residual decomposition over
 * token ⊂ bigram ⊂ trigram for each scheme whose three sets were measured, and the row and
 * label counts behind them. Pure.
 *
 * Residual decomposition rows: measure residual-token, residual-bigram (I_bi − I_tok),
 * residual-trigram (I_tri − I_bi), unexplained, each divided by H(Z), with labelSet
 * "nested" (token, bigram-nested, trigram-nested: defined at every position, nesting
 * exactly) or "flat" (token, bigram, trigram: the flat sets exclude the first one or two
 * positions of each window, so their MIs are over slightly different rows — documented,
 * not corrected).
 */
import type { EntropyEstimate } from "../../vector/accumulator.js";
import { residualDecomposition, structureMeasures } from "../../vector/measures.js";

export interface CellMeasure {
  measure: string;
  value: number;
  labelSet?: string;
}

const SCHEMES: [string, string[]][] = [
  ["nested", ["token", "bigram-nested", "trigram-nested"]],
  ["flat", ["token", "bigram", "trigram"]],
];
const RESIDUAL_NAMES = ["residual-token", "residual-bigram", "residual-trigram", "unexplained"];

export function cellMeasures(estimate: EntropyEstimate): CellMeasure[] {
  const out: CellMeasure[] = structureMeasures(estimate).map((r) => ({
    measure: r.measure,
    value: r.value,
    ...(r.labelSet !== null ? { labelSet: r.labelSet } : {}),
  }));
  out.push({ measure: "rows", value: estimate.rows });
  for (const [labelSet, e] of Object.entries(estimate.labelSets)) {
    out.push({ measure: "label-values", value: e.retainedValues, labelSet });
    out.push({ measure: "label-rows", value: e.retainedRows, labelSet });
    out.push({ measure: "excluded-rows", value: e.excludedRows + e.droppedRows, labelSet });
  }
  for (const [scheme, sets] of SCHEMES) {
    if (!sets.every((s) => s in estimate.labelSets)) continue;
    residualDecomposition(estimate, sets).forEach((c, i) =>
      out.push({ measure: RESIDUAL_NAMES[i]!, value: c.value, labelSet: scheme }),
    );
  }
  return out;
}

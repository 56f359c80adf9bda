/**
 * The one row format of the residual decomposition (METHODS §5) in every experiment:
 * `{ measure: "residual", labelSet: <scheme>, component, value }`, one row per component
 * ("token", "bigram − token", …, "unexplained"), each a share of H(Z). Readers select
 * `measure === "residual"` and a `component`. Pure.
 *
 * Schemes over n-gram labels: "window" (token ⊂ bigram-window ⊂ trigram-window: joint windows,
 * defined at every position, nesting exactly; "nested" is the same scheme under the label sets'
 * old names, kept so that older run folders and callers still decompose) and "flat" (token, bigram, trigram: the flat n-grams are
 * undefined at the first one or two positions of a sequence, so their MIs are over slightly
 * fewer rows than the token's — documented, not corrected).
 */
import type { EntropyEstimate } from "../vector/accumulator.js";
import { residualDecomposition } from "../vector/measures.js";

export const RESIDUAL_MEASURE = "residual";

export const NGRAM_SCHEMES: Readonly<Record<string, readonly string[]>> = {
  window: ["token", "bigram-window", "trigram-window"],
  nested: ["token", "bigram-nested", "trigram-nested"],
  flat: ["token", "bigram", "trigram"],
};

export interface ResidualRow {
  measure: typeof RESIDUAL_MEASURE;
  labelSet: string;
  component: string;
  value: number;
  /** With null shadows: raw, null or corrected (METHODS §5.1). */
  correction?: "raw" | "null" | "corrected";
}

/** Rows of the decomposition for every scheme whose label sets were all measured. */
export function residualRows(
  estimate: EntropyEstimate,
  schemes: Readonly<Record<string, readonly string[]>> = NGRAM_SCHEMES,
): ResidualRow[] {
  const rows: ResidualRow[] = [];
  for (const [scheme, sets] of Object.entries(schemes)) {
    if (!sets.every((name) => estimate.labelSets[name])) continue;
    for (const { component, value, correction } of residualDecomposition(estimate, sets))
      rows.push({
        measure: RESIDUAL_MEASURE,
        labelSet: scheme,
        component,
        value,
        ...(correction ? { correction } : {}),
      });
  }
  return rows;
}

/**
 * Structure measures on vectors (METHODS §5), as pure functions of an estimate:
 * - information      = H(Z) / ln n                        (efficiency of H(Z))
 * - variation        = H(Z|X) / ln n                      (efficiency of H(Z|X))
 * - regularity-ln-n  = I(X;Z) / ln n                      (2024 plots: information − variation)
 * - regularity-h     = I(X;Z) / H(Z)                      (the published package)
 * - disentanglement  = mean over x of JSD(P(Z|x) ‖ P(Z|not x));  disentanglement-generalised =
 *   the p(x)-weighted generalised JSD of the P(Z|x)
 * plus the raw nats: entropy, conditional-entropy, mutual-information. Differential
 * estimators (gaussian, knn) have no maximum entropy, so only the nats are reported.
 * "ln n" is ln of the number of cells (anchors, or bins for H_dw).
 */
import type { EntropyAccumulator, EntropyEstimate } from "./accumulator.js";

export interface MeasureRow {
  /** Absent for measures of Z alone (entropy, information), so rows spread into tidy results as they are. */
  labelSet?: string;
  measure: string;
  value: number;
}

export const MEASURE_NAMES = [
  "entropy",
  "information",
  "conditional-entropy",
  "mutual-information",
  "variation",
  "regularity-ln-n",
  "regularity-h",
  "disentanglement",
  "disentanglement-generalised",
] as const;

function estimateOf(source: EntropyAccumulator | EntropyEstimate): EntropyEstimate {
  return "result" in source && typeof source.result === "function" ? source.result() : (source as EntropyEstimate);
}

/** Every §5 measure of an accumulator (or its result) as a flat list of {labelSet, measure, value}. */
export function structureMeasures(source: EntropyAccumulator | EntropyEstimate): MeasureRow[] {
  const e = estimateOf(source);
  const rows: MeasureRow[] = [{ measure: "entropy", value: e.entropy }];
  const max = e.differential ? null : e.maxEntropy;
  if (max !== null) rows.push({ measure: "information", value: ratio(e.entropy, max) });
  for (const [name, s] of Object.entries(e.labelSets)) {
    rows.push({ labelSet: name, measure: "conditional-entropy", value: s.conditionalEntropy });
    rows.push({ labelSet: name, measure: "mutual-information", value: s.mutualInformation });
    if (max === null) continue;
    rows.push({ labelSet: name, measure: "variation", value: ratio(s.conditionalEntropy, max) });
    rows.push({ labelSet: name, measure: "regularity-ln-n", value: ratio(s.mutualInformation, max) });
    rows.push({ labelSet: name, measure: "regularity-h", value: ratio(s.mutualInformation, s.entropy) });
    if (s.disentanglement !== null) rows.push({ labelSet: name, measure: "disentanglement", value: s.disentanglement });
    if (s.generalisedJsd !== null)
      rows.push({ labelSet: name, measure: "disentanglement-generalised", value: s.generalisedJsd });
  }
  return rows;
}

/** a / b, or 0 when b is 0 (an empty or single-cell table: nothing to normalise by). */
function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}

export interface ResidualComponent {
  /** "token", "bigram − token", ..., "unexplained". */
  component: string;
  value: number;
}

/**
 * Residual decomposition over nested label sets (e.g. token ⊂ bigram ⊂ trigram):
 * [I₁, I₂ − I₁, …, I_k − I_{k−1}] / H(Z) and the unexplained (H(Z) − I_k) / H(Z).
 * The components sum to 1 (when H(Z) > 0).
 */
export function residualDecomposition(
  source: EntropyAccumulator | EntropyEstimate,
  nested: readonly string[],
): ResidualComponent[] {
  const e = estimateOf(source);
  if (nested.length === 0) throw new RangeError("residual decomposition needs at least one label set");
  const h = e.entropy;
  const out: ResidualComponent[] = [];
  let previous = 0;
  nested.forEach((name, i) => {
    const s = e.labelSets[name];
    if (!s)
      throw new RangeError(
        `residual decomposition: no label set "${name}" (known: ${Object.keys(e.labelSets).join(", ") || "none"})`,
      );
    out.push({
      component: i === 0 ? name : `${name} − ${nested[i - 1]}`,
      value: ratio(s.mutualInformation - previous, h),
    });
    previous = s.mutualInformation;
  });
  out.push({ component: "unexplained", value: ratio(h - previous, h) });
  return out;
}

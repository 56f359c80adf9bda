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
import type { LabelSetEstimate, ShadowEstimate } from "./countEstimate.js";

/**
 * Which value a row holds when the estimate has null shadows (METHODS, "Small-sample bias"):
 * the plug-in value ("raw"), its expectation when labels are independent of the rows with the
 * same row counts ("null", the mean over shadows), and the bias-corrected value ("corrected").
 * Corrected = M' − mean over shadows of M' + the value labels carrying nothing would give (0 for
 * informations, regularities and disentanglements, H(Z) for the conditional entropy, information
 * for variation), where M' is the measure with H(Z|X) raised by the within-value bias estimate
 * (`withinBias`; disentanglements are unchanged by it, so for them corrected = raw − null).
 */
export type MeasureCorrection = "raw" | "null" | "corrected";

export interface MeasureRow {
  /** Absent for measures of Z alone (entropy, information), so rows spread into tidy results as they are. */
  labelSet?: string;
  measure: string;
  value: number;
  /** Present when the estimate has null shadows (measures of Z alone need none: they are "raw"). */
  correction?: MeasureCorrection;
  /** Null rows: the number of shadows and their standard deviation. */
  shadows?: number;
  sd?: number;
  /**
   * Null and corrected rows (with ≥ 2 shadows): a 95% interval for the null mean (and so for the
   * correction) from the spread of the shadows: the Monte Carlo error of the correction, not the
   * sampling error of the data.
   */
  lower?: number;
  upper?: number;
  /** Corrected rows: (1 + shadows at least as structured as the raw value) / (shadows + 1). */
  pValue?: number;
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

/**
 * The label-dependent measures: how each is read from an estimate (or a null shadow), the value
 * labels carrying nothing would give, and whether structure raises it. `normalised` ones need a
 * maximum entropy (not defined for differential estimators); a null value means "not computed".
 */
const LABEL_MEASURES: {
  measure: (typeof MEASURE_NAMES)[number];
  normalised: boolean;
  structureRaises: boolean;
  value: (s: ShadowEstimate, max: number) => number | null;
  uninformative: (s: ShadowEstimate, max: number) => number;
}[] = [
  {
    measure: "conditional-entropy",
    normalised: false,
    structureRaises: false,
    value: (s) => s.conditionalEntropy,
    uninformative: (s) => s.entropy,
  },
  {
    measure: "mutual-information",
    normalised: false,
    structureRaises: true,
    value: (s) => s.mutualInformation,
    uninformative: () => 0,
  },
  {
    measure: "variation",
    normalised: true,
    structureRaises: false,
    value: (s, max) => ratio(s.conditionalEntropy, max),
    uninformative: (s, max) => ratio(s.entropy, max),
  },
  {
    measure: "regularity-ln-n",
    normalised: true,
    structureRaises: true,
    value: (s, max) => ratio(s.mutualInformation, max),
    uninformative: () => 0,
  },
  {
    measure: "regularity-h",
    normalised: true,
    structureRaises: true,
    value: (s) => ratio(s.mutualInformation, s.entropy),
    uninformative: () => 0,
  },
  {
    measure: "disentanglement",
    normalised: true,
    structureRaises: true,
    value: (s) => s.disentanglement,
    uninformative: () => 0,
  },
  {
    measure: "disentanglement-generalised",
    normalised: true,
    structureRaises: true,
    value: (s) => s.generalisedJsd,
    uninformative: () => 0,
  },
];

/**
 * Every §5 measure of an accumulator (or its result) as a flat list of {labelSet, measure, value}.
 * With null shadows (the `nullShadows` option) each label-dependent measure is three rows,
 * `correction` "raw", "null" and "corrected" (see MeasureCorrection), and the Z-only rows are "raw".
 */
export function structureMeasures(source: EntropyAccumulator | EntropyEstimate): MeasureRow[] {
  const e = estimateOf(source);
  const corrected = Object.values(e.labelSets).some((s) => s.null);
  const zOnly = corrected ? { correction: "raw" as const } : {};
  const rows: MeasureRow[] = [{ measure: "entropy", value: e.entropy, ...zOnly }];
  const max = e.differential ? null : e.maxEntropy;
  if (max !== null) rows.push({ measure: "information", value: ratio(e.entropy, max), ...zOnly });
  for (const [name, s] of Object.entries(e.labelSets)) {
    for (const m of LABEL_MEASURES) {
      if (m.normalised && max === null) continue;
      const value = m.value(s, max ?? 0);
      if (value === null) continue;
      rows.push(...correctedRows(name, m, s, value, max ?? 0));
    }
  }
  return rows;
}

/**
 * An estimate with H(Z|X) raised (and I(X;Z) lowered) by its within-value bias estimate: the
 * first stage of the correction. Disentanglements and H(Z) are unchanged.
 */
export function withinCorrected<S extends ShadowEstimate>(s: S): S {
  const b = s.withinBias ?? 0;
  return { ...s, conditionalEntropy: s.conditionalEntropy + b, mutualInformation: s.mutualInformation - b };
}

function meanAndSd(values: number[]): { mean: number; sd: number } {
  const k = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / k;
  const sd = k > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (k - 1)) : Number.NaN;
  return { mean, sd };
}

function correctedRows(
  labelSet: string,
  m: (typeof LABEL_MEASURES)[number],
  s: LabelSetEstimate,
  raw: number,
  max: number,
): MeasureRow[] {
  if (!s.null) return [{ labelSet, measure: m.measure, value: raw }];
  const draws = s.null.shadows.map((shadow) => m.value(shadow, max) ?? Number.NaN);
  const ideal = m.uninformative(s, max);
  const k = draws.length;
  const { mean, sd } = meanAndSd(draws);
  // second stage: the shadows remove what the within-value estimate leaves of the null bias
  const adjusted = meanAndSd(s.null.shadows.map((shadow) => m.value(withinCorrected(shadow), max) ?? Number.NaN));
  const corrected = (m.value(withinCorrected(s), max) ?? Number.NaN) - adjusted.mean + ideal;
  const halfOf = (spread: number) => (1.959963984540054 * spread) / Math.sqrt(k);
  const interval = (centre: number, spread: number) =>
    k > 1 ? { lower: centre - halfOf(spread), upper: centre + halfOf(spread) } : {};
  const asStructured = draws.filter((v) => (m.structureRaises ? v >= raw : v <= raw)).length;
  const base = { labelSet, measure: m.measure };
  return [
    { ...base, value: raw, correction: "raw" },
    { ...base, value: mean, correction: "null", shadows: k, ...(k > 1 ? { sd } : {}), ...interval(mean, sd) },
    {
      ...base,
      value: corrected,
      correction: "corrected",
      ...interval(corrected, adjusted.sd),
      pValue: (1 + asStructured) / (k + 1),
    },
  ];
}

/** a / b, or 0 when b is 0 (an empty or single-cell table: nothing to normalise by). */
function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}

export interface ResidualComponent {
  /** "token", "bigram − token", ..., "unexplained". */
  component: string;
  value: number;
  /** Present when the label sets have null shadows: "raw", "null" (mean over shadows) or "corrected". */
  correction?: MeasureCorrection;
}

/**
 * Residual decomposition over nested label sets (e.g. token ⊂ bigram ⊂ trigram):
 * [I₁, I₂ − I₁, …, I_k − I_{k−1}] / H(Z) and the unexplained (H(Z) − I_k) / H(Z).
 * The components sum to 1 (when H(Z) > 0). With null shadows, each component is three rows:
 * raw, null (the same decomposition of each shadow, averaged) and corrected (that of the
 * within-value-corrected informations minus its shadow mean, as for the other measures; the
 * corrected unexplained is 1 − the corrected components, so those sum to 1 too).
 */
export function residualDecomposition(
  source: EntropyAccumulator | EntropyEstimate,
  nested: readonly string[],
): ResidualComponent[] {
  const e = estimateOf(source);
  if (nested.length === 0) throw new RangeError("residual decomposition needs at least one label set");
  const sets = nested.map((name) => {
    const s = e.labelSets[name];
    if (!s)
      throw new RangeError(
        `residual decomposition: no label set "${name}" (known: ${Object.keys(e.labelSets).join(", ") || "none"})`,
      );
    return s;
  });
  const names = nested.map((name, i) => (i === 0 ? name : `${name} − ${nested[i - 1]}`));
  const raw = decompose(
    sets.map((s) => s.mutualInformation),
    e.entropy,
  );
  const k = sets[0]!.null?.shadows.length ?? 0;
  if (k === 0 || sets.some((s) => s.null?.shadows.length !== k))
    return [...names, "unexplained"].map((component, i) => ({ component, value: raw[i]! }));
  const shadowParts = (read: (s: ShadowEstimate) => ShadowEstimate) =>
    Array.from({ length: k }, (_, j) =>
      decompose(
        sets.map((s) => read(s.null!.shadows[j]!).mutualInformation),
        e.entropy,
      ),
    );
  const draws = shadowParts((s) => s);
  const adjustedDraws = shadowParts(withinCorrected);
  const adjusted = decompose(
    sets.map((s) => withinCorrected(s).mutualInformation),
    e.entropy,
  );
  const out: ResidualComponent[] = [];
  const correctedParts: number[] = [];
  [...names, "unexplained"].forEach((component, i) => {
    const mean = draws.reduce((a, d) => a + d[i]!, 0) / k;
    const adjustedMean = adjustedDraws.reduce((a, d) => a + d[i]!, 0) / k;
    const last = i === names.length;
    const corrected = last ? 1 - correctedParts.reduce((a, b) => a + b, 0) : adjusted[i]! - adjustedMean;
    if (!last) correctedParts.push(corrected);
    out.push(
      { component, value: raw[i]!, correction: "raw" },
      { component, value: mean, correction: "null" },
      { component, value: corrected, correction: "corrected" },
    );
  });
  return out;
}

/** [I₁, I₂ − I₁, …] / H and the unexplained (H − I_last) / H. */
function decompose(informations: number[], h: number): number[] {
  const parts = informations.map((info, i) => ratio(info - (i > 0 ? informations[i - 1]! : 0), h));
  parts.push(ratio(h - informations[informations.length - 1]!, h));
  return parts;
}

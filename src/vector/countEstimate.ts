/**
 * Entropies from counting states (soft entropy, nearest-anchor, binned H_dw): H(Z), and for
 * each label set H(Z|X), I(X;Z), disentanglement (METHODS §4–§5). Pure functions.
 *
 * Conventions (documented choices):
 * - P(Z) is the mean of the per-row vectors (counts / rows), so N identical rows give
 *   exactly the value of one of them.
 * - A label set's values with fewer than `minCount` rows are dropped; rows with negative
 *   codes are excluded. I(X;Z) = H(Z over the retained rows) − H(Z|X), so that it is the
 *   generalised JSD of the retained P(Z|x) (≥ 0 with weighted conditionals); `entropy` in
 *   the label-set estimate is that retained-rows H(Z). With no drops it equals H(Z).
 * - With several blocks (binned: one per dimension), every entropy and divergence is the
 *   mean over blocks.
 */
import { entropy, generalizedJsdUnchecked, jsdUnchecked, type Weighting } from "../info/index.js";
import type { CountState } from "./countState.js";
import type { CountTable } from "./labelTable.js";
import { expectedAgreement } from "./nullShadows.js";

export interface CountEstimateOptions {
  minCount: number;
  weighting: Weighting;
  /** Skip the O(values × width) disentanglement measures (e.g. inside permutation nulls). */
  skipDisentanglement?: boolean;
}

export interface LabelSetEstimate {
  /** Distinct label values seen / kept after minCount. */
  values: number;
  retainedValues: number;
  /** Rows in kept values; rows in dropped values; rows with an excluded (negative) code. */
  retainedRows: number;
  droppedRows: number;
  excludedRows: number;
  /** H(Z) over the retained rows (nats). */
  entropy: number;
  /** H(Z|X) (nats), weighted or uniform over values. */
  conditionalEntropy: number;
  /** I(X;Z) = entropy − conditionalEntropy. */
  mutualInformation: number;
  /** Mean over kept values x of JSD(P(Z|x) ‖ P(Z|not x)), in [0, ln 2]; null if skipped. */
  disentanglement: number | null;
  /** Generalised JSD of the kept P(Z|x) with weights p(x); null if skipped. */
  generalisedJsd: number | null;
  /** The same quantities for each null shadow (bias correction; absent without shadows). */
  null?: NullShadowEstimate;
}

/** The label-dependent quantities of one estimate: what a null shadow reports. */
export type ShadowEstimate = Pick<
  LabelSetEstimate,
  "entropy" | "conditionalEntropy" | "mutualInformation" | "disentanglement" | "generalisedJsd"
>;

export interface NullShadowEstimate {
  /** One estimate per shadow (labels permuted within batches: same row counts, no link to the rows). */
  shadows: ShadowEstimate[];
  seed: number;
  /** Fraction of shadow assignments that gave a row its own value, and what a whole-data permutation gives. */
  agreement: number;
  expectedAgreement: number;
}

/** Mean over blocks of the entropy of a distribution stored at `offset` in `values`. */
export function blockEntropy(values: Float64Array, offset: number, blocks: number, blockWidth: number): number {
  let h = 0;
  for (let b = 0; b < blocks; b++) {
    const start = offset + b * blockWidth;
    h += entropy(values.subarray(start, start + blockWidth));
  }
  return h / blocks;
}

/** H(Z) over all counted rows: entropy of P(Z) = total / rows (mean over blocks). */
export function totalEntropy(state: CountState): number {
  if (state.rows === 0) return 0;
  const p = Float64Array.from(state.total, (c) => c / state.rows);
  return blockEntropy(p, 0, state.blocks, state.blockWidth);
}

export function labelSetEstimate(state: CountState, name: string, options: CountEstimateOptions): LabelSetEstimate {
  const table = state.tables.get(name);
  if (!table) throw new RangeError(`no label set "${name}" (known: ${[...state.tables.keys()].join(", ") || "none"})`);
  const excluded = state.excludedRows.get(name) ?? 0;
  const estimate = tableEstimate(table, state.blocks, state.blockWidth, excluded, options);
  if (table.shadows.length === 0) return estimate;
  const shadows = table.shadows.map((_, j) => {
    const s = tableEstimate(table.shadowView(j), state.blocks, state.blockWidth, excluded, options);
    return {
      entropy: s.entropy,
      conditionalEntropy: s.conditionalEntropy,
      mutualInformation: s.mutualInformation,
      disentanglement: s.disentanglement,
      generalisedJsd: s.generalisedJsd,
    };
  });
  return {
    ...estimate,
    null: {
      shadows,
      seed: state.shadows.seed,
      agreement: table.shadowRows > 0 ? table.shadowSame / table.shadowRows : 0,
      expectedAgreement: expectedAgreement(table),
    },
  };
}

export function tableEstimate(
  table: CountTable,
  blocks: number,
  blockWidth: number,
  excludedRows: number,
  options: CountEstimateOptions,
): LabelSetEstimate {
  const width = blocks * blockWidth;
  const kept: number[] = [];
  let retainedRows = 0;
  let droppedRows = 0;
  for (let s = 0; s < table.size; s++) {
    const rows = table.rowCounts[s]!;
    if (rows > 0 && rows >= options.minCount) {
      kept.push(s);
      retainedRows += rows;
    } else droppedRows += rows;
  }
  const retained = new Float64Array(width);
  for (const s of kept) for (let k = 0; k < width; k++) retained[k]! += table.counts[s * width + k]!;
  const h =
    retainedRows > 0
      ? blockEntropy(
          Float64Array.from(retained, (c) => c / retainedRows),
          0,
          blocks,
          blockWidth,
        )
      : 0;

  let conditional = 0;
  for (const s of kept) {
    const rows = table.rowCounts[s]!;
    const hx = blockEntropy(table.counts, s * width, blocks, blockWidth);
    conditional += options.weighting === "weighted" ? (rows / retainedRows) * hx : hx / kept.length;
  }

  let disentanglement: number | null = null;
  let generalised: number | null = null;
  if (!options.skipDisentanglement) {
    ({ disentanglement, generalised } = divergences(table, kept, retained, retainedRows, blocks, blockWidth));
  }
  return {
    values: table.size,
    retainedValues: kept.length,
    retainedRows,
    droppedRows,
    excludedRows,
    entropy: h,
    conditionalEntropy: conditional,
    mutualInformation: h - conditional,
    disentanglement,
    generalisedJsd: generalised,
  };
}

/** Label-vs-complement JSD (mean over values) and the p(x)-weighted generalised JSD, averaged over blocks. */
function divergences(
  table: CountTable,
  kept: number[],
  retained: Float64Array,
  retainedRows: number,
  blocks: number,
  blockWidth: number,
) {
  const width = blocks * blockWidth;
  const complement = new Float64Array(blockWidth);
  const scratch = new Float64Array(3 * blockWidth);
  let jsdSum = 0;
  let jsdValues = 0;
  for (const s of kept) {
    if (retainedRows - table.rowCounts[s]! <= 0) continue; // no complement: a single kept value
    let perValue = 0;
    for (let b = 0; b < blocks; b++) {
      const start = s * width + b * blockWidth;
      for (let k = 0; k < blockWidth; k++)
        complement[k] = Math.max(0, retained[b * blockWidth + k]! - table.counts[start + k]!);
      const own = table.counts.subarray(start, start + blockWidth);
      if (sum(complement) === 0 || sum(own) === 0) continue;
      perValue += jsdUnchecked(own, complement, scratch); // = jsd(own, complement), without allocating
    }
    jsdSum += perValue / blocks;
    jsdValues++;
  }
  let generalised = 0;
  if (kept.length > 0) {
    const weights = Float64Array.from(kept, (s) => table.rowCounts[s]!);
    const mixScratch = new Float64Array(2 * blockWidth);
    for (let b = 0; b < blocks; b++) {
      const dists = kept.map((s) =>
        table.counts.subarray(s * width + b * blockWidth, s * width + (b + 1) * blockWidth),
      );
      generalised += generalizedJsdUnchecked(dists, weights, mixScratch); // = generalizedJsd(dists, weights)
    }
    generalised /= blocks;
  }
  return { disentanglement: jsdValues > 0 ? jsdSum / jsdValues : 0, generalised };
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

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
import { entropy, type Weighting } from "../info/index.js";
import { fastLog } from "../info/fastLog.js";
import type { CountState } from "./countState.js";
import {
  type CellsInstance,
  type CellsJob,
  type LabelCellsKernel,
  cellsInstance,
  labelCellsHelper,
  labelCellsKernel,
  labelCellsModule,
  runCellsRange,
} from "./labelCells.js";
import type { CountTable } from "./labelTable.js";
import { expectedAgreement } from "./nullShadows.js";

export interface CountEstimateOptions {
  minCount: number;
  weighting: Weighting;
  /** Skip the O(values × width) disentanglement measures (e.g. inside permutation nulls). */
  skipDisentanglement?: boolean;
  /** Compute the cells in JavaScript even where the WebAssembly SIMD kernel is available (tests, benchmarks). */
  javascriptCells?: boolean;
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
  /** Grouped sets: parent labels with at least one kept sub-label. */
  groups?: number;
  /**
   * The within-value estimate of the plug-in's bias of H(Z|X) (nats, ≥ 0; METHODS "Small-sample
   * bias"): from each value's rows, by the collision law. Present with null shadows (the bias
   * correction adds it to H(Z|X) before the shadows remove what it misses); absent otherwise.
   */
  withinBias?: number;
  /** The same quantities for each null shadow (bias correction; absent without shadows). */
  null?: NullShadowEstimate;
}

/** The label-dependent quantities of one estimate: what a null shadow reports. */
export type ShadowEstimate = Pick<
  LabelSetEstimate,
  "entropy" | "conditionalEntropy" | "mutualInformation" | "disentanglement" | "generalisedJsd" | "withinBias"
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

/** Every label set's estimate of a counting state, in the state's label-set order. */
export function labelSetEstimates(state: CountState, options: CountEstimateOptions): Record<string, LabelSetEstimate> {
  const labelSets: Record<string, LabelSetEstimate> = {};
  for (const name of state.labelSetNames ?? []) labelSets[name] = labelSetEstimate(state, name, options);
  return labelSets;
}

/** H(Z) over all counted rows: entropy of P(Z) = total / rows (mean over blocks). */
export function totalEntropy(state: CountState): number {
  if (state.rows === 0) return 0;
  return blockEntropy(state.total, 0, state.blocks, state.blockWidth); // entropy() renormalises
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
      ...(s.withinBias !== undefined ? { withinBias: s.withinBias } : {}),
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

/**
 * The estimate of one label table, in one pass over it with no allocation per label value:
 * per kept value and block, the value's entropy, its JSD against the rest of its group and its
 * share of the group's mixture (generalised JSD) come from two loops over its cells.
 * An ungrouped set is one group of all its kept values. A grouped set (sub-labels within parent
 * labels, the 2024 nested n-grams) is measured within each parent: H(Z|set) with uniform
 * weighting is the mean over parents of the mean over their kept sub-labels; disentanglement and
 * the generalised JSD are computed within each parent (each sub-label against the parent's other
 * kept sub-labels) and averaged over the parents that keep at least two sub-labels.
 * A set's own minCount / weighting (from its kind) replace the accumulator's.
 */
export function tableEstimate(
  table: CountTable,
  blocks: number,
  blockWidth: number,
  excludedRows: number,
  options: CountEstimateOptions,
): LabelSetEstimate {
  const width = blocks * blockWidth;
  const minCount = table.kind?.minCount ?? options.minCount;
  const weighting = table.kind?.weighting ?? options.weighting;
  const { rowCounts, counts } = table;
  const order = keptInGroupOrder(table, minCount);
  let retainedRows = 0;
  let allRows = 0;
  for (let s = 0; s < table.size; s++) allRows += rowCounts[s]!;
  const kernel = options.javascriptCells || order.kept.length === 0 ? null : labelCellsKernel(width);
  const retained = new Float64Array(width);
  for (let t = 0; t < order.kept.length; t++) {
    const s = order.kept[t]!;
    retainedRows += rowCounts[s]!;
    if (!kernel) addInto(retained, 0, counts, s * width, width);
  }
  kernel?.sumValues(counts, order.kept, 0, order.kept.length, retained);
  const h = retainedRows > 0 ? blockEntropy(retained, 0, blocks, blockWidth) : 0;

  const withDivergences = !options.skipDisentanglement;
  const groupSum = order.grouped ? new Float64Array(width) : retained;
  const scratch = {
    mixture: new Float64Array(withDivergences && !kernel ? blockWidth : 0),
    lnReference: new Float64Array(withDivergences && !kernel ? width : 0),
    meanEntropy: new Float64Array(blocks),
  };
  const within = table.rowEntropy ? new WithinBias(blocks, blockWidth) : null;
  let conditional = 0;
  let groupMeans = 0;
  let groupsKept = 0;
  let jsdOverGroups = 0;
  let gjsdOverGroups = 0;
  let groupsCompared = 0;
  for (let g = 0; g < order.groupStarts.length - 1; g++) {
    const first = order.groupStarts[g]!;
    const end = order.groupStarts[g + 1]!;
    let groupRows = 0;
    if (order.grouped) groupSum.fill(0);
    for (let t = first; t < end; t++) {
      const s = order.kept[t]!;
      groupRows += rowCounts[s]!;
      if (order.grouped && !kernel) addInto(groupSum, 0, counts, s * width, width);
    }
    if (order.grouped) kernel?.sumValues(counts, order.kept, first, end, groupSum);
    const group: GroupPass = {
      counts,
      rowCounts,
      kept: order.kept,
      first,
      end,
      groupRows,
      retainedRows,
      groupSum,
      blocks,
      blockWidth,
      withDivergences,
      within,
      rowEntropy: table.rowEntropy,
      entropySum: 0,
      weightedEntropy: 0,
      jsdSum: 0,
      gjsd: 0,
    };
    if (kernel) groupCellsWasm(group, kernel, scratch.meanEntropy);
    else groupCellsJs(group, scratch);
    const { entropySum, weightedEntropy, jsdSum, gjsd } = group;
    let jsdValues = 0;
    for (let t = first; t < end; t++) if (groupRows - rowCounts[order.kept[t]!]! > 0) jsdValues++;
    conditional += weightedEntropy;
    groupMeans += entropySum / (end - first);
    groupsKept++;
    if (!order.grouped || end - first >= 2) {
      jsdOverGroups += jsdValues > 0 ? jsdSum / jsdValues : 0;
      gjsdOverGroups += gjsd;
      groupsCompared++;
    }
  }
  if (weighting === "uniform") conditional = order.grouped ? safeMean(groupMeans, groupsKept) : groupMeans;
  const withinBias = within ? within.aggregate(order, rowCounts, retainedRows, weighting) : undefined;
  return {
    values: table.size,
    retainedValues: order.kept.length,
    retainedRows,
    droppedRows: allRows - retainedRows,
    excludedRows,
    entropy: h,
    conditionalEntropy: conditional,
    mutualInformation: h - conditional,
    disentanglement: withDivergences ? safeMean(jsdOverGroups, groupsCompared) : null,
    generalisedJsd: withDivergences ? safeMean(gjsdOverGroups, groupsCompared) : null,
    ...(order.grouped ? { groups: groupsKept } : {}),
    ...(withinBias !== undefined ? { withinBias } : {}),
  };
}

/**
 * The within-value bias estimate (METHODS "Small-sample bias", the collision law). For a value
 * with m rows, D = H(P̂) − (mean of its rows' own entropies) is the information among its rows
 * (the generalised JSD of m distributions, 0 ≤ D ≤ ln m). For the collision (order-2) analogue,
 * exactly, exp(−D_m) = λ + (1 − λ)/m, λ = ‖P‖² / E‖z‖² (the share of a row's self-overlap that two
 * rows of the value share); solving for λ and letting m → ∞ gives the bias D_∞ − D_m =
 * ln(1 + (1 − λ)/(m λ)). λ̂ = (m e^{−D} − 1)/(m − 1), clamped to [1/cells, 1], is pooled per
 * block over the set's values with m ≥ 2 (weighted by rows: it is linear in e^{−D}, so pooling
 * before the logarithm avoids a Jensen bias at few rows); every kept value, including those with
 * one row, is then corrected by the bias its row count has under the pooled λ, aggregated as
 * H(Z|X) is. Values with one row carry no within-value information: when no value has two rows,
 * the estimate is 0 and the null shadows correct alone.
 */
class WithinBias {
  private readonly lambdaSum: Float64Array;
  private readonly weightSum: Float64Array;

  constructor(
    private readonly blocks: number,
    private readonly blockWidth: number,
  ) {
    this.lambdaSum = new Float64Array(blocks);
    this.weightSum = new Float64Array(blocks);
  }

  /** One value's block: its row count, plug-in entropy and mean row entropy. */
  addValue(block: number, rows: number, entropy: number, meanRowEntropy: number): void {
    if (rows < 2) return;
    const information = Math.max(0, entropy - meanRowEntropy);
    const lambda = (rows * Math.exp(-information) - 1) / (rows - 1);
    this.lambdaSum[block]! += rows * Math.min(1, Math.max(1 / this.blockWidth, lambda));
    this.weightSum[block]! += rows;
  }

  /** The bias of a value with m rows (nats, mean over blocks). */
  private biasOf(m: number): number {
    let sum = 0;
    for (let b = 0; b < this.blocks; b++) {
      if (this.weightSum[b]! === 0) continue;
      const lambda = this.lambdaSum[b]! / this.weightSum[b]!;
      sum += Math.log1p((1 - lambda) / (m * lambda));
    }
    return sum / this.blocks;
  }

  /** The per-value biases aggregated as H(Z|X) is (weighted by rows, or uniform, within groups then over them). */
  aggregate(
    order: { kept: Int32Array; groupStarts: Int32Array; grouped: boolean },
    rowCounts: Float64Array,
    retainedRows: number,
    weighting: Weighting,
  ): number {
    const cache = new Map<number, number>();
    const bias = (m: number) => {
      let v = cache.get(m);
      if (v === undefined) cache.set(m, (v = this.biasOf(m)));
      return v;
    };
    let weighted = 0;
    let groupMeans = 0;
    const groups = order.groupStarts.length - 1;
    for (let g = 0; g < groups; g++) {
      const first = order.groupStarts[g]!;
      const end = order.groupStarts[g + 1]!;
      let sum = 0;
      for (let t = first; t < end; t++) {
        const rows = rowCounts[order.kept[t]!]!;
        const b = bias(rows);
        weighted += (rows / retainedRows) * b;
        sum += b;
      }
      groupMeans += sum / (end - first);
    }
    if (weighting !== "uniform") return weighted;
    return order.grouped ? safeMean(groupMeans, groups) : groupMeans;
  }
}

function safeMean(sum: number, count: number): number {
  return count > 0 ? sum / count : 0;
}

/** One group's values (kept[first .. end)) and the sums its pass over their cells adds up. */
interface GroupPass {
  counts: Float64Array;
  rowCounts: Float64Array;
  kept: Int32Array;
  first: number;
  end: number;
  groupRows: number;
  retainedRows: number;
  groupSum: Float64Array;
  blocks: number;
  blockWidth: number;
  withDivergences: boolean;
  /** The within-value bias estimate being gathered (with null shadows), and the table's row-entropy sums. */
  within: WithinBias | null;
  rowEntropy: Float64Array | null;
  /** Σ over values and blocks of H / blocks; the same weighted by rows / retainedRows; Σ JSD / blocks over values with a complement. */
  entropySum: number;
  weightedEntropy: number;
  jsdSum: number;
  /** Σ over blocks of max(0, H(mixture) − mean H) / blocks (the group's generalised JSD). */
  gjsd: number;
}

/** Add one value's block (entropy, JSD) to the group's sums; returns its share of the block's mean entropy. */
function addCell(group: GroupPass, slot: number, block: number, entropy: number, jsd: number): number {
  const rows = group.rowCounts[slot]!;
  group.within?.addValue(block, rows, entropy, group.rowEntropy![slot]! / rows);
  group.entropySum += entropy / group.blocks;
  group.weightedEntropy += ((rows / group.retainedRows) * entropy) / group.blocks;
  if (group.groupRows - rows > 0) group.jsdSum += jsd / group.blocks;
  return (rows / group.groupRows) * entropy;
}

/** The group's cells in JavaScript (where WebAssembly SIMD is missing, or when asked to). */
function groupCellsJs(group: GroupPass, scratch: { mixture: Float64Array; lnReference: Float64Array }): void {
  const { counts, rowCounts, kept, first, end, groupRows, groupSum, blocks, blockWidth, withDivergences } = group;
  const { mixture, lnReference } = scratch;
  const width = blocks * blockWidth;
  if (withDivergences) for (let k = 0; k < width; k++) lnReference[k] = fastLog(groupSum[k]!); // −Infinity where 0
  for (let b = 0; b < blocks; b++) {
    if (withDivergences) mixture.fill(0);
    let meanEntropy = 0;
    for (let t = first; t < end; t++) {
      const s = kept[t]!;
      const rows = rowCounts[s]!;
      const own = s * width + b * blockWidth;
      const cell = withDivergences
        ? valueCells(
            counts,
            own,
            groupSum,
            lnReference,
            b * blockWidth,
            blockWidth,
            groupRows - rows > 0,
            mixture,
            rows / groupRows,
          )
        : valueEntropy(counts, own, blockWidth);
      meanEntropy += addCell(group, s, b, cell.entropy, cell.jsd);
    }
    if (withDivergences) group.gjsd += Math.max(0, plainEntropyOf(mixture) - meanEntropy) / blocks;
  }
}

/**
 * The group's cells on the WebAssembly kernel, a chunk of values at a time (every block of a chunk in
 * turn). A large group with a helper thread registered (labelCells.ts) is split at a chunk boundary:
 * the helper computes the second part's cells while this thread computes the first; the parts' per-value
 * results are then added in the order one thread adds them (so every sum but the mixture is the same
 * number), and the helper's mixture to this thread's.
 */
function groupCellsWasm(group: GroupPass, kernel: LabelCellsKernel, meanEntropy: Float64Array): void {
  const { counts, kept, first, end, blocks, blockWidth, withDivergences } = group;
  const { meta, out, mixture } = kernel;
  kernel.setReference(group.groupSum);
  meanEntropy.fill(0);
  const split = splitGroup(group, kernel);
  for (let from = first; from < split.at; from += kernel.chunk) {
    const to = Math.min(split.at, from + kernel.chunk);
    kernel.loadValues(counts, kept, from, to);
    writeMeta(meta, group, from, to);
    for (let b = 0; b < blocks; b++) {
      kernel.run(to - from, b * blockWidth, blockWidth);
      let mean = 0;
      for (let t = from; t < to; t++)
        mean += addCell(group, kept[t]!, b, out[2 * (t - from)]!, out[2 * (t - from) + 1]!);
      meanEntropy[b]! += mean;
    }
  }
  if (split.job) {
    const job = split.job;
    if (!split.wait()) {
      // the helper did not start it, or failed: compute its part here, into arrays it will not touch
      job.out = new Float64Array(job.out.length);
      job.mixture = new Float64Array(job.mixture.length);
      ownInstance ??= cellsInstance(labelCellsModule()!);
      runCellsRange(ownInstance, job);
    }
    for (let from = split.at; from < end; from += kernel.chunk) {
      const to = Math.min(end, from + kernel.chunk);
      const base = (from - split.at) * blocks;
      for (let b = 0; b < blocks; b++) {
        const at = 2 * (base + b * (to - from)) - 2 * from;
        let mean = 0;
        for (let t = from; t < to; t++)
          mean += addCell(group, kept[t]!, b, job.out[at + 2 * t]!, job.out[at + 2 * t + 1]!);
        meanEntropy[b]! += mean;
      }
    }
    for (let k = 0; k < mixture.length; k++) mixture[k]! += job.mixture[k]!;
  }
  if (withDivergences)
    for (let b = 0; b < blocks; b++) {
      const block = mixture.subarray(b * blockWidth, (b + 1) * blockWidth);
      group.gjsd += Math.max(0, plainEntropyOf(block) - meanEntropy[b]!) / blocks;
    }
}

/** This thread's second kernel instance, for a helper's part it computes itself (the same code and numbers). */
let ownInstance: CellsInstance | null = null;

/** meta[2(t − from) ..] for values kept[from .. to): each value's weight in the mixture and whether it has a complement. */
function writeMeta(meta: Float64Array, group: GroupPass, from: number, to: number): void {
  const { rowCounts, kept, groupRows, withDivergences } = group;
  for (let t = from; t < to; t++) {
    const rows = rowCounts[kept[t]!]!;
    meta[2 * (t - from)] = withDivergences ? rows / groupRows : 0;
    meta[2 * (t - from) + 1] = withDivergences && groupRows - rows > 0 ? 1 : 0;
  }
}

/**
 * Where the group's values go to the helper thread: from `at` (the chunk boundary nearest its share) on,
 * with the job started; `at` = end (no job) for a small group, without a helper, or where the helper
 * cannot read the counts in place.
 */
function splitGroup(
  group: GroupPass,
  kernel: LabelCellsKernel,
): { at: number; job: CellsJob | null; wait: () => boolean } {
  const { counts, kept, first, end, blocks, blockWidth } = group;
  const helper = labelCellsHelper();
  const width = blocks * blockWidth;
  const none = { at: end, job: null, wait: () => true };
  if (!helper || (end - first) * width < helper.minCells || !helper.reads(counts)) return none;
  const at = first + Math.round(((end - first) * (1 - helper.share)) / kernel.chunk) * kernel.chunk;
  if (at <= first || at >= end) return none;
  const values = end - at;
  const shared = helper.buffers(values, width, blocks);
  shared.kept.set(kept.subarray(at, end));
  writeMeta(shared.meta, group, at, end);
  kernel.copyReference(shared.reference);
  const job: CellsJob = { counts, ...shared, from: 0, to: values, width, blocks, blockWidth, normal: kernel.normal };
  return { at, job, wait: helper.start(job) };
}

/**
 * The kept slots (row count ≥ minCount and > 0), ordered so each group's are contiguous:
 * kept[groupStarts[g] .. groupStarts[g + 1]). An ungrouped set is one group (empty when nothing is kept).
 */
function keptInGroupOrder(
  table: CountTable,
  minCount: number,
): { kept: Int32Array; groupStarts: Int32Array; grouped: boolean } {
  let m = 0;
  const isKept = (s: number) => table.rowCounts[s]! > 0 && table.rowCounts[s]! >= minCount;
  for (let s = 0; s < table.size; s++) if (isKept(s)) m++;
  const kept = new Int32Array(m);
  const groups = table.groups;
  if (!groups) {
    for (let s = 0, t = 0; s < table.size; s++) if (isKept(s)) kept[t++] = s;
    return { kept, groupStarts: m > 0 ? Int32Array.of(0, m) : Int32Array.of(0), grouped: false };
  }
  const index = new Map<number, number>();
  const sizes: number[] = [];
  for (let s = 0; s < table.size; s++) {
    if (!isKept(s)) continue;
    let g = index.get(groups[s]!);
    if (g === undefined) index.set(groups[s]!, (g = sizes.push(0) - 1));
    sizes[g]!++;
  }
  const groupStarts = new Int32Array(sizes.length + 1);
  for (let g = 0; g < sizes.length; g++) groupStarts[g + 1] = groupStarts[g]! + sizes[g]!;
  const next = groupStarts.slice(0, sizes.length);
  for (let s = 0; s < table.size; s++) if (isKept(s)) kept[next[index.get(groups[s]!)!]!++] = s;
  return { kept, groupStarts, grouped: true };
}

/** Sums below this have a reciprocal that overflows (subnormal): their cells are scaled by SUM_SCALE first. */
const SUBNORMAL_SUM = 2 ** -1000;
const SUM_SCALE = 2 ** 100;

/** Reused result of valueCells (no allocation per value). */
const CELL = { entropy: 0, jsd: 0 };

/** ln(1 − x) for 0 ≤ x ≤ SERIES_LIMIT by its series (6 terms: error below x⁷/6 < 1e-21), no call to Math.log. */
const SERIES_LIMIT = 1 / 1024;
function log1mSmall(x: number): number {
  return -x * (1 + x * (1 / 2 + x * (1 / 3 + x * (1 / 4 + x * (1 / 5 + x / 6)))));
}

/** H(P) of one value's block alone (the estimate without divergences). */
function valueEntropy(counts: Float64Array, own: number, width: number): typeof CELL {
  let so = 0;
  for (let k = 0; k < width; k++) so += counts[own + k]!;
  let h = 0;
  if (so > 0)
    for (let k = 0; k < width; k++) {
      const p = counts[own + k]! / so;
      if (p > 0) h -= p * fastLog(p);
    }
  CELL.entropy = Math.max(0, h);
  CELL.jsd = 0;
  return CELL;
}

/**
 * One value's block: H(P) of its counts, JSD(P ‖ Q) against the complement Q = reference − own
 * (clipped at 0; only when `withComplement`, else 0), and mixture += weight · P.
 * Two loops over the cells. ln q comes from ln(reference) (computed once per group) plus
 * ln(1 − own/reference), by its series when own is a small share of the cell (most values), so a
 * cell costs two logarithms (ln p, ln m), and none for ln p / ln m where P is 0 (sparse counts).
 * The same quantities as entropy(), jsd() and generalizedJsd() in info/ (tested to 1e-12 relative).
 */
function valueCells(
  counts: Float64Array,
  own: number,
  reference: Float64Array,
  lnReference: Float64Array,
  ref: number,
  width: number,
  withComplement: boolean,
  mixture: Float64Array,
  weight: number,
): typeof CELL {
  let so = 0;
  let sc = 0;
  for (let k = 0; k < width; k++) {
    const o = counts[own + k]!;
    so += o;
    const c = reference[ref + k]! - o;
    if (c > 0) sc += c;
  }
  CELL.entropy = 0;
  CELL.jsd = 0;
  if (so === 0) return CELL;
  let hp = 0;
  if (!withComplement || sc === 0) {
    for (let k = 0; k < width; k++) {
      const p = counts[own + k]! / so;
      if (p > 0) hp -= p * fastLog(p);
      mixture[k]! += weight * p;
    }
    CELL.entropy = Math.max(0, hp);
    return CELL;
  }
  const lnSc = fastLog(sc);
  // cells are normalised as (cell · scale) · (1 / (sum · scale)), scaled where the sum is subnormal
  const ownScale = so < SUBNORMAL_SUM ? SUM_SCALE : 1;
  const complementScale = sc < SUBNORMAL_SUM ? SUM_SCALE : 1;
  const perOwn = 1 / (so * ownScale);
  const perComplement = 1 / (sc * complementScale);
  let hq = 0;
  let hm = 0;
  for (let k = 0; k < width; k++) {
    const o = counts[own + k]!;
    const r = reference[ref + k]!;
    const c = r - o;
    const p = o * ownScale * perOwn;
    mixture[k]! += weight * p;
    if (c > 0) {
      const x = o / r;
      const lnq = lnReference[ref + k]! + (x <= SERIES_LIMIT ? log1mSmall(x) : fastLog(c / r)) - lnSc;
      const q = c * complementScale * perComplement;
      hq -= q * lnq;
      if (p > 0) {
        const mid = 0.5 * p + 0.5 * q;
        hp -= p * fastLog(p);
        hm -= mid * fastLog(mid);
      } else hm -= 0.5 * q * (lnq - Math.LN2);
    } else if (p > 0) {
      hp -= p * fastLog(p);
      hm -= 0.5 * p * (fastLog(p) - Math.LN2);
    }
  }
  hp = Math.max(0, hp);
  CELL.entropy = hp;
  CELL.jsd = Math.max(0, hm - 0.5 * hp - 0.5 * Math.max(0, hq));
  return CELL;
}

/** Entropy of a vector that sums to about 1 (renormalised, as entropy() does). */
function plainEntropyOf(values: Float64Array): number {
  let n = 0;
  for (let k = 0; k < values.length; k++) n += values[k]!;
  if (n === 0) return 0;
  let h = 0;
  for (let k = 0; k < values.length; k++) {
    const p = values[k]! / n;
    if (p > 0) h -= p * fastLog(p);
  }
  return Math.max(0, h);
}

function addInto(target: Float64Array, t: number, source: Float64Array, s: number, width: number): void {
  for (let k = 0; k < width; k++) target[t + k]! += source[s + k]!;
}

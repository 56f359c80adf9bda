/**
 * Dimension-wise binning H_dw (METHODS §4.1, 2024 version): per dimension, B equal-width
 * bins over [lo, hi]; H_dw = mean over dimensions of each histogram's plug-in entropy;
 * efficiency = H_dw / ln B. Published settings are the defaults here: minCount 5,
 * unweighted (uniform) conditional entropies.
 *
 * Ranges are given (streaming) or found by a first pass (`RangeFinder`). A value equal to
 * hi goes to the last bin; a constant dimension puts everything in bin 0; values outside
 * given ranges are clamped to the end bins and counted (`outOfRangeValues`).
 *
 * Heads (optional): with headSize g > 1, each group of g contiguous dimensions is one
 * block, binned jointly by the nearest of B bin centres c_b = (lo_j + (b + ½) w_j)_j —
 * each centre aligned with its own dimensions. The squared distance is a convex quadratic
 * in b, so the nearest centre is the rounded continuous minimiser, clamped. g = 1 (the
 * faithful setting) is exactly per-dimension bin membership.
 */
import { VectorInputError } from "./errors.js";
import { allFinite, unpackBatch, validRows, type LabelSets, type RowBatch } from "./batch.js";
import { CountState, type CountStateJson } from "./countState.js";
import { labelSetEstimates, totalEntropy } from "./countEstimate.js";
import { checkCommonOptions } from "./accumulator.js";
import type { AccumulatorJson, CommonOptions, EntropyAccumulator, EntropyEstimate } from "./accumulator.js";
import {
  checkMergeable,
  commonJson,
  commonParameters,
  commonOptionsOf,
  invalidRowMask,
  openBatch,
  readJson,
  shadowOptionsOf,
  shadowParameters,
  type CommonState,
} from "./accumulatorBase.js";
import type { Weighting } from "../info/index.js";
import type { EstimatorSpec } from "./registry.js";

export interface BinRanges {
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}

export interface BinnedOptions extends CommonOptions {
  d: number;
  /** Bins per dimension (default 20). */
  bins?: number;
  ranges: BinRanges;
  /** Dimensions per head (default 1; must divide d). */
  headSize?: number;
  /** Keep each row's bins and labels for the permutation null (memory: 4·d/headSize bytes per row). */
  keepRows?: boolean;
}

interface BinnedJson extends AccumulatorJson, CommonState {
  bins: number;
  headSize: number;
  lo: number[];
  hi: number[];
  outOfRangeValues: number;
  counts: CountStateJson;
}

export class BinnedAccumulator implements EntropyAccumulator {
  readonly estimator = "binned" as const;
  readonly d: number;
  readonly bins: number;
  readonly headSize: number;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly minCount: number;
  readonly weighting: Weighting;
  readonly skipInvalid: boolean;
  /** Values outside the given ranges, clamped into the end bins. */
  outOfRangeValues = 0;
  state: CountState;
  private readonly scale: Float64Array;

  constructor(private readonly options: BinnedOptions) {
    checkCommonOptions(options);
    const { d } = options;
    const bins = options.bins ?? 20;
    const headSize = options.headSize ?? 1;
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer, got ${d}`);
    if (!Number.isInteger(bins) || bins < 2 || bins > 65535)
      throw new RangeError(`bins must be an integer in [2, 65535], got ${bins}`);
    if (!Number.isInteger(headSize) || headSize < 1 || d % headSize !== 0)
      throw new RangeError(`headSize must be a positive integer dividing d = ${d}, got ${headSize}`);
    if (!options.ranges || options.ranges.lo.length !== d || options.ranges.hi.length !== d) {
      throw new RangeError(
        `binned entropy needs ranges {lo, hi} of length d = ${d} (given, or from a first pass with RangeFinder)`,
      );
    }
    this.d = d;
    this.bins = bins;
    this.headSize = headSize;
    this.lo = Float64Array.from(options.ranges.lo);
    this.hi = Float64Array.from(options.ranges.hi);
    this.scale = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const lo = this.lo[j]!;
      const hi = this.hi[j]!;
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo)
        throw new RangeError(`range of dimension ${j} must be finite with lo ≤ hi, got [${lo}, ${hi}]`);
      this.scale[j] = hi > lo ? bins / (hi - lo) : 0;
    }
    this.minCount = options.minCount ?? 5;
    this.weighting = options.weighting ?? "uniform";
    this.skipInvalid = options.skipInvalid ?? false;
    this.state = new CountState(d / headSize, bins, options.keepRows ? "indices" : null, shadowOptionsOf(options));
  }

  async update(rows: RowBatch, labelSets?: LabelSets): Promise<void> {
    const batch = openBatch(this.d, rows, labelSets, {
      rowsSeen: this.state.rowsSeen,
      rowsCounted: this.state.rows,
      labelSetNames: this.state.labelSetNames,
    });
    const { data, count, names } = batch;
    if (count === 0) return;
    if (this.state.rows === 0) {
      this.state.labelSetNames = null;
      this.state.tables.clear();
      this.state.setLabelSetNames(names);
    }
    // Fast path (no labels, heads or records): bin into a batch histogram that also detects
    // non-finite values, so the data is read once; it is added only if the batch is clean.
    if (this.headSize === 1 && names.length === 0 && !this.state.store && this.countDirect(data, count)) return;
    const mask = invalidRowMask(batch, this.d, { skipInvalid: this.skipInvalid, rejectZero: false });
    this.state.addIndices(this.binIndices(data, count), count, mask, labelSets, data);
  }

  private batchHistogram: Uint32Array | null = null;

  /** Bins a batch straight into the histograms; false (nothing added) if it holds NaN/±Inf. */
  private countDirect(data: Float32Array, count: number): boolean {
    const hist = (this.batchHistogram ??= new Uint32Array(this.d * this.bins));
    hist.fill(0);
    const outside = binIntoHistograms(data, count, this.d, this.bins, this.lo, this.hi, this.scale, hist);
    if (outside < 0) return false;
    const total = this.state.total;
    for (let k = 0; k < hist.length; k++) total[k]! += hist[k]!;
    this.outOfRangeValues += outside;
    this.state.countRows(count, null);
    return true;
  }

  private isOutside(v: number, j: number): boolean {
    return v < this.lo[j]! || v > this.hi[j]!;
  }

  /** Bin (or nearest-centre) index of every row's every block. */
  binIndices(data: Float32Array, count: number): Int32Array {
    const { d, bins, lo, scale, headSize } = this;
    const blocks = d / headSize;
    const out = new Int32Array(count * blocks);
    const last = bins - 1;
    let outside = 0;
    for (let i = 0; i < count; i++) {
      const base = i * d;
      for (let h = 0; h < blocks; h++) {
        let b: number;
        if (headSize === 1) {
          const v = data[base + h]!;
          b = Math.floor((v - lo[h]!) * scale[h]!);
        } else {
          // Minimise Σ_j w_j² (t_j − b − ½)² over b, t_j = (v_j − lo_j)/w_j: b = Σ w_j² t_j / Σ w_j² − ½.
          let num = 0;
          let den = 0;
          for (let j = h * headSize; j < (h + 1) * headSize; j++) {
            const s = scale[j]!;
            if (s === 0) continue; // a constant dimension is equally far from every centre
            const w2 = 1 / (s * s);
            num += w2 * (data[base + j]! - lo[j]!) * s;
            den += w2;
          }
          b = den > 0 ? Math.round(num / den - 0.5) : 0;
        }
        if (b < 0 || b > last) b = b < 0 ? 0 : last;
        out[i * blocks + h] = b;
      }
      for (let j = 0; j < d; j++) outside += this.isOutside(data[base + j]!, j) ? 1 : 0;
    }
    this.outOfRangeValues += outside;
    return out;
  }

  merge(other: EntropyAccumulator): this {
    const theirs = checkMergeable<BinnedAccumulator>(this, other, BinnedAccumulator, (o) => [
      ["bins", this.bins, o.bins],
      ["headSize", this.headSize, o.headSize],
      ["ranges (lo)", Array.from(this.lo), Array.from(o.lo)],
      ["ranges (hi)", Array.from(this.hi), Array.from(o.hi)],
    ]);
    this.state.add(theirs.state);
    this.outOfRangeValues += theirs.outOfRangeValues;
    return this;
  }

  clone(): BinnedAccumulator {
    const copy = new BinnedAccumulator({ ...this.options, keepRows: false });
    copy.state = this.state.clone();
    copy.outOfRangeValues = this.outOfRangeValues;
    return copy;
  }

  /** An empty accumulator with the same parameters (per-row records kept if these are). */
  emptyCopy(): BinnedAccumulator {
    return new BinnedAccumulator(this.options);
  }

  parameters(): Record<string, unknown> {
    return {
      ...commonParameters(this),
      bins: this.bins,
      headSize: this.headSize,
      outOfRangeValues: this.outOfRangeValues,
      ...shadowParameters(this.state.shadows),
    };
  }

  result(): EntropyEstimate {
    const labelSets = labelSetEstimates(this.state, { minCount: this.minCount, weighting: this.weighting });
    return {
      estimator: "binned",
      differential: false,
      maxEntropy: Math.log(this.bins),
      rows: this.state.rows,
      skippedRows: this.state.skippedRows,
      entropy: totalEntropy(this.state),
      labelSets,
      parameters: this.parameters(),
    };
  }

  toJSON(): BinnedJson {
    return {
      ...commonJson("binned", this.d, this),
      bins: this.bins,
      headSize: this.headSize,
      lo: Array.from(this.lo),
      hi: Array.from(this.hi),
      outOfRangeValues: this.outOfRangeValues,
      counts: this.state.toJSON(),
    };
  }

  static fromJSON(json: unknown): BinnedAccumulator {
    const { json: j, common } = readJson<BinnedJson>(json, "binned");
    const acc = new BinnedAccumulator({
      ...common,
      bins: j.bins,
      headSize: j.headSize,
      ranges: { lo: j.lo, hi: j.hi },
    });
    acc.state = CountState.fromJSON(j.counts, j.d / j.headSize, j.bins, "binned accumulator");
    acc.outOfRangeValues = j.outOfRangeValues;
    return acc;
  }
}

/**
 * Adds each value's bin to its dimension's histogram (hist[j·bins + bin]); returns how many
 * values fell outside [lo, hi] (clamped into the end bins), or −1 as soon as a NaN/±Inf is
 * met. A separate small function so V8 optimises the loop on its own.
 */
function binIntoHistograms(
  data: Float32Array,
  count: number,
  d: number,
  bins: number,
  lo: Float64Array,
  hi: Float64Array,
  scale: Float64Array,
  hist: Uint32Array,
): number {
  let outside = 0;
  let i = 0;
  // two rows at a time share each dimension's lo and scale loads
  for (; i + 2 <= count; i += 2) {
    const p0 = i * d;
    const p1 = p0 + d;
    for (let j = 0, h = 0; j < d; j++, h += bins) {
      const l = lo[j]!;
      const s = scale[j]!;
      const t0 = (data[p0 + j]! - l) * s;
      const t1 = (data[p1 + j]! - l) * s;
      if (t0 >= 0 && t0 < bins && t1 >= 0 && t1 < bins) {
        hist[h + (t0 | 0)]!++;
        hist[h + (t1 | 0)]!++;
        continue;
      }
      const a = binAtEdge(data[p0 + j]!, t0, l, hi[j]!, bins);
      const b = binAtEdge(data[p1 + j]!, t1, l, hi[j]!, bins);
      if (a < 0 || b < 0) return -1;
      hist[h + (a & 0xffff)]!++;
      hist[h + (b & 0xffff)]!++;
      outside += (a >>> 16) + (b >>> 16);
    }
  }
  for (; i < count; i++) {
    for (let j = 0, h = 0; j < d; j++, h += bins) {
      const v = data[i * d + j]!;
      const a = binAtEdge(v, (v - lo[j]!) * scale[j]!, lo[j]!, hi[j]!, bins);
      if (a < 0) return -1;
      hist[h + (a & 0xffff)]!++;
      outside += a >>> 16;
    }
  }
  return outside;
}

/**
 * The bin of value v at scaled position t, clamped into [0, bins), with bit 16 set when v lies
 * outside [lo, hi] (v = hi belongs to the last bin); −1 for NaN/±Inf.
 */
function binAtEdge(v: number, t: number, lo: number, hi: number, bins: number): number {
  if (t >= 0 && t < bins) return t | 0;
  if (Number.isNaN(v) || v === Infinity || v === -Infinity) return -1;
  return (t < 0 ? 0 : bins - 1) | (v < lo || v > hi ? 0x10000 : 0);
}

/** First pass for binned entropy: per-dimension min and max over every batch (mergeable). */
export class RangeFinder {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  rows = 0;
  skippedRows = 0;

  constructor(
    readonly d: number,
    private readonly options: { skipInvalid?: boolean } = {},
  ) {
    this.lo = new Float64Array(d).fill(Infinity);
    this.hi = new Float64Array(d).fill(-Infinity);
  }

  update(rows: RowBatch): void {
    const { data, count } = unpackBatch(rows, this.d, this.rows + this.skippedRows);
    const d = this.d;
    const mask = allFinite(data, count, d)
      ? null
      : validRows(data, count, d, this.rows + this.skippedRows, {
          skipInvalid: this.options.skipInvalid ?? false,
          rejectZero: false,
        });
    for (let i = 0; i < count; i++) {
      if (mask && mask[i] === 0) {
        this.skippedRows++;
        continue;
      }
      const base = i * d;
      for (let j = 0; j < d; j++) {
        const v = data[base + j]!;
        if (v < this.lo[j]!) this.lo[j] = v;
        if (v > this.hi[j]!) this.hi[j] = v;
      }
      this.rows++;
    }
  }

  merge(other: RangeFinder): this {
    if (other.d !== this.d) throw new RangeError(`cannot merge ranges of d = ${other.d} into d = ${this.d}`);
    for (let j = 0; j < this.d; j++) {
      this.lo[j] = Math.min(this.lo[j]!, other.lo[j]!);
      this.hi[j] = Math.max(this.hi[j]!, other.hi[j]!);
    }
    this.rows += other.rows;
    this.skippedRows += other.skippedRows;
    return this;
  }

  ranges(): BinRanges {
    if (this.rows === 0) throw new VectorInputError("no valid rows to take bin ranges from");
    return { lo: Float64Array.from(this.lo), hi: Float64Array.from(this.hi) };
  }
}

export const binnedEstimator: EstimatorSpec = {
  name: "binned",
  summary: "dimension-wise binning H_dw (B equal-width bins per dimension; the 2024 estimator)",
  counting: true,
  rejectsZeroRows: false,
  orderInvariant: true,
  needs: ["ranges"],
  options: [
    { flag: "bins", key: "bins", kind: "integer", min: 2, description: "binned: bins per dimension (default 20)" },
    {
      flag: "head-size",
      key: "headSize",
      kind: "integer",
      min: 1,
      description: "binned: dimensions per head (default 1)",
    },
  ],
  create: (o) => {
    if (!o.ranges)
      throw new RangeError("the binned estimator needs ranges {lo, hi} (given, or from a first pass with RangeFinder)");
    return new BinnedAccumulator({
      ...commonOptionsOf(o),
      d: o.d,
      ranges: o.ranges,
      ...(o.bins !== undefined ? { bins: o.bins } : {}),
      ...(o.headSize !== undefined ? { headSize: o.headSize } : {}),
      ...(o.keepRows ? { keepRows: true } : {}),
    });
  },
  fromJSON: (json) => BinnedAccumulator.fromJSON(json),
};

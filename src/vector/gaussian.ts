/**
 * Gaussian entropy from the covariance log-determinant (METHODS §4.3), in nats of
 * differential entropy: H = ½ (d ln(2πe) + ln det Σ), Σ the maximum-likelihood covariance.
 * Streams by keeping, per accumulator and per label value, the row count, the sum and the
 * upper triangle of the sum of outer products of rows shifted by a reference row (the
 * accumulator's first row), which avoids the cancellation of raw second moments.
 * Label values need more rows than dimensions (minCount default d + 1).
 */
import { requireSingleLabels, type LabelSets, type RowBatch } from "./batch.js";
import { LabelTable, type LabelTableState } from "./labelTable.js";
import { checkCommonOptions } from "./accumulator.js";
import type { AccumulatorJson, CommonOptions, EntropyAccumulator, EntropyEstimate } from "./accumulator.js";
import {
  checkMergeLabelSets,
  checkMergeable,
  commonJson,
  commonParameters,
  commonOptionsOf,
  invalidRowMask,
  openBatch,
  readJson,
  refuseNullShadows,
  type CommonState,
} from "./accumulatorBase.js";
import type { EstimatorSpec } from "./registry.js";
import type { LabelSetEstimate } from "./countEstimate.js";
import type { Weighting } from "../info/index.js";

export interface GaussianOptions extends CommonOptions {
  d: number;
}

interface GaussianJson extends AccumulatorJson, CommonState {
  shift: number[] | null;
  rows: number;
  skippedRows: number;
  moments: number[];
  labelSetNames: string[] | null;
  labelSets: Record<string, LabelTableState>;
}

export class GaussianAccumulator implements EntropyAccumulator {
  readonly estimator = "gaussian" as const;
  readonly d: number;
  readonly minCount: number;
  readonly weighting: Weighting;
  readonly skipInvalid: boolean;
  /** Sum (d values) then upper-triangle outer-product sums (d(d+1)/2), of rows minus `shift`. */
  private readonly width: number;
  shift: Float64Array | null = null;
  rows = 0;
  skippedRows = 0;
  moments: Float64Array;
  labelSetNames: string[] | null = null;
  tables = new Map<string, LabelTable>();

  constructor(readonly options: GaussianOptions) {
    checkCommonOptions(options);
    refuseNullShadows(options, "gaussian");
    const d = options.d;
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer, got ${d}`);
    this.d = d;
    this.width = d + (d * (d + 1)) / 2;
    this.moments = new Float64Array(this.width);
    this.minCount = options.minCount ?? d + 1;
    this.weighting = options.weighting ?? "weighted";
    this.skipInvalid = options.skipInvalid ?? false;
  }

  async update(rows: RowBatch, given?: LabelSets): Promise<void> {
    const labelSets = requireSingleLabels(given, "the gaussian estimator");
    const batch = openBatch(this.d, rows, labelSets, {
      rowsSeen: this.rows + this.skippedRows,
      rowsCounted: this.rows,
      labelSetNames: this.labelSetNames,
    });
    const { data, count, names } = batch;
    if (count === 0) return;
    const mask = invalidRowMask(batch, this.d, { skipInvalid: this.skipInvalid, rejectZero: false });
    if (this.rows === 0) {
      this.labelSetNames = names;
      this.tables = new Map(names.map((n) => [n, new LabelTable(this.width)]));
    }
    const d = this.d;
    const y = new Float64Array(d);
    for (let i = 0; i < count; i++) {
      if (mask && mask[i] === 0) {
        this.skippedRows++;
        continue;
      }
      if (!this.shift) this.shift = Float64Array.from(data.subarray(i * d, (i + 1) * d));
      for (let j = 0; j < d; j++) y[j] = data[i * d + j]! - this.shift[j]!;
      addMoments(this.moments, 0, y);
      for (const name of names) {
        const label = labelSets![name]![i]!;
        if (label < 0) continue;
        const table = this.tables.get(name)!;
        const slot = table.slotOf(label);
        table.rowCounts[slot]! += 1;
        addMoments(table.counts, slot * this.width, y);
      }
      this.rows++;
    }
  }

  merge(other: EntropyAccumulator): this {
    const theirs = checkMergeable<GaussianAccumulator>(this, other, GaussianAccumulator);
    checkMergeLabelSets(
      { rows: this.rows, names: this.labelSetNames },
      { rows: theirs.rows, names: theirs.labelSetNames },
    );
    if (theirs.rows === 0) {
      this.skippedRows += theirs.skippedRows;
      return this;
    }
    if (this.rows === 0) {
      this.shift = Float64Array.from(theirs.shift!);
      this.labelSetNames = theirs.labelSetNames;
      this.tables = new Map(theirs.labelSetNames!.map((n) => [n, new LabelTable(this.width)]));
    }
    // Re-centre the other's sums on our shift: Σ(y + δ) and Σ(y + δ)(y + δ)ᵀ with δ = c_other − c_this.
    const delta = Float64Array.from(theirs.shift!, (c, j) => c - this.shift![j]!);
    const moments = Float64Array.from(theirs.moments);
    reshift(moments, 0, theirs.rows, delta, this.d);
    for (let k = 0; k < this.width; k++) this.moments[k]! += moments[k]!;
    for (const name of this.labelSetNames ?? []) {
      const table = theirs.tables.get(name)!.clone();
      for (let s = 0; s < table.size; s++) reshift(table.counts, s * this.width, table.rowCounts[s]!, delta, this.d);
      this.tables.get(name)!.addTable(table);
    }
    this.rows += theirs.rows;
    this.skippedRows += theirs.skippedRows;
    return this;
  }

  clone(): GaussianAccumulator {
    return GaussianAccumulator.fromJSON(this.toJSON());
  }

  parameters(): Record<string, unknown> {
    return {
      ...commonParameters(this),
      covariance: "maximum likelihood (divide by N)",
    };
  }

  result(): EntropyEstimate {
    const d = this.d;
    const labelSets: Record<string, LabelSetEstimate> = {};
    for (const name of this.labelSetNames ?? []) {
      const table = this.tables.get(name)!;
      const retained = new Float64Array(this.width);
      let retainedRows = 0;
      let droppedRows = 0;
      let conditional = 0;
      const kept: number[] = [];
      for (let s = 0; s < table.size; s++) {
        const rows = table.rowCounts[s]!;
        if (rows >= this.minCount && rows > 0) {
          kept.push(s);
          retainedRows += rows;
          for (let k = 0; k < this.width; k++) retained[k]! += table.counts[s * this.width + k]!;
        } else droppedRows += rows;
      }
      for (const s of kept) {
        const hx = gaussianEntropy(
          table.counts.subarray(s * this.width, (s + 1) * this.width),
          table.rowCounts[s]!,
          d,
          `label set "${name}", value ${table.values[s]}`,
        );
        conditional += this.weighting === "weighted" ? (table.rowCounts[s]! / retainedRows) * hx : hx / kept.length;
      }
      const h = retainedRows > 0 ? gaussianEntropy(retained, retainedRows, d, `label set "${name}"`) : 0;
      labelSets[name] = {
        values: table.size,
        retainedValues: kept.length,
        retainedRows,
        droppedRows,
        excludedRows: this.rows - retainedRows - droppedRows,
        entropy: h,
        conditionalEntropy: conditional,
        mutualInformation: h - conditional,
        disentanglement: null,
        generalisedJsd: null,
      };
    }
    return {
      estimator: "gaussian",
      differential: true,
      maxEntropy: null,
      rows: this.rows,
      skippedRows: this.skippedRows,
      entropy: gaussianEntropy(this.moments, this.rows, d, "all rows"),
      labelSets,
      parameters: this.parameters(),
    };
  }

  toJSON(): GaussianJson {
    const labelSets: Record<string, LabelTableState> = {};
    for (const name of this.labelSetNames ?? []) labelSets[name] = this.tables.get(name)!.toJSON();
    return {
      ...commonJson("gaussian", this.d, this),
      shift: this.shift ? Array.from(this.shift) : null,
      rows: this.rows,
      skippedRows: this.skippedRows,
      moments: Array.from(this.moments),
      labelSetNames: this.labelSetNames,
      labelSets,
    };
  }

  static fromJSON(json: unknown): GaussianAccumulator {
    const { json: j, common } = readJson<GaussianJson>(json, "gaussian");
    const acc = new GaussianAccumulator(common);
    if (j.moments.length !== acc.width)
      throw new RangeError(`gaussian accumulator: ${j.moments.length} moments, expected ${acc.width}`);
    acc.shift = j.shift ? Float64Array.from(j.shift) : null;
    acc.rows = j.rows;
    acc.skippedRows = j.skippedRows;
    acc.moments = Float64Array.from(j.moments);
    acc.labelSetNames = j.labelSetNames;
    for (const name of j.labelSetNames ?? [])
      acc.tables.set(
        name,
        LabelTable.fromJSON(j.labelSets[name]!, acc.width, `gaussian accumulator, label set "${name}"`),
      );
    return acc;
  }
}

/** Adds y and the upper triangle of y yᵀ at `offset`. */
function addMoments(target: Float64Array, offset: number, y: Float64Array): void {
  const d = y.length;
  for (let a = 0; a < d; a++) target[offset + a]! += y[a]!;
  let idx = offset + d;
  for (let a = 0; a < d; a++) {
    const ya = y[a]!;
    for (let b = a; b < d; b++) target[idx++]! += ya * y[b]!;
  }
}

/** Moments of rows y → moments of rows y + δ (N rows). */
function reshift(m: Float64Array, offset: number, rows: number, delta: Float64Array, d: number): void {
  const s = m.slice(offset, offset + d);
  let idx = offset + d;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) m[idx++]! += s[a]! * delta[b]! + delta[a]! * s[b]! + rows * delta[a]! * delta[b]!;
  }
  for (let a = 0; a < d; a++) m[offset + a]! += rows * delta[a]!;
}

/** ½ (d ln 2πe + ln det Σ) from shifted moments of N rows; throws for a singular covariance. */
export function gaussianEntropy(moments: Float64Array, rows: number, d: number, what: string): number {
  if (rows <= d) throw new RangeError(`gaussian entropy of ${what}: needs more rows (${rows}) than dimensions (${d})`);
  const cov = new Float64Array(d * d);
  let idx = d;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const c = (moments[idx++]! - (moments[a]! * moments[b]!) / rows) / rows;
      cov[a * d + b] = c;
      cov[b * d + a] = c;
    }
  }
  const logDet = choleskyLogDet(cov, d);
  if (logDet === null)
    throw new RangeError(
      `gaussian entropy of ${what}: the covariance is singular (rows lie in a lower-dimensional subspace)`,
    );
  return 0.5 * (d * Math.log(2 * Math.PI * Math.E) + logDet);
}

/** ln det of a symmetric positive-definite matrix (in place), or null if it is not. */
export function choleskyLogDet(a: Float64Array, d: number): number | null {
  let logDet = 0;
  for (let j = 0; j < d; j++) {
    let diag = a[j * d + j]!;
    for (let k = 0; k < j; k++) diag -= a[j * d + k]! * a[j * d + k]!;
    if (!(diag > 1e-300)) return null;
    const l = Math.sqrt(diag);
    a[j * d + j] = l;
    logDet += 2 * Math.log(l);
    for (let i = j + 1; i < d; i++) {
      let v = a[i * d + j]!;
      for (let k = 0; k < j; k++) v -= a[i * d + k]! * a[j * d + k]!;
      a[i * d + j] = v / l;
    }
  }
  return logDet;
}

export const gaussianEstimator: EstimatorSpec = {
  name: "gaussian",
  summary: "Gaussian entropy from the covariance log-determinant (differential, nats)",
  counting: false,
  rejectsZeroRows: false,
  orderInvariant: true,
  needs: [],
  options: [],
  create: (o) => new GaussianAccumulator({ ...commonOptionsOf(o), d: o.d }),
  fromJSON: (json) => GaussianAccumulator.fromJSON(json),
};

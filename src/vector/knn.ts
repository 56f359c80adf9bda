/**
 * k-nearest-neighbour estimators for small N and d (METHODS §4.3), in nats of differential
 * entropy, by brute force (O(N² d)):
 * - Kozachenko–Leonenko entropy: H = ψ(N) − ψ(k) + ln V_d + (d/N) Σ ln ρ_i, with ρ_i the
 *   Euclidean distance from row i to its k-th nearest neighbour and V_d the unit-ball volume.
 * - KSG mutual information between two continuous variables (Kraskov et al. 2004,
 *   algorithm 1, max-norm): I = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩.
 * - For a discrete label X, the KSG-style estimator of Ross (2014):
 *   I = ψ(N) − ⟨ψ(N_x)⟩ + ψ(k) − ⟨ψ(m_i)⟩, where ρ_i is the distance to the k-th neighbour
 *   with the same label and m_i counts rows of any label within ρ_i (Euclidean);
 *   H(Z|X) is reported as H(Z) − I over the retained rows.
 * Coinciding rows make ln ρ = −∞; they are rejected with an error naming them.
 */
import { lnGamma } from "./bessel.js";
import { digamma } from "./digamma.js";
import { requireSingleLabels, type LabelSets, type RowBatch } from "./batch.js";
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
import type { Weighting } from "../info/index.js";
import type { EstimatorSpec } from "./registry.js";
import type { LabelSetEstimate } from "./countEstimate.js";

export interface KnnOptions extends CommonOptions {
  d: number;
  /** Neighbour order (default 3). */
  k?: number;
  /** Refuse more rows than this (brute force is quadratic; default 20,000). */
  maxRows?: number;
}

interface KnnJson extends AccumulatorJson, CommonState {
  k: number;
  maxRows: number;
  skippedRows: number;
  rows: number[];
  labelSetNames: string[] | null;
  labels: Record<string, number[]>;
}

/** ln of the volume of the unit ball in d dimensions. */
export function lnUnitBallVolume(d: number): number {
  return (d / 2) * Math.log(Math.PI) - lnGamma(d / 2 + 1);
}

/** Squared Euclidean distances from row i to every row (Float64). */
function squaredDistancesFrom(data: ArrayLike<number>, n: number, d: number, i: number, out: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const t = data[i * d + c]! - data[j * d + c]!;
      s += t * t;
    }
    out[j] = s;
  }
}

/** k-th smallest value among `values` at the given indices (excluding `self`). */
function kthSmallest(
  values: Float64Array,
  indices: ArrayLike<number>,
  self: number,
  k: number,
  scratch: Float64Array,
): number {
  let m = 0;
  for (let t = 0; t < indices.length; t++) {
    const j = indices[t]!;
    if (j !== self) scratch[m++] = values[j]!;
  }
  const view = scratch.subarray(0, m);
  view.sort();
  return view[k - 1]!;
}

/** Kozachenko–Leonenko entropy of n rows (row-major, n × d). */
export function kozachenkoLeonenko(data: ArrayLike<number>, n: number, d: number, k = 3): number {
  if (n <= k) throw new RangeError(`Kozachenko–Leonenko entropy needs more than k = ${k} rows, got ${n}`);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const dist = new Float64Array(n);
  const scratch = new Float64Array(n);
  let sumLog = 0;
  for (let i = 0; i < n; i++) {
    squaredDistancesFrom(data, n, d, i, dist);
    const rho2 = kthSmallest(dist, all, i, k, scratch);
    if (rho2 === 0)
      throw new RangeError(
        `k-NN entropy: row ${i} has ${k} or more rows coinciding with it (distance 0); k-NN estimators need distinct rows`,
      );
    sumLog += 0.5 * Math.log(rho2);
  }
  return digamma(n) - digamma(k) + lnUnitBallVolume(d) + (d / n) * sumLog;
}

/** KSG mutual information (algorithm 1, max-norm) between paired rows of x (n × dx) and y (n × dy). */
export function ksgMutualInformation(
  x: ArrayLike<number>,
  dx: number,
  y: ArrayLike<number>,
  dy: number,
  n: number,
  k = 3,
): number {
  if (n <= k) throw new RangeError(`KSG needs more than k = ${k} rows, got ${n}`);
  if (x.length < n * dx || y.length < n * dy) throw new RangeError(`KSG: x and y must hold ${n} rows`);
  const maxNorm = (data: ArrayLike<number>, dim: number, i: number, j: number) => {
    let m = 0;
    for (let c = 0; c < dim; c++) m = Math.max(m, Math.abs(data[i * dim + c]! - data[j * dim + c]!));
    return m;
  };
  const joint = new Float64Array(n);
  const dxs = new Float64Array(n);
  const dys = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      dxs[j] = maxNorm(x, dx, i, j);
      dys[j] = maxNorm(y, dy, i, j);
      joint[j] = j === i ? Infinity : Math.max(dxs[j]!, dys[j]!);
    }
    const eps = Float64Array.from(joint).sort()[k - 1]!;
    let nx = 0;
    let ny = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if (dxs[j]! < eps) nx++;
      if (dys[j]! < eps) ny++;
    }
    sum += digamma(nx + 1) + digamma(ny + 1);
  }
  return digamma(k) + digamma(n) - sum / n;
}

/**
 * Ross (2014) estimator of I(X;Z) for a discrete label per row; rows with labels < 0 or in
 * values with fewer than k + 1 rows must be removed by the caller.
 */
export function discreteContinuousMI(
  data: ArrayLike<number>,
  labels: ArrayLike<number>,
  n: number,
  d: number,
  k = 3,
): number {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(labels[i]!);
    if (g) g.push(i);
    else groups.set(labels[i]!, [i]);
  }
  for (const [value, g] of groups)
    if (g.length <= k)
      throw new RangeError(`KSG (discrete labels): value ${value} has ${g.length} rows; needs more than k = ${k}`);
  const dist = new Float64Array(n);
  const scratch = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const group = groups.get(labels[i]!)!;
    squaredDistancesFrom(data, n, d, i, dist);
    const rho2 = kthSmallest(dist, group, i, k, scratch);
    let m = 0;
    for (let j = 0; j < n; j++) if (j !== i && dist[j]! <= rho2) m++;
    sum += digamma(group.length) + digamma(m);
  }
  return digamma(n) + digamma(k) - sum / n;
}

export class KnnAccumulator implements EntropyAccumulator {
  readonly estimator = "knn" as const;
  readonly d: number;
  readonly k: number;
  readonly maxRows: number;
  readonly minCount: number;
  /** One KSG-style estimate of I(X;Z): no choice of weighting. */
  readonly weighting: Weighting = "weighted";
  readonly skipInvalid: boolean;
  private data = new Float64Array(0);
  rows = 0;
  skippedRows = 0;
  labelSetNames: string[] | null = null;
  private labels = new Map<string, Int32Array>();

  constructor(readonly options: KnnOptions) {
    checkCommonOptions(options);
    refuseNullShadows(options, "knn");
    if (!Number.isInteger(options.d) || options.d < 1)
      throw new RangeError(`d must be a positive integer, got ${options.d}`);
    this.d = options.d;
    this.k = options.k ?? 3;
    if (!Number.isInteger(this.k) || this.k < 1) throw new RangeError(`k must be a positive integer, got ${this.k}`);
    this.maxRows = options.maxRows ?? 20_000;
    this.minCount = Math.max(options.minCount ?? this.k + 1, this.k + 1);
    this.skipInvalid = options.skipInvalid ?? false;
    if (options.weighting === "uniform")
      throw new RangeError("the k-NN estimator has no uniform weighting (its I(X;Z) is one KSG-style estimate)");
  }

  async update(rows: RowBatch, given?: LabelSets): Promise<void> {
    const labelSets = requireSingleLabels(given, "the k-NN estimator");
    const batch = openBatch(this.d, rows, labelSets, {
      rowsSeen: this.rows + this.skippedRows,
      rowsCounted: this.rows,
      labelSetNames: this.labelSetNames,
    });
    const { data, count, names } = batch;
    if (count === 0) return;
    const mask = invalidRowMask(batch, this.d, { skipInvalid: this.skipInvalid, rejectZero: false });
    const keep: number[] = [];
    for (let i = 0; i < count; i++) if (!mask || mask[i] === 1) keep.push(i);
    const compact = new Float64Array(keep.length * this.d);
    keep.forEach((i, t) => compact.set(data.subarray(i * this.d, (i + 1) * this.d), t * this.d));
    const labels = Object.fromEntries(names.map((name) => [name, Int32Array.from(keep, (i) => labelSets![name]![i]!)]));
    this.appendRows(compact, keep.length, labels);
    this.skippedRows += count - keep.length;
  }

  merge(other: EntropyAccumulator): this {
    const theirs = checkMergeable<KnnAccumulator>(this, other, KnnAccumulator, (o) => [["k", this.k, o.k]]);
    if (theirs.rows > 0) this.appendRows(theirs.data, theirs.rows, Object.fromEntries(theirs.labels.entries()));
    this.skippedRows += theirs.skippedRows;
    return this;
  }

  private appendRows(data: Float64Array, rows: number, labelSets: Record<string, Int32Array>): void {
    const names = Object.keys(labelSets).sort();
    checkMergeLabelSets({ rows: this.rows, names: this.labelSetNames }, { rows, names });
    if (this.rows + rows > this.maxRows)
      throw new RangeError(
        `k-NN estimators are quadratic in rows: ${this.rows + rows} rows exceed maxRows = ${this.maxRows}`,
      );
    if (this.rows === 0) {
      this.labelSetNames = names;
      this.labels = new Map();
    }
    const grown = new Float64Array((this.rows + rows) * this.d);
    grown.set(this.data);
    grown.set(data.subarray(0, rows * this.d), this.rows * this.d);
    this.data = grown;
    for (const name of names) {
      const next = new Int32Array(this.rows + rows);
      next.set(this.labels.get(name) ?? new Int32Array(0));
      next.set(labelSets[name]!, this.rows);
      this.labels.set(name, next);
    }
    this.rows += rows;
  }

  clone(): KnnAccumulator {
    return KnnAccumulator.fromJSON(this.toJSON());
  }

  parameters(): Record<string, unknown> {
    return {
      ...commonParameters(this),
      k: this.k,
      maxRows: this.maxRows,
      distance: "euclidean",
    };
  }

  result(): EntropyEstimate {
    const { d, k } = this;
    const labelSets: Record<string, LabelSetEstimate> = {};
    for (const name of this.labelSetNames ?? []) {
      const labels = this.labels.get(name)!;
      const sizes = new Map<number, number>();
      for (const v of labels) if (v >= 0) sizes.set(v, (sizes.get(v) ?? 0) + 1);
      const keptRows: number[] = [];
      let excludedRows = 0;
      for (let i = 0; i < this.rows; i++) {
        const v = labels[i]!;
        if (v < 0) excludedRows++;
        else if (sizes.get(v)! >= this.minCount) keptRows.push(i);
      }
      const sub = new Float64Array(keptRows.length * d);
      keptRows.forEach((i, t) => sub.set(this.data.subarray(i * d, (i + 1) * d), t * d));
      const subLabels = Int32Array.from(keptRows, (i) => labels[i]!);
      const retainedValues = [...sizes.values()].filter((c) => c >= this.minCount).length;
      const h = keptRows.length > k ? kozachenkoLeonenko(sub, keptRows.length, d, k) : 0;
      const mi = keptRows.length > k ? discreteContinuousMI(sub, subLabels, keptRows.length, d, k) : 0;
      labelSets[name] = {
        values: sizes.size,
        retainedValues,
        retainedRows: keptRows.length,
        droppedRows: this.rows - excludedRows - keptRows.length,
        excludedRows,
        entropy: h,
        conditionalEntropy: h - mi,
        mutualInformation: mi,
        disentanglement: null,
        generalisedJsd: null,
      };
    }
    return {
      estimator: "knn",
      differential: true,
      maxEntropy: null,
      rows: this.rows,
      skippedRows: this.skippedRows,
      entropy: kozachenkoLeonenko(this.data, this.rows, d, k),
      labelSets,
      parameters: this.parameters(),
    };
  }

  toJSON(): KnnJson {
    const labels: Record<string, number[]> = {};
    for (const name of this.labelSetNames ?? []) labels[name] = Array.from(this.labels.get(name)!);
    return {
      ...commonJson("knn", this.d, this),
      k: this.k,
      maxRows: this.maxRows,
      skippedRows: this.skippedRows,
      rows: Array.from(this.data),
      labelSetNames: this.labelSetNames,
      labels,
    };
  }

  static fromJSON(json: unknown): KnnAccumulator {
    const { json: j, common } = readJson<KnnJson>(json, "knn");
    const { weighting: _one, ...rest } = common; // knn has one weighting; older files did not record it
    const acc = new KnnAccumulator({ ...rest, k: j.k, maxRows: j.maxRows });
    if (j.rows.length % j.d !== 0)
      throw new RangeError(`knn accumulator: ${j.rows.length} stored values are not a multiple of d = ${j.d}`);
    acc.data = Float64Array.from(j.rows);
    acc.rows = j.rows.length / j.d;
    acc.skippedRows = j.skippedRows;
    acc.labelSetNames = j.labelSetNames;
    for (const name of j.labelSetNames ?? []) {
      const labels = j.labels[name]!;
      if (labels.length !== acc.rows)
        throw new RangeError(`knn accumulator: label set "${name}" has ${labels.length} labels for ${acc.rows} rows`);
      acc.labels.set(name, Int32Array.from(labels));
    }
    return acc;
  }
}

export const knnEstimator: EstimatorSpec = {
  name: "knn",
  summary: "Kozachenko–Leonenko entropy and a KSG-style I(X;Z), brute force (small N and d)",
  counting: false,
  rejectsZeroRows: false,
  orderInvariant: true,
  needs: [],
  options: [
    { flag: "k", key: "k", kind: "integer", min: 1, description: "knn: neighbour order (default 3)" },
    {
      flag: "max-rows",
      key: "maxRows",
      kind: "integer",
      min: 2,
      description: "knn: refuse more rows than this (brute force is quadratic; default 20000)",
    },
  ],
  create: (o) =>
    new KnnAccumulator({
      ...commonOptionsOf(o),
      d: o.d,
      ...(o.k !== undefined ? { k: o.k } : {}),
      ...(o.maxRows !== undefined ? { maxRows: o.maxRows } : {}),
    }),
  fromJSON: (json) => KnnAccumulator.fromJSON(json),
};

/**
 * Input checking shared by every accumulator: row batches (Float32, batch × d, fixed d),
 * label arrays (one Int32 per row; negative = excluded from that label set), and
 * invalid rows (NaN/±Inf anywhere, or all-zero where rows are normalised).
 */
import type { Weighting } from "../info/index.js";
import { VectorInputError } from "./errors.js";

/** A batch of rows: a flat row-major Float32Array (its length a multiple of d), or one with an explicit shape. */
export type RowBatch = Float32Array | { data: Float32Array; shape: readonly [number, number] };

/**
 * A label set in which a row may carry several values (multiple membership), in compressed
 * rows: row i's values are `values[offsets[i] .. offsets[i + 1])` (a row with none is excluded).
 * A **grouped** set also gives each value's parent (`groups`, parallel to `values`): sub-labels
 * within a parent label, e.g. the bigram contexts of a token (METHODS "Nested n-gram labels").
 * A value's parent must be the same wherever it appears. `minCount` and `weighting`, when
 * given, replace the accumulator's for this set (the 2024 scheme uses 5 and "uniform").
 */
export interface MultiLabels {
  offsets: Int32Array;
  values: Int32Array;
  groups?: Int32Array;
  minCount?: number;
  weighting?: Weighting;
}

/** One label set of a batch: one Int32 code per row (negative = excluded), or several per row. */
export type LabelCodes = Int32Array | MultiLabels;

/** Named label sets for a batch. */
export type LabelSets = Record<string, LabelCodes>;

/** Label sets with exactly one code per row (what the non-counting estimators take). */
export type SingleLabelSets = Record<string, Int32Array>;

export function isMultiLabels(codes: LabelCodes): codes is MultiLabels {
  return !(codes instanceof Int32Array);
}

/** Rows covered by a label set. */
export function labelRowCount(codes: LabelCodes): number {
  return isMultiLabels(codes) ? codes.offsets.length - 1 : codes.length;
}

/** Rows [start, end) of a label set (views where possible; multi-membership offsets are rebased). */
export function sliceLabels(codes: LabelCodes, start: number, end: number): LabelCodes {
  if (!isMultiLabels(codes)) return codes.subarray(start, end);
  const from = codes.offsets[start]!;
  const to = codes.offsets[end]!;
  return {
    ...codes,
    offsets: Int32Array.from(codes.offsets.subarray(start, end + 1), (o) => o - from),
    values: codes.values.subarray(from, to),
    ...(codes.groups ? { groups: codes.groups.subarray(from, to) } : {}),
  };
}

/**
 * The label sets as one code per row, refusing multiple membership (`estimator` names who
 * refuses: Gaussian and k-NN estimators and the per-row records of the permutation null).
 */
export function requireSingleLabels(labelSets: LabelSets | undefined, estimator: string): SingleLabelSets | undefined {
  if (!labelSets) return undefined;
  for (const [name, codes] of Object.entries(labelSets))
    if (isMultiLabels(codes))
      throw new VectorInputError(
        `label set "${name}" gives rows several values (multiple membership); ${estimator} takes one code per row (use soft, hard or binned)`,
      );
  return labelSets as SingleLabelSets;
}

export function unpackBatch(rows: RowBatch, d: number, firstRow: number): { data: Float32Array; count: number } {
  if (rows instanceof Float32Array) {
    if (rows.length % d !== 0) {
      throw new VectorInputError(
        `batch starting at row ${firstRow} has ${rows.length} values, not a multiple of d = ${d} (did the width change between batches?)`,
      );
    }
    return { data: rows, count: rows.length / d };
  }
  if (!rows || !(rows.data instanceof Float32Array))
    throw new VectorInputError(`batch starting at row ${firstRow}: rows must be a Float32Array`);
  const [count, width] = rows.shape;
  if (width !== d)
    throw new VectorInputError(
      `batch starting at row ${firstRow} has width ${width}, but this accumulator has d = ${d} (d may not change between batches)`,
    );
  if (rows.data.length < count * width)
    throw new VectorInputError(
      `batch starting at row ${firstRow}: shape ${count}×${width} needs ${count * width} values, got ${rows.data.length}`,
    );
  return { data: rows.data, count };
}

/**
 * Checks label arrays against the batch: Int32Array, one code per row, and the same set of
 * names in every batch (a label set seen on only some batches would describe a subset silently).
 * Returns the names in the caller's order.
 */
export function checkLabelSets(
  labelSets: LabelSets | undefined,
  count: number,
  firstRow: number,
  expected: readonly string[] | null,
): string[] {
  const names = labelSets ? Object.keys(labelSets) : [];
  for (const name of names) {
    const labels = labelSets![name];
    if (labels && !(labels instanceof Int32Array) && typeof labels === "object" && "offsets" in labels) {
      checkMultiLabels(name, labels, count, firstRow);
      continue;
    }
    if (!(labels instanceof Int32Array))
      throw new VectorInputError(`label set "${name}" must be an Int32Array or multi-membership labels`, firstRow);
    if (labels.length !== count) {
      throw new VectorInputError(
        `label set "${name}" has ${labels.length} labels for a batch of ${count} rows (starting at row ${firstRow})`,
      );
    }
  }
  if (expected !== null && (names.length !== expected.length || names.some((n) => !expected.includes(n)))) {
    throw new VectorInputError(
      `batch starting at row ${firstRow} has label sets [${names.join(", ")}], earlier batches had [${expected.join(", ")}]`,
    );
  }
  return names;
}

/** Checks the shape of a multi-membership label set: offsets from 0, non-decreasing, values ≥ 0, groups parallel. */
function checkMultiLabels(name: string, labels: MultiLabels, count: number, firstRow: number): void {
  const { offsets, values, groups } = labels;
  if (!(offsets instanceof Int32Array) || !(values instanceof Int32Array))
    throw new VectorInputError(`label set "${name}": offsets and values must be Int32Arrays`, firstRow);
  if (offsets.length !== count + 1 || offsets[0] !== 0 || offsets[count] !== values.length)
    throw new VectorInputError(
      `label set "${name}" has ${offsets.length} offsets ending at ${offsets[offsets.length - 1]} for a batch of ${count} rows and ${values.length} values (expected ${count + 1} offsets from 0 to ${values.length}; batch starting at row ${firstRow})`,
    );
  for (let i = 0; i < count; i++)
    if (offsets[i + 1]! < offsets[i]!)
      throw new VectorInputError(`label set "${name}": offsets decrease at row ${firstRow + i}`, firstRow + i);
  for (let j = 0; j < values.length; j++)
    if (values[j]! < 0) throw new VectorInputError(`label set "${name}": multi-membership values must be ≥ 0`);
  if (groups !== undefined && (!(groups instanceof Int32Array) || groups.length !== values.length))
    throw new VectorInputError(`label set "${name}": groups must be an Int32Array with one parent per value`);
  if (labels.minCount !== undefined && !(Number.isInteger(labels.minCount) && labels.minCount >= 1))
    throw new VectorInputError(`label set "${name}": minCount must be an integer ≥ 1, got ${labels.minCount}`);
  if (labels.weighting !== undefined && labels.weighting !== "weighted" && labels.weighting !== "uniform")
    throw new VectorInputError(`label set "${name}": weighting must be "weighted" or "uniform"`);
}

/** What is wrong with row i of a batch, or null if it is usable. */
export function rowProblem(data: Float32Array, i: number, d: number, rejectZero: boolean): string | null {
  let allZero = true;
  const base = i * d;
  for (let j = 0; j < d; j++) {
    const v = data[base + j]!;
    if (Number.isNaN(v)) return `contains NaN (column ${j})`;
    if (v === Infinity || v === -Infinity) return `contains ${v > 0 ? "+" : "-"}Inf (column ${j})`;
    if (v !== 0) allZero = false;
  }
  return rejectZero && allZero ? "is all zeros (it has no direction to normalise)" : null;
}

/**
 * Marks the usable rows of a batch. `suspect(i)` is a cheap pre-filter (e.g. a zero or
 * non-finite norm); only suspect rows are scanned. Throws VectorInputError for the first bad row
 * unless `skipInvalid`, in which case it returns the mask (null when every row is usable).
 */
export function validRows(
  data: Float32Array,
  count: number,
  d: number,
  firstRow: number,
  options: { skipInvalid: boolean; rejectZero: boolean; suspect?: (i: number) => boolean },
): Uint8Array | null {
  let mask: Uint8Array | null = null;
  for (let i = 0; i < count; i++) {
    if (options.suspect && !options.suspect(i)) continue;
    const problem = rowProblem(data, i, d, options.rejectZero);
    if (problem === null) continue;
    if (!options.skipInvalid) throw new VectorInputError(problem, firstRow + i, true);
    if (!mask) mask = new Uint8Array(count).fill(1);
    mask[i] = 0;
  }
  return mask;
}

/** Every value finite (a full scan: for estimators without a cheap norm-based pre-filter). */
export function allFinite(data: Float32Array, count: number, d: number): boolean {
  let acc = 0;
  const end = count * d;
  for (let i = 0; i < end; i++) acc += data[i]! * 0;
  return acc === 0;
}

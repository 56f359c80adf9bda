/**
 * Input checking shared by every accumulator: row batches (Float32, batch × d, fixed d),
 * label arrays (one Int32 per row; negative = excluded from that label set), and
 * invalid rows (NaN/±Inf anywhere, or all-zero where rows are normalised).
 */
import { VectorInputError } from "./errors.js";

/** A batch of rows: a flat row-major Float32Array (its length a multiple of d), or one with an explicit shape. */
export type RowBatch = Float32Array | { data: Float32Array; shape: readonly [number, number] };

/** Named label sets for a batch: one Int32 code per row; codes < 0 mark rows excluded from that set. */
export type LabelSets = Record<string, Int32Array>;

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
    if (!(labels instanceof Int32Array))
      throw new VectorInputError(`label set "${name}" must be an Int32Array`, firstRow);
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

/**
 * Null shadows for the bias correction of label-dependent measures (METHODS, "Small-sample
 * bias"). Each label set keeps, beside its real per-value counts, k shadow count tables: the
 * counts its values would get if, within each batch, the rows' labels were permuted at random.
 * A permutation keeps every value's row count and breaks any link between labels and rows, so
 * a measure computed from a shadow table is a draw of that measure under "labels independent of
 * the rows, same row counts"; the mean over shadows estimates its expectation (the bias).
 *
 * The permutation of a batch depends only on (seed, shadow index, the batch's row count and a
 * sample of its input values): the same batch gets the same shadows in whichever
 * accumulator counts it, so accumulators fed disjoint batches merge to exactly the one-pass state.
 * Memory: k more count tables per label set, independent of the number of rows.
 */
import { Fnv1a64 } from "../util/fnv.js";
import { Random } from "../util/random.js";
import type { LabelTable } from "./labelTable.js";

export interface NullShadowOptions {
  /** Shadow label sets per label set (0: no correction). */
  count: number;
  /** Seed of the within-batch permutations. */
  seed: number;
}

export const NO_SHADOWS: NullShadowOptions = { count: 0, seed: 0 };

export function checkShadowOptions(count: number, seed: number): NullShadowOptions {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`nullShadows must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(seed)) throw new RangeError(`nullSeed must be an integer, got ${seed}`);
  return { count, seed };
}

const SAMPLE = 64;

/**
 * A 32-bit key of a batch: its row count and up to 64 evenly spaced values of its input rows (as
 * the caller gave them, before any kernel, so every compute back end gets the same permutations).
 */
export function batchKey(input: Float32Array, count: number): number {
  const step = Math.max(1, Math.floor(input.length / SAMPLE));
  const sample = new Float32Array(Math.min(SAMPLE, input.length));
  for (let t = 0; t < sample.length; t++) sample[t] = input[t * step]!;
  const hex = new Fnv1a64().updateUint32(count).update(new Uint8Array(sample.buffer)).hex();
  return Number.parseInt(hex.slice(-8), 16) | 0;
}

/**
 * A batch's rows resolved to table slots: one per row (`offsets` null; −1 = the row does not
 * count), or, for multi-membership sets, row i's slots at slots[offsets[i] .. offsets[i + 1]).
 */
export interface Slots {
  offsets: Int32Array | null;
  slots: Int32Array;
}

/** Rows of a batch that count in a label set (a slot ≥ 0, or at least one slot), in order. */
export function eligibleRows(resolved: Slots): Int32Array {
  const { offsets, slots } = resolved;
  const count = offsets ? offsets.length - 1 : slots.length;
  const counts = (i: number) => (offsets ? offsets[i + 1]! > offsets[i]! : slots[i]! >= 0);
  let m = 0;
  for (let i = 0; i < count; i++) if (counts(i)) m++;
  const rows = new Int32Array(m);
  for (let i = 0, t = 0; i < count; i++) if (counts(i)) rows[t++] = i;
  return rows;
}

/** The seeded order in which shadow j deals a batch's m eligible rows' labels (shared by both kinds of set). */
export function shadowOrder(m: number, shadow: number, key: number, seed: number): Int32Array {
  const order = new Int32Array(m);
  for (let t = 0; t < m; t++) order[t] = t;
  const mixed = (Math.imul(key ^ seed, 0x9e3779b1) + Math.imul(shadow + 1, 0x85ebca6b) + m) | 0;
  shuffleRows(new Random(mixed), order);
  return order;
}

/**
 * Random.shuffle, draw for draw (the same permutation), with Random.int's rejection sampling done
 * by floating division instead of two `%` on doubles: for integers r, n ≤ 2^32, floor(r / n) is the
 * true quotient (a non-integer r / n is at least 1/n from the next integer, far above the rounding
 * error), so limit and j are Random.int's. About 3× faster on a batch's 4,096 rows.
 */
function shuffleRows(random: Random, order: Int32Array): void {
  for (let i = order.length - 1; i > 0; i--) {
    const n = i + 1;
    const limit = Math.floor(4294967296 / n) * n;
    let r = random.nextUint32();
    while (r >= limit) r = random.nextUint32();
    const j = r - Math.floor(r / n) * n;
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
}

/**
 * Shadow j's slot for each row of the batch (−1 where the row does not count): the eligible
 * rows' slots, permuted by `order` (shadowOrder: label sets with the same eligible rows get the
 * same permutation, so nested label sets stay nested in every shadow; the caller shares it between
 * them). Counts how often a row kept its own slot.
 */
export function shadowSlots(table: LabelTable, slots: Int32Array, eligible: Int32Array, order: Int32Array): Int32Array {
  const m = eligible.length;
  const out = new Int32Array(slots.length).fill(-1);
  let same = 0;
  for (let t = 0; t < m; t++) {
    const row = eligible[t]!;
    const slot = slots[eligible[order[t]!]!]!;
    out[row] = slot;
    if (slot === slots[row]) same++;
  }
  table.shadowSame += same;
  table.shadowRows += m;
  return out;
}

/**
 * Multi-membership: shadow j gives each eligible row the whole value list of another eligible row
 * (the same permutation a one-code set with the same eligible rows gets). Moving lists whole keeps
 * every value's row count and which values share rows, and breaks only the link to the rows.
 * Agreement counts, per membership, whether the row's shadow list also holds that value.
 */
export function shadowMultiSlots(table: LabelTable, resolved: Slots, eligible: Int32Array, order: Int32Array): Slots {
  const { offsets, slots } = resolved as { offsets: Int32Array; slots: Int32Array };
  const count = offsets.length - 1;
  const m = eligible.length;
  const source = new Int32Array(count).fill(-1);
  for (let t = 0; t < m; t++) source[eligible[t]!] = eligible[order[t]!]!;
  const outOffsets = new Int32Array(count + 1);
  const out = new Int32Array(slots.length);
  let u = 0;
  let same = 0;
  for (let i = 0; i < count; i++) {
    const from = source[i]!;
    if (from >= 0)
      for (let j = offsets[from]!; j < offsets[from + 1]!; j++) {
        const slot = slots[j]!;
        out[u++] = slot;
        for (let v = offsets[i]!; v < offsets[i + 1]!; v++) if (slots[v] === slot) same++;
      }
    outOffsets[i + 1] = u;
  }
  table.shadowSame += same;
  table.shadowRows += slots.length;
  return { offsets: outOffsets, slots: out };
}

/**
 * How often a row's shadow value would equal its own if the whole data set were permuted at once
 * (a row may draw itself): Σ_x (m_x / M)² over the values' row counts m_x. An observed agreement
 * far above it means batches were not mixed (e.g. rows sorted by label) and the null is too high.
 * Multi-membership (per membership, M rows with a value, Σ m_x memberships): Σ_x m_x² / (M · Σ m_x).
 */
export function expectedAgreement(table: LabelTable): number {
  let memberships = 0;
  let squares = 0;
  for (let s = 0; s < table.size; s++) {
    const m = table.rowCounts[s]!;
    memberships += m;
    squares += m * m;
  }
  const rows = table.kind?.multi ? table.memberRows : memberships;
  return rows > 0 && memberships > 0 ? squares / (rows * memberships) : 0;
}

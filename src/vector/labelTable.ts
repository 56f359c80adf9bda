/**
 * Per-label-value count vectors for one label set, growable, with no per-value objects:
 * an open-addressing hash (Int32 keys) maps a label value to a dense slot, and slot s owns
 * counts[s·width .. (s+1)·width) in one growable Float64Array, plus its row count.
 * Adding a row costs one hash probe plus `width` additions, whatever the number of values.
 *
 * Optional null shadows (bias correction, METHODS "Small-sample bias"): `shadows[j]` has the
 * layout of `counts` (same slots, same row counts) and holds the counts the label values get
 * when rows are given permuted labels; `shadowSame` / `shadowRows` count how often a row's
 * shadow label was its own (a check that the permutation mixed the rows). With shadows, each slot
 * (and each shadow's slot) also sums its rows' own entropies (`rowEntropy`, soft rows; 0 for
 * one-hot rows), which the within-value bias estimate needs (countEstimate.ts, withinBias).
 */

import type { Weighting } from "../info/index.js";

const EMPTY = -1;

/** Whether new count arrays live on shared memory (a helper thread reads them in place; set by labelCellsThread.node.ts). */
let sharedCounts = false;

/** From now on, allocate label tables' counts (and null shadows' counts) on SharedArrayBuffers, or not. */
export function shareLabelTableCounts(on: boolean): void {
  sharedCounts = on;
}

function newCounts(length: number): Float64Array {
  return sharedCounts ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
}

/**
 * What kind of label set a table counts, fixed by its first batch: one code per row, or several
 * (multiple membership), optionally grouped (each value has a parent), with the set's own
 * minCount / weighting when it brings them (the 2024 nested n-grams: 5, uniform).
 */
export interface LabelSetKind {
  multi: boolean;
  grouped: boolean;
  minCount?: number;
  weighting?: Weighting;
}

export const SINGLE_KIND: LabelSetKind = { multi: false, grouped: false };

function sameKind(a: LabelSetKind, b: LabelSetKind): boolean {
  return a.multi === b.multi && a.grouped === b.grouped && a.minCount === b.minCount && a.weighting === b.weighting;
}

export function describeKind(kind: LabelSetKind): string {
  const base = kind.grouped ? "grouped multi-membership" : kind.multi ? "multi-membership" : "one code per row";
  const extra = [
    kind.minCount !== undefined ? `minCount ${kind.minCount}` : "",
    kind.weighting ? `weighting ${kind.weighting}` : "",
  ].filter(Boolean);
  return extra.length > 0 ? `${base} (${extra.join(", ")})` : base;
}

export class LabelTable {
  /** Label value of each slot, in order of first appearance. */
  private slotValues = new Int32Array(16);
  private slotCount = 0;
  private hashKeys = new Int32Array(64);
  private hashSlots = new Int32Array(64).fill(EMPTY);
  private mask = 63;
  /** Fibonacci hashing: the top log2(size) bits of value × 0x9e3779b1 (stays a small integer). */
  private shift = 32 - 6;
  /** counts[s·width + k]. */
  counts: Float64Array;
  /** Rows seen for each slot. */
  rowCounts: Float64Array;
  /** Null-shadow counts, laid out as `counts`. */
  shadows: Float64Array[];
  /**
   * With shadows: Σ over a slot's rows of each row's own entropy (mean over blocks), for the table
   * and for each shadow; null without shadows, or when restored from a state that did not keep them.
   */
  rowEntropy: Float64Array | null;
  shadowRowEntropy: Float64Array[];
  /** Shadow assignments that gave a row its own label value, and all shadow assignments. */
  shadowSame = 0;
  shadowRows = 0;
  /** The kind of label set (null until the first batch or merge fixes it). */
  kind: LabelSetKind | null = null;
  /** Multi-membership sets: rows with at least one value (rowCounts count a row once per value). */
  memberRows = 0;
  /** Grouped sets: the parent of each slot. */
  private slotGroups: Int32Array | null = null;

  constructor(
    readonly width: number,
    shadowCount = 0,
  ) {
    this.counts = newCounts(16 * width);
    this.rowCounts = new Float64Array(16);
    this.shadows = Array.from({ length: shadowCount }, () => newCounts(16 * width));
    this.rowEntropy = shadowCount > 0 ? new Float64Array(16) : null;
    this.shadowRowEntropy = Array.from({ length: shadowCount }, () => new Float64Array(16));
  }

  get size(): number {
    return this.slotCount;
  }

  /** Label values by slot (a view; do not keep across updates). */
  get values(): Int32Array {
    return this.slotValues.subarray(0, this.slotCount);
  }

  /** The slot of `value`, creating it (zero counts) when new. */
  slotOf(value: number): number {
    const mask = this.mask;
    const keys = this.hashKeys;
    const slots = this.hashSlots;
    let h = Math.imul(value, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const s = slots[h]!;
      if (s === EMPTY) return this.insert(value, h);
      if (keys[h] === value) return s;
      h = (h + 1) & mask;
    }
  }

  /** Fixes the kind on first use; afterwards a different kind is an error naming both. */
  setKind(kind: LabelSetKind, where: string): void {
    if (this.kind === null) {
      this.kind = kind;
      if (kind.grouped && !this.slotGroups) this.slotGroups = new Int32Array(this.slotValues.length).fill(-1);
    } else if (!sameKind(this.kind, kind))
      throw new RangeError(`${where}: label set was ${describeKind(this.kind)}, now ${describeKind(kind)}`);
  }

  /** Parents by slot (grouped sets; a view), or null. */
  get groups(): Int32Array | null {
    return this.slotGroups ? this.slotGroups.subarray(0, this.slotCount) : null;
  }

  /** The slot of `value` in a grouped set, recording its parent (a value may not change parent). */
  groupedSlotOf(value: number, group: number): number {
    const slot = this.slotOf(value);
    const groups = this.slotGroups!;
    if (groups[slot] === -1) groups[slot] = group;
    else if (groups[slot] !== group)
      throw new RangeError(`label value ${value} has parent ${group}, but earlier rows gave it parent ${groups[slot]}`);
    return slot;
  }

  /** The slot of `value` if present, else −1 (never inserts). */
  find(value: number): number {
    let h = Math.imul(value, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const s = this.hashSlots[h]!;
      if (s === EMPTY || this.hashKeys[h] === value) return s;
      h = (h + 1) & this.mask;
    }
  }

  private insert(value: number, h: number): number {
    const slot = this.slotCount++;
    if (slot >= this.slotValues.length) this.growSlots();
    this.slotValues[slot] = value;
    this.hashKeys[h] = value;
    this.hashSlots[h] = slot;
    if (this.slotCount * 2 > this.mask) this.rehash();
    return slot;
  }

  private growSlots(): void {
    const capacity = this.slotValues.length * 2;
    const values = new Int32Array(capacity);
    values.set(this.slotValues);
    this.slotValues = values;
    if (this.slotGroups) {
      const groups = new Int32Array(capacity).fill(-1);
      groups.set(this.slotGroups);
      this.slotGroups = groups;
    }
    const grow = (old: Float64Array) => {
      const grown = newCounts(capacity * this.width);
      grown.set(old);
      return grown;
    };
    this.counts = grow(this.counts);
    this.shadows = this.shadows.map(grow);
    const perSlot = (old: Float64Array) => {
      const grown = new Float64Array(capacity);
      grown.set(old);
      return grown;
    };
    this.rowCounts = perSlot(this.rowCounts);
    if (this.rowEntropy) this.rowEntropy = perSlot(this.rowEntropy);
    this.shadowRowEntropy = this.shadowRowEntropy.map(perSlot);
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    this.mask = size - 1;
    this.shift--;
    this.hashKeys = new Int32Array(size);
    this.hashSlots = new Int32Array(size).fill(EMPTY);
    for (let s = 0; s < this.slotCount; s++) {
      const value = this.slotValues[s]!;
      let h = Math.imul(value, 0x9e3779b1) >>> this.shift;
      while (this.hashSlots[h] !== EMPTY) h = (h + 1) & this.mask;
      this.hashKeys[h] = value;
      this.hashSlots[h] = s;
    }
  }

  /** Adds `factor` × another table's counts (and shadows), matching label values. */
  addTable(other: LabelTable, factor = 1): void {
    if (other.width !== this.width) throw new RangeError(`label table widths differ: ${this.width} vs ${other.width}`);
    if (other.shadows.length !== this.shadows.length)
      throw new RangeError(`label tables have ${this.shadows.length} and ${other.shadows.length} null shadows`);
    if (other.kind) this.setKind(other.kind, "merging label tables");
    const w = this.width;
    const otherGroups = other.groups;
    for (let s = 0; s < other.slotCount; s++) {
      const slot = otherGroups
        ? this.groupedSlotOf(other.slotValues[s]!, otherGroups[s]!)
        : this.slotOf(other.slotValues[s]!);
      this.rowCounts[slot]! += factor * other.rowCounts[s]!;
      addScaled(this.counts, slot * w, other.counts, s * w, w, factor);
      for (let j = 0; j < this.shadows.length; j++) {
        addScaled(this.shadows[j]!, slot * w, other.shadows[j]!, s * w, w, factor);
        this.shadowRowEntropy[j]![slot]! += factor * (other.shadowRowEntropy[j]?.[s] ?? 0);
      }
      if (this.rowEntropy) this.rowEntropy[slot]! += factor * (other.rowEntropy?.[s] ?? 0);
    }
    if (!other.rowEntropy && other.slotCount > 0) this.rowEntropy = null; // unknown for some rows: no within-value estimate
    this.shadowSame += factor * other.shadowSame;
    this.shadowRows += factor * other.shadowRows;
    this.memberRows += factor * other.memberRows;
  }

  /** Shadow j viewed as a table (same values and row counts), for the estimates. */
  shadowView(j: number): CountTable {
    return {
      size: this.slotCount,
      rowCounts: this.rowCounts,
      counts: this.shadows[j]!,
      groups: this.groups,
      kind: this.kind ?? SINGLE_KIND,
      rowEntropy: this.rowEntropy ? this.shadowRowEntropy[j]! : null,
    };
  }

  /** A zero-count copy of the slot structure is not needed; clone copies everything. */
  clone(): LabelTable {
    const copy = new LabelTable(this.width, this.shadows.length);
    copy.addTable(this);
    return copy;
  }

  toJSON(): LabelTableState {
    const used = this.slotCount * this.width;
    return {
      values: Array.from(this.values),
      rowCounts: Array.from(this.rowCounts.subarray(0, this.slotCount)),
      counts: Array.from(this.counts.subarray(0, used)),
      ...(this.shadows.length > 0
        ? {
            shadows: this.shadows.map((shadow) => Array.from(shadow.subarray(0, used))),
            shadowSame: this.shadowSame,
            shadowRows: this.shadowRows,
            ...(this.rowEntropy
              ? {
                  rowEntropy: Array.from(this.rowEntropy.subarray(0, this.slotCount)),
                  shadowRowEntropy: this.shadowRowEntropy.map((e) => Array.from(e.subarray(0, this.slotCount))),
                }
              : {}),
          }
        : {}),
      ...(this.kind?.multi
        ? {
            kind: this.kind,
            memberRows: this.memberRows,
            ...(this.slotGroups ? { groups: Array.from(this.groups!) } : {}),
          }
        : {}),
    };
  }

  static fromJSON(state: LabelTableState, width: number, where: string, shadowCount = 0): LabelTable {
    const table = new LabelTable(width, shadowCount);
    const k = state.values.length;
    if (state.kind) {
      table.setKind(state.kind, where);
      if (state.kind.grouped && (!Array.isArray(state.groups) || state.groups.length !== k))
        throw new RangeError(
          `${where}: a grouped label set needs one parent per value (${k}), got ${state.groups?.length}`,
        );
      table.memberRows = state.memberRows ?? 0;
    }
    const shadows = state.shadows ?? [];
    if (shadows.length !== shadowCount || shadows.some((shadow) => shadow.length !== k * width))
      throw new RangeError(
        `${where}: expected ${shadowCount} null shadows of ${k * width} counts, got ${shadows.length} (${shadows.map((s) => s.length).join(", ")})`,
      );
    const keepsRowEntropy = shadowCount > 0 && state.rowEntropy !== undefined;
    if (
      keepsRowEntropy &&
      (state.rowEntropy!.length !== k ||
        state.shadowRowEntropy?.length !== shadowCount ||
        state.shadowRowEntropy.some((e) => e.length !== k))
    )
      throw new RangeError(`${where}: expected row entropies for ${k} values and ${shadowCount} shadows`);
    if (state.rowCounts.length !== k || state.counts.length !== k * width) {
      throw new RangeError(
        `${where}: label table has ${k} values but ${state.rowCounts.length} row counts and ${state.counts.length} counts (expected ${k * width})`,
      );
    }
    for (let s = 0; s < k; s++) {
      const value = state.values[s]!;
      if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff)
        throw new RangeError(`${where}: label value ${value} is not a non-negative int32`);
      const slot = state.kind?.grouped ? table.groupedSlotOf(value, state.groups![s]!) : table.slotOf(value);
      if (slot !== s) throw new RangeError(`${where}: label value ${value} appears twice`);
      table.rowCounts[slot] = state.rowCounts[s]!;
      for (let j = 0; j < width; j++) table.counts[slot * width + j] = state.counts[s * width + j]!;
      shadows.forEach((shadow, t) => {
        for (let j = 0; j < width; j++) table.shadows[t]![slot * width + j] = shadow[s * width + j]!;
      });
      if (keepsRowEntropy) {
        table.rowEntropy![slot] = state.rowEntropy![s]!;
        state.shadowRowEntropy!.forEach((e, t) => {
          table.shadowRowEntropy[t]![slot] = e[s]!;
        });
      }
    }
    if (!keepsRowEntropy) table.rowEntropy = null; // a state saved before row entropies were kept
    table.shadowSame = state.shadowSame ?? 0;
    table.shadowRows = state.shadowRows ?? 0;
    return table;
  }
}

export interface LabelTableState {
  values: number[];
  rowCounts: number[];
  counts: number[];
  /** Null-shadow counts (present when the table has shadows). */
  shadows?: number[][];
  shadowSame?: number;
  shadowRows?: number;
  /** With shadows: Σ of the rows' own entropies per value, for the table and each shadow. */
  rowEntropy?: number[];
  shadowRowEntropy?: number[][];
  /** Multi-membership sets only: their kind, rows with a value, and (grouped) each value's parent. */
  kind?: LabelSetKind;
  memberRows?: number;
  groups?: number[];
}

/** What the estimates read of a table: `size` slots, each with its row count and `width` counts. */
export interface CountTable {
  readonly size: number;
  readonly rowCounts: Float64Array;
  readonly counts: Float64Array;
  /** Grouped sets: each slot's parent; null otherwise. */
  readonly groups: Int32Array | null;
  readonly kind: LabelSetKind | null;
  /** Σ of each slot's rows' own entropies (mean over blocks); null: unknown (no within-value bias estimate). */
  readonly rowEntropy: Float64Array | null;
}

/** target[t + k] += factor · source[s + k] for k < width. */
function addScaled(target: Float64Array, t: number, source: Float64Array, s: number, width: number, factor: number) {
  for (let k = 0; k < width; k++) target[t + k]! += factor * source[s + k]!;
}

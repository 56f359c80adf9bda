/**
 * Per-label-value count vectors for one label set, growable, with no per-value objects:
 * an open-addressing hash (Int32 keys) maps a label value to a dense slot, and slot s owns
 * counts[s·width .. (s+1)·width) in one growable Float64Array, plus its row count.
 * Adding a row costs one hash probe plus `width` additions, whatever the number of values.
 *
 * Optional null shadows (bias correction, METHODS "Small-sample bias"): `shadows[j]` has the
 * layout of `counts` (same slots, same row counts) and holds the counts the label values get
 * when rows are given permuted labels; `shadowSame` / `shadowRows` count how often a row's
 * shadow label was its own (a check that the permutation mixed the rows).
 */

const EMPTY = -1;

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
  /** Shadow assignments that gave a row its own label value, and all shadow assignments. */
  shadowSame = 0;
  shadowRows = 0;

  constructor(
    readonly width: number,
    shadowCount = 0,
  ) {
    this.counts = new Float64Array(16 * width);
    this.rowCounts = new Float64Array(16);
    this.shadows = Array.from({ length: shadowCount }, () => new Float64Array(16 * width));
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
    const grow = (old: Float64Array) => {
      const grown = new Float64Array(capacity * this.width);
      grown.set(old);
      return grown;
    };
    this.counts = grow(this.counts);
    this.shadows = this.shadows.map(grow);
    const rows = new Float64Array(capacity);
    rows.set(this.rowCounts);
    this.rowCounts = rows;
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
    const w = this.width;
    for (let s = 0; s < other.slotCount; s++) {
      const slot = this.slotOf(other.slotValues[s]!);
      this.rowCounts[slot]! += factor * other.rowCounts[s]!;
      addScaled(this.counts, slot * w, other.counts, s * w, w, factor);
      for (let j = 0; j < this.shadows.length; j++)
        addScaled(this.shadows[j]!, slot * w, other.shadows[j]!, s * w, w, factor);
    }
    this.shadowSame += factor * other.shadowSame;
    this.shadowRows += factor * other.shadowRows;
  }

  /** Shadow j viewed as a table (same values and row counts), for the estimates. */
  shadowView(j: number): CountTable {
    return { size: this.slotCount, rowCounts: this.rowCounts, counts: this.shadows[j]! };
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
          }
        : {}),
    };
  }

  static fromJSON(state: LabelTableState, width: number, where: string, shadowCount = 0): LabelTable {
    const table = new LabelTable(width, shadowCount);
    const k = state.values.length;
    const shadows = state.shadows ?? [];
    if (shadows.length !== shadowCount || shadows.some((shadow) => shadow.length !== k * width))
      throw new RangeError(
        `${where}: expected ${shadowCount} null shadows of ${k * width} counts, got ${shadows.length} (${shadows.map((s) => s.length).join(", ")})`,
      );
    if (state.rowCounts.length !== k || state.counts.length !== k * width) {
      throw new RangeError(
        `${where}: label table has ${k} values but ${state.rowCounts.length} row counts and ${state.counts.length} counts (expected ${k * width})`,
      );
    }
    for (let s = 0; s < k; s++) {
      const value = state.values[s]!;
      if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff)
        throw new RangeError(`${where}: label value ${value} is not a non-negative int32`);
      const slot = table.slotOf(value);
      if (slot !== s) throw new RangeError(`${where}: label value ${value} appears twice`);
      table.rowCounts[slot] = state.rowCounts[s]!;
      for (let j = 0; j < width; j++) table.counts[slot * width + j] = state.counts[s * width + j]!;
      shadows.forEach((shadow, t) => {
        for (let j = 0; j < width; j++) table.shadows[t]![slot * width + j] = shadow[s * width + j]!;
      });
    }
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
}

/** What the estimates read of a table: `size` slots, each with its row count and `width` counts. */
export interface CountTable {
  readonly size: number;
  readonly rowCounts: Float64Array;
  readonly counts: Float64Array;
}

/** target[t + k] += factor · source[s + k] for k < width. */
function addScaled(target: Float64Array, t: number, source: Float64Array, s: number, width: number, factor: number) {
  for (let k = 0; k < width; k++) target[t + k]! += factor * source[s + k]!;
}

/**
 * The state shared by the counting estimators (soft entropy, nearest-anchor, binned H_dw):
 * a total count vector and, per label set, one count vector per label value. Counts are
 * laid out as `blocks` distributions of `blockWidth` cells (soft/hard: 1 block of n anchors;
 * binned: one block of B bins per dimension or head); entropies are means over blocks.
 * Everything is a sum over rows, so states merge by addition. With null shadows (nullShadows.ts)
 * each label table also keeps k shadow tables, filled from the same rows with permuted labels.
 */
import { LabelTable, type LabelTableState } from "./labelTable.js";
import { SINGLE_KIND } from "./labelTable.js";
import {
  NO_SHADOWS,
  batchKey,
  eligibleRows,
  shadowOrder,
  shadowMultiSlots,
  shadowSlots,
  type NullShadowOptions,
  type Slots,
} from "./nullShadows.js";
import { RowStore, type Contribution } from "./rowStore.js";
import { rowEntropies } from "./rowEntropy.js";
import { isMultiLabels, requireSingleLabels, type LabelCodes, type LabelSets, type MultiLabels } from "./batch.js";
import { checkSameLabelSets } from "./accumulator.js";

export class CountState {
  readonly width: number;
  total: Float64Array;
  /** Rows counted (valid rows). */
  rows = 0;
  /** Invalid rows skipped (skipInvalid). */
  skippedRows = 0;
  /** Label set names, fixed by the first batch that has rows. */
  labelSetNames: string[] | null = null;
  readonly tables = new Map<string, LabelTable>();
  /** Rows excluded from each label set (negative codes). */
  readonly excludedRows = new Map<string, number>();
  store: RowStore | null;

  constructor(
    readonly blocks: number,
    readonly blockWidth: number,
    keepRows: Contribution | null,
    readonly shadows: NullShadowOptions = NO_SHADOWS,
  ) {
    this.width = blocks * blockWidth;
    this.total = new Float64Array(this.width);
    this.store = keepRows ? new RowStore(keepRows, keepRows === "dense" ? this.width : blocks) : null;
  }

  /** Rows given so far, counted or skipped (for global row numbers in errors). */
  get rowsSeen(): number {
    return this.rows + this.skippedRows;
  }

  setLabelSetNames(names: string[]): void {
    if (this.labelSetNames !== null) return;
    this.labelSetNames = names;
    for (const name of names) {
      this.tables.set(name, new LabelTable(this.width, this.shadows.count));
      this.excludedRows.set(name, 0);
    }
  }

  /**
   * Adds dense per-row vectors (count × width), skipping rows with mask[i] = 0. `input` is the
   * batch as the caller gave it (count × d): the shadows' permutations are keyed on it, not on
   * the per-row vectors, so compute back ends whose vectors differ in the last bits permute alike.
   */
  addDense(
    values: Float32Array,
    count: number,
    mask: Uint8Array | null,
    labelSets: LabelSets | undefined,
    input: Float32Array,
  ): void {
    const w = this.width;
    this.checkRecordable(labelSets);
    for (let i = 0; i < count; i++) if (!mask || mask[i] === 1) addRow(this.total, 0, values, i * w, w);
    const orders = new BatchOrders(input, count, this.shadows);
    const entropies = this.shadows.count > 0 ? rowEntropies(values, count, w) : null;
    // every label set's real and shadow tables, added together two at a time (addDenseTables)
    const targets: Float64Array[] = [];
    const resolved: Slots[] = [];
    for (const name of this.labelSetNames ?? []) {
      const table = this.tables.get(name)!;
      const slots = this.slotsOf(name, labelSets![name]!, count, mask);
      const shadows = this.shadowSlotsOf(table, slots, orders);
      targets.push(table.counts, ...shadows.map(([target]) => target));
      resolved.push(slots, ...shadows.map(([, shadow]) => shadow));
      if (entropies && table.rowEntropy) addPerRow(table.rowEntropy, slots, entropies, count);
      if (entropies)
        shadows.forEach(([, shadow], j) => addPerRow(table.shadowRowEntropy[j]!, shadow, entropies, count));
    }
    addDenseTables(targets, resolved, values, count, w);
    this.keepRecords(values, count, mask, labelSets);
    this.countRows(count, mask);
  }

  /** Adds one count per block at the given cell indices (count × blocks, each in [0, blockWidth)); `input` as in addDense. */
  addIndices(
    indices: Int32Array,
    count: number,
    mask: Uint8Array | null,
    labelSets: LabelSets | undefined,
    input: Float32Array,
  ): void {
    const { blocks, blockWidth } = this;
    this.checkRecordable(labelSets);
    for (let i = 0; i < count; i++)
      if (!mask || mask[i] === 1) addCells(this.total, 0, indices, i * blocks, blocks, blockWidth);
    const orders = new BatchOrders(input, count, this.shadows);
    for (const name of this.labelSetNames ?? []) {
      const table = this.tables.get(name)!;
      // One-hot rows (their own entropy is 0, so the tables' row entropies stay 0). With a single
      // block (hard), a value's λ̂ rests only on the few coincident cells among its rows, too noisy
      // to use (METHODS "Small-sample bias"): the shadows correct alone.
      if (blocks === 1) table.rowEntropy = null;
      const slots = this.slotsOf(name, labelSets![name]!, count, mask);
      addIndexRows(table.counts, slots, indices, count, blocks, blockWidth);
      for (const [target, shadow] of this.shadowSlotsOf(table, slots, orders))
        addIndexRows(target, shadow, indices, count, blocks, blockWidth);
    }
    this.keepRecords(indices, count, mask, labelSets);
    this.countRows(count, mask);
  }

  /** The permutation null's per-row records hold one code per row: refuse multi-membership sets up front. */
  private checkRecordable(labelSets: LabelSets | undefined): void {
    if (this.store) requireSingleLabels(labelSets, "the permutation null (keepRows)");
  }

  /**
   * Each row's slot in a label set's table (created when new; its row counted), or −1 for a
   * masked row or an excluded (negative) code. Resolving slots first keeps the add loops simple.
   */
  private slotsOf(name: string, labels: LabelCodes, count: number, mask: Uint8Array | null): Slots {
    if (isMultiLabels(labels)) return this.multiSlotsOf(name, labels, count, mask);
    const table = this.tables.get(name)!;
    table.setKind(SINGLE_KIND, `label set "${name}"`);
    const slots = new Int32Array(count);
    let excluded = 0;
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      if ((mask && mask[i] === 0) || label < 0) {
        if (label < 0 && !(mask && mask[i] === 0)) excluded++;
        slots[i] = -1;
        continue;
      }
      const slot = table.slotOf(label);
      table.rowCounts[slot]! += 1;
      slots[i] = slot;
    }
    this.excludedRows.set(name, this.excludedRows.get(name)! + excluded);
    return { offsets: null, slots };
  }

  /**
   * Multi-membership: each row's distinct values as slots, in compressed rows (a masked row gets
   * none). Each value's row count goes up once per row that carries it; a row with no value is
   * excluded; `memberRows` counts rows with at least one.
   */
  private multiSlotsOf(name: string, labels: MultiLabels, count: number, mask: Uint8Array | null): Slots {
    const table = this.tables.get(name)!;
    const grouped = labels.groups !== undefined;
    table.setKind(
      {
        multi: true,
        grouped,
        ...(labels.minCount !== undefined ? { minCount: labels.minCount } : {}),
        ...(labels.weighting !== undefined ? { weighting: labels.weighting } : {}),
      },
      `label set "${name}"`,
    );
    const { offsets, values, groups } = labels;
    const outOffsets = new Int32Array(count + 1);
    const slots = new Int32Array(values.length);
    let t = 0;
    let excluded = 0;
    for (let i = 0; i < count; i++) {
      const start = t;
      if (!(mask && mask[i] === 0)) {
        for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
          const slot = grouped ? table.groupedSlotOf(values[j]!, groups![j]!) : table.slotOf(values[j]!);
          let seen = false;
          for (let u = start; u < t; u++) seen ||= slots[u] === slot;
          if (seen) continue; // a value listed twice for one row counts once
          slots[t++] = slot;
          table.rowCounts[slot]! += 1;
        }
        if (t === start) excluded++;
        else table.memberRows++;
      }
      outOffsets[i + 1] = t;
    }
    this.excludedRows.set(name, this.excludedRows.get(name)! + excluded);
    return { offsets: outOffsets, slots: slots.subarray(0, t) };
  }

  /**
   * Each shadow table of `table` with the batch's permuted slots for it (none without shadows).
   * `orders` caches the batch's permutations by eligible-row count, so label sets with the same
   * eligible rows share them (one shuffle per shadow and batch, not per label set).
   */
  private shadowSlotsOf(table: LabelTable, slots: Slots, orders: BatchOrders): [Float64Array, Slots][] {
    if (this.shadows.count === 0) return [];
    const eligible = eligibleRows(slots);
    return table.shadows.map((target, j) => {
      const order = orders.get(eligible.length, j);
      return [
        target,
        slots.offsets
          ? shadowMultiSlots(table, slots, eligible, order)
          : { offsets: null, slots: shadowSlots(table, slots.slots, eligible, order) },
      ];
    });
  }

  private keepRecords(
    source: Float32Array | Int32Array,
    count: number,
    mask: Uint8Array | null,
    labelSets: LabelSets | undefined,
  ): void {
    if (!this.store) return;
    const names = this.labelSetNames ?? [];
    const single = requireSingleLabels(labelSets, "the permutation null (keepRows)");
    for (let i = 0; i < count; i++) if (!mask || mask[i] === 1) this.store.push(source, i, single, names);
  }

  /** Counts a batch's rows (and its skipped rows) without touching the tables. */
  countRows(count: number, mask: Uint8Array | null): void {
    let skipped = 0;
    if (mask) for (let i = 0; i < count; i++) skipped += mask[i] === 0 ? 1 : 0;
    this.rows += count - skipped;
    this.skippedRows += skipped;
  }

  /** Adds `factor` × another state (same layout and label sets). */
  add(other: CountState, factor = 1, withStore = true): void {
    if (other.blocks !== this.blocks || other.blockWidth !== this.blockWidth) {
      throw new RangeError(
        `cannot merge count states of layout ${other.blocks}×${other.blockWidth} into ${this.blocks}×${this.blockWidth}`,
      );
    }
    if (other.shadows.count !== this.shadows.count || other.shadows.seed !== this.shadows.seed)
      throw new RangeError(
        `cannot merge count states with ${other.shadows.count} null shadows (seed ${other.shadows.seed}) into ${this.shadows.count} (seed ${this.shadows.seed})`,
      );
    if (other.labelSetNames !== null && other.rows > 0) {
      if (this.labelSetNames === null || this.rows === 0) {
        this.labelSetNames = null;
        this.tables.clear();
        this.excludedRows.clear();
        this.setLabelSetNames(other.labelSetNames);
      } else checkSameLabelSets(this.labelSetNames, other.labelSetNames);
      for (const name of other.labelSetNames) {
        this.tables.get(name)!.addTable(other.tables.get(name)!, factor);
        this.excludedRows.set(name, this.excludedRows.get(name)! + factor * other.excludedRows.get(name)!);
      }
    }
    for (let k = 0; k < this.width; k++) this.total[k]! += factor * other.total[k]!;
    this.rows += factor * other.rows;
    this.skippedRows += factor * other.skippedRows;
    if (withStore && this.store && other.store) this.store.append(other.store);
    else if (withStore && this.store && !other.store && other.rows > 0) this.store = null; // rows without a record: the null is no longer available
  }

  /** An empty state of the same layout and shadows, without a row store. */
  emptyLike(): CountState {
    return new CountState(this.blocks, this.blockWidth, null, this.shadows);
  }

  /** A copy without the row store. */
  clone(): CountState {
    const copy = this.emptyLike();
    copy.add(this, 1, false);
    return copy;
  }

  toJSON(): CountStateJson {
    const labelSets: Record<string, LabelTableState & { excludedRows: number }> = {};
    for (const name of this.labelSetNames ?? [])
      labelSets[name] = { ...this.tables.get(name)!.toJSON(), excludedRows: this.excludedRows.get(name)! };
    return {
      rows: this.rows,
      skippedRows: this.skippedRows,
      total: Array.from(this.total),
      labelSetNames: this.labelSetNames,
      labelSets,
      ...(this.shadows.count > 0 ? { nullShadows: this.shadows.count, nullSeed: this.shadows.seed } : {}),
    };
  }

  static fromJSON(json: CountStateJson, blocks: number, blockWidth: number, where: string): CountState {
    const state = new CountState(blocks, blockWidth, null, {
      count: json.nullShadows ?? 0,
      seed: json.nullSeed ?? 0,
    });
    if (!Array.isArray(json.total) || json.total.length !== state.width) {
      throw new RangeError(`${where}: total has ${json.total?.length} cells, expected ${state.width}`);
    }
    state.total = Float64Array.from(json.total);
    state.rows = json.rows;
    state.skippedRows = json.skippedRows;
    if (json.labelSetNames) {
      state.setLabelSetNames(json.labelSetNames);
      for (const name of json.labelSetNames) {
        const table = json.labelSets[name];
        if (!table) throw new RangeError(`${where}: label set "${name}" is listed but has no table`);
        state.tables.set(
          name,
          LabelTable.fromJSON(table, state.width, `${where}, label set "${name}"`, state.shadows.count),
        );
        state.excludedRows.set(name, table.excludedRows);
      }
    }
    return state;
  }
}

/** One batch's shadow permutations, made on first use and shared by its label sets. */
class BatchOrders {
  private readonly key: number;
  private readonly cache = new Map<number, Int32Array[]>();

  constructor(
    input: Float32Array,
    count: number,
    private readonly shadows: NullShadowOptions,
  ) {
    this.key = shadows.count > 0 ? batchKey(input, count) : 0;
  }

  get(eligible: number, shadow: number): Int32Array {
    let orders = this.cache.get(eligible);
    if (!orders) this.cache.set(eligible, (orders = []));
    orders[shadow] ??= shadowOrder(eligible, shadow, this.key, this.shadows.seed);
    return orders[shadow]!;
  }
}

export interface CountStateJson {
  rows: number;
  skippedRows: number;
  total: number[];
  labelSetNames: string[] | null;
  labelSets: Record<string, LabelTableState & { excludedRows: number }>;
  /** Null shadows per label set and their seed (absent: none). */
  nullShadows?: number;
  nullSeed?: number;
}

/**
 * target[offset + k] += source[base + k] for k < width. A small separate function: V8
 * optimises it far better than the same loop inlined in the long row loop (measured ~2×).
 * Unrolled by four: ~1.5× faster than the plain loop on the (d) workload's adds (BENCHMARKS (d)).
 */
function addRow(target: Float64Array, offset: number, source: Float32Array, base: number, width: number): void {
  let k = 0;
  for (const end = width - 3; k < end; k += 4) {
    const t = offset + k;
    const s = base + k;
    target[t]! += source[s]!;
    target[t + 1]! += source[s + 1]!;
    target[t + 2]! += source[s + 2]!;
    target[t + 3]! += source[s + 3]!;
  }
  for (; k < width; k++) target[offset + k]! += source[base + k]!;
}

/** addRow into two targets at once: each source cell is read once for both. */
function addRowTwice(
  first: Float64Array,
  firstOffset: number,
  second: Float64Array,
  secondOffset: number,
  source: Float32Array,
  base: number,
  width: number,
): void {
  let k = 0;
  for (const end = width - 3; k < end; k += 4) {
    const s = base + k;
    const x0 = source[s]!;
    const x1 = source[s + 1]!;
    const x2 = source[s + 2]!;
    const x3 = source[s + 3]!;
    const f = firstOffset + k;
    first[f]! += x0;
    first[f + 1]! += x1;
    first[f + 2]! += x2;
    first[f + 3]! += x3;
    const g = secondOffset + k;
    second[g]! += x0;
    second[g + 1]! += x1;
    second[g + 2]! += x2;
    second[g + 3]! += x3;
  }
  for (; k < width; k++) {
    const x = source[base + k]!;
    first[firstOffset + k]! += x;
    second[secondOffset + k]! += x;
  }
}

/**
 * Adds the batch's dense rows into each table with its resolved slots (a label set's real table and
 * its shadows). One-code tables go two at a time, so a source row is read once for both (~8% fewer
 * CPU seconds than one at a time, BENCHMARKS (d)); every cell still sums its rows in row order.
 */
function addDenseTables(targets: Float64Array[], resolved: Slots[], values: Float32Array, count: number, w: number) {
  let t = 0;
  for (; t + 1 < targets.length; t += 2) {
    const first = resolved[t]!;
    const second = resolved[t + 1]!;
    if (first.offsets || second.offsets) {
      addDenseRows(targets[t]!, first, values, count, w);
      addDenseRows(targets[t + 1]!, second, values, count, w);
    } else addDenseRowPairs(targets[t]!, first.slots, targets[t + 1]!, second.slots, values, count, w);
  }
  if (t < targets.length) addDenseRows(targets[t]!, resolved[t]!, values, count, w);
}

/** Two one-code tables in one pass over the rows (slot −1: the row does not count in that table). */
function addDenseRowPairs(
  first: Float64Array,
  firstSlots: Int32Array,
  second: Float64Array,
  secondSlots: Int32Array,
  values: Float32Array,
  count: number,
  w: number,
): void {
  for (let i = 0; i < count; i++) {
    const a = firstSlots[i]!;
    const b = secondSlots[i]!;
    if (a >= 0 && b >= 0) addRowTwice(first, a * w, second, b * w, values, i * w, w);
    else if (a >= 0) addRow(first, a * w, values, i * w, w);
    else if (b >= 0) addRow(second, b * w, values, i * w, w);
  }
}

/** Adds row i's dense vector into each of its slots (one code per row: slot −1 is skipped). */
function addDenseRows(target: Float64Array, resolved: Slots, values: Float32Array, count: number, w: number): void {
  const { offsets, slots } = resolved;
  if (offsets) {
    for (let i = 0; i < count; i++)
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) addRow(target, slots[j]! * w, values, i * w, w);
    return;
  }
  for (let i = 0; i < count; i++) {
    const slot = slots[i]!;
    if (slot >= 0) addRow(target, slot * w, values, i * w, w);
  }
}

/** target[slot] += perRow[i] for each slot of row i. */
function addPerRow(target: Float64Array, resolved: Slots, perRow: Float64Array, count: number): void {
  const { offsets, slots } = resolved;
  if (offsets) {
    for (let i = 0; i < count; i++)
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) target[slots[j]!]! += perRow[i]!;
    return;
  }
  for (let i = 0; i < count; i++) {
    const slot = slots[i]!;
    if (slot >= 0) target[slot]! += perRow[i]!;
  }
}

/** Adds row i's cell indices into each of its slots (one code per row: slot −1 is skipped). */
function addIndexRows(
  target: Float64Array,
  resolved: Slots,
  indices: Int32Array,
  count: number,
  blocks: number,
  blockWidth: number,
): void {
  const width = blocks * blockWidth;
  const { offsets, slots } = resolved;
  if (offsets) {
    for (let i = 0; i < count; i++)
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++)
        addCells(target, slots[j]! * width, indices, i * blocks, blocks, blockWidth);
    return;
  }
  for (let i = 0; i < count; i++) {
    const slot = slots[i]!;
    if (slot >= 0) addCells(target, slot * width, indices, i * blocks, blocks, blockWidth);
  }
}

/** One count per block: target[offset + b·blockWidth + cells[base + b]] += 1. */
function addCells(
  target: Float64Array,
  offset: number,
  cells: Int32Array,
  base: number,
  blocks: number,
  blockWidth: number,
): void {
  for (let b = 0; b < blocks; b++) target[offset + b * blockWidth + cells[base + b]!]! += 1;
}

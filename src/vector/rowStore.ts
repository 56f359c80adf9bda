/**
 * Optional per-row record kept by the counting accumulators when a permutation null is
 * wanted: each counted row's contribution (a dense Float32 vector for soft entropy, or one
 * bin index per block for hard/binned) and its label in every label set. Memory grows with
 * the rows (soft: 4·n bytes per row), so it is off by default.
 */

export type Contribution = "dense" | "indices";

export class RowStore {
  rows = 0;
  private data: Float32Array | Int32Array;
  private labels = new Map<string, Int32Array>();

  constructor(
    readonly kind: Contribution,
    /** Values per row: n for dense, the number of blocks for indices. */
    readonly rowWidth: number,
  ) {
    this.data = kind === "dense" ? new Float32Array(64 * rowWidth) : new Int32Array(64 * rowWidth);
  }

  private ensure(extra: number): void {
    const needed = (this.rows + extra) * this.rowWidth;
    if (needed <= this.data.length) return;
    let capacity = this.data.length;
    while (capacity < needed) capacity *= 2;
    const data = this.kind === "dense" ? new Float32Array(capacity) : new Int32Array(capacity);
    data.set(this.data);
    this.data = data;
    for (const [name, labels] of this.labels) {
      const grown = new Int32Array(capacity / this.rowWidth);
      grown.set(labels);
      this.labels.set(name, grown);
    }
  }

  /** Appends row i of `source` (rowWidth values) with its labels. */
  push(
    source: Float32Array | Int32Array,
    i: number,
    labelSets: Record<string, Int32Array> | undefined,
    names: readonly string[],
  ): void {
    this.ensure(1);
    const w = this.rowWidth;
    this.data.set(source.subarray(i * w, (i + 1) * w), this.rows * w);
    for (const name of names) {
      let labels = this.labels.get(name);
      if (!labels) {
        labels = new Int32Array(this.data.length / w).fill(-1);
        this.labels.set(name, labels);
      }
      labels[this.rows] = labelSets![name]![i]!;
    }
    this.rows++;
  }

  /** Appends all rows of another store. */
  append(other: RowStore): void {
    if (other.kind !== this.kind || other.rowWidth !== this.rowWidth)
      throw new RangeError("row stores of different shapes cannot be merged");
    const names = [...other.labels.keys()];
    const labelSets = Object.fromEntries(names.map((name) => [name, other.labels.get(name)!]));
    for (let i = 0; i < other.rows; i++) this.push(other.data, i, labelSets, names);
  }

  contributions(): Float32Array | Int32Array {
    return this.data.subarray(0, this.rows * this.rowWidth);
  }

  labelsOf(name: string): Int32Array {
    const labels = this.labels.get(name);
    if (!labels) throw new RangeError(`no stored labels for label set "${name}"`);
    return labels.subarray(0, this.rows);
  }
}

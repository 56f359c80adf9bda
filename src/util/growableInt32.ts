/**
 * An append-only list of 32-bit integers in one typed array that doubles when full: about
 * 4 bytes per value (8 while growing), where a JavaScript array of numbers or of per-row
 * objects costs several times more. For readers that do not know their row count in advance.
 */
export class GrowableInt32 {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(1, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index]!;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Drops values from `length` on. */
  truncate(length: number): void {
    this.length = Math.min(this.length, length);
  }

  /** A view of the values (shares memory until the next push). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }

  private grow(needed: number): void {
    let capacity = this.data.length;
    while (capacity < needed) capacity *= 2;
    const next = new Int32Array(capacity);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}

/**
 * Hidden states of one layer for every batch of a corpus, held in memory or spilled to a
 * file (appended batch by batch, read back by offset), so that block streaming keeps at
 * most one batch of a spilled layer in memory.
 *
 * States keep the type the model produced (float32 or float16; float16 round-trips through
 * float32 exactly). Spilling in float16 halves the disk traffic of a float32 model at the
 * cost of rounding the states (11 significant bits), so it is opt-in.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { halfToFloat } from "./onnxModel.js";

export type StateType = "float32" | "float16";

/** One batch's hidden states, rows × length × width, row-major; float16 as its bit patterns. */
export interface HiddenBatch {
  type: StateType;
  data: Float32Array | Uint16Array;
  dims: [number, number, number];
}

export interface SpillSettings {
  /** The file this layer's states go to. */
  file: string;
  /** Type written to disk (float16 rounds float32 states). */
  precision: StateType;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** float32 → float16 bits, rounded to nearest even (overflow → ±Infinity). */
export function floatToHalfBits(x: number): number {
  scratch[0] = x;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (rest > midpoint || (rest === midpoint && half & 1) ? half + 1 : half);
  }
  let half = mantissa >>> 13;
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) {
    half++;
    if (half === 0x400) {
      half = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | half;
}

/** float32 data of a batch (float16 converted). */
export function statesAsFloat32(batch: HiddenBatch): Float32Array {
  if (batch.type === "float32") return batch.data as Float32Array;
  const src = batch.data as Uint16Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = halfToFloat(src[i]!);
  return out;
}

function converted(batch: HiddenBatch, type: StateType): HiddenBatch {
  if (batch.type === type) return batch;
  if (type === "float32") return { type, data: statesAsFloat32(batch), dims: batch.dims };
  const src = batch.data as Float32Array;
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = floatToHalfBits(src[i]!);
  return { type, data: out, dims: batch.dims };
}

const BYTES: Record<StateType, number> = { float32: 4, float16: 2 };

export class LayerStore {
  private readonly memory: HiddenBatch[] = [];
  private readonly spilled: { offset: number; dims: [number, number, number]; type: StateType }[] = [];
  private fd: number | null = null;
  private end = 0;

  constructor(private readonly spill: SpillSettings | null) {}

  get spills(): boolean {
    return this.spill !== null;
  }

  /** Bytes written to disk so far. */
  get spilledBytes(): number {
    return this.end;
  }

  put(index: number, batch: HiddenBatch): void {
    if (!this.spill) {
      this.memory[index] = batch;
      return;
    }
    const stored = converted(batch, this.spill.precision);
    this.fd ??= openSync(this.spill.file, "w+");
    const bytes = new Uint8Array(stored.data.buffer, stored.data.byteOffset, stored.data.byteLength);
    let written = 0;
    while (written < bytes.length)
      written += writeSync(this.fd, bytes, written, bytes.length - written, this.end + written);
    // The type the model produced: what get() gives back, converted from the stored precision.
    this.spilled[index] = { offset: this.end, dims: batch.dims, type: batch.type };
    this.end += bytes.length;
  }

  /** The states of batch `index`, in the type they were put with. */
  get(index: number): HiddenBatch {
    if (!this.spill) {
      const batch = this.memory[index];
      if (!batch) throw new RangeError(`no states for batch ${index}`);
      return batch;
    }
    const entry = this.spilled[index];
    if (!entry || this.fd === null) throw new RangeError(`no states for batch ${index}`);
    const count = entry.dims[0] * entry.dims[1] * entry.dims[2];
    const precision = this.spill.precision;
    const bytes = new Uint8Array(count * BYTES[precision]);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(this.fd, bytes, read, bytes.length - read, entry.offset + read);
      if (n === 0) throw new Error(`${this.spill.file}: spilled states end early`);
      read += n;
    }
    const data = precision === "float32" ? new Float32Array(bytes.buffer) : new Uint16Array(bytes.buffer);
    return converted({ type: precision, data, dims: entry.dims }, entry.type);
  }

  /** Frees the states (and deletes the spill file). */
  clear(): void {
    this.memory.length = 0;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.spill) rmSync(this.spill.file, { force: true });
  }
}

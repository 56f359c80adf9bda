/**
 * `.npy` files on disk: whole-array read/write, and row-batch streaming for arrays larger than
 * memory (NpyRowReader, NpyRowWriter). The byte-level format is in ./npyFormat.ts.
 *
 * Rows: for an array of shape (a, b, …, w) a row is one vector along the last axis, so there are
 * a·b·… rows of width w (a (batch, seq, d) dump streams as batch·seq rows of d). A 1-D array is
 * rows of width 1; a 0-d array is one row of width 1.
 */
import { closeSync, fstatSync, openSync, read, writeSync } from "node:fs";
import { InputError } from "./errors.js";
import { openForReading, readFully } from "./fileRead.js";
import { unwritableFileError } from "./systemError.js";
import {
  checkDataLength,
  checkShape,
  decodeNpyData,
  defaultDtype,
  encodeNpyData,
  encodeNpyHeader,
  formatShape,
  HOST_IS_LITTLE_ENDIAN,
  npyPreambleLength,
  parseNpyHeader,
  type EncodeNpyOptions,
  type NpyArray,
  type NpyData,
  type NpyHeader,
} from "./npyFormat.js";

export * from "./npyFormat.js";

function openForWriting(path: string): number {
  try {
    return openSync(path, "w");
  } catch (error) {
    throw unwritableFileError(path, error);
  }
}

/** Reads and checks the header of an open .npy file; returns it with the file's size. */
function readHeader(fd: number, path: string): { header: NpyHeader; fileSize: number } {
  const fileSize = fstatSync(fd).size;
  const preamble = new Uint8Array(Math.min(12, fileSize));
  readFully(fd, preamble, 0, path);
  const preambleLength = npyPreambleLength(preamble, path);
  if (fileSize < preambleLength)
    throw new InputError(`truncated .npy preamble: ${fileSize} of ${preambleLength} bytes`, { file: path });
  const view = new DataView(preamble.buffer);
  const headerLength = preambleLength === 10 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headBytes = new Uint8Array(Math.min(preambleLength + headerLength, fileSize));
  readFully(fd, headBytes, 0, path);
  const header = parseNpyHeader(headBytes, path);
  checkDataLength(header, fileSize - header.dataOffset, path);
  return { header, fileSize };
}

/** Reads a whole .npy file (see npyFormat.ts for the dtypes and the arrays they decode to). */
export function readNpy(path: string): NpyArray {
  const fd = openForReading(path);
  try {
    const { header } = readHeader(fd, path);
    const bytes = new Uint8Array(header.dataBytes);
    readFully(fd, bytes, header.dataOffset, path);
    return { dtype: header.dtype, shape: header.shape, data: decodeNpyData(header, bytes) };
  } finally {
    closeSync(fd);
  }
}

/** Writes `values` with `shape` as a C-order .npy file (dtype from the array unless given). */
export function writeNpy(
  path: string,
  values: NpyData | ArrayLike<number>,
  shape: readonly number[],
  options: EncodeNpyOptions = {},
): void {
  checkShape(values.length, shape);
  const dtype = options.dtype ?? defaultDtype(values);
  const fd = openForWriting(path);
  try {
    writeAll(fd, encodeNpyHeader(dtype, shape, options.bigEndian));
    // write in slices so a large float16/big-endian conversion never doubles memory
    const chunk = 1 << 20;
    for (let start = 0; start < values.length; start += chunk) {
      const end = Math.min(values.length, start + chunk);
      const slice =
        "subarray" in values
          ? (values as NpyData).subarray(start, end)
          : Array.prototype.slice.call(values, start, end);
      writeAll(fd, encodeNpyData(slice as NpyData, dtype, options.bigEndian));
    }
  } finally {
    closeSync(fd);
  }
}

/** `readFully` on libuv's thread pool. */
async function readFullyAsync(fd: number, target: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const got = await new Promise<number>((resolve, reject) =>
      read(fd, target, done, target.length - done, position + done, (error, bytes) =>
        error ? reject(error) : resolve(bytes),
      ),
    );
    if (got === 0)
      throw new InputError(
        `unexpected end of file at byte ${position + done} (did the file change while being read?)`,
        {
          file: path,
        },
      );
    done += got;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position?: number): void {
  let done = 0;
  while (done < bytes.length) {
    done += writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
  }
}

export interface RowBatch {
  /** Index of the batch's first row. */
  start: number;
  /** Rows in this batch (the last batch may be short). */
  count: number;
  /** count × width values, row-major. */
  rows: Float32Array;
}

/**
 * Streams the rows of a .npy file in batches as Float32Array, reading only the bytes of each
 * batch (memory stays at one batch). Any supported dtype is converted to float32. `batches()`
 * can be called again for another pass (two-pass algorithms such as binning ranges).
 * Close it when done (or use `withNpyRows`).
 */
export class NpyRowReader {
  readonly dtype: NpyHeader["dtype"];
  readonly shape: readonly number[];
  /** Number of rows (product of all axes but the last). */
  readonly rows: number;
  /** Values per row (the last axis). */
  readonly width: number;
  private fd: number | undefined;
  private scratch = new Uint8Array(0);

  private constructor(
    readonly path: string,
    fd: number,
    private readonly header: NpyHeader,
  ) {
    this.fd = fd;
    this.dtype = header.dtype;
    this.shape = header.shape;
    this.width = header.shape.length >= 2 ? header.shape[header.shape.length - 1]! : 1;
    this.rows = this.width === 0 ? header.shape.slice(0, -1).reduce((a, b) => a * b, 1) : header.size / this.width;
  }

  /** Opens a file and checks its header and length (a truncated file fails here, not mid-stream). */
  static open(path: string): NpyRowReader {
    const fd = openForReading(path);
    try {
      const { header } = readHeader(fd, path);
      return new NpyRowReader(path, fd, header);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /**
   * Reads rows [start, start + count) as float32 into `out` (allocated when not given; must
   * hold count × width values).
   */
  readRows(start: number, count: number, out?: Float32Array): Float32Array {
    const span = this.span(start, count, out);
    if (span.direct) {
      // straight into the output: no conversion, no copy
      readFully(span.fd, span.direct, span.position, this.path);
      return span.result;
    }
    if (this.scratch.length < span.byteLength) this.scratch = new Uint8Array(span.byteLength);
    const bytes = this.scratch.subarray(0, span.byteLength);
    readFully(span.fd, bytes, span.position, this.path);
    return this.decodeInto(span, bytes);
  }

  /**
   * `readRows` without blocking this thread: the bytes are read on libuv's thread pool (a
   * float32 file straight into `out`), so the caller's JavaScript runs meanwhile.
   */
  async readRowsAsync(start: number, count: number, out?: Float32Array): Promise<Float32Array> {
    const span = this.span(start, count, out);
    if (span.direct) {
      await readFullyAsync(span.fd, span.direct, span.position, this.path);
      return span.result;
    }
    const bytes = new Uint8Array(span.byteLength); // not the shared scratch: reads may overlap
    await readFullyAsync(span.fd, bytes, span.position, this.path);
    return this.decodeInto(span, bytes);
  }

  /** Checks a row range and works out where its bytes are and where they go. */
  private span(start: number, count: number, out: Float32Array | undefined) {
    if (this.fd === undefined) throw new Error(`NpyRowReader for ${this.path} is closed`);
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.rows) {
      throw new RangeError(`rows [${start}, ${start + count}) are outside ${this.path}'s ${this.rows} rows`);
    }
    const values = count * this.width;
    const target = out ?? new Float32Array(values);
    if (target.length < values) throw new RangeError(`output buffer holds ${target.length} values, ${values} needed`);
    const { itemSize, dataOffset, dtype, littleEndian } = this.header;
    const byteLength = values * itemSize;
    const raw = dtype === "float32" && littleEndian === HOST_IS_LITTLE_ENDIAN;
    return {
      fd: this.fd,
      values,
      target,
      byteLength,
      position: dataOffset + start * this.width * itemSize,
      direct: raw ? new Uint8Array(target.buffer, target.byteOffset, byteLength) : null,
      result: values === target.length ? target : target.subarray(0, values),
    };
  }

  private decodeInto(span: { values: number; target: Float32Array; result: Float32Array }, bytes: Uint8Array) {
    const { dtype, littleEndian } = this.header;
    const decoded = decodeNpyData({ dtype, littleEndian, size: span.values }, bytes);
    for (let i = 0; i < span.values; i++) span.target[i] = Number(decoded[i]!);
    return span.result;
  }

  /**
   * Iterates over all rows in batches of `batchSize`. With `reuse: true` every batch is written
   * into the same buffer (no allocation per batch; copy a batch if you keep it).
   */
  *batches(batchSize: number, options: { reuse?: boolean } = {}): Generator<RowBatch> {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    const shared = options.reuse ? new Float32Array(Math.min(batchSize, this.rows) * this.width) : undefined;
    for (let start = 0; start < this.rows; start += batchSize) {
      const count = Math.min(batchSize, this.rows - start);
      yield { start, count, rows: this.readRows(start, count, shared) };
    }
  }

  /**
   * Iterates over all rows in batches of `batchSize`, reading up to `ahead` batches (default 2)
   * ahead on libuv's thread pool while the caller works on the current one. Buffers are reused
   * in a ring of `ahead` + 3 (fresh buffers per batch are collected too late: RSS grew to 0.5 GB
   * on a 0.6 GB file), so a batch stays valid while the caller receives the next two, then is
   * overwritten: `accumulateBatches` holds at most one batch in flight. With `shared: true` the
   * buffers are SharedArrayBuffers, which a worker thread (the onnx back end's kernel) reads
   * without a copy. Memory: `ahead` + 3 batches.
   */
  async *readAhead(batchSize: number, options: { shared?: boolean; ahead?: number } = {}): AsyncGenerator<RowBatch> {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    const ahead = Math.max(1, options.ahead ?? 2);
    const ring: Float32Array[] = [];
    const pending: Promise<RowBatch>[] = [];
    let next = 0;
    let issued = 0;
    const issue = () => {
      const start = next;
      const count = Math.min(batchSize, this.rows - start);
      next += count;
      const slot = issued++ % (ahead + 3);
      if (!ring[slot]) {
        const bytes = Math.min(batchSize, this.rows) * this.width * 4;
        ring[slot] = new Float32Array(options.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
      }
      const rows = ring[slot]!;
      const read = this.readRowsAsync(start, count, rows).then((data) => ({ start, count, rows: data }));
      read.catch(() => {}); // awaited in order below; this only silences reads abandoned by an early exit
      pending.push(read);
    };
    while (pending.length < ahead && next < this.rows) issue();
    while (pending.length > 0) {
      const batch = await pending.shift()!;
      while (pending.length < ahead && next < this.rows) issue();
      yield batch;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Opens a reader, runs `body`, and closes the file however `body` ends. */
export async function withNpyRows<T>(path: string, body: (reader: NpyRowReader) => T | Promise<T>): Promise<T> {
  const reader = NpyRowReader.open(path);
  try {
    return await body(reader);
  } finally {
    reader.close();
  }
}

/**
 * Writes a 2-D .npy file row batch by row batch, without knowing the row count in advance:
 * the header is written with room for a 21-digit row count (as numpy does) and rewritten with
 * the final shape by `close()`. Until then the file's header says 0 rows.
 */
export class NpyRowWriter {
  private fd: number | undefined;
  private rowsWritten = 0;
  private readonly headerLength: number;

  private constructor(
    readonly path: string,
    readonly width: number,
    private readonly dtype: "float16" | "float32" | "float64",
  ) {
    this.fd = openForWriting(path);
    const header = encodeNpyHeader(dtype, [0, width]);
    this.headerLength = header.length;
    writeAll(this.fd, header);
  }

  static create(path: string, options: { width: number; dtype?: "float16" | "float32" | "float64" }): NpyRowWriter {
    if (!Number.isInteger(options.width) || options.width < 1)
      throw new RangeError(`row width must be a positive integer, got ${options.width}`);
    return new NpyRowWriter(path, options.width, options.dtype ?? "float32");
  }

  get rows(): number {
    return this.rowsWritten;
  }

  /** Appends rows (a multiple of `width` values, row-major). */
  append(rows: Float32Array | Float64Array): void {
    if (this.fd === undefined) throw new Error(`NpyRowWriter for ${this.path} is closed`);
    if (rows.length % this.width !== 0)
      throw new RangeError(`${rows.length} values is not a whole number of rows of width ${this.width}`);
    writeAll(this.fd, encodeNpyData(rows, this.dtype));
    this.rowsWritten += rows.length / this.width;
  }

  /** Writes the final shape into the header and closes the file. */
  close(): void {
    if (this.fd === undefined) return;
    const header = encodeNpyHeader(this.dtype, [this.rowsWritten, this.width]);
    if (header.length !== this.headerLength)
      throw new Error(`internal: .npy header length changed (${formatShape([this.rowsWritten, this.width])})`);
    writeAll(this.fd, header, 0);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * The NumPy `.npy` format (versions 1.0, 2.0, 3.0) on bytes in memory: header parsing and
 * encoding, decoding and encoding of C-order arrays. No Node imports (runs in a browser);
 * file access and streaming are in ./npy.ts.
 *
 * Layout: magic "\x93NUMPY", major, minor, header length (uint16 LE for 1.0, uint32 LE for
 * 2.0/3.0), then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and a final '\n' so the data starts on a 64-byte boundary, then the data.
 *
 * Supported dtypes: float16/32/64, int8/16/32/64, uint8/16, bool, in either byte order.
 * Decoded arrays: float16 → Float32Array (exact), float32 → Float32Array, float64 →
 * Float64Array, int64 → BigInt64Array, the narrower integers and bool → Int32Array.
 */
import { InputError } from "./errors.js";

export type NpyDtype =
  | "float16"
  | "float32"
  | "float64"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "int64"
  | "bool";
export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

export interface NpyHeader {
  dtype: NpyDtype;
  /** The descr string as written, e.g. "<f4". */
  descr: string;
  littleEndian: boolean;
  itemSize: number;
  shape: number[];
  /** Number of elements (product of the shape; 1 for a 0-d array). */
  size: number;
  version: [number, number];
  /** Byte offset of the data from the start of the file. */
  dataOffset: number;
  /** size × itemSize. */
  dataBytes: number;
}

interface DtypeInfo {
  dtype: NpyDtype;
  itemSize: number;
}

const DTYPE_CODES: Record<string, DtypeInfo> = {
  f2: { dtype: "float16", itemSize: 2 },
  f4: { dtype: "float32", itemSize: 4 },
  f8: { dtype: "float64", itemSize: 8 },
  i1: { dtype: "int8", itemSize: 1 },
  u1: { dtype: "uint8", itemSize: 1 },
  b1: { dtype: "bool", itemSize: 1 },
  i2: { dtype: "int16", itemSize: 2 },
  u2: { dtype: "uint16", itemSize: 2 },
  i4: { dtype: "int32", itemSize: 4 },
  i8: { dtype: "int64", itemSize: 8 },
};
const DTYPE_CODE_OF: Record<NpyDtype, string> = Object.fromEntries(
  Object.entries(DTYPE_CODES).map(([code, info]) => [info.dtype, code]),
) as Record<NpyDtype, string>;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
/** numpy ≥ 1.24 pads headers so the first axis can grow to 21 digits in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function fail(message: string, source?: string): never {
  throw new InputError(message, source ? { file: source } : {});
}

/** Bytes needed to read the header: the 10- or 12-byte preamble, then the header itself. */
export function npyPreambleLength(bytes: Uint8Array, source?: string): number {
  if (bytes.length < 10) fail(`not a .npy file: ${bytes.length} bytes, shorter than the 10-byte preamble`, source);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) fail(`not a .npy file: it does not start with the magic bytes \\x93NUMPY`, source);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0)
    fail(`unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`, source);
  return major === 1 ? 10 : 12;
}

/**
 * Parses the preamble and header from the first bytes of a .npy file (at least
 * `dataOffset` bytes; use npyHeaderLength first when reading a file piecewise).
 */
export function parseNpyHeader(bytes: Uint8Array, source?: string): NpyHeader {
  const preamble = npyPreambleLength(bytes, source);
  const major = bytes[6]!;
  if (bytes.length < preamble) fail(`truncated .npy preamble: ${bytes.length} of ${preamble} bytes`, source);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = preamble + headerLength;
  if (bytes.length < dataOffset) {
    fail(
      `truncated .npy header: the preamble announces ${headerLength} header bytes, only ${bytes.length - preamble} present`,
      source,
    );
  }
  const headerBytes = bytes.subarray(preamble, dataOffset);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? "utf-8" : "latin1", { fatal: true }).decode(headerBytes);
  } catch {
    fail(`malformed .npy header: not valid ${major === 3 ? "UTF-8" : "latin-1"} text`, source);
  }
  const dict = parseHeaderDict(text, source);
  const keys = Object.keys(dict).sort();
  if (keys.join(",") !== "descr,fortran_order,shape") {
    fail(
      `malformed .npy header: expected exactly the keys descr, fortran_order, shape; got ${keys.join(", ") || "none"}`,
      source,
    );
  }
  const { descr, fortran_order: fortranOrder, shape } = dict as Record<string, PyValue>;
  if (typeof descr !== "string") {
    fail(
      `unsupported .npy dtype: structured (record) arrays are not supported; save one plain numeric array per file`,
      source,
    );
  }
  if (typeof fortranOrder !== "boolean") fail(`malformed .npy header: fortran_order must be True or False`, source);
  if (!Array.isArray(shape) || !shape.every((v): v is number => typeof v === "number")) {
    fail(`malformed .npy header: shape must be a tuple of integers`, source);
  }
  const { dtype, itemSize, littleEndian } = parseDescr(descr, source);
  let size = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0)
      fail(`malformed .npy header: shape ${formatShape(shape)} has an invalid dimension ${dim}`, source);
    size *= dim;
  }
  if (!Number.isSafeInteger(size * itemSize)) fail(`.npy shape ${formatShape(shape)} is too large`, source);
  // Fortran order changes the layout only when two or more axes are longer than 1.
  if (fortranOrder && shape.filter((dim) => dim > 1).length > 1) {
    fail(`Fortran-order (column-major) arrays are not supported; save with numpy.ascontiguousarray(a) first`, source);
  }
  return {
    dtype,
    descr,
    littleEndian,
    itemSize,
    shape: shape.slice(),
    size,
    version: [major, 0],
    dataOffset,
    dataBytes: size * itemSize,
  };
}

function parseDescr(descr: string, source?: string): DtypeInfo & { littleEndian: boolean } {
  const match = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  const code = match ? `${match[2]}${match[3]}` : "";
  const info = DTYPE_CODES[code];
  if (!match || !info) {
    const kind = descr.replace(/^[<>|=]/, "")[0];
    const what =
      kind === "O"
        ? "object arrays need pickle"
        : kind === "U" || kind === "S"
          ? "string arrays"
          : kind === "c"
            ? "complex numbers"
            : kind === "M" || kind === "m"
              ? "dates and times"
              : kind === "V"
                ? "void/structured records"
                : kind === "u"
                  ? "unsigned integers wider than 16 bits"
                  : "unknown type code";
    fail(
      `unsupported .npy dtype '${descr}' (${what}); supported: float16/32/64, int8/16/32/64, uint8/16, bool`,
      source,
    );
  }
  const order = match[1];
  if (order === "|" && info.itemSize > 1)
    fail(`malformed .npy dtype '${descr}': '|' (no byte order) is only valid for 1-byte types`, source);
  // '=' (native) never appears in files numpy writes; read it as little-endian, numpy's usual native order.
  return { ...info, littleEndian: order !== ">" };
}

type PyValue = string | number | boolean | PyValue[] | { [key: string]: PyValue };

/** A small parser for the Python literal numpy writes: dicts, strings, ints, booleans, tuples, lists. */
function parseHeaderDict(text: string, source?: string): Record<string, PyValue> {
  let i = 0;
  const bad = (what: string): never =>
    fail(`malformed .npy header: ${what} at character ${i} of ${JSON.stringify(text.slice(0, 200))}`, source);
  const skip = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > 8) bad("nesting too deep");
    skip();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) bad("unterminated string");
      const s = text.slice(i + 1, end);
      if (s.includes("\\")) bad("escape sequences are not supported in header strings");
      i = end + 1;
      return s;
    }
    if (c === "(" || c === "[") {
      const close = c === "(" ? ")" : "]";
      i++;
      const items: PyValue[] = [];
      for (;;) {
        skip();
        if (text[i] === close) {
          i++;
          return items;
        }
        items.push(value(depth + 1));
        skip();
        if (text[i] === ",") i++;
        else if (text[i] !== close) bad(`expected ',' or '${close}'`);
      }
    }
    if (c === "{") {
      i++;
      const dict: Record<string, PyValue> = {};
      for (;;) {
        skip();
        if (text[i] === "}") {
          i++;
          return dict;
        }
        const key = value(depth + 1);
        if (typeof key !== "string") bad("dict keys must be strings");
        skip();
        if (text[i] !== ":") bad("expected ':'");
        i++;
        if (Object.hasOwn(dict, key as string)) bad(`duplicate key '${key}'`);
        dict[key as string] = value(depth + 1);
        skip();
        if (text[i] === ",") i++;
        else if (text[i] !== "}") bad("expected ',' or '}'");
      }
    }
    const word = /^(True|False|-?\d+L?)/.exec(text.slice(i, i + 32));
    if (!word) return bad("unexpected text");
    i += word[0].length;
    if (word[0] === "True") return true;
    if (word[0] === "False") return false;
    return Number(word[0].replace("L", ""));
  };
  skip();
  if (text[i] !== "{") bad("the header must be a dict literal");
  const dict = value(0);
  skip();
  if (i !== text.length) bad("unexpected text after the dict");
  return dict as Record<string, PyValue>;
}

export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Decodes a complete .npy file held in memory. */
export function parseNpy(bytes: Uint8Array, source?: string): NpyArray {
  const header = parseNpyHeader(bytes, source);
  const available = bytes.length - header.dataOffset;
  checkDataLength(header, available, source);
  const data = decodeNpyData(header, bytes.subarray(header.dataOffset, header.dataOffset + header.dataBytes));
  return { dtype: header.dtype, shape: header.shape, data };
}

/** Throws a clear error when a file's data section is shorter or longer than the header says. */
export function checkDataLength(header: NpyHeader, available: number, source?: string): void {
  if (available === header.dataBytes) return;
  const expected = `header says shape ${formatShape(header.shape)} of ${header.descr} → ${header.dataBytes} data bytes`;
  if (available < header.dataBytes) fail(`truncated .npy file: ${expected}, but only ${available} are present`, source);
  fail(
    `malformed .npy file: ${expected}, but ${available} follow the header (${available - header.dataBytes} extra)`,
    source,
  );
}

/** Decodes `count` elements of the header's dtype from little/big-endian bytes. */
export function decodeNpyData(header: Pick<NpyHeader, "dtype" | "littleEndian" | "size">, bytes: Uint8Array): NpyData {
  const { dtype, littleEndian, size } = header;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "float32":
      return decodeInto(new Float32Array(size), bytes, 4, littleEndian, (i) => view.getFloat32(4 * i, littleEndian));
    case "float64":
      return decodeInto(new Float64Array(size), bytes, 8, littleEndian, (i) => view.getFloat64(8 * i, littleEndian));
    case "int32":
      return decodeInto(new Int32Array(size), bytes, 4, littleEndian, (i) => view.getInt32(4 * i, littleEndian));
    case "int64": {
      const out = new BigInt64Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getBigInt64(8 * i, littleEndian);
      return out;
    }
    case "float16": {
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = halfToFloat(view.getUint16(2 * i, littleEndian));
      return out;
    }
    case "int16":
    case "uint16": {
      const out = new Int32Array(size);
      for (let i = 0; i < size; i++)
        out[i] = dtype === "int16" ? view.getInt16(2 * i, littleEndian) : view.getUint16(2 * i, littleEndian);
      return out;
    }
    case "int8":
      return Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, size));
    case "uint8":
      return Int32Array.from(bytes.subarray(0, size));
    case "bool":
      return Int32Array.from(bytes.subarray(0, size), (b) => (b ? 1 : 0));
  }
}

/** Fast path: a byte copy when the file's byte order is the host's, else element by element. */
function decodeInto<T extends Float32Array | Float64Array | Int32Array>(
  out: T,
  bytes: Uint8Array,
  itemSize: number,
  littleEndian: boolean,
  read: (i: number) => number,
): T {
  if (littleEndian === HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer, out.byteOffset, out.length * itemSize).set(bytes.subarray(0, out.length * itemSize));
  } else {
    for (let i = 0; i < out.length; i++) out[i] = read(i);
  }
  return out;
}

/** IEEE 754 half precision bits → number (exact). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * number → IEEE 754 half precision bits, rounding to nearest even from the value's float32
 * rounding (exact for float32 input; a float64 input that lies extremely close to a half-way
 * point can round differently from numpy's direct float64 → float16 conversion).
 */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf or NaN
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mantissa |= 0x800000; // implicit bit
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (half + (rest > halfway || (rest === halfway && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // rounding may carry into the exponent (and up to Inf), which is the right answer
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

export interface EncodeNpyOptions {
  /** Element type to write; defaults to the array's own (Float32Array → float32, …). */
  dtype?: "float16" | "float32" | "float64" | "int32" | "int64";
  /** Write big-endian ('>') instead of little-endian ('<'). */
  bigEndian?: boolean;
}

/** The dtype an array is written as by default. */
export function defaultDtype(data: NpyData | ArrayLike<number>): NonNullable<EncodeNpyOptions["dtype"]> {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof BigInt64Array) return "int64";
  return "float64";
}

/**
 * The header bytes (preamble + dict + padding) numpy would write for this dtype and shape:
 * version 1.0 when it fits, else 2.0; padded so that the first axis can grow to 21 digits
 * without changing the header length (which NpyRowWriter relies on).
 */
export function encodeNpyHeader(dtype: NpyDtype, shape: readonly number[], bigEndian = false): Uint8Array {
  const code = DTYPE_CODE_OF[dtype];
  const itemSize = DTYPE_CODES[code]!.itemSize;
  const order = itemSize === 1 ? "|" : bigEndian ? ">" : "<";
  let dict = `{'descr': '${order}${code}', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`;
  if (shape.length > 0) dict += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  for (const major of [1, 2]) {
    const preamble = major === 1 ? 10 : 12;
    const headerLength = dict.length + 1;
    const padding = ARRAY_ALIGN - ((preamble + headerLength) % ARRAY_ALIGN);
    const total = headerLength + padding;
    if (major === 1 && total > 0xffff) continue;
    const out = new Uint8Array(preamble + total);
    out.set(MAGIC);
    out[6] = major;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (major === 1) view.setUint16(8, total, true);
    else view.setUint32(8, total, true);
    for (let i = 0; i < dict.length; i++) out[preamble + i] = dict.charCodeAt(i);
    out.fill(0x20, preamble + dict.length, out.length - 1);
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new RangeError("unreachable: a .npy 2.0 header always fits");
}

/** Checks that data has as many elements as the shape says. */
export function checkShape(length: number, shape: readonly number[]): void {
  if (!shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0))
    throw new RangeError(`invalid shape ${formatShape(shape)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length)
    throw new RangeError(`shape ${formatShape(shape)} has ${size} elements but the data has ${length}`);
}

/** The data section's bytes for `values` written as `dtype`. */
export function encodeNpyData(
  values: NpyData | ArrayLike<number>,
  dtype: NonNullable<EncodeNpyOptions["dtype"]>,
  bigEndian = false,
): Uint8Array {
  const littleEndian = !bigEndian;
  const n = values.length;
  const itemSize = DTYPE_CODES[DTYPE_CODE_OF[dtype]]!.itemSize;
  if (littleEndian === HOST_IS_LITTLE_ENDIAN) {
    const native =
      (dtype === "float32" && values instanceof Float32Array) ||
      (dtype === "float64" && values instanceof Float64Array) ||
      (dtype === "int32" && values instanceof Int32Array) ||
      (dtype === "int64" && values instanceof BigInt64Array);
    if (native) return new Uint8Array(values.buffer, values.byteOffset, n * itemSize);
  }
  const out = new Uint8Array(n * itemSize);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    switch (dtype) {
      case "float16":
        view.setUint16(2 * i, floatToHalf(Number(v)), littleEndian);
        break;
      case "float32":
        view.setFloat32(4 * i, Number(v), littleEndian);
        break;
      case "float64":
        view.setFloat64(8 * i, Number(v), littleEndian);
        break;
      case "int32":
        if (typeof v !== "bigint" && !Number.isInteger(v))
          throw new RangeError(`element ${i} is ${v}, not an integer, and cannot be written as int32`);
        view.setInt32(4 * i, Number(v), littleEndian);
        break;
      case "int64":
        if (typeof v !== "bigint" && !Number.isSafeInteger(v))
          throw new RangeError(`element ${i} is ${v}, not a safe integer, and cannot be written as int64`);
        view.setBigInt64(8 * i, BigInt(v), littleEndian);
        break;
    }
  }
  return out;
}

/** A complete .npy file (version 1.0 when the header fits) for `values` with `shape`, C order. */
export function encodeNpy(
  values: NpyData | ArrayLike<number>,
  shape: readonly number[],
  options: EncodeNpyOptions = {},
): Uint8Array {
  checkShape(values.length, shape);
  const dtype = options.dtype ?? defaultDtype(values);
  const header = encodeNpyHeader(dtype, shape, options.bigEndian);
  const data = encodeNpyData(values, dtype, options.bigEndian);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** Any decoded array as float32 (int64 through Number; exact below 2^24). */
export function toFloat32Array(data: NpyData): Float32Array {
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!);
  return out;
}

/**
 * The safetensors format on bytes in memory (no Node imports): an 8-byte little-endian header
 * length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {...}}, then the tensors' bytes (offsets are relative to the end of the header), all
 * little-endian, C order. Files are read piecewise in ./safetensors.ts.
 *
 * Decoded arrays: F32/F16/BF16 → Float32Array (F16 and BF16 exactly), F64 → Float64Array,
 * I64 → BigInt64Array, I32/I16/U16/I8/U8/BOOL → Int32Array.
 */
import { InputError } from "./errors.js";
import { decodeNpyData, type NpyData, type NpyDtype } from "./npyFormat.js";

export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "U16" | "I8" | "U8" | "BOOL";

const ITEM_SIZES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};
const AS_NPY: Record<Exclude<SafetensorsDtype, "BF16">, NpyDtype> = {
  F64: "float64",
  F32: "float32",
  F16: "float16",
  I64: "int64",
  I32: "int32",
  I16: "int16",
  U16: "uint16",
  I8: "int8",
  U8: "uint8",
  BOOL: "bool",
};

/** The safetensors reference implementation refuses headers above 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Number of elements. */
  size: number;
  /** Byte offsets from the start of the file (not of the data section). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  tensors: SafetensorInfo[];
  metadata: Record<string, string>;
  /** Where the data section starts (8 + header length). */
  dataOffset: number;
}

export interface Safetensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: NpyData;
}

function fail(message: string, source?: string): never {
  throw new InputError(message, source ? { file: source } : {});
}

/** The header length N from the first 8 bytes (checked against the 100 MB limit). */
export function safetensorsHeaderLength(first8: Uint8Array, source?: string): number {
  if (first8.length < 8)
    fail(`not a safetensors file: ${first8.length} bytes, shorter than the 8-byte header length`, source);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES))
    fail(`not a safetensors file (or a corrupt one): header length ${n} exceeds ${MAX_HEADER_BYTES} bytes`, source);
  return Number(n);
}

/**
 * Parses the header from the first 8 + N bytes; `fileSize` (the whole file's length) is used to
 * check that every tensor lies inside the file.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, fileSize: number, source?: string): SafetensorsHeader {
  const headerLength = safetensorsHeaderLength(bytes, source);
  const dataOffset = 8 + headerLength;
  if (bytes.length < dataOffset || fileSize < dataOffset) {
    fail(
      `truncated safetensors file: the header announces ${headerLength} bytes of JSON, only ${Math.min(bytes.length, fileSize) - 8} present`,
      source,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataOffset)));
  } catch (error) {
    fail(`malformed safetensors header: not valid JSON (${(error as Error).message})`, source);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    fail(`malformed safetensors header: expected a JSON object`, source);
  const metadata: Record<string, string> = {};
  const tensors: SafetensorInfo[] = [];
  const dataBytes = fileSize - dataOffset;
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry))
        fail(`malformed safetensors header: __metadata__ must be an object`, source);
      for (const [key, value] of Object.entries(entry)) metadata[key] = String(value);
      continue;
    }
    tensors.push(parseEntry(name, entry, dataOffset, dataBytes, source));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.name.localeCompare(b.name));
  return { tensors, metadata, dataOffset };
}

function parseEntry(
  name: string,
  entry: unknown,
  dataOffset: number,
  dataBytes: number,
  source?: string,
): SafetensorInfo {
  const where = `tensor "${name}"`;
  if (typeof entry !== "object" || entry === null)
    fail(`malformed safetensors header: ${where} is not an object`, source);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== "string") fail(`malformed safetensors header: ${where} has no dtype`, source);
  if (!(dtype in ITEM_SIZES)) {
    fail(
      `unsupported safetensors dtype ${dtype} in ${where} (supported: ${Object.keys(ITEM_SIZES).join(", ")})`,
      source,
    );
  }
  const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount))
    fail(`malformed safetensors header: ${where} shape must be a list of non-negative integers`, source);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(`malformed safetensors header: ${where} data_offsets must be [begin, end] non-negative integers`, source);
  }
  const [begin, end] = offsets as [number, number];
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = size * ITEM_SIZES[dtype as SafetensorsDtype];
  if (end < begin || end - begin !== expected) {
    fail(
      `malformed safetensors header: ${where} (${dtype}, shape [${shape.join(", ")}]) needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      source,
    );
  }
  if (end > dataBytes)
    fail(
      `truncated safetensors file: ${where} ends at data byte ${end}, but the data section has ${dataBytes} bytes`,
      source,
    );
  return {
    name,
    dtype: dtype as SafetensorsDtype,
    shape: (shape as number[]).slice(),
    size,
    begin: dataOffset + begin,
    end: dataOffset + end,
  };
}

/** Decodes one tensor from exactly its bytes (end − begin of them). */
export function decodeSafetensor(info: SafetensorInfo, bytes: Uint8Array): NpyData {
  if (bytes.length !== info.end - info.begin)
    throw new RangeError(`tensor "${info.name}" needs ${info.end - info.begin} bytes, got ${bytes.length}`);
  if (info.dtype === "BF16") {
    // bfloat16 is the top half of a float32
    const out = new Float32Array(info.size);
    const bits = new Uint32Array(out.buffer);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < info.size; i++) bits[i] = view.getUint16(2 * i, true) << 16;
    return out;
  }
  return decodeNpyData({ dtype: AS_NPY[info.dtype], littleEndian: true, size: info.size }, bytes);
}

/** A whole safetensors file in memory: its tensors' descriptions, metadata, and a decoder by name. */
export function parseSafetensors(
  bytes: Uint8Array,
  source?: string,
): SafetensorsHeader & { get(name: string): Safetensor } {
  const header = parseSafetensorsHeader(bytes, bytes.length, source);
  return {
    ...header,
    get(name: string): Safetensor {
      const info = findTensor(header, name, source);
      return {
        name,
        dtype: info.dtype,
        shape: info.shape,
        data: decodeSafetensor(info, bytes.subarray(info.begin, info.end)),
      };
    },
  };
}

/** The tensor called `name`, or an error listing the names there are. */
export function findTensor(header: SafetensorsHeader, name: string, source?: string): SafetensorInfo {
  const info = header.tensors.find((t) => t.name === name);
  if (!info) {
    const names = header.tensors.map((t) => t.name);
    const shown = names.slice(0, 20).join(", ") + (names.length > 20 ? `, … (${names.length} in all)` : "");
    fail(`no tensor named "${name}" (tensors: ${shown || "none"})`, source);
  }
  return info;
}

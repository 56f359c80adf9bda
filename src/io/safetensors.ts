/**
 * Reading `.safetensors` files from disk without loading the whole file: the header is read
 * first, then only the bytes of the requested tensor. The format itself is in
 * ./safetensorsFormat.ts.
 */
import { closeSync, fstatSync } from "node:fs";
import { openForReading, readFully } from "./fileRead.js";
import {
  decodeSafetensor,
  findTensor,
  parseSafetensorsHeader,
  safetensorsHeaderLength,
  type Safetensor,
  type SafetensorsHeader,
} from "./safetensorsFormat.js";

export * from "./safetensorsFormat.js";

function withFile<T>(path: string, body: (fd: number, size: number) => T): T {
  const fd = openForReading(path);
  try {
    return body(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, length: number, position: number, path: string): Uint8Array {
  return readFully(fd, new Uint8Array(length), position, path);
}

function readHeader(fd: number, size: number, path: string): SafetensorsHeader {
  const first8 = readAt(fd, Math.min(8, size), 0, path);
  const headerLength = safetensorsHeaderLength(first8, path);
  const bytes = readAt(fd, Math.min(8 + headerLength, size), 0, path);
  return parseSafetensorsHeader(bytes, size, path);
}

/** The tensors (name, dtype, shape, byte range) and metadata of a safetensors file. */
export function listSafetensors(path: string): SafetensorsHeader {
  return withFile(path, (fd, size) => readHeader(fd, size, path));
}

/** Reads one tensor by name (see safetensorsFormat.ts for the arrays each dtype decodes to). */
export function readSafetensor(path: string, name: string): Safetensor {
  return withFile(path, (fd, size) => {
    const info = findTensor(readHeader(fd, size, path), name, path);
    const data = decodeSafetensor(info, readAt(fd, info.end - info.begin, info.begin, path));
    return { name, dtype: info.dtype, shape: info.shape, data };
  });
}

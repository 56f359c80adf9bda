/**
 * Reads a UTF-8 text file line by line in chunks of about 1 MiB, so that a file of any size
 * is read in memory proportional to its longest line (no whole-file string, which V8 caps at
 * about 512 MB). Same checks as decodeUtf8: UTF-16, NUL bytes and invalid UTF-8 are
 * InputErrors naming the file and line; a leading BOM is dropped.
 */
import { open } from "node:fs/promises";
import { InputError } from "./errors.js";
import { decodeUtf8, forEachLine, rejectNul, rejectUtf16 } from "./mappingText.js";

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/** Calls `onLine(line, text)` for every line, numbered from 1 (see forEachLine). */
export async function readTextLines(file: string, onLine: (line: number, text: string) => void): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw new InputError(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file });
  }
  try {
    let carry: Uint8Array = new Uint8Array(0);
    let nextLine = 1;
    let first = true;
    for (;;) {
      const chunk = new Uint8Array(CHUNK_BYTES);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null));
      } catch (error) {
        throw new InputError(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
          file,
        });
      }
      const atEnd = bytesRead === 0;
      let bytes = concat(carry, chunk.subarray(0, bytesRead));
      if (first && (bytes.length >= 3 || atEnd)) {
        first = false;
        rejectUtf16(bytes, file);
        // A binary file is told as such before its first line is parsed as text.
        rejectNul(bytes, file);
        if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      } else if (first) {
        carry = bytes;
        continue;
      }
      let piece: Uint8Array;
      if (atEnd) {
        piece = bytes;
        carry = new Uint8Array(0);
      } else {
        const cut = bytes.lastIndexOf(NEWLINE);
        if (cut < 0) {
          carry = bytes;
          continue;
        }
        piece = bytes.subarray(0, cut);
        carry = bytes.slice(cut + 1);
      }
      const text = decodeUtf8(piece, file, { firstLine: nextLine, whole: false });
      nextLine += forEachLine(text, nextLine, onLine);
      if (atEnd) return;
    }
  } finally {
    await handle.close();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

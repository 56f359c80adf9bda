/**
 * Reads a UTF-8 text file line by line in chunks of about 1 MiB, so that a file of any size
 * is read in memory proportional to its longest line (no whole-file string, which V8 caps at
 * about 512 MB). Same checks as decodeUtf8: UTF-16, NUL bytes and invalid UTF-8 are
 * InputErrors naming the file and line; a leading BOM is dropped. A line longer than 256 MiB
 * is an InputError too (it could not be held as one string).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { InputError } from "./errors.js";
import { decodeUtf8, forEachLine, rejectNul, rejectUtf16 } from "./mappingText.js";

const CHUNK_BYTES = 1 << 20;
const MAX_LINE_BYTES = 1 << 28;
const NEWLINE = 0x0a;

type OnLine = (line: number, text: string) => void;

export interface TextLinesOptions {
  /** Longest line accepted, in bytes (default 256 MiB). */
  maxLineBytes?: number;
}

/**
 * Calls `onLine(line, text)` for every line, numbered from 1 (see forEachLine). Reads
 * synchronously (readTextLinesSync) behind a promise: the callers parse every line anyway.
 */
export async function readTextLines(file: string, onLine: OnLine, options: TextLinesOptions = {}): Promise<void> {
  readTextLinesSync(file, onLine, options);
}

/** Calls `onLine(line, text)` for every line of a file, numbered from 1, in chunks of 1 MiB. */
export function readTextLinesSync(file: string, onLine: OnLine, options: TextLinesOptions = {}): void {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw cannotRead(file, error);
  }
  try {
    const splitter = new LineSplitter(file, onLine, options.maxLineBytes ?? MAX_LINE_BYTES);
    for (;;) {
      const chunk = new Uint8Array(CHUNK_BYTES);
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      } catch (error) {
        throw cannotRead(file, error);
      }
      if (splitter.push(chunk.subarray(0, bytesRead))) return;
    }
  } finally {
    closeSync(fd);
  }
}

function cannotRead(file: string, error: unknown): InputError {
  return new InputError(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file });
}

/** Cuts chunks of bytes at line ends, decodes whole lines, and hands them on. */
class LineSplitter {
  /** Chunks since the last line end (a long line spans several; joined once, when it ends). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private nextLine = 1;
  private first = true;

  constructor(
    private readonly file: string,
    private readonly onLine: OnLine,
    private readonly maxLineBytes: number,
  ) {}

  /** Takes the next chunk (empty at the end of the file); returns true when the file is done. */
  push(chunk: Uint8Array): boolean {
    const file = this.file;
    const atEnd = chunk.length === 0;
    const cut = chunk.lastIndexOf(NEWLINE);
    if (!atEnd && cut < 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes > this.maxLineBytes)
        throw new InputError(`a line longer than ${this.maxLineBytes / 2 ** 20} MiB (is this a text file?)`, {
          file,
          line: this.nextLine,
        });
      return false;
    }
    const head = concat([...this.pending, atEnd ? chunk : chunk.subarray(0, cut)]);
    this.pending = atEnd ? [] : [chunk.slice(cut + 1)];
    this.pendingBytes = atEnd ? 0 : chunk.length - cut - 1;
    let piece = head;
    if (this.first) {
      this.first = false;
      rejectUtf16(piece, file);
      // A binary file is told as such before its first line is parsed as text: NULs anywhere
      // in the first chunk count, numbered by line.
      rejectNul(head, file);
      if (!atEnd) rejectNul(chunk.subarray(cut + 1), file, 2 + countNewlines(head));
      if (piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) piece = piece.subarray(3);
    }
    const text = decodeUtf8(piece, file, { firstLine: this.nextLine, whole: false });
    this.nextLine += forEachLine(text, this.nextLine, this.onLine);
    return atEnd;
  }
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

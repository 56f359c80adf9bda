/**
 * Decoding and splitting the text of mapping files: strict UTF-8 with the line of the
 * first bad byte, and CSV/TSV records. No maths, no Node-only imports.
 */
import { InputError } from "./errors.js";

/**
 * Decodes bytes as UTF-8 (a leading BOM is dropped unless `whole` is false). Binary files (NUL
 * bytes), UTF-16 files and invalid UTF-8 are rejected with the line where the problem is.
 * For a piece of a file that starts at a line boundary, `firstLine` numbers its first line
 * and `whole: false` skips the checks that only apply at the start of a file.
 */
export function decodeUtf8(
  bytes: Uint8Array,
  file: string,
  piece: { firstLine?: number; whole?: boolean } = {},
): string {
  const whole = piece.whole ?? true;
  const base = (piece.firstLine ?? 1) - 1;
  if (whole) rejectUtf16(bytes, file);
  rejectNul(bytes, file, base + 1);
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: !whole }).decode(bytes);
    return whole && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw new InputError("unreadable encoding: not valid UTF-8", { file, line: base + firstBadUtf8Line(bytes) });
  }
}

/** Throws for bytes holding a NUL (binary data), naming its line; `firstLine` numbers the first. */
export function rejectNul(bytes: Uint8Array, file: string, firstLine = 1): void {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new InputError("unreadable encoding: the file contains NUL bytes (binary data?); expected UTF-8 text", {
      file,
      line: firstLine - 1 + lineOf(bytes, nul),
    });
  }
}

/** Throws for bytes that start with a UTF-16 byte-order mark. */
export function rejectUtf16(bytes: Uint8Array, file: string): void {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new InputError("unreadable encoding: the file is UTF-16; save it as UTF-8", { file });
  }
}

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function firstBadUtf8Line(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  let line = 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
    line++;
  }
  return line;
}

/** Splits text into lines, numbered from 1, without their line endings. */
export function numberedLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  forEachLine(text, 1, (line, t) => void lines.push({ line, text: t }));
  return lines;
}

/**
 * Calls `onLine` for each line of `text` (without "\n" or a trailing "\r"), numbered from
 * `firstLine`; returns the number of lines. Text ending in "\n" ends with an empty line.
 */
export function forEachLine(text: string, firstLine: number, onLine: (line: number, text: string) => void): number {
  let line = firstLine;
  let from = 0;
  for (;;) {
    const end = text.indexOf("\n", from);
    const raw = end < 0 ? text.slice(from) : text.slice(from, end);
    onLine(line++, raw.endsWith("\r") ? raw.slice(0, -1) : raw);
    if (end < 0) return line - firstLine;
    from = end + 1;
  }
}

/** Splits one CSV record (RFC 4180 quoting; a field may not span lines). */
export function splitCsvRecord(text: string, where: { file: string; line: number }): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new InputError("unclosed quote in a CSV field", where);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ",")
        throw new InputError(`unexpected text after a quoted CSV field at character ${i + 1}`, where);
    } else {
      const end = text.indexOf(",", i);
      field = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

/** Splits a record of a tab- or comma-separated file. */
export function splitRecord(text: string, format: "tsv" | "csv", where: { file: string; line: number }): string[] {
  return format === "tsv" ? text.split("\t") : splitCsvRecord(text, where);
}

/** Quotes a CSV field when it needs it. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

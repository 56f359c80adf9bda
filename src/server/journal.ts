/**
 * A tolerant reader of a run's results.jsonl for the dashboard (read-only, never repairs).
 * Unlike the resume reader in src/io/runFolder.ts it skips, and counts, every line that is
 * not a measurement row (journal records such as cell-complete markers, objects without a
 * `measure`, unparsable lines), and it stops before a torn last line (no newline yet) so a
 * live tail can pick the rest up once the writer finishes it.
 */
import fs from "node:fs";

/** One measurement row as written by a run (see src/io/runFolder.ts `ResultRow`). */
export interface JournalRow {
  measure: string;
  value: number | null;
  [coordinate: string]: unknown;
}

export interface JournalChunk {
  rows: JournalRow[];
  /** Byte offset just past the last complete line read (where the next read starts). */
  end: number;
  /** Complete lines that were not measurement rows (markers, other records, bad JSON). */
  skipped: number;
  /** The file was shorter than `from` (a resume truncated it), so it was read from the start. */
  restarted?: boolean;
}

/** True for a parsed line that is a measurement row. */
export function isMeasurementRow(value: unknown): value is JournalRow {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const row = value as Record<string, unknown>;
  return typeof row.measure === "string" && (row.value === null || typeof row.value === "number" || !("value" in row));
}

/** Parses complete lines of journal bytes; `start` is the file offset of `bytes[0]`. */
export function parseJournalBytes(bytes: Uint8Array, start: number): JournalChunk {
  const lastNewline = bytes.lastIndexOf(0x0a);
  if (lastNewline < 0) return { rows: [], end: start, skipped: 0 };
  const text = new TextDecoder().decode(bytes.subarray(0, lastNewline));
  const rows: JournalRow[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (isMeasurementRow(parsed)) rows.push(parsed);
    else skipped++;
  }
  return { rows, end: start + lastNewline + 1, skipped };
}

/** Reads the journal from byte `from` to its current end (complete lines only). */
export function readJournalFrom(file: string, from = 0): JournalChunk {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return { rows: [], end: from, skipped: 0 };
  }
  try {
    const size = fs.fstatSync(fd).size;
    // A journal that shrank (a resume truncated a torn line) is read again from the start.
    const start = size < from ? 0 : from;
    const bytes = new Uint8Array(size - start);
    let read = 0;
    while (read < bytes.length) {
      const n = fs.readSync(fd, bytes, read, bytes.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const chunk = parseJournalBytes(bytes.subarray(0, read), start);
    return start < from ? { ...chunk, restarted: true } : chunk;
  } finally {
    fs.closeSync(fd);
  }
}

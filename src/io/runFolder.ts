/**
 * One shape for every experiment's output folder (ARCHITECTURE "Results"):
 * - run.json       what ran: command, version, commit, date, machine, parameters, status
 * - results.jsonl  tidy rows, one measurement per line, appended as produced (the journal
 *                  that `--resume` reads back)
 * - results.csv    the same rows for spreadsheets, written by `finish()`
 * Node-only (file I/O).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { InputError } from "./errors.js";

/** One measurement. Absent coordinates are omitted, never faked. */
export interface ResultRow {
  experiment: string;
  measure: string;
  value: number | null;
  run?: string;
  seed?: number;
  step?: number;
  epoch?: number;
  model?: string;
  layer?: number | string;
  labelSet?: string;
  estimator?: string;
  [coordinate: string]: unknown;
}

export type RunStatus = "running" | "done" | `failed: ${string}`;

export interface RunInfo {
  experiment: string;
  command: string;
  glossaVersion: string;
  gitCommit: string | null;
  started: string;
  updated: string;
  machine: { platform: string; arch: string; cpus: number; cpuModel: string; memoryGiB: number; node: string };
  parameters: Record<string, unknown>;
  status: RunStatus;
  /** Rows in results.jsonl when run.json was last written. */
  rows?: number;
  /** Earlier starts of the same run (set on resume). */
  resumedFrom?: string[];
}

export interface OpenRunOptions {
  experiment: string;
  parameters: Record<string, unknown>;
  /** Defaults to the current process's command line. */
  command?: string;
  /** Continue an existing journal; without it an existing journal is an error. */
  resume?: boolean;
  /** Where to report dropped partial lines and the like (default: stderr). */
  log?: (message: string) => void;
}

const RUN_FILE = "run.json";
const JOURNAL_FILE = "results.jsonl";
const CSV_FILE = "results.csv";

export class RunFolder {
  private rowCount: number;

  private constructor(
    readonly dir: string,
    readonly info: RunInfo,
    /** Rows already in the journal when the run was opened (for resume). */
    readonly existing: ResultRow[],
  ) {
    this.rowCount = existing.length;
  }

  static open(dir: string, options: OpenRunOptions): RunFolder {
    const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
    fs.mkdirSync(dir, { recursive: true });
    const journal = path.join(dir, JOURNAL_FILE);
    let existing: ResultRow[] = [];
    let previous: RunInfo | undefined;
    if (fs.existsSync(journal) && fs.statSync(journal).size > 0) {
      if (!options.resume) {
        throw new InputError(
          `${journal} already holds results; pass --resume to continue that run or choose another --out folder`,
        );
      }
      const read = readJournal(journal);
      if (read.droppedPartialLine) {
        log(
          `${journal}: dropped a partly written last line (an interrupted run); resuming from the ${read.rows.length} complete rows`,
        );
        fs.truncateSync(journal, read.validBytes);
      }
      existing = read.rows;
      previous = readRunInfo(dir);
      if (previous && previous.experiment !== options.experiment) {
        throw new InputError(`${dir} holds a "${previous.experiment}" run, not "${options.experiment}"`);
      }
    }
    const now = new Date().toISOString();
    const info: RunInfo = {
      experiment: options.experiment,
      command: options.command ?? ["glossa", ...process.argv.slice(2)].join(" "),
      glossaVersion: packageVersion(),
      gitCommit: gitCommit(),
      started: now,
      updated: now,
      machine: machineInfo(),
      parameters: options.parameters,
      status: "running",
      rows: existing.length,
      ...(previous ? { resumedFrom: [...(previous.resumedFrom ?? []), previous.started] } : {}),
    };
    const folder = new RunFolder(dir, info, existing);
    folder.writeInfo();
    return folder;
  }

  /** Appends rows to the journal, one JSON object per line, synchronously (crash-safe order). */
  append(rows: readonly ResultRow[]): void {
    if (rows.length === 0) return;
    const text = `${rows.map((row) => JSON.stringify(cleanRow(row))).join("\n")}\n`;
    fs.appendFileSync(path.join(this.dir, JOURNAL_FILE), text);
    this.rowCount += rows.length;
  }

  /** Updates parameters recorded in run.json (e.g. values resolved after opening). */
  recordParameters(extra: Record<string, unknown>): void {
    Object.assign(this.info.parameters, extra);
    this.writeInfo();
  }

  /** Path of a file inside the run folder. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Writes results.csv from the whole journal and marks the run done or failed. */
  finish(status: Exclude<RunStatus, "running">): void {
    const rows = readJournal(path.join(this.dir, JOURNAL_FILE)).rows;
    fs.writeFileSync(path.join(this.dir, CSV_FILE), rowsToCsv(rows));
    this.info.status = status;
    this.writeInfo();
  }

  private writeInfo(): void {
    this.info.updated = new Date().toISOString();
    this.info.rows = this.rowCount;
    const target = path.join(this.dir, RUN_FILE);
    fs.writeFileSync(`${target}.tmp`, `${JSON.stringify(this.info, null, 2)}\n`);
    fs.renameSync(`${target}.tmp`, target);
  }
}

/** Drops undefined coordinates so absent ones never appear as null. */
function cleanRow(row: ResultRow): ResultRow {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    if (v !== undefined) out[k] = typeof v === "number" && !Number.isFinite(v) ? null : v;
  return out as ResultRow;
}

export interface JournalRead {
  rows: ResultRow[];
  /** Bytes of complete, valid lines (where a resume truncates to). */
  validBytes: number;
  droppedPartialLine: boolean;
}

/**
 * Reads a results.jsonl journal. Only the LAST line may be incomplete (a killed run);
 * it is reported via `droppedPartialLine`. A bad line elsewhere is an error naming it.
 */
export function readJournal(file: string): JournalRead {
  if (!fs.existsSync(file)) return { rows: [], validBytes: 0, droppedPartialLine: false };
  const text = fs.readFileSync(file, "utf8");
  const rows: ResultRow[] = [];
  let offset = 0;
  let line = 0;
  while (offset < text.length) {
    line++;
    const end = text.indexOf("\n", offset);
    const isLast = end < 0 || end === text.length - 1;
    const raw = text.slice(offset, end < 0 ? text.length : end);
    let parsed: unknown;
    try {
      parsed = raw.trim() === "" ? undefined : JSON.parse(raw);
    } catch {
      parsed = null;
    }
    const valid =
      parsed !== null && parsed !== undefined && typeof parsed === "object" && "measure" in (parsed as object);
    if (!valid && raw.trim() !== "") {
      if (isLast) return { rows, validBytes: Buffer.byteLength(text.slice(0, offset)), droppedPartialLine: true };
      throw new InputError(`not a result row (expected a JSON object with "measure")`, { file, line });
    }
    if (end < 0) {
      // A complete JSON object without its newline is still a partial write.
      return { rows, validBytes: Buffer.byteLength(text.slice(0, offset)), droppedPartialLine: true };
    }
    if (valid) rows.push(parsed as ResultRow);
    offset = end + 1;
  }
  return { rows, validBytes: Buffer.byteLength(text), droppedPartialLine: false };
}

export function readRunInfo(dir: string): RunInfo | undefined {
  const file = path.join(dir, RUN_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as RunInfo;
  } catch (error) {
    throw new InputError(`unreadable run.json (${(error as Error).message})`, { file });
  }
}

/** Loads any run folder back: its run.json and every complete journal row. */
export function readRunFolder(dir: string): {
  info: RunInfo | undefined;
  rows: ResultRow[];
  droppedPartialLine: boolean;
} {
  if (!fs.existsSync(dir)) throw new InputError(`no such run folder`, { file: dir });
  const { rows, droppedPartialLine } = readJournal(path.join(dir, JOURNAL_FILE));
  return { info: readRunInfo(dir), rows, droppedPartialLine };
}

/** CSV of tidy rows: the union of keys as columns (a fixed order for the common ones). */
export function rowsToCsv(rows: readonly ResultRow[]): string {
  const preferred = [
    "experiment",
    "run",
    "seed",
    "model",
    "params",
    "step",
    "epoch",
    "layer",
    "labelSet",
    "estimator",
    "measure",
    "value",
  ];
  const keys = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) keys.add(k);
  const columns = [...preferred.filter((k) => keys.has(k)), ...[...keys].filter((k) => !preferred.includes(k)).sort()];
  const lines = [columns.join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\n")}\n`;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  const s = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function machineInfo(): RunInfo["machine"] {
  const cpus = os.cpus();
  return {
    platform: os.platform(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

let cachedVersion: string | undefined;
/** glossa's version from its package.json. */
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, "package.json");
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "glossa") return (cachedVersion = pkg.version ?? "unknown");
    }
    dir = path.dirname(dir);
  }
  return (cachedVersion = "unknown");
}

/** The git commit of the glossa checkout, if it is one (null otherwise). */
export function gitCommit(): string | null {
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    return (
      execFileSync("git", ["rev-parse", "HEAD"], { cwd: here, stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

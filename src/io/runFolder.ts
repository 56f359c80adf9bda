/**
 * One shape for every experiment's output folder (ARCHITECTURE "Results"):
 * - run.json       what ran: command, version, commit, date, machine, parameters, status
 * - results.jsonl  tidy rows, one measurement per line, appended as produced (the journal
 *                  that `--resume` reads back)
 * - commits.jsonl  one line `{"id", "rows"}` per commit, written AFTER that commit's rows:
 *                  a commit is the unit of resumption (an lm cell, an emergent epoch, a
 *                  seq2seq measurement step); its rows are all kept or all dropped
 * - results.csv    the same rows for spreadsheets, written by `finish()`
 * - .lock          the owner (PID, host, start) while a process writes the folder
 *
 * Opening a folder (`RunFolder.open`) is where every integrity check lives, once for every
 * experiment: the output path is a writable folder; one writer at a time (the lock); a
 * resume continues only a run of the same experiment and the same parameters; rows of an
 * unfinished commit (a killed run, a torn or truncated journal) are dropped and the journal
 * rewritten atomically, so no row is ever kept twice or half.
 * Node-only (file I/O).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { InputError } from "./errors.js";
import { acquireLock, type RunLock } from "./runLock.js";

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
  /** Defaults to the current process's command line, shell-quoted. */
  command?: string;
  /** Continue an existing journal; without it an existing journal is an error. */
  resume?: boolean;
  /**
   * Parameters (dotted paths, e.g. "config.epochs") a resume may change; every other
   * parameter must equal the one in run.json, or the resume is refused naming it.
   */
  mayChange?: readonly string[];
  /** Where to report dropped rows, a taken-over lock and the like (default: stderr). */
  log?: (message: string) => void;
}

/** A commit as recorded in commits.jsonl: its id and how many journal rows it holds. */
export interface Commit {
  id: string;
  rows: number;
}

const RUN_FILE = "run.json";
const JOURNAL_FILE = "results.jsonl";
const COMMITS_FILE = "commits.jsonl";
const CSV_FILE = "results.csv";

export class RunFolder {
  private rowCount: number;
  private readonly commitIds: Set<string>;

  private constructor(
    readonly dir: string,
    readonly info: RunInfo,
    /** Rows of finished commits already in the journal when the run was opened (for resume). */
    readonly existing: ResultRow[],
    commits: readonly Commit[],
    private readonly lock: RunLock,
  ) {
    this.rowCount = existing.length;
    this.commitIds = new Set(commits.map((c) => c.id));
  }

  static open(dir: string, options: OpenRunOptions): RunFolder {
    const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
    ensureWritableFolder(dir);
    const lock = acquireLock(dir, options.command ?? commandLine(), log);
    try {
      return RunFolder.openLocked(dir, options, log, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  private static openLocked(dir: string, options: OpenRunOptions, log: (m: string) => void, lock: RunLock): RunFolder {
    const journal = path.join(dir, JOURNAL_FILE);
    let existing: ResultRow[] = [];
    let commits: Commit[] = [];
    let previous: RunInfo | undefined;
    const hasJournal = fs.existsSync(journal) && fs.statSync(journal).size > 0;
    if (hasJournal && !options.resume) {
      throw new InputError(
        `${journal} already holds results; pass --resume to continue that run or choose another --out folder`,
      );
    }
    if (options.resume) {
      previous = readRunInfo(dir);
      if (previous && previous.experiment !== options.experiment) {
        throw new InputError(`${dir} holds a "${previous.experiment}" run, not "${options.experiment}"`);
      }
      if (previous) checkSameParameters(dir, previous.parameters ?? {}, options.parameters, options.mayChange ?? []);
    }
    if (hasJournal) ({ rows: existing, commits } = recoverJournal(dir, log));
    else for (const file of [journal, path.join(dir, COMMITS_FILE)]) fs.rmSync(file, { force: true });
    const now = new Date().toISOString();
    const info: RunInfo = {
      experiment: options.experiment,
      command: options.command ?? commandLine(),
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
    const folder = new RunFolder(dir, info, existing, commits, lock);
    folder.writeInfo();
    return folder;
  }

  /** Whether a commit of this id is in the journal (finished before an interruption). */
  isCommitted(id: string): boolean {
    return this.commitIds.has(id);
  }

  /**
   * Journals one commit: its rows in one append, then its record in commits.jsonl. A
   * process killed between the two leaves rows without a record; the next resume drops them.
   */
  commit(id: string, rows: readonly ResultRow[]): void {
    if (this.commitIds.has(id)) throw new Error(`internal: commit "${id}" written twice to ${this.dir}`);
    if (rows.length) {
      const text = `${rows.map((row) => JSON.stringify(cleanRow(row))).join("\n")}\n`;
      fs.appendFileSync(path.join(this.dir, JOURNAL_FILE), text);
    }
    fs.appendFileSync(path.join(this.dir, COMMITS_FILE), `${JSON.stringify({ id, rows: rows.length })}\n`);
    this.commitIds.add(id);
    this.rowCount += rows.length;
  }

  /**
   * Adds parameters resolved after opening (e.g. split sizes) to run.json. A run's own setting is
   * never overwritten with another value: a resume compares the settings, so it would be refused.
   */
  recordParameters(extra: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(extra)) {
      const before = this.info.parameters[key];
      if (before !== undefined && JSON.stringify(before) !== JSON.stringify(value))
        throw new Error(
          `internal: recordParameters would change parameter "${key}" of ${this.dir} (${JSON.stringify(before)} → ${JSON.stringify(value)})`,
        );
    }
    Object.assign(this.info.parameters, extra);
    this.writeInfo();
  }

  /** Path of a file inside the run folder. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Every committed row in the journal (those read at opening and those committed since). */
  rows(): ResultRow[] {
    return readJournal(path.join(this.dir, JOURNAL_FILE)).rows;
  }

  /** Writes results.csv from the whole journal, marks the run done or failed and releases the lock. */
  finish(status: Exclude<RunStatus, "running">): void {
    try {
      fs.writeFileSync(path.join(this.dir, CSV_FILE), rowsToCsv(this.rows()));
      this.info.status = status;
      this.writeInfo();
    } finally {
      this.lock.release();
    }
  }

  /** Releases the lock leaving the run resumable (status stays "running"). */
  close(): void {
    this.lock.release();
  }

  private writeInfo(): void {
    this.info.updated = new Date().toISOString();
    this.info.rows = this.rowCount;
    writeAtomically(path.join(this.dir, RUN_FILE), `${JSON.stringify(this.info, null, 2)}\n`);
  }
}

/** Writes a file through a temporary name and a rename, so readers see the old or the new whole file. */
export function writeAtomically(file: string, data: string | Uint8Array): void {
  fs.writeFileSync(`${file}.tmp`, data);
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Makes `dir` (and its parents) a folder this process can write, or throws a one-line
 * InputError: a path naming a file, a read-only file system, no permission.
 */
export function ensureWritableFolder(dir: string): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory())
    throw new InputError("is a file, not a folder; choose another --out", { file: dir });
  try {
    makeFolders(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "EROFS"
        ? "the file system is read-only"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "ENOTDIR" || code === "EEXIST"
            ? "a parent of it is a file"
            : code === "ENOENT"
              ? "this file system does not allow creating it"
              : (code ?? (error as Error).message);
    throw new InputError(`cannot write a run folder here (${why}); choose another --out`, { file: dir });
  }
}

/**
 * mkdir -p, one level at a time from the first existing ancestor. (Node's recursive mkdir
 * never returns on some pseudo file systems, e.g. under /proc, where mkdir answers ENOENT.)
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) {
    missing.push(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing.reverse()) fs.mkdirSync(folder);
}

/** The first parameter that differs (dotted path), or undefined when none does. */
export function differingParameter(
  before: Record<string, unknown>,
  now: Record<string, unknown>,
  mayChange: readonly string[] = [],
  prefix = "",
): string | undefined {
  for (const key of Object.keys(now)) {
    const name = prefix + key;
    if (mayChange.includes(name)) continue;
    const a = before[key];
    const b = now[key];
    if (isPlainObject(a) && isPlainObject(b)) {
      const inner = differingParameter(a, b, mayChange, `${name}.`);
      if (inner) return inner;
    } else if (JSON.stringify(a) !== JSON.stringify(b)) return name;
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function valueAt(obj: Record<string, unknown>, dotted: string): unknown {
  let at: unknown = obj;
  for (const part of dotted.split(".")) at = isPlainObject(at) ? at[part] : undefined;
  return at;
}

function checkSameParameters(
  dir: string,
  before: Record<string, unknown>,
  now: Record<string, unknown>,
  mayChange: readonly string[],
): void {
  // JSON round trip: compare what run.json can hold (undefined keys vanish there too).
  const current = JSON.parse(JSON.stringify(now)) as Record<string, unknown>;
  const name = differingParameter(before, current, mayChange);
  if (name === undefined) return;
  const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));
  throw new InputError(
    `cannot resume: parameter "${name}" differs (the run used ${show(valueAt(before, name))}, now ${show(valueAt(current, name))}); resume with the same settings or choose another --out`,
    { file: path.join(dir, RUN_FILE) },
  );
}

/** Complete commit records, in order (a torn or unreadable line ends the list). */
function readCommits(file: string): Commit[] | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  const commits: Commit[] = [];
  for (const line of text.split("\n").slice(0, -1)) {
    try {
      const c = JSON.parse(line) as Commit;
      if (typeof c.id !== "string" || !Number.isInteger(c.rows) || c.rows < 0) break;
      commits.push(c);
    } catch {
      break;
    }
  }
  return commits;
}

/**
 * Keeps the journal's longest prefix of whole commits and drops the rest (rows of a commit
 * cut short or never recorded), rewriting results.jsonl and commits.jsonl atomically when
 * anything is dropped. A journal written before commit records existed counts as one
 * commit "legacy" of its complete rows.
 */
function recoverJournal(dir: string, log: (message: string) => void): { rows: ResultRow[]; commits: Commit[] } {
  const journal = path.join(dir, JOURNAL_FILE);
  const commitsFile = path.join(dir, COMMITS_FILE);
  const read = readJournal(journal);
  if (read.droppedPartialLine)
    log(`${journal}: dropped a partly written last line (an interrupted run); resuming from the complete rows`);
  let commits = readCommits(commitsFile);
  if (commits === undefined) {
    log(`${journal}: no ${COMMITS_FILE} (a run folder from an older glossa); keeping its ${read.rows.length} rows`);
    commits = [{ id: "legacy", rows: read.rows.length }];
  }
  const kept: Commit[] = [];
  let rows = 0;
  for (const c of commits) {
    if (rows + c.rows > read.rows.length) break;
    kept.push(c);
    rows += c.rows;
  }
  const dropped = read.rows.length - rows;
  if (dropped > 0 || kept.length < commits.length)
    log(
      `${journal}: dropped ${dropped} row(s) of unfinished work (${commits.length - kept.length} commit(s) incomplete or unrecorded); they are recomputed`,
    );
  const keptRows = read.rows.slice(0, rows);
  if (read.droppedPartialLine || dropped > 0 || kept.length !== commits.length || !fs.existsSync(commitsFile)) {
    const text = fs.readFileSync(journal, "utf8");
    let end = 0;
    for (let i = 0; i < rows; i++) end = text.indexOf("\n", end) + 1;
    writeAtomically(journal, text.slice(0, end));
    writeAtomically(commitsFile, kept.map((c) => `${JSON.stringify(c)}\n`).join(""));
  }
  return { rows: keptRows, commits: kept };
}

/** A command line as a POSIX shell would need it typed: arguments with special characters single-quoted. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_\-./=:,@%+]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

/** `glossa <this process's arguments>`, shell-quoted (what run.json records by default). */
export function commandLine(argv: readonly string[] = process.argv.slice(2)): string {
  return shellQuote(["glossa", ...argv]);
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

let cachedCommit: string | null | undefined;
/** The git commit of the glossa checkout, if it is one (null otherwise); asked once per process. */
export function gitCommit(): string | null {
  if (cachedCommit !== undefined) return cachedCommit;
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    cachedCommit =
      execFileSync("git", ["rev-parse", "HEAD"], { cwd: here, stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim() || null;
  } catch {
    cachedCommit = null;
  }
  return cachedCommit;
}

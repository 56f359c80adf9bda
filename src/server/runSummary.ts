/**
 * What the Runs page shows for one run folder: run.json's experiment, command, parameters,
 * start time and status — with "interrupted" for a run whose run.json still says running but
 * whose writer is gone — and progress read from the end of the journal. Read-only.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JOURNAL_FILE, RUN_FILE, type RunLocation } from "./runIndex.js";
import { parseJournalBytes } from "./journal.js";
import { LOCK_FILE, processAlive } from "../io/runLock.js";

export type DashboardStatus = "running" | "done" | "failed" | "interrupted" | "unknown";

export interface RunSummary {
  id: string;
  path: string;
  experiment: string;
  command: string;
  started: string | null;
  updated: string | null;
  status: DashboardStatus;
  /** run.json's own status text (e.g. "failed: out of memory"). */
  statusText: string;
  parameters: Record<string, unknown>;
  /** Complete lines in results.jsonl (rows, plus any journal records). */
  lines: number;
  journalBytes: number;
  progress: { epoch?: number; step?: number; of?: number; fraction?: number };
  /** run.json could not be parsed (e.g. caught mid-write): shown, never fatal. */
  problem?: string;
}

/** A run with status "running" and no write for this long, and no live lock, counts as interrupted. */
export const STALE_AFTER_MS = 30 * 60 * 1000;

export function readRunJson(dir: string): { info: Record<string, unknown>; problem?: string } {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, RUN_FILE), "utf8")) as unknown;
    if (info && typeof info === "object" && !Array.isArray(info)) return { info: info as Record<string, unknown> };
    return { info: {}, problem: "run.json is not a JSON object" };
  } catch (error) {
    return { info: {}, problem: `unreadable run.json (${(error as Error).message})` };
  }
}

/**
 * Whether the writer named in a run's `.lock` ({pid, host, started, command}, or a bare PID) is
 * alive: true/false, or undefined when there is no lock or it names another host.
 */
function lockHolderAlive(dir: string): boolean | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, LOCK_FILE), "utf8");
  } catch {
    return undefined;
  }
  let owner: { pid?: unknown; host?: unknown };
  try {
    const parsed = JSON.parse(text) as unknown;
    owner = typeof parsed === "number" ? { pid: parsed } : ((parsed as typeof owner | null) ?? {});
  } catch {
    owner = { pid: Number(text.trim()) };
  }
  if (typeof owner.host === "string" && owner.host !== os.hostname()) return undefined;
  const pid = owner.pid;
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0) return undefined;
  return processAlive(pid);
}

/**
 * running / done / failed from run.json, and "interrupted" for a run that says running but
 * whose writer is gone: its lock names a dead process, or (folders whose writer keeps a lock
 * and commits.jsonl) the lock is gone, or (older folders without locks) nothing was written
 * for STALE_AFTER_MS.
 */
export function dashboardStatus(statusText: string, dir: string, lastWrite: number, now = Date.now()): DashboardStatus {
  if (statusText === "done") return "done";
  if (statusText.startsWith("failed")) return "failed";
  if (statusText !== "running") return "unknown";
  const alive = lockHolderAlive(dir);
  if (alive !== undefined) return alive ? "running" : "interrupted";
  if (!fs.existsSync(path.join(dir, LOCK_FILE)) && fs.existsSync(path.join(dir, "commits.jsonl"))) return "interrupted";
  return now - lastWrite > STALE_AFTER_MS ? "interrupted" : "running";
}

/** A planned count from the parameters or one level down (e.g. parameters.config.epochs). */
function planned(parameters: Record<string, unknown>, key: string): unknown {
  if (key in parameters) return parameters[key];
  for (const value of Object.values(parameters))
    if (value && typeof value === "object" && !Array.isArray(value) && key in value)
      return (value as Record<string, unknown>)[key];
  return undefined;
}

/** Lines in the journal (a row count that is current while a run is going; run.json's lags). */
function countLines(journal: string): number {
  let lines = 0;
  try {
    const fd = fs.openSync(journal, "r");
    try {
      const buffer = new Uint8Array(1 << 20);
      let position = 0;
      for (;;) {
        const n = fs.readSync(fd, buffer, 0, buffer.length, position);
        if (n === 0) break;
        for (let i = 0; i < n; i++) if (buffer[i] === 0x0a) lines++;
        position += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return 0;
  }
  return lines;
}

/** Progress from the journal's last 64 KiB: the latest epoch/step against parameters.epochs/steps. */
function progressOf(journal: string, size: number, parameters: Record<string, unknown>): RunSummary["progress"] {
  const tail = Math.min(size, 64 * 1024);
  const bytes = new Uint8Array(tail);
  try {
    const fd = fs.openSync(journal, "r");
    try {
      fs.readSync(fd, bytes, 0, tail, size - tail);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return {};
  }
  const firstNewline = size > tail ? bytes.indexOf(0x0a) + 1 : 0;
  const { rows } = parseJournalBytes(bytes.subarray(firstNewline), 0);
  const progress: RunSummary["progress"] = {};
  for (const row of rows) {
    if (typeof row.epoch === "number") progress.epoch = Math.max(progress.epoch ?? row.epoch, row.epoch);
    if (typeof row.step === "number") progress.step = Math.max(progress.step ?? row.step, row.step);
  }
  const total =
    progress.epoch !== undefined
      ? planned(parameters, "epochs")
      : progress.step !== undefined
        ? planned(parameters, "steps")
        : undefined;
  if (typeof total === "number" && total > 0) {
    progress.of = total;
    progress.fraction = Math.min(1, (progress.epoch ?? progress.step ?? 0) / total);
  }
  return progress;
}

export function summariseRun(location: RunLocation, now = Date.now()): RunSummary {
  const { info, problem } = readRunJson(location.dir);
  const journal = path.join(location.dir, JOURNAL_FILE);
  let size = 0;
  let lastWrite = 0;
  for (const file of [journal, path.join(location.dir, RUN_FILE)]) {
    try {
      const stat = fs.statSync(file);
      if (file === journal) size = stat.size;
      lastWrite = Math.max(lastWrite, stat.mtimeMs);
    } catch {
      // vanished between listing and reading
    }
  }
  const statusText = typeof info.status === "string" ? info.status : "unknown";
  const parameters =
    info.parameters && typeof info.parameters === "object" ? (info.parameters as Record<string, unknown>) : {};
  return {
    id: location.id,
    path: location.display,
    experiment: typeof info.experiment === "string" ? info.experiment : "(unknown)",
    command: typeof info.command === "string" ? info.command : "",
    started: typeof info.started === "string" ? info.started : null,
    updated: typeof info.updated === "string" ? info.updated : null,
    status: dashboardStatus(statusText, location.dir, lastWrite, now),
    statusText,
    parameters,
    lines: countLines(journal),
    journalBytes: size,
    progress: progressOf(journal, size, parameters),
    ...(problem ? { problem } : {}),
  };
}

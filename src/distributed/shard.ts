/**
 * NODE ONLY: reading a finished part of a sweep back (a `--shard i/N` folder, or a queue
 * worker's folder for one cell) as whole commits, each tied to its cell's position in the
 * sweep's order, so parts can be put back together in the order one process would have
 * written them.
 */
import fs from "node:fs";
import path from "node:path";
import { InputError } from "../io/errors.js";
import { readJournal, readRunInfo, type ResultRow, type RunInfo } from "../io/runFolder.js";
import { CELLS_FILE, type CellsRecord, type ShardSpec } from "../experiments/runner.js";

/** Parses `--shard i/N` (0 ≤ i < N). */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index >= count)
    throw new InputError(`--shard expects i/N with 0 ≤ i < N (e.g. 0/4), got "${text}"`);
  return { index, count };
}

/** One commit of a part, with the position of its cell in the sweep's order. */
export interface PartCommit {
  id: string;
  ordinal: number;
  rows: ResultRow[];
}

export interface SweepPart {
  dir: string;
  info: RunInfo;
  cells: CellsRecord;
  commits: PartCommit[];
}

/** The cell a commit belongs to: the commit id itself or its longest cell-id prefix ("run/epoch3" → "run"). */
function cellOf(commit: string, cells: ReadonlyMap<string, number>): number | undefined {
  let best: string | undefined;
  for (const id of cells.keys())
    if ((commit === id || commit.startsWith(`${id}/`)) && (best === undefined || id.length > best.length)) best = id;
  return best === undefined ? undefined : cells.get(best);
}

/** Reads a finished part folder: run.json (status done), cells.json, and its journal split into commits. */
export function readSweepPart(dir: string): SweepPart {
  const info = readRunInfo(dir);
  if (!info) throw new InputError("not a run folder (no run.json)", { file: dir });
  if (info.status !== "done")
    throw new InputError(`this part has not finished (status "${info.status}"); run it to the end first`, {
      file: dir,
    });
  const cellsFile = path.join(dir, CELLS_FILE);
  if (!fs.existsSync(cellsFile))
    throw new InputError(`no ${CELLS_FILE}: not a shard (run with --shard i/N) or a queue job's folder`, {
      file: dir,
    });
  let cells: CellsRecord;
  try {
    cells = JSON.parse(fs.readFileSync(cellsFile, "utf8")) as CellsRecord;
  } catch (error) {
    throw new InputError(`unreadable (${(error as Error).message})`, { file: cellsFile });
  }
  const ordinals = new Map(cells.cells.map((c) => [c.id, c.ordinal]));
  const { rows } = readJournal(path.join(dir, "results.jsonl"));
  const commitsFile = path.join(dir, "commits.jsonl");
  const records = fs.existsSync(commitsFile)
    ? fs
        .readFileSync(commitsFile, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as { id: string; rows: number })
    : [];
  const commits: PartCommit[] = [];
  let at = 0;
  for (const record of records) {
    const ordinal = cellOf(record.id, ordinals);
    if (ordinal === undefined)
      throw new InputError(`commit "${record.id}" belongs to no cell listed in ${CELLS_FILE}`, { file: commitsFile });
    commits.push({ id: record.id, ordinal, rows: rows.slice(at, at + record.rows) });
    at += record.rows;
  }
  if (at !== rows.length)
    throw new InputError(`results.jsonl holds ${rows.length} rows but commits.jsonl accounts for ${at}`, {
      file: dir,
    });
  return { dir, info, cells, commits };
}

/** The `--shard` option, the same on every sweep command. */
export const SHARD_OPTION = {
  type: "string",
  description:
    "i/N: run only the i-th of N deterministic slices of the sweep's cells into --out (array jobs); combine with glossa merge",
} as const;

/** `{shard}` for the experiment's options when `--shard` was given. */
export function shardOptions(text: string | undefined): { shard?: ShardSpec } {
  return text === undefined ? {} : { shard: parseShard(text) };
}

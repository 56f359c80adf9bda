/**
 * NODE ONLY: `glossa merge`: puts the folders of a sweep run as `--shard i/N` slices back
 * into one run folder equal to the unsharded run: the same parameters in run.json, the same
 * rows in the same order in results.jsonl (commits ordered by their cell's position in the
 * sweep, as one process writes them), results.csv, and every shard's checkpoints/. It refuses
 * shards of different sweeps or parameters and missing or duplicated shards, naming them, and
 * writes the merged folder under its lock like any run.
 */
import fs from "node:fs";
import path from "node:path";
import { InputError } from "../io/errors.js";
import { differingParameter } from "../io/runFolder.js";
import { withRunFolder } from "../experiments/runner.js";
import { parseShard, readSweepPart, type PartCommit, type SweepPart } from "./shard.js";

export interface MergeOptions {
  out: string;
  /** Recorded in run.json (default: the first shard's command without its --shard). */
  command?: string;
  log?: (message: string) => void;
}

export interface MergeResult {
  dir: string;
  experiment: string;
  shards: number;
  commits: number;
  rows: number;
}

interface Shard extends SweepPart {
  index: number;
  count: number;
}

function withoutShard(parameters: Record<string, unknown>): Record<string, unknown> {
  const { shard: _shard, ...rest } = parameters;
  return rest;
}

/** The shard's command line with its `--shard i/N` taken out: the command of the whole sweep. */
export function unshardedCommand(command: string): string {
  return command
    .replace(/\s--shard(?:=|\s+)\S+/, "")
    .replace(/\s+/g, " ")
    .trim();
}

function readShard(dir: string): Shard {
  const part = readSweepPart(dir);
  const spec = part.info.parameters.shard;
  if (typeof spec !== "string")
    throw new InputError("not a shard folder (its run.json has no shard: it was run without --shard)", {
      file: dir,
    });
  return { ...part, ...parseShard(spec) };
}

/** Throws naming the shards when they are not exactly the N slices of one sweep. */
export function checkShards(shards: readonly Shard[]): void {
  const first = shards[0]!;
  const base = withoutShard(first.info.parameters);
  for (const s of shards.slice(1)) {
    if (s.info.experiment !== first.info.experiment)
      throw new InputError(
        `${s.dir} is a "${s.info.experiment}" run but ${first.dir} is a "${first.info.experiment}" run: not shards of one sweep`,
      );
    const other = withoutShard(s.info.parameters);
    const differs = differingParameter(base, other) ?? differingParameter(other, base);
    if (differs)
      throw new InputError(`${s.dir} and ${first.dir} are shards of different sweeps: parameter "${differs}" differs`);
    if (s.count !== first.count)
      throw new InputError(
        `${s.dir} is shard ${s.index}/${s.count} but ${first.dir} is shard ${first.index}/${first.count}`,
      );
    if (s.cells.total !== first.cells.total)
      throw new InputError(`${s.dir} saw ${s.cells.total} cells but ${first.dir} saw ${first.cells.total}`);
  }
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const seen = byIndex.get(s.index);
    if (seen) throw new InputError(`${seen} and ${s.dir} are both shard ${s.index}/${s.count}`);
    byIndex.set(s.index, s.dir);
  }
  const missing = Array.from({ length: first.count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length)
    throw new InputError(
      `shard(s) ${missing.map((i) => `${i}/${first.count}`).join(", ")} missing (given ${shards.length} of ${first.count})`,
    );
  const covered = new Set<number>();
  for (const s of shards)
    for (const c of s.cells.cells) {
      if (covered.has(c.ordinal)) throw new InputError(`cell "${c.id}" was run by two shards (one is ${s.dir})`);
      covered.add(c.ordinal);
    }
  if (covered.size !== first.cells.total)
    throw new InputError(`the shards ran ${covered.size} of the sweep's ${first.cells.total} cells`);
}

/** Commits of every part in the order one process writes them: by cell position, then as journaled. */
export function sweepOrder(parts: readonly { commits: readonly PartCommit[] }[]): PartCommit[] {
  const all = parts.flatMap((p, part) => p.commits.map((c, k) => ({ c, part, k })));
  all.sort((a, b) => a.c.ordinal - b.c.ordinal || a.part - b.part || a.k - b.k);
  return all.map((x) => x.c);
}

/** Copies every part's checkpoints/ (one file per run: names never clash between cells) into `out`. */
export function copyCheckpoints(parts: readonly { dir: string }[], out: string): void {
  for (const p of parts) {
    const from = path.join(p.dir, "checkpoints");
    if (fs.existsSync(from))
      fs.cpSync(from, path.join(out, "checkpoints"), { recursive: true, force: true, errorOnExist: false });
  }
}

export async function mergeShards(dirs: readonly string[], options: MergeOptions): Promise<MergeResult> {
  if (dirs.length === 0) throw new InputError("give the shard folders to merge");
  const resolved = dirs.map((d) => path.resolve(d));
  if (resolved.includes(path.resolve(options.out)))
    throw new InputError(`--out ${options.out} is one of the shards; merge into a new folder`);
  const shards = dirs.map(readShard).sort((a, b) => a.index - b.index);
  checkShards(shards);
  const first = shards[0]!;
  const identity = { experiment: first.info.experiment, parameters: withoutShard(first.info.parameters) };
  const command = options.command ?? unshardedCommand(first.info.command);
  return withRunFolder(identity, { out: options.out, command, log: options.log }, async (folder, log) => {
    const commits = sweepOrder(shards);
    let rows = 0;
    for (const c of commits) {
      folder.commit(c.id, c.rows);
      rows += c.rows.length;
    }
    copyCheckpoints(shards, folder.dir);
    log(`merged ${shards.length} shards: ${commits.length} commits, ${rows} rows into ${folder.dir}`);
    return { dir: folder.dir, experiment: identity.experiment, shards: shards.length, commits: commits.length, rows };
  });
}

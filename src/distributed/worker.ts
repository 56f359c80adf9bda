/**
 * NODE ONLY: `glossa worker`: takes cell jobs from the queue and runs each as the sweep command
 * itself, restricted to that one cell, in its own run folder under the job's store
 * (`STORE/<sweep>/<cell position>`), resumed from there when an earlier try was interrupted.
 * The cell's commits go back as the job's return value. A job journals rows only: its plots
 * and report are skipped (the coordinator draws them once over the whole sweep; drawing them
 * per job cost an emergent cell ~0.3–0.5 s of CPU, several Vega charts). A worker killed mid-job (kill -9)
 * stops renewing the job's lock; BullMQ's stalled-job check in any live worker puts the job
 * back in the queue, and the next try resumes the cell's folder from its last commit.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Job, Worker } from "bullmq";
import { withCellFilter } from "../experiments/runner.js";
import { LOCK_FILE } from "../io/runLock.js";
import { type CellJob, type CellResult, parseQueueUrl, QUEUE_NAME } from "./queue.js";
import { readSweepPart } from "./shard.js";

/** Runs a sweep command (`emergent`, `seq2seq`, `lm`) in this process; resolves to its exit code. */
export type CommandRunner = (command: string, argv: string[]) => Promise<number>;

export interface WorkerSettings {
  url: string;
  /** Jobs at once in this process (default 1). */
  concurrency?: number;
  /** Seconds a job's lock lasts without renewal: how soon a killed worker's job is retried (default 30). */
  lockSeconds?: number;
  runCommand: CommandRunner;
  log: (message: string) => void;
}

/** Runs one cell job; returns its commits. */
export async function runCellJob(job: Job<CellJob>, runCommand: CommandRunner, log: (m: string) => void) {
  const { command, argv, cells, sweep, store } = job.data;
  const dir = path.join(store, sweep, String(cells[0]!.ordinal));
  const wanted = new Map(cells.map((c) => [c.ordinal, c.id]));
  const what = cells.length === 1 ? `cell ${cells[0]!.id}` : `${cells.length} cells (${cells[0]!.id} …)`;
  const journal = path.join(dir, "results.jsonl");
  const resume = fs.existsSync(journal);
  // An earlier try on another host was declared dead by BullMQ (its lock expired): its folder lock is stale.
  const lock = path.join(dir, LOCK_FILE);
  if (job.attemptsMade > 0 && fs.existsSync(lock)) {
    try {
      const owner = JSON.parse(fs.readFileSync(lock, "utf8")) as { host?: string };
      if (owner.host !== os.hostname()) fs.rmSync(lock, { force: true });
    } catch {
      fs.rmSync(lock, { force: true });
    }
  }
  log(`job ${job.id}: ${command} ${what}${resume ? " (resuming an interrupted try)" : ""}`);
  // rowsOnly: the coordinator draws the summaries, plots and report once over every cell.
  const filter = { name: `job ${job.id}`, accept: (id: string, k: number) => wanted.get(k) === id, rowsOnly: true };
  const code = await withCellFilter(filter, () =>
    runCommand(command, [...argv, "--out", dir, ...(resume ? ["--resume"] : [])]),
  );
  if (code !== 0) throw new Error(`glossa ${command} exited with code ${code}`);
  const part = readSweepPart(dir);
  if (part.cells.cells.length !== cells.length)
    throw new Error(
      `${what}: only ${part.cells.cells.length} of them are in this worker's sweep: are the models, corpus and config the same here?`,
    );
  log(`job ${job.id}: ${what} done (${part.commits.length} commits)`);
  return { commits: part.commits };
}

/** Processes jobs until `stop()`; resolves once the worker is closed. */
export function startWorker(settings: WorkerSettings): {
  worker: Worker<CellJob, CellResult>;
  stop: () => Promise<void>;
} {
  const lockDuration = (settings.lockSeconds ?? 30) * 1000;
  const worker = new Worker<CellJob, CellResult>(
    QUEUE_NAME,
    (job) => runCellJob(job, settings.runCommand, settings.log),
    {
      connection: parseQueueUrl(settings.url),
      concurrency: settings.concurrency ?? 1,
      lockDuration,
      stalledInterval: lockDuration,
      // A job whose worker died is tried again (up to its attempts), not failed at once.
      maxStalledCount: 5,
    },
  );
  worker.on("failed", (job, error) =>
    settings.log(`job ${job?.id}: failed (try ${job?.attemptsMade}): ${error.message}`),
  );
  worker.on("error", (error) => settings.log(`worker: ${error.message}`));
  return { worker, stop: () => worker.close() };
}

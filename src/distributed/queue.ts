/**
 * NODE ONLY: queue mode (`--queue redis://HOST:PORT[/DB]`) on BullMQ + Redis. The coordinator
 * (the sweep command) plans the sweep's cells, enqueues one job per cell (job id = sweep key +
 * cell position, so a re-run with --resume finds the same jobs instead of adding new ones),
 * waits while showing progress, and commits each finished cell's commits into the run folder in
 * the sweep's order, so the folder equals a single-process run's. Cells run in `glossa worker`
 * processes (./worker.ts); their rows come back as job return values, their partial states
 * (checkpoints) stay in the shared `--store` folder and are copied into the run folder.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Queue } from "bullmq";
import { InputError } from "../io/errors.js";
import type { RunFolder } from "../io/runFolder.js";
import type { CellDispatcher, ExperimentIdentity, PlannedCell } from "../experiments/runner.js";
import { copyCheckpoints, sweepOrder } from "./merge.js";
import type { PartCommit } from "./shard.js";

export const QUEUE_NAME = "glossa-cells";

/** What a job carries: how to run one cell of one sweep. */
export interface CellJob {
  /** The sweep command (emergent, seq2seq, lm) and its arguments, without --out/--resume/--queue/--store. */
  command: string;
  argv: string[];
  /** One cell, or a group of cells that share costly work (lm: one model's cells). */
  cells: PlannedCell[];
  /** Identifies the sweep (hash of experiment, parameters and arguments). */
  sweep: string;
  /** Shared folder where the job's own run folder (and its checkpoints) lives. */
  store: string;
}

/** What a finished job returns: its cell's commits (small: rows only). */
export interface CellResult {
  commits: PartCommit[];
}

export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  maxRetriesPerRequest: null;
}

/** `redis://HOST:PORT[/DB]` → ioredis connection options (BullMQ needs maxRetriesPerRequest null). */
export function parseQueueUrl(url: string): RedisConnection {
  const m = /^redis:\/\/([^:/\s]+)(?::(\d+))?(?:\/(\d+))?\/?$/.exec(url.trim());
  if (!m) throw new InputError(`--queue expects redis://HOST:PORT[/DB], got "${url}"`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 6379, db: m[3] ? Number(m[3]) : 0, maxRetriesPerRequest: null };
}

/** The sweep's key: the same sweep (experiment, parameters, arguments) always gets the same jobs. */
export function sweepKey(identity: ExperimentIdentity, command: string, argv: readonly string[]): string {
  return createHash("sha256")
    .update(JSON.stringify([identity.experiment, identity.parameters, command, argv]))
    .digest("hex")
    .slice(0, 16);
}

export const jobId = (sweep: string, cells: readonly PlannedCell[]) => `${sweep}-${cells[0]!.ordinal}`;

/** One job per cell, except that neighbouring cells of one group (lm: one model) make one job. */
export function jobsOf(cells: readonly PlannedCell[]): PlannedCell[][] {
  const jobs: PlannedCell[][] = [];
  for (const cell of cells) {
    const last = jobs.at(-1);
    if (last && cell.group !== undefined && last[0]!.group === cell.group) last.push(cell);
    else jobs.push([cell]);
  }
  return jobs;
}

const describeCells = (cells: readonly PlannedCell[]) =>
  cells.length === 1 ? `cell ${cells[0]!.id}` : `cells ${cells[0]!.id} … ${cells.at(-1)!.id} (${cells.length})`;

/** Options that name where this process writes, or how it runs: not part of a job's arguments. */
const LOCAL_VALUE_OPTIONS = ["out", "queue", "store", "attempts", "shard"];
const LOCAL_FLAGS = ["resume"];

/** A command's arguments as a job runs them: without --out, --resume, --queue, --store, --attempts, --shard. */
export function jobArguments(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.startsWith("--") ? arg.slice(2).split("=")[0]! : "";
    if (LOCAL_FLAGS.includes(name)) continue;
    if (LOCAL_VALUE_OPTIONS.includes(name)) {
      if (!arg.includes("=")) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

export interface QueueSettings {
  url: string;
  /** Shared folder for the jobs' run folders (default: `<out>/queue-store`). */
  store: string;
  /** Tries per job before it counts as failed. */
  attempts: number;
  command: string;
  argv: string[];
  /** Seconds between progress lines (default 2). */
  progressSeconds?: number;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Cells the coordinator has committed whole (appended after a cell's last commit). */
const DONE_FILE = "queue-cells.jsonl";

function doneCells(folder: RunFolder): Set<number> {
  const file = folder.file(DONE_FILE);
  if (!fs.existsSync(file)) return new Set();
  const done = new Set<number>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    try {
      done.add((JSON.parse(line) as PlannedCell).ordinal);
    } catch {
      // a torn last line: that cell is committed again (its commits are skipped as present)
    }
  }
  return done;
}

/** A sweep whose jobs failed every try: exit 1, naming each cell and its last error. */
export class FailedCellsError extends InputError {
  override name = "FailedCellsError";
}

export class QueueDispatcher implements CellDispatcher {
  constructor(private readonly settings: QueueSettings) {}

  async dispatch(
    plan: { identity: ExperimentIdentity; cells: PlannedCell[] },
    folder: RunFolder,
    log: (message: string) => void,
  ): Promise<void> {
    const { settings } = this;
    const sweep = sweepKey(plan.identity, settings.command, settings.argv);
    // Loaded here, so a sweep without --queue never loads BullMQ.
    const { Queue } = await import("bullmq");
    const queue = new Queue<CellJob, CellResult>(QUEUE_NAME, { connection: parseQueueUrl(settings.url) });
    try {
      const done = doneCells(folder);
      const pending = jobsOf(plan.cells.filter((c) => !done.has(c.ordinal)));
      fs.mkdirSync(settings.store, { recursive: true });
      const store = path.resolve(settings.store);
      await queue.addBulk(
        pending.map((cells) => ({
          name: settings.command,
          data: { command: settings.command, argv: settings.argv, cells, sweep, store },
          opts: { jobId: jobId(sweep, cells), attempts: settings.attempts, backoff: { type: "fixed", delay: 500 } },
        })),
      );
      // Jobs that failed for good in an earlier coordinator's run are tried again now.
      for (const cells of pending) {
        const job = await queue.getJob(jobId(sweep, cells));
        if (job && (await job.getState()) === "failed") await job.retry("failed", { resetAttemptsMade: true });
      }
      log(
        `queue ${settings.url}: sweep ${sweep}, ${plan.cells.length} cells (${pending.length} jobs to run, ${plan.cells.length - pending.flat().length} cells already in ${folder.dir}); start workers with: glossa worker --queue ${settings.url}`,
      );
      await this.collect(queue, sweep, pending, folder, log);
    } finally {
      await queue.close();
    }
  }

  /** Waits for the jobs, committing finished cells in the sweep's order; throws naming the failed ones. */
  private async collect(
    queue: Queue<CellJob, CellResult>,
    sweep: string,
    pending: PlannedCell[][],
    folder: RunFolder,
    log: (message: string) => void,
  ): Promise<void> {
    const started = Date.now();
    let next = 0;
    let lastReport = 0;
    const every = (this.settings.progressSeconds ?? 2) * 1000;
    for (;;) {
      const states = await Promise.all(pending.map((c) => queue.getJobState(jobId(sweep, c))));
      // Commit the finished prefix, in order.
      while (next < pending.length && states[next] === "completed") {
        const cells = pending[next]!;
        const job = await queue.getJob(jobId(sweep, cells));
        const result = job?.returnvalue;
        if (!result || !Array.isArray(result.commits))
          throw new Error(`internal: job ${jobId(sweep, cells)} completed without its cells' commits`);
        for (const c of sweepOrder([result])) if (!folder.isCommitted(c.id)) folder.commit(c.id, c.rows);
        copyCheckpoints([{ dir: path.join(this.settings.store, sweep, String(cells[0]!.ordinal)) }], folder.dir);
        fs.appendFileSync(folder.file(DONE_FILE), cells.map((c) => `${JSON.stringify(c)}\n`).join(""));
        next++;
      }
      const count = (s: string) => states.filter((x) => x === s).length;
      const completed = count("completed");
      const failed = count("failed");
      const running = count("active");
      const finished = completed + failed === pending.length;
      if (Date.now() - lastReport >= every || finished) {
        lastReport = Date.now();
        const rate = completed / Math.max(1e-3, (Date.now() - started) / 1000);
        const left = pending.length - completed - failed;
        log(
          `queue: done ${completed}/${pending.length}, running ${running}, waiting ${left - running}, failed ${failed}, ETA ${completed ? formatSeconds(left / rate) : "?"}`,
        );
      }
      if (finished) {
        if (failed === 0) return;
        const reasons: string[] = [];
        for (const [i, cells] of pending.entries()) {
          if (states[i] !== "failed") continue;
          const job = await queue.getJob(jobId(sweep, cells));
          reasons.push(
            `${describeCells(cells)} (job ${jobId(sweep, cells)}, ${job?.attemptsMade ?? "?"} tries): ${job?.failedReason ?? "?"}`,
          );
        }
        throw new FailedCellsError(
          `${failed} of ${pending.length} jobs failed on every try; fix the cause and re-run with --resume:\n  ${reasons.join("\n  ")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The queue options, the same on every sweep command. */
export const QUEUE_OPTIONS = {
  queue: {
    type: "string",
    description: "redis://HOST:PORT[/DB]: run the cells as BullMQ jobs on glossa worker processes and wait for them",
  },
  store: {
    type: "string",
    description: "with --queue: shared folder for the jobs' partial states (default OUT/queue-store)",
  },
  attempts: { type: "string", description: "with --queue: tries per job before it counts as failed (default 3)" },
} as const;

/** `{dispatcher}` for the experiment's options when `--queue` was given. */
export function queueOptions(
  command: string,
  argv: readonly string[],
  given: { queue?: string; store?: string; attempts?: string; out: string; shard?: string },
): { dispatcher?: QueueDispatcher } {
  if (given.queue === undefined) {
    if (given.store !== undefined || given.attempts !== undefined)
      throw new InputError("--store and --attempts go with --queue");
    return {};
  }
  parseQueueUrl(given.queue);
  if (given.shard !== undefined) throw new InputError("give --queue or --shard, not both");
  const attempts = given.attempts === undefined ? 3 : Number(given.attempts);
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new InputError(`--attempts must be a positive integer, got "${given.attempts}"`);
  return {
    dispatcher: new QueueDispatcher({
      url: given.queue,
      store: given.store ?? path.join(given.out, "queue-store"),
      attempts,
      command,
      argv: jobArguments(argv),
    }),
  };
}

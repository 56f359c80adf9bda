/**
 * NODE ONLY: training runs shared between claims. Each run trains once into its own
 * single-run folder `<runsDir>/<kind>-<settings hash>/<run id>/`, named by everything the run
 * depends on, so claims whose configurations share runs (E1, E2 and E3 at one size and seed;
 * S1 and S2 at one seed) train each only once. The claim's own folder journals a copy of each
 * run's rows, one commit per run, and is what its analysis and plot read.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { InputError } from "../../io/errors.js";
import type { ResultRow } from "../../io/runFolder.js";
import { liveLockOwner } from "../../io/runLock.js";
import { withRunFolder, yieldToEventLoop } from "../runner.js";
import type { ClaimContext } from "./claim.js";

/** One run of a claim's sweep: its id and the single-run configuration that trains it. */
export interface SharedRun<Config> {
  id: string;
  config: Config;
}

export interface SharedRunPlan<Config> {
  /** Names the pool folder, e.g. "emergent". */
  kind: string;
  /** The claim's configuration (recorded in its folder). */
  config: Config;
  /** Everything every run depends on except what tells the runs apart (seeds, sizes, regimes). */
  shared: unknown;
  runs: readonly SharedRun<Config>[];
  /** Trains (or resumes, or just reads) one run in its folder and returns its rows. */
  train(config: Config, out: string, resume: boolean): Promise<ResultRow[]>;
}

/** A short hash of a run's shared settings: equal hashes, the same runs. */
export function settingsHash(shared: unknown): string {
  return createHash("sha256").update(JSON.stringify(shared)).digest("hex").slice(0, 12);
}

/**
 * Runs a claim's sweep run by run in the shared pool; returns every row, journaled in the claim's
 * folder. With `context.trainRun` it trains that one run and returns nothing (no claim folder is
 * touched); with `context.parallel` the pending runs are first trained that many at a time by other
 * processes (each run's own folder lock keeps two off one run), then read here in order.
 */
export async function runSharedRuns<Config>(plan: SharedRunPlan<Config>, context: ClaimContext): Promise<ResultRow[]> {
  const pool = path.join(
    context.runsDir ?? path.join(context.dir, "runs"),
    `${plan.kind}-${settingsHash(plan.shared)}`,
  );
  if (context.trainRun !== undefined) {
    const run = plan.runs.find((r) => r.id === context.trainRun);
    if (!run)
      throw new InputError(
        `--train-run: no run "${context.trainRun}" in this claim (its runs: ${plan.runs.map((r) => r.id).join(", ")})`,
      );
    const out = path.join(pool, run.id);
    await plan.train(run.config, out, fs.existsSync(path.join(out, "run.json")));
    return [];
  }
  const identity = { experiment: "findings-claim", parameters: { config: plan.config, pool: path.basename(pool) } };
  return withRunFolder(identity, { out: context.dir, resume: context.resume, log: context.log }, async (folder) => {
    const parallel = context.parallel;
    if (parallel && parallel.processes > 1) {
      const pending = plan.runs.filter((run) => !folder.isCommitted(`run/${run.id}`)).map((run) => run.id);
      context.log(`training ${pending.length} runs, ${parallel.processes} processes at a time`);
      await inParallel(pending, parallel.processes, (id) => parallel.startRun(id));
    }
    for (const run of plan.runs) {
      const id = `run/${run.id}`;
      if (folder.isCommitted(id)) continue;
      const out = path.join(pool, run.id);
      await waitWhileTrainedElsewhere(out, run.id, context.log);
      folder.commit(id, await plan.train(run.config, out, fs.existsSync(path.join(out, "run.json"))));
      await yieldToEventLoop();
    }
    return folder.rows();
  });
}

/**
 * Waits while another live process on this host (e.g. `glossa findings --train-run` started by hand
 * on another core) holds the run's folder, so this one reads the run when it is done rather than
 * stopping at its lock.
 */
async function waitWhileTrainedElsewhere(dir: string, id: string, log: (message: string) => void, pollMs = 1000) {
  const owner = liveLockOwner(dir);
  if (!owner) return;
  log(`run ${id} is being trained by process ${owner.pid}; waiting for it`);
  while (liveLockOwner(dir)) await new Promise((resolve) => setTimeout(resolve, pollMs));
}

/** Calls `start` on every item, at most `limit` at a time; rejects with the first failure once all have settled. */
async function inParallel<T>(items: readonly T[], limit: number, start: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await start(item).catch((error: unknown) => void failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failures.length) throw failures[0];
}

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
import type { ResultRow } from "../../io/runFolder.js";
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

/** Runs a claim's sweep run by run in the shared pool; returns every row, journaled in the claim's folder. */
export async function runSharedRuns<Config>(plan: SharedRunPlan<Config>, context: ClaimContext): Promise<ResultRow[]> {
  const pool = path.join(
    context.runsDir ?? path.join(context.dir, "runs"),
    `${plan.kind}-${settingsHash(plan.shared)}`,
  );
  const identity = { experiment: "findings-claim", parameters: { config: plan.config, pool: path.basename(pool) } };
  return withRunFolder(identity, { out: context.dir, resume: context.resume, log: context.log }, async (folder) => {
    for (const run of plan.runs) {
      const id = `run/${run.id}`;
      if (folder.isCommitted(id)) continue;
      const out = path.join(pool, run.id);
      folder.commit(id, await plan.train(run.config, out, fs.existsSync(path.join(out, "run.json"))));
      await yieldToEventLoop();
    }
    return folder.rows();
  });
}

/**
 * NODE ONLY: claims about the emergent game. Each runs `glossa emergent`'s experiment with
 * the claim's configuration, one run at a time into shared run folders (resumable like any
 * emergent run), and reads per-run series from the rows.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ResultRow } from "../../io/runFolder.js";
import { atomCounts, type EmergentConfig, runSpecs } from "../emergent/config.js";
import { runExperiment } from "../emergent/experiment.js";
import { readSplitFiles } from "../emergent/splitFiles.js";
import { indexRows, measureSeries, type RunMeta } from "../emergent/summary.js";
import { withRunFolder, yieldToEventLoop } from "../runner.js";
import type { Claim, ClaimContext } from "./claim.js";

export type EmergentClaim = Claim<EmergentConfig>;

/**
 * Runs the emergent experiment of a claim; returns all its rows. Each run (seed × hidden size)
 * trains once into a shared folder named by the settings it depends on
 * (`<runsDir>/emergent-<hash>/<run id>/`, a single-run emergent run folder), so claims whose
 * configurations share runs (E1, E2 and E3 at one size and seed) train each only once; the
 * claim's own folder journals a copy of each run's rows, one commit per run.
 */
export async function runEmergentClaim(config: EmergentConfig, context: ClaimContext): Promise<ResultRow[]> {
  const pool = path.join(context.runsDir ?? path.join(context.dir, "runs"), `emergent-${settingsHash(config)}`);
  const identity = { experiment: "findings-claim", parameters: { config, pool: path.basename(pool) } };
  const options = { out: context.dir, resume: context.resume, log: context.log };
  return withRunFolder(identity, options, async (folder) => {
    for (const spec of runSpecs(config)) {
      const id = `run/${spec.id}`;
      if (folder.isCommitted(id)) continue;
      const out = path.join(pool, spec.id);
      const single = { ...config, hiddenSizes: [spec.hiddenSize], seeds: [spec.seed] };
      const result = await runExperiment(single, {
        out,
        resume: fs.existsSync(path.join(out, "run.json")),
        log: context.log,
        preset: "findings",
        plots: false,
        ...(context.backend ? { backend: context.backend } : {}),
      });
      folder.commit(id, result.rows);
      await yieldToEventLoop();
    }
    return folder.rows();
  });
}

/** A short hash of everything but the seeds and hidden sizes: runs with equal hashes are the same run. */
export function settingsHash(config: EmergentConfig): string {
  const { seeds: _s, hiddenSizes: _h, ...rest } = config;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex").slice(0, 12);
}

export interface RunSeries {
  meta: RunMeta;
  /** epoch → values ("compositional.accuracy", "synonymy", …). */
  epochs: Map<number, Record<string, number>>;
  /** The last epoch's values. */
  final: Record<string, number>;
  lastEpoch: number;
}

/** Per run (in row order): its epochs' values and its last epoch. */
export function runSeries(rows: readonly ResultRow[]): RunSeries[] {
  return [...indexRows(rows).values()].map((r) => {
    const lastEpoch = Math.max(...r.epochs.keys());
    return { meta: r.meta, epochs: r.epochs, final: r.epochs.get(lastEpoch)!, lastEpoch };
  });
}

/** One value of every epoch of a run, as epoch → value. */
export function series(run: RunSeries, key: string): Map<number, number> {
  return measureSeries(run.epochs, key);
}

/** Chance level of all-roles accuracy: 1 / Π |A_r| (atoms read from the split files when given). */
export function chanceAccuracy(config: EmergentConfig): number {
  const atoms = config.splitsDir
    ? readSplitFiles(config.splitsDir, config.roles.length).atomNames.map((a) => a.length)
    : atomCounts(config);
  return 1 / atoms.reduce((a, b) => a * b, 1);
}

/** An emergent configuration on split files. */
export const emergentWithSplits = (config: EmergentConfig, splitsDir: string): EmergentConfig => ({
  ...config,
  splitsDir,
});

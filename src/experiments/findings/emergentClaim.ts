/**
 * NODE ONLY: claims about the emergent game. Each runs `glossa emergent`'s experiment with
 * the claim's configuration, one run at a time into shared run folders (resumable like any
 * emergent run), and reads per-run series from the rows.
 */
import type { ResultRow } from "../../io/runFolder.js";
import { atomCounts, type EmergentConfig, runSpecs } from "../emergent/config.js";
import { runExperiment } from "../emergent/experiment.js";
import { readSplitFiles } from "../emergent/splitFiles.js";
import { indexRows, measureSeries, type RunMeta } from "../emergent/summary.js";
import type { Claim, ClaimContext } from "./claim.js";
import { runSharedRuns } from "./sharedRuns.js";

export type EmergentClaim = Claim<EmergentConfig>;

/** Runs the emergent experiment of a claim one run at a time in the shared pool; returns all its rows. */
export function runEmergentClaim(config: EmergentConfig, context: ClaimContext): Promise<ResultRow[]> {
  const { seeds: _s, hiddenSizes: _h, ...shared } = config;
  const runs = runSpecs(config).map((spec) => ({
    id: spec.id,
    config: { ...config, hiddenSizes: [spec.hiddenSize], seeds: [spec.seed] },
  }));
  const train = async (single: EmergentConfig, out: string, resume: boolean) =>
    (
      await runExperiment(single, {
        out,
        resume,
        log: context.log,
        preset: "findings",
        plots: false,
        ...(context.backend ? { backend: context.backend } : {}),
      })
    ).rows;
  return runSharedRuns({ kind: "emergent", config, shared, runs, train }, context);
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

/**
 * A claim of `glossa findings`: an experiment configuration per scale plus an analysis that
 * turns the experiment's rows into one verdict. The decision rule is part of the definition,
 * fixed (and committed) before any run: a claim that comes out not supported or inconclusive
 * is reported as such and never tuned afterwards.
 *
 * To add a claim: a file next to this one exporting a `Claim`, and one line in ./registry.ts.
 * Claims on the emergent game can use ./emergentClaim.ts; others implement `run` themselves
 * (train into `context.dir`, resumable with `context.resume`, and return the rows).
 */
import type { ResultRow } from "../../io/runFolder.js";
import type { IntervalSummary } from "../../stats/summary.js";

export type Scale = "quick" | "full";
export const SCALES: readonly Scale[] = ["quick", "full"];

export type Verdict = "supported" | "not supported" | "inconclusive";

export interface ClaimResult {
  claim: string;
  /** What the estimate is, e.g. "spearman(hiddenSize, 1-synonymy) at the last epoch". */
  statistic: string;
  n: number;
  estimate: number | null;
  interval95: [number, number] | null;
  verdict: Verdict;
  /** Why the rule gave this verdict, in one sentence. */
  reason: string;
  /** Secondary summaries (per size, other readings, windows): reported, never deciding. */
  details: IntervalSummary[];
}

export interface ClaimContext {
  /** The claim's own run folder (a sub-folder of the findings folder). */
  dir: string;
  /** Where training runs shared between claims live (the findings folder's `runs/`); absent: `<dir>/runs`. */
  runsDir?: string;
  /** Continue the claim's run in `dir`. */
  resume: boolean;
  log: (message: string) => void;
  backend?: "wasm" | "cpu";
  /** Train only this run of the claim's shared pool and return no rows (one process of `--parallel`). */
  trainRun?: string;
  /** Train the pool's pending runs `processes` at a time, each by `startRun`, before reading them in order. */
  parallel?: { processes: number; startRun(runId: string): Promise<void> };
}

export interface Claim<Config = unknown> {
  /** Short name used by --only, e.g. "E1". */
  name: string;
  title: string;
  /** The finding as the source states it, with the citation. */
  thesis: string;
  /** The statistic and the decision rule, stated before any run. */
  definition: string;
  /** The experiment's configuration at each scale. */
  configurations: Record<Scale, Config>;
  /** The configuration run on split files in the released format (`--splits DIR`); absent: the claim takes none. */
  withSplits?(config: Config, splitsDir: string): Config;
  /** Runs (or resumes) the experiment into context.dir; returns every row of that run. */
  run(config: Config, context: ClaimContext): Promise<ResultRow[]>;
  /** The verdict from the run's rows. Pure. */
  analyse(rows: readonly ResultRow[], config: Config): ClaimResult;
  /** The plot that shows the claim (SVG). */
  plot(rows: readonly ResultRow[], result: ClaimResult, config: Config): Promise<string>;
}

/** Whether an interval lies wholly above t. */
export const wholly = {
  above: (interval: [number, number] | null, t: number) => interval !== null && interval[0] > t,
  below: (interval: [number, number] | null, t: number) => interval !== null && interval[1] < t,
  inside: (interval: [number, number] | null, lo: number, hi: number) =>
    interval !== null && interval[0] > lo && interval[1] < hi,
};

/** The headline fields of a result from its deciding summary. */
export function headline(
  claim: string,
  summary: IntervalSummary,
  verdict: Verdict,
  reason: string,
  details: IntervalSummary[],
): ClaimResult {
  return {
    claim,
    statistic: summary.statistic,
    n: summary.n,
    estimate: summary.estimate,
    interval95: summary.interval95,
    verdict,
    reason,
    details,
  };
}

/**
 * NODE ONLY: claims about seq2seq transformers (issue 13: S1, S2, S3, M1). Each runs
 * `glossa seq2seq`'s experiment with the claim's configuration into its own run folder
 * (resumable run by run, step by step) and reads the per-run phase summary
 * (../seq2seq/summary.ts: bias-corrected label measures, bootstrap intervals over probe inputs).
 *
 * Training cost behind the budgets (measured on the 2-core benchmark machine, wasm back end,
 * one step of 64 examples, CPU-seconds): small 0.21, medium 0.58, large 2.38; DG-MAML with
 * first-order gradients and one partner 0.41 (small). Steps of 32 cost about half.
 */
import { readRunFolder, type ResultRow } from "../../io/runFolder.js";
import { renderSvg } from "../../report/plot.js";
import type { Seq2seqConfig } from "../seq2seq/config.js";
import { runExperiment } from "../seq2seq/experiment.js";
import { runKey } from "../seq2seq/run.js";
import { type JournalRow, type RunSummary, summariseSeq2seq, type Seq2seqSummary } from "../seq2seq/summary.js";
import type { IntervalSummary } from "../../stats/summary.js";
import { runSharedRuns } from "./sharedRuns.js";
import { type Claim, type ClaimContext, type ClaimResult, headline, wholly } from "./claim.js";

export type Seq2seqClaim = Claim<Seq2seqConfig>;

/** CPU-seconds per training step of 64 examples (see the module note). */
export const SECONDS_PER_STEP_64 = { small: 0.21, medium: 0.58, large: 2.38 } as const;

/** Runs the seq2seq experiment of a claim one run at a time in the shared pool; returns all its rows. */
export function runSeq2seqClaim(config: Seq2seqConfig, context: ClaimContext): Promise<ResultRow[]> {
  const { seeds: _s, sizes: _z, regimes: _r, ...shared } = config;
  const runs = config.regimes.flatMap((regime) =>
    config.sizes.flatMap((size) =>
      config.seeds.map((seed) => ({
        id: runKey(regime, size, seed),
        config: { ...config, regimes: [regime], sizes: [size], seeds: [seed] },
      })),
    ),
  );
  const train = async (single: Seq2seqConfig, out: string, resume: boolean) => {
    await runExperiment(single, {
      out,
      resume,
      log: context.log,
      ...(context.backend ? { backend: context.backend } : {}),
    });
    return readRunFolder(out).rows;
  };
  return runSharedRuns({ kind: "seq2seq", config, shared, runs, train }, context);
}

/** The phase summary of a claim's rows. */
export function summarise(rows: readonly ResultRow[]): Seq2seqSummary {
  return summariseSeq2seq(rows as unknown as JournalRow[]);
}

/** Information (last encoder layer) over training, one line per run: the plot every seq2seq claim shows. */
export function informationPlot(rows: readonly ResultRow[], title: string): Promise<string> {
  const runs = summarise(rows).runs;
  const lastLayer = new Map(runs.map((r) => [r.run, r.layer]));
  const values = rows
    .filter(
      (r) => r.measure === "information" && r.layer === lastLayer.get(String(r.run)) && typeof r.step === "number",
    )
    .map((r) => ({ run: r.run, "step + 1": (r.step as number) + 1, information: r.value }));
  return renderSvg({
    title,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "step + 1", type: "quantitative", scale: { type: "log" }, title: "training step + 1" },
      y: { field: "information", type: "quantitative", title: "information (last encoder layer)" },
      // run ids ("standard-small-seed12") shown whole, and 20 colours (12 runs), so runs can be told apart
      color: { field: "run", type: "nominal", scale: { scheme: "category20" }, legend: { labelLimit: 400 } },
    },
    width: 360,
    height: 220,
  });
}

/** Runs of one regime keyed by seed. */
export function bySeed(runs: readonly RunSummary[], regime: string): Map<number, RunSummary> {
  return new Map(runs.filter((r) => r.regime === regime && r.seed !== null).map((r) => [r.seed!, r]));
}

/** The measurement settings every full-scale seq2seq claim shares (steps of 64 at lr 1e-3). */
export const FULL_SCALE = {
  batchSize: 64,
  learningRate: 1e-3,
  evalExamples: 500,
  probeInputs: 1000,
  checkpointEvery: 500,
} as const satisfies Partial<Seq2seqConfig>;

/**
 * The rule of S2, S3 and M1: no estimate → inconclusive; interval wholly above 0 → supported;
 * wholly below 0 → not supported; otherwise inconclusive. `note` is added to every reason.
 */
export function verdictAboveZero(
  claim: string,
  summary: IntervalSummary,
  details: IntervalSummary[],
  reasons: { above: string; below: string },
  note = "",
): ClaimResult {
  const tail = note ? ` (${note})` : "";
  if (summary.estimate === null)
    return headline(claim, summary, "inconclusive", `${summary.note ?? "no estimate"}${tail}`, details);
  if (wholly.above(summary.interval95, 0))
    return headline(claim, summary, "supported", `${reasons.above}${tail}`, details);
  if (wholly.below(summary.interval95, 0))
    return headline(claim, summary, "not supported", `${reasons.below}${tail}`, details);
  return headline(claim, summary, "inconclusive", `the interval includes 0${tail}`, details);
}

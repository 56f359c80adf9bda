/**
 * The seq2seq experiment end to end (Node), in the one experiment shape (../runner.ts):
 * `runExperiment(config, options)` prepares the task, trains every cell (regime × size ×
 * seed: one run, see run.ts) with one commit per measurement step into the run folder
 * (resumable, with a checkpoint per run under `checkpoints/`), then draws the plots and
 * writes the summary and report.
 */
import fs from "node:fs";
import path from "node:path";
import { InputError } from "../../io/errors.js";
import type { ResultRow } from "../../io/runFolder.js";
import { type ExperimentOptions, withRunFolder, yieldToEventLoop } from "../runner.js";
import { useTfBackend, type TfBackend } from "../tfSetup.js";
import { adamFromCheckpoint, adamToCheckpoint, loadCheckpoint, saveCheckpoint } from "../training/checkpoint.js";
import { validateSeq2seqConfig, type Seq2seqConfig } from "./config.js";
import { runKey, trainAndMeasure, type LossSums, type RunCheckpoint, type RunOutcome } from "./run.js";
import { measureEncoderStructure, probeLabels } from "./structure.js";
import { seq2seqPlots, seq2seqReportHtml } from "./report.js";
import { summariseSeq2seq, type JournalRow, type Seq2seqSummary } from "./summary.js";
import { prepareTask } from "./task.js";

export const EXPERIMENT = "seq2seq";

export interface Seq2seqOptions extends ExperimentOptions {
  backend?: TfBackend;
  /** Seed of the data split and evaluation subsets (default 0: the same data for every model seed). */
  dataSeed?: number;
}

export interface Seq2seqResult {
  dir: string;
  summary: Seq2seqSummary;
  outcomes: RunOutcome[];
  splitSizes: Record<string, number>;
  plots: string[];
  seconds: number;
}

interface CheckpointData {
  step: number;
  adamStep: number;
  shapes: Record<string, number[]>;
  losses: LossSums;
}

export function saveRunCheckpoint(file: string, { snapshot, losses }: RunCheckpoint): void {
  const adam = adamToCheckpoint(snapshot.adam);
  const parameters = new Map([...snapshot.params].map(([k, p]) => [k, p.values]));
  const shapes = Object.fromEntries([...snapshot.params].map(([k, p]) => [k, p.shape]));
  saveCheckpoint(file, {
    experiment: EXPERIMENT,
    data: { step: snapshot.step, adamStep: adam.adamStep, shapes, losses },
    arrays: { parameters, ...adam.arrays },
  });
}

export function loadRunCheckpoint(file: string): RunCheckpoint | undefined {
  const checkpoint = loadCheckpoint<CheckpointData>(file, EXPERIMENT);
  if (!checkpoint) return undefined;
  const { data } = checkpoint;
  if (!Number.isInteger(data.step) || typeof data.shapes !== "object" || typeof data.losses !== "object")
    throw new InputError("damaged checkpoint: step, shapes or losses missing", { file });
  const params = new Map(
    [...(checkpoint.arrays.parameters ?? new Map<string, Float32Array>())].map(([k, values]) => [
      k,
      { shape: data.shapes[k] ?? [values.length], values },
    ]),
  );
  return {
    snapshot: { step: data.step, params, adam: adamFromCheckpoint(checkpoint, file) },
    losses: data.losses,
  };
}

export async function runExperiment(config: Seq2seqConfig, options: Seq2seqOptions): Promise<Seq2seqResult> {
  validateSeq2seqConfig(config);
  const started = performance.now();
  const dataSeed = options.dataSeed ?? 0;
  const identity = {
    experiment: EXPERIMENT,
    parameters: { ...config, dataSeed, backend: options.backend ?? "wasm" },
    // How often checkpoints are written does not change any result.
    mayChange: ["checkpointEvery"],
  };
  return withRunFolder(identity, options, async (folder, log, cells) => {
    const tf = await useTfBackend(options.backend ?? "wasm");
    log(`preparing ${config.task}${config.task === "scan" ? ` (${config.split} split)` : ""}…`);
    const task = prepareTask(config, dataSeed);
    const sizes = { ...task.sizes, iidEval: task.iidEval.n, oodEval: task.oodEval.n, probeInputs: task.probe.n };
    folder.recordParameters({ splitSizes: sizes, vocabulary: task.vocab });
    log(
      `split sizes: train ${sizes.train} (${sizes.trainDistinct} distinct), iid test ${sizes.iidTest}, OOD test ${sizes.oodTest}; evaluating on ${sizes.iidEval} iid / ${sizes.oodEval} OOD; probing ${sizes.probeInputs} inputs`,
    );
    const labels = probeLabels(task.probe, task.posOfSource, config.bootstrapGroups);
    const journaled = new Map<string, Set<number>>();
    for (const row of folder.existing) {
      if (typeof row.run !== "string" || typeof row.step !== "number") continue;
      const set = journaled.get(row.run) ?? new Set<number>();
      set.add(row.step);
      journaled.set(row.run, set);
    }
    const outcomes: RunOutcome[] = [];
    for (const regime of config.regimes) {
      for (const size of config.sizes) {
        for (const seed of config.seeds) {
          const key = runKey(regime, size, seed);
          if (!cells.take(key)) continue; // another shard's or worker's cell
          const checkpointFile = folder.file(path.join("checkpoints", `${key}.json`));
          outcomes.push(
            await trainAndMeasure(tf, task, config, size, seed, regime, {
              journaledSteps: journaled.get(key) ?? new Set(),
              emit: async (rows) => {
                folder.commit(
                  `${key}/step${rows[0]?.step}`,
                  rows.map((r) => ({ experiment: EXPERIMENT, ...r }) as ResultRow),
                );
                await yieldToEventLoop();
              },
              loadCheckpoint: () => (options.resume ? loadRunCheckpoint(checkpointFile) : undefined),
              saveCheckpoint: (checkpoint) => saveRunCheckpoint(checkpointFile, checkpoint),
              log,
              measureStructure: (params, model, step) =>
                measureEncoderStructure(
                  tf,
                  params,
                  model,
                  task.probe,
                  labels,
                  {
                    estimator: config.estimator,
                    anchors: config.anchors,
                    anchorSeed: 0,
                    nullShadows: config.nullShadows,
                    bootstrapGroups: config.bootstrapGroups,
                    bootstrapResamples: config.bootstrapResamples,
                  },
                  step,
                ),
            }),
          );
        }
      }
    }
    const rows = folder.rows() as JournalRow[];
    const summary = summariseSeq2seq(rows);
    fs.writeFileSync(folder.file("summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    // A queue job's rows are reported on by its coordinator: no plots or report here.
    const svgs = cells.reportWanted ? await seq2seqPlots(rows) : {};
    for (const [file, svg] of Object.entries(svgs)) fs.writeFileSync(folder.file(file), svg);
    if (cells.reportWanted)
      fs.writeFileSync(folder.file("report.html"), seq2seqReportHtml(config, summary, sizes, svgs));
    const plots = Object.keys(svgs);
    return {
      dir: options.out,
      summary,
      outcomes,
      splitSizes: sizes,
      plots,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

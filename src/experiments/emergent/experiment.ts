/**
 * NODE ONLY: runs an emergent-communication sweep (seeds × hidden sizes) into a run folder.
 *
 * Per run and epoch: train one epoch, evaluate (losses, accuracies per split and role, every
 * §3 measure of the greedy language), write the checkpoint (state + that epoch's rows), then
 * append the rows to results.jsonl. Epoch 0 is the untrained pair. `resume` continues every
 * run from its checkpoint; rows the journal lost (a partial last line) are restored from it;
 * nothing is trained or written twice. At the end: summary.json/summary.csv (correlations,
 * capacity), SVG plots and results.csv.
 */
import fs from "node:fs";
import { InputError } from "../../io/errors.js";
import { readRunInfo, RunFolder, rowsToCsv, type ResultRow } from "../../io/runFolder.js";
import type { MeasureOptions } from "../../mapping/measureAll.js";
import { useTfBackend, type TfBackend } from "../tfSetup.js";
import { checkpointPath, loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { atomCounts, runSpecs, validateConfig, type EmergentConfig, type RunSpec } from "./config.js";
import { evaluateLanguage, type GameSpace } from "./evaluate.js";
import { emergentPlots, type EmergentPlots } from "./report.js";
import { enumerateMeanings, makeSplits, type Splits } from "./splits.js";
import { summariseEmergent, summaryRows, type EmergentSummary } from "./summary.js";
import { Trainer } from "./trainer.js";

export interface EmergentRunOptions {
  config: EmergentConfig;
  outDir: string;
  resume?: boolean;
  backend?: TfBackend;
  /** Preset name, recorded with the parameters. */
  preset?: string;
  /** Progress lines (default: stderr). */
  log?: (message: string) => void;
  /** Recorded in run.json (default: this process's command line). */
  command?: string;
  /** Write SVG plots (default true). */
  plots?: boolean;
  /**
   * Stop (as if killed) once this many epochs have been trained in this call, leaving the
   * run folder as an interruption would: for tests of resume.
   */
  interruptAfterEpochs?: number;
}

export interface EmergentResult {
  dir: string;
  splits: Splits;
  summary: EmergentSummary;
  rows: ResultRow[];
  plots: EmergentPlots;
  /** False when stopped by interruptAfterEpochs. */
  completed: boolean;
  /** Epochs trained in this call. */
  epochsTrained: number;
  seconds: number;
}

export const EXPERIMENT = "emergent";

class Interrupted extends Error {}

/** Identity of a row in the journal: every coordinate except its value. */
function rowKey(row: ResultRow): string {
  const { value: _value, ...rest } = row;
  return JSON.stringify(
    Object.keys(rest)
      .sort()
      .map((k) => [k, rest[k]]),
  );
}

/** The settings a run's training depends on (a resume with different ones is refused; epochs may grow). */
function runSettings(config: EmergentConfig, spec: RunSpec): string {
  const { seeds: _s, hiddenSizes: _h, epochs: _e, ...rest } = config;
  return JSON.stringify({ ...rest, seed: spec.seed, hiddenSize: spec.hiddenSize });
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, "0")}m`;
}

export async function runEmergentExperiment(options: EmergentRunOptions): Promise<EmergentResult> {
  const started = performance.now();
  const { config } = options;
  validateConfig(config);
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const backend = options.backend ?? "wasm";
  const atoms = atomCounts(config);
  const meanings = enumerateMeanings(atoms);
  const roleIndex = (name: string) => config.roles.indexOf(name);
  const splits = makeSplits({
    atoms,
    compositionalRoles: [roleIndex(config.compositionalRoles[0]), roleIndex(config.compositionalRoles[1])],
    compositionalFraction: config.compositionalFraction,
    iidTestFraction: config.iidTestFraction,
    seed: config.splitSeed,
  });
  const space: GameSpace = {
    roleNames: config.roles,
    atoms,
    alphabetSize: config.alphabetSize,
    signalLength: config.signalLength,
    meanings,
    splits,
  };
  const specs = runSpecs(config);

  if (options.resume) {
    const previous = readRunInfo(options.outDir);
    const prevConfig = previous?.parameters?.config as EmergentConfig | undefined;
    if (prevConfig) {
      const strip = (c: EmergentConfig) => JSON.stringify({ ...c, epochs: 0 });
      if (strip(prevConfig) !== strip(config)) {
        throw new InputError(
          `the run in ${options.outDir} used other settings; resume it with the same preset/config (only "epochs" may change)`,
        );
      }
    }
  }
  const splitInfo = {
    train: splits.train.length,
    iid: splits.iid.length,
    compositional: splits.compositional.length,
    heldOutCombinations: splits.heldOutCombinations,
    unseenCombinationRate: splits.unseenCombinationRate,
  };
  const folder = RunFolder.open(options.outDir, {
    experiment: EXPERIMENT,
    parameters: {
      preset: options.preset ?? null,
      backend,
      config,
      runs: specs.map((s) => s.id),
      splits: splitInfo,
      signalConvention: "fixed length L, no end symbol; every position counted",
    },
    resume: options.resume ?? false,
    ...(options.command ? { command: options.command } : {}),
    log,
  });
  log(
    `emergent: ${meanings.length / atoms.length} meanings; train ${splitInfo.train}, iid test ${splitInfo.iid}, compositional test ${splitInfo.compositional} (unseen-combination rate ${splitInfo.unseenCombinationRate.compositional.toFixed(2)}); ${specs.length} runs × ${config.epochs} epochs on ${backend}`,
  );

  const all: ResultRow[] = [...folder.existing];
  const keys = new Set(all.map(rowKey));
  /** Last epoch in the journal per run (for the ETA). */
  const lastEpoch = new Map<string, number>();
  const note = (r: ResultRow) => {
    if (typeof r.run === "string" && typeof r.epoch === "number")
      lastEpoch.set(r.run, Math.max(lastEpoch.get(r.run) ?? 0, r.epoch));
  };
  all.forEach(note);
  const append = (rows: ResultRow[]) => {
    const fresh = rows.filter((r) => !keys.has(rowKey(r)));
    folder.append(fresh);
    for (const r of fresh) {
      keys.add(rowKey(r));
      all.push(r);
      note(r);
    }
  };

  const tf = await useTfBackend(backend);
  const measureOptions = (config.measureOptions ?? {}) as MeasureOptions;
  let trainedHere = 0;
  const epochSeconds: number[] = [];
  const epochsLeft = () => specs.reduce((sum, s) => sum + Math.max(0, config.epochs - (lastEpoch.get(s.id) ?? 0)), 0);

  try {
    for (const spec of specs) {
      const coords = { experiment: EXPERIMENT, run: spec.id, seed: spec.seed, hiddenSize: spec.hiddenSize };
      const file = checkpointPath(folder.dir, spec.id);
      const settings = runSettings(config, spec);
      const journalEpochs = all
        .filter((r) => r.run === spec.id && typeof r.epoch === "number")
        .map((r) => r.epoch as number);
      const checkpoint = options.resume ? loadCheckpoint(file) : undefined;
      if (!checkpoint && journalEpochs.length) {
        throw new InputError(
          `the journal holds rows of run ${spec.id} but its checkpoint is missing; it cannot be resumed exactly`,
          { file },
        );
      }
      if (checkpoint && checkpoint.settings !== settings)
        throw new InputError(`checkpoint of run ${spec.id} was made with other settings`, { file });
      if (checkpoint && journalEpochs.some((e) => e > checkpoint.state.epoch)) {
        throw new InputError(
          `the journal has epochs of run ${spec.id} past its checkpoint (epoch ${checkpoint.state.epoch})`,
          { file },
        );
      }
      const trainer = new Trainer(
        tf,
        {
          atoms,
          signalLength: config.signalLength,
          alphabetSize: config.alphabetSize,
          hiddenSize: spec.hiddenSize,
          embeddingSize: config.embeddingSize,
          seed: spec.seed,
          batchSize: config.batchSize,
          passesPerEpoch: config.passesPerEpoch,
          learningRate: config.learningRate,
          entropyCoefficient: config.entropyCoefficient,
        },
        meanings,
        checkpoint?.state,
      );
      try {
        if (checkpoint) {
          append(checkpoint.rows); // rows the journal may have lost
          if (trainer.epoch < config.epochs) log(`[${spec.id}] resuming after epoch ${trainer.epoch}`);
        } else {
          const evaluation = await evaluateLanguage(space, trainer.language(), measureOptions);
          const rows = evaluation.rows.map((r) => ({ ...coords, epoch: 0, ...r }));
          saveCheckpoint(file, { run: spec.id, settings, state: trainer.state(), rows });
          append(rows);
        }
        while (trainer.epoch < config.epochs) {
          if (options.interruptAfterEpochs !== undefined && trainedHere >= options.interruptAfterEpochs)
            throw new Interrupted();
          const t0 = performance.now();
          const stats = trainer.trainEpoch(splits.train);
          const evaluation = await evaluateLanguage(space, trainer.language(), measureOptions);
          const epoch = trainer.epoch;
          const rows: ResultRow[] = [
            { ...coords, epoch, split: "train", measure: "receiverLoss", value: stats.receiverLoss },
            { ...coords, epoch, split: "train", measure: "senderLoss", value: stats.senderLoss },
            { ...coords, epoch, split: "train", measure: "senderEntropy", value: stats.senderEntropy },
            { ...coords, epoch, split: "train", measure: "baseline", value: trainer.baseline.mean },
            ...evaluation.rows.map((r) => ({ ...coords, epoch, ...r })),
          ];
          saveCheckpoint(file, { run: spec.id, settings, state: trainer.state(), rows });
          append(rows);
          trainedHere++;
          epochSeconds.push((performance.now() - t0) / 1000);
          const recent = epochSeconds.slice(-20);
          const eta = (recent.reduce((a, b) => a + b, 0) / recent.length) * epochsLeft();
          const a = evaluation.accuracy;
          log(
            `[${spec.id}] epoch ${epoch}/${config.epochs}  loss ${stats.receiverLoss.toFixed(3)}  acc train ${a.train.toFixed(3)} iid ${a.iid.toFixed(3)} comp ${a.compositional.toFixed(3)}  synonymy ${evaluation.values.synonymy.toFixed(3)} topsim ${(evaluation.values.topsim ?? NaN).toFixed(3)}  ETA ${formatSeconds(eta)}`,
          );
        }
      } finally {
        trainer.dispose();
      }
    }
  } catch (error) {
    if (error instanceof Interrupted) {
      log(`emergent: interrupted after ${trainedHere} epochs (resume with --resume)`);
      return {
        dir: folder.dir,
        splits,
        summary: summariseEmergent(all),
        rows: all,
        plots: {},
        completed: false,
        epochsTrained: trainedHere,
        seconds: (performance.now() - started) / 1000,
      };
    }
    folder.finish(`failed: ${(error as Error).message}`);
    throw error;
  }

  const summary = summariseEmergent(all);
  fs.writeFileSync(folder.file("summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  fs.writeFileSync(folder.file("summary.csv"), rowsToCsv(summaryRows(summary)));
  let plots: EmergentPlots = {};
  if (options.plots ?? true) {
    plots = await emergentPlots(all, summary);
    for (const [name, svg] of Object.entries(plots)) fs.writeFileSync(folder.file(name), svg);
  }
  folder.finish("done");
  return {
    dir: folder.dir,
    splits,
    summary,
    rows: all,
    plots,
    completed: true,
    epochsTrained: trainedHere,
    seconds: (performance.now() - started) / 1000,
  };
}

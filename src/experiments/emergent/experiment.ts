/**
 * NODE ONLY: runs an emergent-communication sweep (seeds × hidden sizes) into a run folder,
 * in the one experiment shape (../runner.ts): `runExperiment(config, options)`.
 *
 * Cells are runs (one seed × hidden size); a run commits one epoch at a time. Per epoch:
 * train, evaluate (losses, accuracies per split and role, every §3 measure of the greedy
 * language), write the checkpoint (state + that epoch's rows), then commit the rows. Epoch 0
 * is the untrained pair. On resume a run continues from its checkpoint when the journal
 * holds every epoch before it (the checkpoint's own epoch may be restored from it);
 * otherwise (a truncated journal, a lost checkpoint) it retrains from the start, which is
 * deterministic, committing only the epochs the journal lacks. At the end:
 * summary.json/summary.csv (correlations, capacity), SVG plots and results.csv.
 */
import fs from "node:fs";
import { InputError } from "../../io/errors.js";
import { rowsToCsv, type ResultRow, type RunFolder } from "../../io/runFolder.js";
import type { MeasureOptions } from "../../mapping/measureAll.js";
import { type ExperimentOptions, withRunFolder, yieldToEventLoop } from "../runner.js";
import { useTfBackend, type TfBackend } from "../tfSetup.js";
import { adamFromCheckpoint, adamToCheckpoint, loadCheckpoint, saveCheckpoint } from "../training/checkpoint.js";
import {
  atomCounts,
  checkSignalCapacity,
  runSpecs,
  validateConfig,
  type EmergentConfig,
  type RunSpec,
} from "./config.js";
import { evaluateLanguage, type GameSpace } from "./evaluate.js";
import { emergentPlots, type EmergentPlots } from "./report.js";
import { readSplitFiles } from "./splitFiles.js";
import { enumerateMeanings, makeSplits, type Splits } from "./splits.js";
import { summariseEmergent, summaryRows, type EmergentSummary } from "./summary.js";
import { Trainer, type TrainerState } from "./trainer.js";

export interface EmergentOptions extends ExperimentOptions {
  backend?: TfBackend;
  /** Preset name, recorded with the parameters. */
  preset?: string;
  /** Write SVG plots (default true). */
  plots?: boolean;
}

export interface EmergentResult {
  dir: string;
  splits: Splits;
  summary: EmergentSummary;
  rows: ResultRow[];
  plots: EmergentPlots;
  /** Epochs trained in this call. */
  epochsTrained: number;
  seconds: number;
}

export const EXPERIMENT = "emergent";

interface CheckpointData {
  run: string;
  /** JSON of the settings the run depends on; a checkpoint made with others is refused. */
  settings: string;
  epoch: number;
  baseline: TrainerState["baseline"];
  adamStep: number;
  /** Rows of epoch `epoch`. */
  rows: ResultRow[];
}

function checkpointFile(folder: RunFolder, run: string): string {
  return folder.file(`checkpoints/${run}.json`);
}

function saveRunCheckpoint(file: string, run: string, settings: string, state: TrainerState, rows: ResultRow[]): void {
  const adam = adamToCheckpoint(state.optimizer);
  saveCheckpoint(file, {
    experiment: EXPERIMENT,
    data: { run, settings, epoch: state.epoch, baseline: state.baseline, adamStep: adam.adamStep, rows },
    arrays: { parameters: state.parameters, ...adam.arrays },
  });
}

function loadRunCheckpoint(file: string): { state: TrainerState; data: CheckpointData } | undefined {
  const checkpoint = loadCheckpoint<CheckpointData>(file, EXPERIMENT);
  if (!checkpoint) return undefined;
  const { data } = checkpoint;
  if (!Number.isInteger(data.epoch) || !Array.isArray(data.rows) || typeof data.settings !== "string")
    throw new InputError("damaged checkpoint: epoch, rows or settings missing", { file });
  const state: TrainerState = {
    epoch: data.epoch,
    baseline: data.baseline,
    parameters: checkpoint.arrays.parameters ?? new Map(),
    optimizer: adamFromCheckpoint(checkpoint, file),
  };
  return { state, data };
}

const commitId = (run: string, epoch: number) => `${run}/epoch${epoch}`;

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

/** The meanings, atoms and splits: from split files (config.splitsDir) or generated from the config. */
function gameData(config: EmergentConfig): {
  atoms: number[];
  meanings: Int32Array;
  splits: Splits;
  atomNames?: string[][];
} {
  if (config.splitsDir) {
    const read = readSplitFiles(config.splitsDir, config.roles.length);
    const atoms = read.atomNames.map((a) => a.length);
    checkSignalCapacity(
      config.signalLength,
      config.alphabetSize,
      read.meanings.length / atoms.length,
      config.splitsDir,
    );
    return { atoms, meanings: read.meanings, splits: read.splits, atomNames: read.atomNames };
  }
  const atoms = atomCounts(config);
  const roleIndex = (name: string) => config.roles.indexOf(name);
  const splits = makeSplits({
    atoms,
    compositionalRoles: [roleIndex(config.compositionalRoles[0]), roleIndex(config.compositionalRoles[1])],
    compositionalFraction: config.compositionalFraction,
    iidTestFraction: config.iidTestFraction,
    seed: config.splitSeed,
  });
  return { atoms, meanings: enumerateMeanings(atoms), splits };
}

export async function runExperiment(config: EmergentConfig, options: EmergentOptions): Promise<EmergentResult> {
  const started = performance.now();
  validateConfig(config);
  const backend = options.backend ?? "wasm";
  const { atoms, meanings, splits, atomNames } = gameData(config);
  const space: GameSpace = {
    roleNames: config.roles,
    atoms,
    alphabetSize: config.alphabetSize,
    signalLength: config.signalLength,
    meanings,
    splits,
    ...(atomNames ? { atomNames } : {}),
  };
  const specs = runSpecs(config);
  const splitInfo = {
    train: splits.train.length,
    iid: splits.iid.length,
    compositional: splits.compositional.length,
    heldOutCombinations: splits.heldOutCombinations,
    unseenCombinationRate: splits.unseenCombinationRate,
  };
  const identity = {
    experiment: EXPERIMENT,
    parameters: {
      preset: options.preset ?? null,
      backend,
      config,
      runs: specs.map((s) => s.id),
      splits: splitInfo,
      signalConvention: config.zeroEndsMessage
        ? "symbol 0 ends a message (EGG): the receiver reads up to and including the first 0; measures count all L emitted symbols"
        : "fixed length L, no end symbol; every position counted",
    },
    // A finished sweep may be extended by more epochs; a preset name is only a label.
    mayChange: ["config.epochs", "preset"],
  };
  return withRunFolder(identity, options, async (folder, log, cells) => {
    log(
      `emergent: ${meanings.length / atoms.length} meanings; train ${splitInfo.train}, iid test ${splitInfo.iid}, compositional test ${splitInfo.compositional} (unseen-combination rate ${splitInfo.unseenCombinationRate.compositional.toFixed(2)}); ${specs.length} runs × ${config.epochs} epochs on ${backend}`,
    );
    /** Epochs in the journal per run. */
    const journaled = new Map<string, Set<number>>(specs.map((s) => [s.id, new Set<number>()]));
    for (const r of folder.existing)
      if (typeof r.run === "string" && typeof r.epoch === "number") journaled.get(r.run)?.add(r.epoch);
    const commit = (run: string, epoch: number, rows: ResultRow[]) => {
      if (journaled.get(run)!.has(epoch)) return;
      folder.commit(commitId(run, epoch), rows);
      journaled.get(run)!.add(epoch);
    };

    const tf = await useTfBackend(backend);
    const measureOptions = (config.measureOptions ?? {}) as MeasureOptions;
    let trainedHere = 0;
    const epochSeconds: number[] = [];
    const epochsLeft = () =>
      specs.reduce((sum, s) => sum + Math.max(0, config.epochs - Math.max(0, ...journaled.get(s.id)!)), 0);

    for (const spec of specs) {
      if (!cells.take(spec.id)) continue; // another shard's or worker's cell
      const coords = { experiment: EXPERIMENT, run: spec.id, seed: spec.seed, hiddenSize: spec.hiddenSize };
      const file = checkpointFile(folder, spec.id);
      const settings = runSettings(config, spec);
      const done = journaled.get(spec.id)!;
      if (Array.from({ length: config.epochs + 1 }, (_, e) => e).every((e) => done.has(e))) continue; // finished
      let saved = options.resume ? loadRunCheckpoint(file) : undefined;
      if (saved && saved.data.settings !== settings)
        throw new InputError(`checkpoint of run ${spec.id} was made with other settings`, { file });
      if (saved && !Array.from({ length: saved.state.epoch }, (_, e) => e).every((e) => done.has(e))) {
        log(
          `[${spec.id}] the journal lacks epochs before the checkpoint's (${saved.state.epoch}); retraining from the start`,
        );
        saved = undefined;
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
          ...(config.zeroEndsMessage ? { zeroEndsMessage: true } : {}),
          ...(config.roleLoss ? { roleLoss: config.roleLoss } : {}),
          ...(config.baseline ? { baseline: config.baseline } : {}),
        },
        meanings,
        saved?.state,
      );
      try {
        if (saved) {
          commit(spec.id, saved.state.epoch, saved.data.rows); // rows the journal may have lost
          if (trainer.epoch < config.epochs) log(`[${spec.id}] resuming after epoch ${trainer.epoch}`);
        } else {
          const evaluation = await evaluateLanguage(space, trainer.language(), measureOptions);
          const rows = evaluation.rows.map((r) => ({ ...coords, epoch: 0, ...r }));
          saveRunCheckpoint(file, spec.id, settings, trainer.state(), rows);
          commit(spec.id, 0, rows);
        }
        while (trainer.epoch < config.epochs) {
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
          saveRunCheckpoint(file, spec.id, settings, trainer.state(), rows);
          commit(spec.id, epoch, rows);
          await yieldToEventLoop();
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

    const all = folder.rows();
    const summary = summariseEmergent(all);
    fs.writeFileSync(folder.file("summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    fs.writeFileSync(folder.file("summary.csv"), rowsToCsv(summaryRows(summary)));
    let plots: EmergentPlots = {};
    if ((options.plots ?? true) && cells.reportWanted) {
      plots = await emergentPlots(all, summary);
      for (const [name, svg] of Object.entries(plots)) fs.writeFileSync(folder.file(name), svg);
    }
    return {
      dir: folder.dir,
      splits,
      summary,
      rows: all,
      plots,
      epochsTrained: trainedHere,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

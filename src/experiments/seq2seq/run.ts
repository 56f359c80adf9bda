/**
 * One training run (a model size × seed × regime) with its measurements: at log-spaced
 * steps, the mean training loss since the previous measurement (for meta-learning L_train,
 * with L_test(θ′) as `metaTestLoss`), exact-match accuracy on the
 * iid and OOD evaluation subsets, and the structure of the encoder states (via an injected
 * measurer). This is one cell of the sweep; each measurement step's rows are one commit,
 * handed to `emit`; checkpoints go through injected load/save functions, so this module
 * does no I/O itself.
 *
 * Resume: given the steps already journaled for this run and the latest checkpoint, the
 * run restores the checkpoint (or, when the checkpoint is past a step the journal lacks,
 * starts again from step 0: training is deterministic), retrains to each missing
 * measurement step and emits only the rows not yet journaled. A checkpoint carries the
 * running loss sums, so the mean loss since the previous measurement is the same number
 * whether or not the run was interrupted in between.
 */
import type * as tfNs from "@tensorflow/tfjs";
import { yieldToEventLoop } from "../runner.js";
import { logSpacedSteps, type Regime, type Seq2seqConfig } from "./config.js";
import { exactMatchAccuracy } from "./decode.js";
import {
  MODEL_SIZES,
  parameterCount,
  standardArchitecture,
  type ModelConfig,
  type ModelSize,
  type Params,
} from "./model.js";
import type { PreparedTask } from "./task.js";
import { Seq2seqTrainer, type TrainerSnapshot } from "./trainer.js";

type Tf = typeof tfNs;

export interface RunCoordinates {
  run: string;
  seed: number;
  model: ModelSize;
  width: number;
  regime: Regime;
  task: string;
  split: string;
}

/** A measurement row before the experiment name is attached. */
export interface MeasureRow {
  measure: string;
  value: number | null;
  step: number;
  layer?: number;
  labelSet?: string;
  estimator?: string;
  /** Residual decomposition: which component ("token", "bigram − token", …, "unexplained"). */
  component?: string;
  /** With null shadows (METHODS §5.1): raw, null or corrected; and the null's spread and p-value. */
  correction?: "raw" | "null" | "corrected";
  shadows?: number;
  sd?: number;
  lower?: number;
  upper?: number;
  pValue?: number;
  /** Bootstrap rows: which resample of the probe inputs. */
  replicate?: number;
}

/** Measures encoder-state structure at one step; returns rows without run coordinates. */
export type StructureMeasurer = (params: Params, model: ModelConfig, step: number) => Promise<MeasureRow[]>;

export interface RunHooks {
  /** Steps whose rows are already in the journal (resume). */
  journaledSteps: ReadonlySet<number>;
  emit: (rows: (MeasureRow & RunCoordinates)[]) => void | Promise<void>;
  loadCheckpoint: () => RunCheckpoint | undefined;
  saveCheckpoint: (checkpoint: RunCheckpoint) => void;
  log: (message: string) => void;
  measureStructure?: StructureMeasurer;
}

/** Sums of the training losses since the previous measurement step. */
export interface LossSums {
  loss: number;
  metaTestLoss: number;
  count: number;
}

/** What a run's checkpoint restores: the trainer and the loss sums of the current interval. */
export interface RunCheckpoint {
  snapshot: TrainerSnapshot;
  losses: LossSums;
}

export function runKey(regime: Regime, size: ModelSize, seed: number): string {
  return `${regime}-${size}-seed${seed}`;
}

export function modelConfigFor(task: PreparedTask, size: ModelSize): ModelConfig {
  return {
    ...standardArchitecture(MODEL_SIZES[size]),
    sourceVocab: task.vocab.source.length,
    targetVocab: task.vocab.target.length,
    maxSourceLength: task.lengths.src,
    maxTargetLength: task.lengths.tgt,
  };
}

export interface RunOutcome {
  coordinates: RunCoordinates;
  finalStep: number;
  trainedSteps: number;
  seconds: number;
  skipped: boolean;
}

export async function trainAndMeasure(
  tf: Tf,
  task: PreparedTask,
  config: Seq2seqConfig,
  size: ModelSize,
  seed: number,
  regime: Regime,
  hooks: RunHooks,
): Promise<RunOutcome> {
  const model = modelConfigFor(task, size);
  const coordinates: RunCoordinates = {
    run: runKey(regime, size, seed),
    seed,
    model: size,
    width: model.width,
    regime,
    task: task.split.task,
    split: task.split.split,
  };
  const schedule = logSpacedSteps(config.steps, config.measurePoints);
  const pending = schedule.filter((s) => !hooks.journaledSteps.has(s));
  const started = performance.now();
  if (pending.length === 0) {
    hooks.log(`${coordinates.run}: already complete in the journal; skipped`);
    return { coordinates, finalStep: config.steps, trainedSteps: 0, seconds: 0, skipped: true };
  }
  const trainer = new Seq2seqTrainer(
    tf,
    model,
    {
      seed,
      batchSize: config.batchSize,
      learningRate: config.learningRate,
      ...(regime === "meta"
        ? {
            meta: {
              innerLearningRate: config.metaInnerLearningRate,
              order: config.metaOrder,
              neighbours: config.metaNeighbours,
              partners: config.metaPartners,
              temperature: config.metaTemperature,
            },
          }
        : {}),
    },
    task.train,
    task.neighbours,
  );
  let trainedSteps = 0;
  try {
    let saved = hooks.loadCheckpoint();
    if (saved && saved.snapshot.step > pending[0]!) {
      hooks.log(
        `${coordinates.run}: the checkpoint (step ${saved.snapshot.step}) is past a measurement the journal lacks (step ${pending[0]}); retraining from step 0`,
      );
      saved = undefined;
    }
    if (saved) {
      trainer.restore(saved.snapshot);
      hooks.log(`${coordinates.run}: resumed from the checkpoint at step ${saved.snapshot.step}`);
    }
    const losses: LossSums = saved ? { ...saved.losses } : { loss: 0, metaTestLoss: 0, count: 0 };
    const reset = () => Object.assign(losses, { loss: 0, metaTestLoss: 0, count: 0 });
    const last = pending[pending.length - 1]!;
    for (const target of schedule) {
      if (target < trainer.step) continue;
      if (target > last) break;
      while (trainer.step < target) {
        const { trainLoss, testLoss } = trainer.trainStep();
        trainedSteps++;
        // Between measurements lie up to hours of steps: Ctrl-C/SIGTERM must not wait for them.
        await yieldToEventLoop();
        losses.loss += trainLoss;
        losses.metaTestLoss += testLoss ?? 0;
        losses.count++;
        if (trainer.step % config.checkpointEvery === 0 && trainer.step < target)
          hooks.saveCheckpoint({ snapshot: trainer.snapshot(), losses: { ...losses } });
      }
      if (hooks.journaledSteps.has(target)) {
        reset();
        continue;
      }
      const rows: MeasureRow[] = [];
      const step = trainer.step;
      // The mean training loss since the previous measurement (absent at step 0: nothing trained yet).
      // For meta-learning, "loss" is L_train(θ) (comparable with standard training) and
      // "metaTestLoss" is L_test(θ′) after the inner step.
      if (losses.count > 0) rows.push({ measure: "loss", value: losses.loss / losses.count, step });
      if (losses.count > 0 && regime === "meta")
        rows.push({ measure: "metaTestLoss", value: losses.metaTestLoss / losses.count, step });
      rows.push({ measure: "parameters", value: parameterCount(model), step });
      const iid = exactMatchAccuracy(tf, trainer.params, model, task.iidEval);
      const ood = exactMatchAccuracy(tf, trainer.params, model, task.oodEval);
      if (iid !== null) rows.push({ measure: "iidAccuracy", value: iid, step });
      if (ood !== null) rows.push({ measure: "oodAccuracy", value: ood, step });
      if (hooks.measureStructure) rows.push(...(await hooks.measureStructure(trainer.params, model, step)));
      // Checkpoint first (with this interval's losses), then the commit: a resume never finds
      // the journal ahead of the checkpoint.
      hooks.saveCheckpoint({ snapshot: trainer.snapshot(), losses: { ...losses } });
      await hooks.emit(rows.map((r) => ({ ...coordinates, ...r })));
      reset();
      const elapsed = (performance.now() - started) / 1000;
      hooks.log(
        `${coordinates.run}: step ${step}/${config.steps}` +
          `${rows[0]?.measure === "loss" ? `  loss ${rows[0].value!.toFixed(4)}` : ""}` +
          `${iid !== null ? `  iid ${(100 * iid).toFixed(1)}%` : ""}${ood !== null ? `  ood ${(100 * ood).toFixed(1)}%` : ""}  (${elapsed.toFixed(0)} s)`,
      );
    }
  } finally {
    trainer.dispose();
  }
  return {
    coordinates,
    finalStep: config.steps,
    trainedSteps,
    seconds: (performance.now() - started) / 1000,
    skipped: false,
  };
}

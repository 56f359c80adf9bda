/**
 * The seq2seq experiment's configuration: named presets, overrides, and validation that
 * runs before any training (bad configurations fail with a message naming the field).
 * Pure (no I/O). Resolution (preset + config file + flags) is the shared one of
 * ../training/config.ts; errors are InputErrors naming the key and where it came from.
 */
import { InputError } from "../../io/errors.js";
import { choiceSetting, integerSetting, resolveSettings, type SettingsLayer } from "../training/config.js";
import { MODEL_SIZES, type ModelSize } from "./model.js";
import type { MetaOrder } from "./gradients.js";
import { SCAN_SPLITS, type ScanSplit } from "./splits.js";
import { TOY_TASKS } from "./toyTasks.js";

export const SEQ2SEQ_TASKS = ["scan", ...TOY_TASKS] as const;
export type Seq2seqTask = (typeof SEQ2SEQ_TASKS)[number];
export const REGIMES = ["standard", "meta"] as const;
export type Regime = (typeof REGIMES)[number];
export const STRUCTURE_ESTIMATORS = ["soft", "binned"] as const;
export type StructureEstimator = (typeof STRUCTURE_ESTIMATORS)[number];

export interface Seq2seqConfig {
  task: Seq2seqTask;
  split: ScanSplit;
  sizes: ModelSize[];
  seeds: number[];
  regimes: Regime[];
  steps: number;
  batchSize: number;
  learningRate: number;
  /**
   * Meta-learning (DG-MAML, Conklin et al. 2021): inner SGD step, gradient order (second =
   * exact, the paper's; first = the approximation), the k most similar training inputs
   * (edit distance) partners are drawn from, partners per example, and τ of the partner
   * distribution softmax(−distance / τ).
   */
  metaInnerLearningRate: number;
  metaOrder: MetaOrder;
  metaNeighbours: number;
  metaPartners: number;
  metaTemperature: number;
  /** Number of log-spaced measurement steps (plus step 0). */
  measurePoints: number;
  /** Test examples decoded per accuracy measurement (a fixed seeded subset; 0 = all). */
  evalExamples: number;
  /** Distinct training inputs whose encoder states are measured. */
  probeInputs: number;
  estimator: StructureEstimator;
  /** Soft-entropy anchors. */
  anchors: number;
  /**
   * Bias correction (METHODS §5.1): null shadows per label set; 0 turns it off (raw values only).
   * With k ≥ 1 every label-dependent measure is three rows (raw / null / corrected) and the
   * summaries read the corrected one.
   */
  nullShadows: number;
  /**
   * Probe inputs are split into this many groups (at most one input each); the bootstrap over probe inputs (the interval
   * of the peak step and of compression) redraws groups with replacement.
   */
  bootstrapGroups: number;
  /** Bootstrap resamples of information per measurement step (0 = no bootstrap rows). */
  bootstrapResamples: number;
  /** Save a checkpoint at least this often (steps), besides every measurement step. */
  checkpointEvery: number;
  /** Toy tasks only: training/test examples. */
  toyTrain: number;
  toyTest: number;
}

export const PRESETS = {
  /**
   * About 5 minutes on a 2-core machine: the small model, one seed, 1,200 steps of 32, both
   * accuracies and every structure measure at 8 log-spaced steps (how lr 5e-3 was chosen:
   * BENCHMARKS.md "Preset history").
   */
  quick: {
    task: "scan",
    split: "jump",
    sizes: ["small"],
    seeds: [1],
    regimes: ["standard"],
    steps: 1200,
    batchSize: 32,
    learningRate: 5e-3,
    metaInnerLearningRate: 1e-2,
    metaOrder: "second",
    metaNeighbours: 100,
    metaPartners: 3,
    metaTemperature: 1,
    measurePoints: 8,
    evalExamples: 200,
    probeInputs: 300,
    estimator: "soft",
    anchors: 100,
    nullShadows: 4,
    bootstrapGroups: 20,
    bootstrapResamples: 200,
    checkpointEvery: 100,
    toyTrain: 500,
    toyTest: 100,
  },
  /**
   * The full setup: three sizes × three seeds, 10,000 steps of 64 examples each (about 48
   * epochs of the add-jump training set), 16 measurement points. Expected runtime on the
   * 2-core benchmark machine (wasm, one step ≈ 0.2 / 0.5 / 2.2 CPU-seconds for small /
   * medium / large, see BENCHMARKS.md "Seq2seq"): about 8 h per seed for all three sizes,
   * about a day in all; add `--regimes standard,meta` to double it with the meta-learned
   * models. Runs resume (`--resume`) after an interruption.
   */
  thesis: {
    task: "scan",
    split: "jump",
    sizes: ["small", "medium", "large"],
    seeds: [1, 2, 3],
    regimes: ["standard"],
    steps: 10000,
    batchSize: 64,
    learningRate: 1e-3,
    metaInnerLearningRate: 1e-2,
    metaOrder: "second",
    metaNeighbours: 100,
    metaPartners: 3,
    metaTemperature: 1,
    measurePoints: 16,
    evalExamples: 1000,
    probeInputs: 2000,
    estimator: "soft",
    anchors: 100,
    nullShadows: 4,
    bootstrapGroups: 20,
    bootstrapResamples: 200,
    checkpointEvery: 500,
    toyTrain: 500,
    toyTest: 100,
  },
} as const satisfies Record<string, Seq2seqConfig>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

const KEYS = Object.keys(PRESETS.quick);

/** The seq2seq experiment's settings schema (keys and validation) for the shared resolver. */
export const SEQ2SEQ_SETTINGS = {
  keys: KEYS,
  validate: (c: Seq2seqConfig, source: string) => validateSeq2seqConfig(c, source),
};

/** A preset with layers of overrides (a config file, flags) on top, validated. */
export function resolveSeq2seqConfig(name: PresetName, layers: readonly SettingsLayer[] = []): Seq2seqConfig {
  const base = PRESETS[name] as Seq2seqConfig | undefined;
  if (!base) throw new InputError(`unknown preset "${name}" (known: ${PRESET_NAMES.join(", ")})`);
  return resolveSettings(SEQ2SEQ_SETTINGS, base, `preset ${name}`, layers);
}

export function presetConfig(name: PresetName, overrides: Partial<Seq2seqConfig> = {}): Seq2seqConfig {
  return resolveSeq2seqConfig(name, [{ source: "settings", values: overrides }]);
}

/** Throws an InputError naming the first bad field; call before any training. */
export function validateSeq2seqConfig(c: Seq2seqConfig, source = "settings"): void {
  const fail = (message: string): never => {
    throw new InputError(`${source}: ${message}`);
  };
  const oneOf = (field: string, value: unknown, allowed: readonly unknown[]): void =>
    void choiceSetting(value, field, source, allowed);
  const positiveInt = (field: keyof Seq2seqConfig, min = 1): void => void integerSetting(c[field], field, source, min);
  oneOf("task", c.task, SEQ2SEQ_TASKS);
  oneOf("split", c.split, SCAN_SPLITS);
  if (c.task !== "scan" && c.split !== "random") fail(`the ${c.task} task has only the random split, got ${c.split}`);
  if (!Array.isArray(c.sizes) || !c.sizes.length) fail("sizes must name at least one model size");
  for (const s of c.sizes) oneOf("size", s, Object.keys(MODEL_SIZES));
  if (!Array.isArray(c.seeds) || !c.seeds.length) fail("seeds must hold at least one seed");
  for (const s of c.seeds) if (!Number.isInteger(s)) fail(`seeds must be integers, got ${s}`);
  if (!Array.isArray(c.regimes) || !c.regimes.length) fail("regimes must name at least one of standard, meta");
  for (const r of c.regimes) oneOf("regime", r, REGIMES);
  positiveInt("steps");
  positiveInt("batchSize");
  if (!(c.learningRate > 0 && c.learningRate < 1)) fail(`learningRate must be in (0, 1), got ${c.learningRate}`);
  if (!(c.metaInnerLearningRate > 0 && c.metaInnerLearningRate < 10))
    fail(`metaInnerLearningRate must be in (0, 10), got ${c.metaInnerLearningRate}`);
  oneOf("metaOrder", c.metaOrder, ["first", "second"]);
  positiveInt("metaNeighbours");
  positiveInt("metaPartners");
  if (!(c.metaTemperature > 0 && Number.isFinite(c.metaTemperature)))
    fail(`metaTemperature must be a positive number, got ${c.metaTemperature}`);
  positiveInt("measurePoints", 2);
  positiveInt("evalExamples", 0);
  positiveInt("probeInputs");
  oneOf("estimator", c.estimator, STRUCTURE_ESTIMATORS);
  positiveInt("anchors", 2);
  positiveInt("nullShadows", 0);
  positiveInt("bootstrapGroups", 2);
  positiveInt("bootstrapResamples", 0);
  positiveInt("checkpointEvery");
  positiveInt("toyTrain");
  positiveInt("toyTest");
  if (c.measurePoints > c.steps + 1)
    fail(`measurePoints (${c.measurePoints}) cannot exceed steps + 1 (${c.steps + 1})`);
}

/**
 * Measurement steps: 0 and `points − 1` log-spaced steps from 1 to `steps` (rounded,
 * duplicates removed, so fewer when steps is small). Always includes the last step.
 */
export function logSpacedSteps(steps: number, points: number): number[] {
  const out = new Set<number>([0]);
  const k = points - 1;
  for (let i = 0; i < k; i++) out.add(Math.round(Math.exp((Math.log(steps) * i) / Math.max(1, k - 1))));
  out.add(steps);
  return [...out].filter((s) => s <= steps).sort((a, b) => a - b);
}

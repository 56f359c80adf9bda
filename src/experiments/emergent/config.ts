/**
 * Configuration of the emergent-communication experiment (METHODS §6.1): the meaning space,
 * the channel, the agents, training, the splits and the sweep (seeds × hidden sizes).
 * Pure: validation throws an InputError naming the offending key (and the file it came
 * from), before any training starts. Resolution (preset + config file) is the shared one of
 * ../training/config.ts.
 */
import { InputError } from "../../io/errors.js";
import { integerSetting, listSetting, openIntervalSetting, resolveSettings } from "../training/config.js";

export interface EmergentConfig {
  /** Role names, e.g. ["subject", "verb", "object"]. */
  roles: string[];
  /** Atoms per role: one number for every role, or one per role. */
  atoms: number | number[];
  /** Signal length L (every signal has exactly L symbols; there is no end symbol). */
  signalLength: number;
  /** Alphabet size |C|. */
  alphabetSize: number;
  /** Hidden sizes of the capacity sweep (sender and receiver GRUs share the size). */
  hiddenSizes: number[];
  /** Seeds: one run per seed and hidden size. */
  seeds: number[];
  /** Symbol embedding size (sender input and receiver input). */
  embeddingSize: number;
  batchSize: number;
  /** Shuffled passes over the training meanings per epoch (the language is evaluated once per epoch). */
  passesPerEpoch: number;
  learningRate: number;
  /** Weight of the sender's entropy bonus. */
  entropyCoefficient: number;
  epochs: number;
  /** Fraction of the meanings (after removing the compositional test) held out as the iid test. */
  iidTestFraction: number;
  /** Two roles whose atom combinations are partly held out for the compositional test. */
  compositionalRoles: [string, string];
  /** Fraction of those role-pair combinations held out (every meaning containing one is test). */
  compositionalFraction: number;
  /** Seed of the splits (shared by every run, so all runs are tested on the same meanings). */
  splitSeed: number;
  /** Options passed to the language measures (e.g. topsim pair subsampling); see measureMapping. */
  measureOptions?: Record<string, unknown>;
  /**
   * Symbol 0 ends a message (EGG's convention, the ICLR 2023 reference's): the receiver reads
   * up to and including the first 0 and later positions get no reward or gradient. Default
   * false: every signal has exactly L symbols.
   */
  zeroEndsMessage?: boolean;
  /** The receiver's loss over roles: "sum" (default) or "mean" (the reference's). */
  roleLoss?: "sum" | "mean";
  /** The REINFORCE baseline: "exponential" running mean (default) or "mean" of all batches (EGG's). */
  baseline?: "exponential" | "mean";
  /**
   * A folder of split files in the released format (train*.tsv, val*.tsv, test*.tsv, optional
   * iid_test*.tsv): the meanings, atoms and splits come from the files, and "atoms",
   * "compositionalRoles", "compositionalFraction", "iidTestFraction" and "splitSeed" are unused.
   */
  splitsDir?: string;
}

/** One run of the sweep: a config with its seed and hidden size fixed. */
export interface RunSpec {
  id: string;
  seed: number;
  hiddenSize: number;
}

const KEYS: readonly (keyof EmergentConfig)[] = [
  "roles",
  "atoms",
  "signalLength",
  "alphabetSize",
  "hiddenSizes",
  "seeds",
  "embeddingSize",
  "batchSize",
  "passesPerEpoch",
  "learningRate",
  "entropyCoefficient",
  "epochs",
  "iidTestFraction",
  "compositionalRoles",
  "compositionalFraction",
  "splitSeed",
  "measureOptions",
  "zeroEndsMessage",
  "roleLoss",
  "baseline",
  "splitsDir",
];

/**
 * The full setup of METHODS §6.1. Hidden and embedding sizes are not fixed by METHODS; 128/32
 * is our default, and the sweep spans 64–256. Expected runtime on this 2-core machine (from
 * `npm run bench -- emergent`: 1.6 s CPU per wasm training step at hidden 128, 3 steps per
 * epoch, ~3 s to evaluate and measure the language): 8–15 s per epoch, so 300 epochs × 15 runs
 * take about 10 h on an idle machine (about 19 h at load 7). Lower "epochs", "seeds" or
 * "hiddenSizes" with --config to shorten it; --resume continues an interrupted run.
 */
export const THESIS_PRESET: EmergentConfig = {
  roles: ["subject", "verb", "object"],
  atoms: 25,
  signalLength: 6,
  alphabetSize: 26,
  hiddenSizes: [64, 128, 256],
  seeds: [1, 2, 3, 4, 5],
  embeddingSize: 32,
  batchSize: 5000,
  passesPerEpoch: 1,
  learningRate: 1e-3,
  entropyCoefficient: 0.5,
  epochs: 300,
  iidTestFraction: 0.1,
  compositionalRoles: ["subject", "object"],
  compositionalFraction: 0.12,
  splitSeed: 0,
  // The reference's game (hcoxec/variable_compositionality on EGG).
  zeroEndsMessage: true,
  roleLoss: "mean",
  baseline: "mean",
};

/**
 * Small enough to finish in a few minutes on two cores (it runs inside `npm start`), big enough
 * to show learning: 3 roles × 6 atoms (216 meanings), 2 seeds × 2 hidden sizes. Each batch is
 * the whole training split (162 meanings) and an epoch is 16 such Adam steps (lr 1e-2): the
 * large batch tames the variance of the sender's REINFORCE gradient. How these settings were
 * chosen, and what they reach: BENCHMARKS.md "Preset history".
 */
export const QUICK_PRESET: EmergentConfig = {
  roles: ["subject", "verb", "object"],
  atoms: 6,
  signalLength: 4,
  alphabetSize: 8,
  hiddenSizes: [32, 64],
  seeds: [1, 2],
  embeddingSize: 16,
  batchSize: 162,
  passesPerEpoch: 16,
  learningRate: 1e-2,
  entropyCoefficient: 0.5,
  epochs: 60,
  iidTestFraction: 0.1,
  compositionalRoles: ["subject", "object"],
  compositionalFraction: 0.17,
  splitSeed: 0,
};

/**
 * Between quick and thesis, for probing the §6.1 findings in about 20–25 minutes on a 2-core
 * machine: 3 roles × 10 atoms (1000 meanings), L = 6, |C| = 16; 10 % of subject–object pairs
 * held out (compositional test 100 meanings, iid test 90, train 810); 3 hidden sizes × 3 seeds
 * = 9 runs (enough for a per-epoch Spearman across runs). Full-batch (810) Adam steps, 16 per
 * epoch, lr 1e-2, 30 epochs. Pilots, cost and results: BENCHMARKS.md "Preset history".
 */
// glossa's own game (fixed-length signals, summed loss, exponential baseline): the thesis preset without the reference's options.
const { zeroEndsMessage: _z, roleLoss: _r, baseline: _b, ...THESIS_SETUP } = THESIS_PRESET;

export const MEDIUM_PRESET: EmergentConfig = {
  ...THESIS_SETUP, // roles, L = 6, hidden sizes 64/128/256, entropy bonus, test fractions, split seed
  atoms: 10,
  alphabetSize: 16,
  seeds: [1, 2, 3],
  embeddingSize: 16,
  batchSize: 810,
  passesPerEpoch: 16,
  learningRate: 1e-2,
  epochs: 30,
  compositionalFraction: 0.1,
};

export const PRESETS = { quick: QUICK_PRESET, medium: MEDIUM_PRESET, thesis: THESIS_PRESET } as const;
export type PresetName = keyof typeof PRESETS;

/** Atom counts per role. */
export function atomCounts(config: EmergentConfig): number[] {
  return typeof config.atoms === "number" ? config.roles.map(() => config.atoms as number) : [...config.atoms];
}

/** Number of meanings: the product of the atom counts. */
export function meaningCount(config: EmergentConfig): number {
  return atomCounts(config).reduce((a, b) => a * b, 1);
}

/** The sweep's runs, hidden size outermost, with stable ids like "h64-s1". */
export function runSpecs(config: EmergentConfig): RunSpec[] {
  const runs: RunSpec[] = [];
  for (const hiddenSize of config.hiddenSizes) {
    for (const seed of config.seeds) runs.push({ id: `h${hiddenSize}-s${seed}`, seed, hiddenSize });
  }
  return runs;
}

/** The emergent experiment's settings schema (keys and validation) for the shared resolver. */
export const EMERGENT_SETTINGS = { keys: KEYS as readonly string[], validate: validateConfig };

/**
 * Merges user overrides (parsed JSON) onto a base config. Unknown keys are errors naming the
 * key and the known ones; the result is validated.
 */
export function resolveConfig(
  base: EmergentConfig,
  overrides: Record<string, unknown> = {},
  source = "config",
): EmergentConfig {
  return resolveSettings(EMERGENT_SETTINGS, base, "config", [{ source, values: overrides }]);
}

function positiveInteger(value: unknown, key: string, source: string, max = Number.MAX_SAFE_INTEGER): number {
  return integerSetting(value, key, source, 1, max);
}

function fraction(value: unknown, key: string, source: string): number {
  return openIntervalSetting(value, key, source, 0, 1);
}

/** |C|^L < #meanings: some meanings would have to share a signal. */
export function checkSignalCapacity(L: number, C: number, meanings: number, source: string): void {
  if (L * Math.log(C) < Math.log(meanings) - 1e-12) {
    throw new InputError(
      `${source}: a signal of length ${L} over ${C} symbols has only ${C ** L} forms, fewer than the ${meanings} meanings; increase "signalLength" or "alphabetSize"`,
    );
  }
}

/** Throws an InputError naming the first bad setting; checks everything that can fail before training. */
export function validateConfig(config: EmergentConfig, source = "config"): void {
  if (
    !Array.isArray(config.roles) ||
    config.roles.length < 2 ||
    config.roles.some((r) => typeof r !== "string" || r === "")
  ) {
    throw new InputError(
      `${source}: "roles" must list at least two non-empty role names, got ${JSON.stringify(config.roles)}`,
    );
  }
  if (new Set(config.roles).size !== config.roles.length)
    throw new InputError(`${source}: "roles" has duplicate names: ${config.roles.join(", ")}`);
  if (Array.isArray(config.atoms)) {
    if (config.atoms.length !== config.roles.length) {
      throw new InputError(`${source}: "atoms" lists ${config.atoms.length} counts for ${config.roles.length} roles`);
    }
    config.atoms.forEach((a, i) => positiveInteger(a, `atoms[${i}]`, source, 1000));
  } else positiveInteger(config.atoms, "atoms", source, 1000);
  const counts = atomCounts(config);
  if (counts.some((a) => a < 2))
    throw new InputError(`${source}: every role needs at least 2 atoms, got ${counts.join(", ")}`);
  const n = meaningCount(config);
  if (n > 2_000_000)
    throw new InputError(`${source}: the meaning space has ${n} meanings; at most 2,000,000 are supported`);
  const L = positiveInteger(config.signalLength, "signalLength", source, 64);
  const C = positiveInteger(config.alphabetSize, "alphabetSize", source, 1000);
  if (C < 2) throw new InputError(`${source}: "alphabetSize" must be at least 2, got ${C}`);
  // With split files the meanings are known only once the files are read (checked then).
  if (config.splitsDir === undefined) checkSignalCapacity(L, C, n, source);
  for (const key of ["hiddenSizes", "seeds"] as const) listSetting(config[key], key, source);
  config.hiddenSizes.forEach((h, i) => positiveInteger(h, `hiddenSizes[${i}]`, source, 4096));
  config.seeds.forEach((s, i) => {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0 || s > 2 ** 31 - 1) {
      throw new InputError(`${source}: "seeds[${i}]" must be an integer from 0 to 2^31 − 1, got ${JSON.stringify(s)}`);
    }
  });
  positiveInteger(config.embeddingSize, "embeddingSize", source, 4096);
  positiveInteger(config.batchSize, "batchSize", source, 1_000_000);
  positiveInteger(config.passesPerEpoch, "passesPerEpoch", source, 10_000);
  positiveInteger(config.epochs, "epochs", source, 1_000_000);
  if (typeof config.learningRate !== "number" || !(config.learningRate > 0) || !(config.learningRate < 10)) {
    throw new InputError(
      `${source}: "learningRate" must be a positive number below 10, got ${JSON.stringify(config.learningRate)}`,
    );
  }
  if (
    typeof config.entropyCoefficient !== "number" ||
    !(config.entropyCoefficient >= 0) ||
    !Number.isFinite(config.entropyCoefficient)
  ) {
    throw new InputError(
      `${source}: "entropyCoefficient" must be a finite number ≥ 0, got ${JSON.stringify(config.entropyCoefficient)}`,
    );
  }
  fraction(config.iidTestFraction, "iidTestFraction", source);
  fraction(config.compositionalFraction, "compositionalFraction", source);
  const pair = config.compositionalRoles;
  if (!Array.isArray(pair) || pair.length !== 2 || pair[0] === pair[1] || pair.some((r) => !config.roles.includes(r))) {
    throw new InputError(
      `${source}: "compositionalRoles" must name two different roles from ${JSON.stringify(config.roles)}, got ${JSON.stringify(pair)}`,
    );
  }
  const ib = config.roles.indexOf(pair[1]);
  const held = Math.round(config.compositionalFraction * counts[ib]!);
  if (config.splitsDir === undefined && (held < 1 || held >= counts[ib]!)) {
    throw new InputError(
      `${source}: "compositionalFraction" ${config.compositionalFraction} of ${counts[ib]} "${pair[1]}" atoms holds out ${held} per "${pair[0]}" atom; it must hold out at least 1 and leave at least 1`,
    );
  }
  if (
    typeof config.splitSeed !== "number" ||
    !Number.isInteger(config.splitSeed) ||
    config.splitSeed < 0 ||
    config.splitSeed > 2 ** 31 - 1
  ) {
    throw new InputError(
      `${source}: "splitSeed" must be an integer from 0 to 2^31 − 1, got ${JSON.stringify(config.splitSeed)}`,
    );
  }
  if (
    config.measureOptions !== undefined &&
    (typeof config.measureOptions !== "object" ||
      config.measureOptions === null ||
      Array.isArray(config.measureOptions))
  ) {
    throw new InputError(`${source}: "measureOptions" must be an object`);
  }
  if (config.zeroEndsMessage !== undefined && typeof config.zeroEndsMessage !== "boolean")
    throw new InputError(
      `${source}: "zeroEndsMessage" must be true or false, got ${JSON.stringify(config.zeroEndsMessage)}`,
    );
  for (const [key, choices] of [
    ["roleLoss", ["sum", "mean"]],
    ["baseline", ["exponential", "mean"]],
  ] as const) {
    const v = config[key];
    if (v !== undefined && !(choices as readonly unknown[]).includes(v))
      throw new InputError(
        `${source}: "${key}" must be ${choices.map((c) => `"${c}"`).join(" or ")}, got ${JSON.stringify(v)}`,
      );
  }
  if (config.splitsDir !== undefined && (typeof config.splitsDir !== "string" || config.splitsDir === ""))
    throw new InputError(`${source}: "splitsDir" must be a folder path, got ${JSON.stringify(config.splitsDir)}`);
}

/**
 * `glossa seq2seq`: trains small transformer encoder–decoders on SCAN (or a toy task) and
 * tracks the structure of their encoder states over training (METHODS §6.2–6.3).
 * Wiring only: the experiment lives in src/experiments/seq2seq/.
 */
import { SCALE_OUT_OPTIONS, scaleOutOptions } from "../../distributed/options.js";
import path from "node:path";
import {
  choiceOption,
  describeOptions,
  flagOption,
  numberOption,
  parseArgs,
  stringOption,
  UsageError,
} from "../args.js";
import { InputError } from "../../io/errors.js";
import { commandLine } from "../../io/runFolder.js";
import { textTable } from "../../report/html.js";
import { readSettingsFile } from "../../experiments/training/config.js";
import {
  PRESET_NAMES,
  resolveSeq2seqConfig,
  REGIMES,
  SEQ2SEQ_TASKS,
  STRUCTURE_ESTIMATORS,
  type Regime,
  type Seq2seqConfig,
} from "../../experiments/seq2seq/config.js";
import { MODEL_SIZES, type ModelSize } from "../../experiments/seq2seq/model.js";
import { SCAN_SPLITS } from "../../experiments/seq2seq/splits.js";
import { correlationText, describeRun } from "../../experiments/seq2seq/summary.js";

export const summary =
  "train seq2seq transformers on SCAN and track encoder structure and OOD generalisation over training";

const OPTIONS = {
  task: { type: "string", description: `task: ${SEQ2SEQ_TASKS.join(", ")} (default scan)` },
  split: { type: "string", description: `SCAN split: ${SCAN_SPLITS.join(", ")} (default jump; toy tasks: random)` },
  size: {
    type: "string",
    description: `model size(s), comma-separated: ${Object.entries(MODEL_SIZES)
      .map(([k, v]) => `${k} (width ${v})`)
      .join(", ")}, or all (default: the preset's)`,
  },
  preset: {
    type: "string",
    description: `${PRESET_NAMES.join(" | ")} (default quick: ~5 min on 2 cores; thesis: 3 sizes × 3 seeds × 10k steps, ≈ 25 CPU-hours)`,
  },
  config: {
    type: "string",
    description: "JSON file of settings over the preset's (keys as in the presets; flags override it)",
  },
  meta: {
    type: "boolean",
    description: "train with the DG-MAML-style meta-learning objective instead of the standard one",
  },
  regimes: {
    type: "string",
    description: `comma-separated training regimes (${REGIMES.join(", ")}), e.g. standard,meta to compare side by side`,
  },
  "meta-order": {
    type: "string",
    description: "meta-learning gradient: second (exact, as in DG-MAML; default) or first (first-order approximation)",
  },
  "meta-neighbours": {
    type: "string",
    description:
      "meta-learning: the k most similar training inputs (edit distance) partners are drawn from (default 100)",
  },
  "meta-partners": {
    type: "string",
    description: "meta-learning: meta-test partners per training example (default 3)",
  },
  "meta-temperature": {
    type: "string",
    description: "meta-learning: τ of the partner distribution softmax(−distance/τ) (default 1)",
  },
  "meta-lr": { type: "string", description: "meta-learning inner SGD step size (default 0.01)" },
  seeds: { type: "string", description: "comma-separated model seeds (default: the preset's)" },
  steps: { type: "string", description: "training steps per run (default: the preset's)" },
  "batch-size": { type: "string", description: "examples per step (default: the preset's, 32 quick / 64 thesis)" },
  lr: { type: "string", description: "Adam learning rate (default: the preset's)" },
  points: { type: "string", description: "measurement steps, log-spaced (default: the preset's)" },
  "eval-examples": { type: "string", description: "test examples decoded per accuracy (0 = all)" },
  probe: { type: "string", description: "distinct training inputs whose encoder states are measured" },
  estimator: {
    type: "string",
    description: `structure estimator: ${STRUCTURE_ESTIMATORS.join(" (default) | ")} (H_dw)`,
  },
  "null-shadows": {
    type: "string",
    description:
      "bias correction: null shadows per label set (default: the preset's, 4); summaries and plots read corrected values, raw ones stay in the rows; 0 = raw values only",
  },
  backend: { type: "string", description: "TensorFlow.js back end: wasm (default) or cpu" },
  "data-seed": { type: "string", description: "seed of the split and evaluation subsets (default 0)" },
  out: { type: "string", description: "run folder (default glossa-out/seq2seq-TASK-SPLIT-PRESET)" },
  ...SCALE_OUT_OPTIONS,
  resume: { type: "boolean", description: "continue the run in --out from its journal and checkpoints" },
  json: { type: "boolean", description: "print the summary as JSON" },
  help: { type: "boolean" },
} as const;

function intList(raw: string | undefined, name: string): number[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw.split(",").map((s) => s.trim());
  return values.map((v) => {
    const n = Number(v);
    if (v === "" || !Number.isInteger(n))
      throw new UsageError(`--${name} must be comma-separated integers, got "${raw}"`);
    return n;
  });
}

function choiceList<T extends string>(
  raw: string | undefined,
  name: string,
  choices: readonly T[],
  all?: readonly T[],
): T[] | undefined {
  if (raw === undefined) return undefined;
  if (raw === "all" && all) return [...all];
  const values = raw.split(",").map((s) => s.trim());
  for (const v of values)
    if (!(choices as readonly string[]).includes(v))
      throw new UsageError(`--${name}: "${v}" is not one of ${choices.join(", ")}`);
  return values as T[];
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(
      `usage: glossa seq2seq [--task scan] [--split jump|turn-left|around-right|length|random] [--size small|medium|large] [--preset quick|thesis] [--meta] [--out DIR] [--resume]\n${summary}\n\n${describeOptions(OPTIONS)}`,
    );
    return 0;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const preset = choiceOption(args, "preset", PRESET_NAMES, "quick");
  // Unset flags stay undefined so that a --config file's values survive them.
  const task = stringOption(args, "task") === undefined ? undefined : choiceOption(args, "task", SEQ2SEQ_TASKS, "scan");
  const sizeNames = Object.keys(MODEL_SIZES) as ModelSize[];
  let regimes = choiceList<Regime>(stringOption(args, "regimes"), "regimes", REGIMES);
  if (flagOption(args, "meta")) {
    if (regimes && !regimes.includes("meta")) throw new UsageError("--meta conflicts with --regimes without meta");
    regimes ??= ["meta"];
  }
  const optionalNumber = (
    name: string,
    constraints: { integer?: boolean; min?: number; max?: number },
  ): number | undefined =>
    stringOption(args, name) === undefined ? undefined : numberOption(args, name, 0, constraints);
  const overrides: Partial<Seq2seqConfig> = {
    task,
    split:
      stringOption(args, "split") !== undefined
        ? choiceOption(args, "split", SCAN_SPLITS, "jump")
        : task !== undefined && task !== "scan"
          ? "random"
          : undefined,
    sizes: choiceList(stringOption(args, "size"), "size", sizeNames, sizeNames),
    seeds: intList(stringOption(args, "seeds"), "seeds"),
    regimes,
    steps: optionalNumber("steps", { integer: true, min: 1 }),
    batchSize: optionalNumber("batch-size", { integer: true, min: 1 }),
    learningRate: optionalNumber("lr", { min: 0 }),
    measurePoints: optionalNumber("points", { integer: true, min: 2 }),
    evalExamples: optionalNumber("eval-examples", { integer: true, min: 0 }),
    probeInputs: optionalNumber("probe", { integer: true, min: 1 }),
    estimator:
      stringOption(args, "estimator") === undefined
        ? undefined
        : choiceOption(args, "estimator", STRUCTURE_ESTIMATORS, "soft"),
    metaOrder:
      stringOption(args, "meta-order") === undefined
        ? undefined
        : choiceOption(args, "meta-order", ["first", "second"] as const, "second"),
    metaNeighbours: optionalNumber("meta-neighbours", { integer: true, min: 1 }),
    metaPartners: optionalNumber("meta-partners", { integer: true, min: 1 }),
    metaTemperature: optionalNumber("meta-temperature", {}),
    metaInnerLearningRate: optionalNumber("meta-lr", { min: 0 }),
    nullShadows: optionalNumber("null-shadows", { integer: true, min: 0 }),
  };
  const configFile = stringOption(args, "config");
  let config: Seq2seqConfig;
  try {
    config = resolveSeq2seqConfig(preset, [
      ...(configFile ? [{ source: configFile, values: readSettingsFile(configFile) }] : []),
      { source: "command line", values: overrides },
    ]);
  } catch (error) {
    // Settings given only as flags are a usage error (exit 2); a bad config file is bad input (exit 1).
    if (error instanceof InputError && !configFile) throw new UsageError(error.message);
    throw error;
  }
  const backend = choiceOption(args, "backend", ["wasm", "cpu"] as const, "wasm");
  const dataSeed = numberOption(args, "data-seed", 0, { integer: true });
  const out = stringOption(args, "out") ?? path.join("glossa-out", `seq2seq-${config.task}-${config.split}-${preset}`);
  const log = (m: string): void => void process.stderr.write(`${m}\n`);
  log(
    `glossa seq2seq: ${config.regimes.join("+")} × ${config.sizes.join(",")} × seeds ${config.seeds.join(",")}, ${config.steps} steps, preset ${preset}; writing ${out}`,
  );

  const { runExperiment } = await import("../../experiments/seq2seq/experiment.js");
  const result = await runExperiment(config, {
    out,
    resume: flagOption(args, "resume"),
    ...scaleOutOptions("seq2seq", argv, out, (name) => stringOption(args, name)),
    backend,
    dataSeed,
    command: commandLine(["seq2seq", ...argv]),
    log,
  });

  if (flagOption(args, "json")) {
    console.log(
      JSON.stringify(
        { dir: result.dir, splitSizes: result.splitSizes, seconds: result.seconds, summary: result.summary },
        null,
        2,
      ),
    );
    return 0;
  }
  const table = result.summary.runs.map((r) => ({
    run: r.run,
    trough: r.troughStep,
    peak: r.peakStep,
    "info start→trough→peak→end": [r.informationStart, r.informationTrough, r.informationPeak, r.informationFinal]
      .map((v) => (v === null ? "n/a" : v.toFixed(3)))
      .join("→"),
    compression: r.compression,
    loss: r.lossFinal,
    iid: r.iidFinal,
    ood: r.oodFinal,
    phases: `${r.phaseOne ? "1" : "-"}${r.phaseTwo ? "2" : "-"}`,
  }));
  console.log(textTable(Object.keys(table[0] ?? { run: "" }), table));
  for (const r of result.summary.runs) console.log(describeRun(r));
  if (result.summary.runs.length > 1) {
    console.log(
      `\nmeans over seeds:\n${textTable(["regime", "model", "runs", "peakStep", "compression", "iidFinal", "oodFinal"], result.summary.groups as unknown as Record<string, unknown>[])}`,
    );
    console.log(`across runs: ${correlationText(result.summary)}`);
  }
  console.log(
    `\n${result.dir}: results.jsonl, results.csv, summary.json, report.html, ${result.plots.join(", ")} (${result.seconds.toFixed(0)} s)`,
  );
  return 0;
}

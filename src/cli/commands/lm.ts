/**
 * `glossa lm`: per-layer structure of ONNX language models (sizes or checkpoints) on a
 * corpus (METHODS §5, §6.4). Wiring only: the sweep lives in src/experiments/lm/.
 */
import { SCALE_OUT_OPTIONS, scaleOutOptions } from "../../distributed/options.js";
import path from "node:path";
import {
  choiceOption,
  describeOptions,
  flagOption,
  listOption,
  numberOption,
  parseArgs,
  stringOption,
  UsageError,
} from "../args.js";
import { textTable } from "../../report/html.js";
import { DEFAULT_LM_LABEL_SETS, LM_LABEL_SETS, type LmLabelSet } from "../../labels/lmLabels.js";
import { CALIBRATIONS, type Calibration } from "../../vector/temperature.js";
import type { LmEstimator } from "../../experiments/lm/experiment.js";

export const summary =
  "measure every layer of ONNX language models (sizes, checkpoints) against token, n-gram, POS and position labels";

const ESTIMATORS: readonly LmEstimator[] = ["soft", "hard", "binned"];
const DEFAULT_LABELS: LmLabelSet[] = [...DEFAULT_LM_LABEL_SETS];

const OPTIONS = {
  model: {
    type: "string",
    repeat: true,
    description: "model folder (model.onnx + tokenizer.json + tokenizer_config.json); repeat for sizes or checkpoints",
  },
  step: {
    type: "string",
    repeat: true,
    description: "training step of each --model, in order (default: from a folder name like step1000)",
  },
  corpus: { type: "string", description: 'text file (one document per line) or .jsonl with a "text" field' },
  layers: {
    type: "string",
    description: "all (default) or comma-separated layer indices (0 = embeddings, k = block k's output)",
  },
  labels: { type: "string", description: `comma-separated label sets: ${LM_LABEL_SETS.join(", ")} (default all)` },
  "max-tokens": { type: "string", description: "tokens per model (default: the whole corpus)" },
  "max-length": {
    type: "string",
    description: "window length in tokens (default: the tokenizer's model_max_length, at most 512)",
  },
  batch: { type: "string", description: "sequences per forward pass (default 8)" },
  estimator: { type: "string", description: `comma-separated: ${ESTIMATORS.join(", ")} (default soft)` },
  anchors: { type: "string", description: "soft/hard: number of anchors n (default 100)" },
  seed: { type: "string", description: "anchor seed (default 0)" },
  calibration: {
    type: "string",
    description: `soft temperature calibration: ${CALIBRATIONS.join(", ")} (default exact)`,
  },
  bins: { type: "string", description: "binned: bins per dimension (default 20)" },
  "null-shadows": {
    type: "string",
    description:
      "bias correction: null shadows per label set (default 4); tables and plots show corrected values, raw and null ones stay in the rows; 0 = raw values only",
  },
  outputs: {
    type: "string",
    description: "name the residual tensors yourself: NAME,NAME,… (embeddings first, then one per block)",
  },
  "stream-blocks": {
    type: "boolean",
    description:
      "models larger than memory: run the graph block by block over the corpus, holding one block's weights and two layers of hidden states",
  },
  "memory-limit": {
    type: "string",
    description:
      "with --stream-blocks: memory for one block's weights plus the hidden states, e.g. 8GB, 512MB, 4GiB; states that do not fit spill to disk (default: no limit)",
  },
  "spill-precision": {
    type: "string",
    description: "with --stream-blocks: type of spilled hidden states, float32 or float16 (default: the model's own)",
  },
  ep: { type: "string", description: "onnxruntime execution providers for the model, e.g. cuda,cpu (default cpu)" },
  threads: { type: "string", description: "onnxruntime intra-op threads (default: onnxruntime's choice)" },
  kernel: { type: "string", description: "anchor kernel back end: onnx (default, fast) or ts (reference)" },
  out: { type: "string", description: "run folder (default glossa-out/lm)" },
  ...SCALE_OUT_OPTIONS,
  resume: {
    type: "boolean",
    description: "continue the run in --out; finished (model, layer, estimator) cells are not recomputed",
  },
  json: { type: "boolean", description: "print the summary table as JSON" },
  help: { type: "boolean" },
} as const;

function commaList(raw: string | undefined): string[] | undefined {
  return raw === undefined
    ? undefined
    : raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

function choices<T extends string>(raw: string | undefined, name: string, allowed: readonly T[], fallback: T[]): T[] {
  const values = commaList(raw);
  if (!values) return fallback;
  if (values.length === 0) throw new UsageError(`--${name} needs at least one value`);
  for (const v of values)
    if (!(allowed as readonly string[]).includes(v))
      throw new UsageError(`--${name}: "${v}" is not one of ${allowed.join(", ")}`);
  return values as T[];
}

function integers(raw: string, name: string): number[] {
  return raw.split(",").map((s) => {
    const n = Number(s.trim());
    if (s.trim() === "" || !Number.isInteger(n) || n < 0)
      throw new UsageError(`--${name} must be comma-separated non-negative integers, got "${raw}"`);
    return n;
  });
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `8GB`, `512 MB`, `4GiB`, `1e9` (bytes) → bytes; anything else is a UsageError. */
export function parseByteSize(raw: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = BYTE_UNITS[(m?.[2] || "b").toLowerCase()];
  const bytes = m && unit ? Number(m[1]) * unit : Number.NaN;
  if (!Number.isFinite(bytes) || bytes < 1)
    throw new UsageError(
      `--${name} must be a positive size such as 8GB, 512MB or 4GiB (units ${Object.keys(BYTE_UNITS).join(", ")}), got "${raw}"`,
    );
  return Math.floor(bytes);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(
      `usage: glossa lm --model DIR [--model DIR ...] --corpus FILE [--layers all|0,3,5] [--labels token,bigram,trigram,pos] [--max-tokens N] [--batch B] [--estimator soft|binned] [--out DIR] [--resume] [--outputs NAME,NAME] [--stream-blocks [--memory-limit 8GB]]\n${summary}\n\n${describeOptions(OPTIONS)}`,
    );
    return 0;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const models = listOption(args, "model");
  if (models.length === 0) throw new UsageError("give at least one --model DIR");
  const corpusFile = stringOption(args, "corpus");
  if (!corpusFile) throw new UsageError("give --corpus FILE");
  const steps = listOption(args, "step").map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--step must be a non-negative integer, got "${s}"`);
    return n;
  });
  if (steps.length && steps.length !== models.length)
    throw new UsageError(`give one --step per --model (${models.length} models, ${steps.length} steps)`);
  const layersRaw = stringOption(args, "layers") ?? "all";
  const maxTokensRaw = stringOption(args, "max-tokens");
  const maxLengthRaw = stringOption(args, "max-length");
  const threadsRaw = stringOption(args, "threads");
  const streamBlocks = flagOption(args, "stream-blocks");
  const memoryLimitRaw = stringOption(args, "memory-limit");
  const spillRaw = stringOption(args, "spill-precision");
  if (!streamBlocks && (memoryLimitRaw !== undefined || spillRaw !== undefined))
    throw new UsageError(
      `--${memoryLimitRaw !== undefined ? "memory-limit" : "spill-precision"} needs --stream-blocks`,
    );
  const memoryLimit = memoryLimitRaw === undefined ? undefined : parseByteSize(memoryLimitRaw, "memory-limit");
  const spillPrecision =
    spillRaw === undefined
      ? undefined
      : choiceOption(args, "spill-precision", ["float32", "float16"] as const, "float32");
  const out = stringOption(args, "out") ?? path.join("glossa-out", "lm");
  const log = (m: string): void => void process.stderr.write(`${m}\n`);

  const { readCorpus } = await import("../../sources/corpus.js");
  const { commandLine } = await import("../../io/runFolder.js");
  const { runExperiment } = await import("../../experiments/lm/experiment.js");
  const { summaryTable, SUMMARY_COLUMNS } = await import("../../experiments/lm/report.js");
  const kernel = choiceOption(args, "kernel", ["onnx", "ts"] as const, "onnx");
  const backend =
    kernel === "onnx"
      ? (await import("../../compute/onnx.js")).onnxBackend()
      : (await import("../../compute/ts.js")).tsBackend;

  const corpus = readCorpus(corpusFile);
  if (corpus.blankLines)
    log(`${corpusFile}: ${corpus.documents.length} documents (${corpus.blankLines} blank lines skipped)`);
  const options = {
    models,
    steps: steps.length ? steps : undefined,
    documents: corpus.documents,
    layers: layersRaw === "all" ? ("all" as const) : integers(layersRaw, "layers"),
    labels: choices(stringOption(args, "labels"), "labels", LM_LABEL_SETS, DEFAULT_LABELS),
    estimators: choices(stringOption(args, "estimator"), "estimator", ESTIMATORS, ["soft"]),
    maxTokens: maxTokensRaw === undefined ? undefined : numberOption(args, "max-tokens", 0, { integer: true, min: 1 }),
    maxLength: maxLengthRaw === undefined ? undefined : numberOption(args, "max-length", 0, { integer: true, min: 1 }),
    batchSize: numberOption(args, "batch", 8, { integer: true, min: 1 }),
    anchors: {
      n: numberOption(args, "anchors", 100, { integer: true, min: 2 }),
      seed: numberOption(args, "seed", 0, { integer: true, min: 0 }),
    },
    calibration: choiceOption(args, "calibration", CALIBRATIONS, "exact") as Calibration,
    bins: numberOption(args, "bins", 20, { integer: true, min: 2 }),
    nullShadows: numberOption(args, "null-shadows", 4, { integer: true, min: 0 }),
    outputs: commaList(stringOption(args, "outputs")),
    executionProviders: commaList(stringOption(args, "ep")),
    threads: threadsRaw === undefined ? undefined : numberOption(args, "threads", 0, { integer: true, min: 1 }),
    backend,
    ...(streamBlocks ? { streamBlocks, memoryLimit, spillPrecision } : {}),
  };
  const command = commandLine(["lm", ...argv]);
  const result = await runExperiment(
    { ...options, corpusName: corpusFile },
    {
      out,
      resume: flagOption(args, "resume"),
      log,
      command,
      ...scaleOutOptions("lm", argv, out, (name) => stringOption(args, name)),
    },
  );
  const table = summaryTable(result.rows);
  if (flagOption(args, "json")) {
    console.log(JSON.stringify({ dir: out, summary: result.summary, table }, null, 2));
    return 0;
  }
  console.log(textTable(SUMMARY_COLUMNS, table));
  const { summary: done } = result;
  console.log(
    `\n${out}: results.jsonl, results.csv, report.html, ${result.plots.join(", ")} — ${done.cellsComputed} cells computed, ` +
      `${done.cellsSkipped} already done, ${done.tokens} tokens in ${done.seconds.toFixed(1)} s`,
  );
  return 0;
}

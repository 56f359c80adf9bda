/**
 * `glossa entropy REPS.npy`: streams a rows × d .npy file through a vector-entropy estimator
 * and prints H(Z) and, for every --labels set, H(Z|X), I(X;Z), regularity (both
 * normalisations), variation and disentanglement; optionally a permutation null and bootstrap
 * intervals. Wiring only: the maths is src/vector/, the kernels src/compute/.
 */
import { readNpy, NpyRowReader } from "../../io/npy.js";
import { InputError } from "../../io/errors.js";
import { npyLabelCodes } from "../../io/npyLabels.js";
import { selectBackend, BACKEND_NAMES, type BackendName } from "../../compute/select.js";
import { installLabelCellsThread } from "../../vector/labelCellsThread.node.js";
import {
  DEFAULT_NULL_SHADOWS,
  ESTIMATORS,
  RangeFinder,
  accumulateBatches,
  anchorsFromMatrix,
  entropyAccumulator,
  entropyJson,
  entropyParameters,
  entropyResults,
  rowsInputError,
  estimatorSpec,
  registeredEstimators,
  shownMeasures,
  type Anchors,
  type EntropyAccumulator,
  type EstimatorOption,
  type EstimatorSpec,
  type MeasureInterval,
  type MeasureRow,
  type PermutationNull,
} from "../../vector/index.js";
import {
  choiceOption,
  describeOptions,
  flagOption,
  listOption,
  numberOption,
  parseArgs,
  stringOption,
  UsageError,
  type OptionSpecs,
  type ParsedArgs,
} from "../args.js";
import { textTable } from "../../report/html.js";

export const summary =
  "entropy of vectors in a .npy file (soft, binned, hard, gaussian, knn) and regularity/variation/disentanglement per label set";

/** Options of the command itself; each estimator's own options come from the registry (estimatorOptionSpecs). */
const COMMAND_OPTIONS = {
  labels: {
    type: "string",
    repeat: true,
    description: "NAME=FILE.npy: one integer label per row (negative = excluded); repeatable, one file per NAME",
  },
  estimator: { type: "string", description: "" }, // filled in from the registry by optionSpecs()
  anchors: { type: "string", description: "soft/hard: n × d anchors .npy (default: generated from --n and --seed)" },
  backend: { type: "string", description: `soft/hard: compute back end: ${BACKEND_NAMES.join(" | ")} (default onnx)` },
  threads: { type: "string", description: "soft/hard: onnxruntime threads (default: all cores)" },
  batch: { type: "string", description: "rows per batch (default 4096)" },
  "min-count": {
    type: "string",
    description: "drop label values with fewer rows (default: 1 soft/hard, 5 binned, d+1 gaussian, k+1 knn)",
  },
  weighting: { type: "string", description: "H(Z|X) weighting: weighted | uniform (default weighted; binned uniform)" },
  null: {
    type: "string",
    description: "K label shuffles for a permutation null of I(X;Z) (keeps per-row records: 4·n bytes a row)",
  },
  "null-seed": { type: "string", description: "seed of the shuffles and of the null shadows (default 0)" },
  "null-shadows": {
    type: "string",
    description: `K null shadows per label set for the bias correction (soft, hard, binned; default ${DEFAULT_NULL_SHADOWS}; 0: raw values only). Each costs about one more label set in time and memory`,
  },
  bootstrap: { type: "string", description: "R bootstrap resamples over batches for 95% intervals (default 0: none)" },
  "skip-invalid": { type: "boolean", description: "skip NaN/Inf/all-zero rows (counted) instead of failing" },
  json: { type: "boolean", description: "print JSON with every parameter" },
  help: { type: "boolean" },
} as const satisfies OptionSpecs;

/** Which command options only some estimators use (the registry's `needs`). */
const NEEDS_OPTIONS: Record<string, "anchors" | "backend"> = {
  anchors: "anchors",
  backend: "backend",
  threads: "backend",
};

/** Every registered estimator's own options, once per flag (soft and hard share --n and --seed). */
function estimatorOptionSpecs(): OptionSpecs {
  const specs: OptionSpecs = {};
  for (const spec of registeredEstimators())
    for (const option of spec.options) specs[option.flag] ??= { type: "string", description: option.description };
  return specs;
}

function optionSpecs(): OptionSpecs {
  return {
    ...COMMAND_OPTIONS,
    estimator: {
      type: "string",
      description: `${registeredEstimators()
        .map((s) => s.name)
        .join(" | ")} (default soft)`,
    },
    ...estimatorOptionSpecs(),
  };
}

/**
 * The chosen estimator's options from the command line, as createAccumulator options; an option
 * of another estimator (e.g. --bins with soft) is a usage error rather than silently ignored.
 */
function estimatorValues(args: ParsedArgs, spec: EstimatorSpec): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const option of spec.options) {
    const raw = stringOption(args, option.flag);
    if (raw === undefined) continue;
    values[option.key] = optionValue(args, option, raw);
  }
  const mine = new Set(spec.options.map((o) => o.flag));
  for (const other of registeredEstimators())
    for (const option of other.options)
      if (!mine.has(option.flag) && args.options[option.flag] !== undefined)
        throw new UsageError(
          `--${option.flag} is an option of the ${usersOf(option.flag)} estimator, not of ${spec.name}`,
        );
  for (const [flag, need] of Object.entries(NEEDS_OPTIONS))
    if (args.options[flag] !== undefined && !spec.needs.includes(need))
      throw new UsageError(`--${flag} is not used by the ${spec.name} estimator`);
  return values;
}

function usersOf(flag: string): string {
  return registeredEstimators()
    .filter((s) => s.options.some((o) => o.flag === flag))
    .map((s) => s.name)
    .join("/");
}

function optionValue(args: ParsedArgs, option: EstimatorOption, raw: string): number | string {
  switch (option.kind) {
    case "integer":
      return numberOption(args, option.flag, 0, {
        integer: true,
        ...(option.min !== undefined ? { min: option.min } : {}),
      });
    case "number":
      return numberOption(args, option.flag, 0, option.min !== undefined ? { min: option.min } : {});
    case "positive": {
      const value = numberOption(args, option.flag, 0);
      if (!(value > 0))
        throw new UsageError(`--${option.flag} must be greater than 0 (${option.description}); got ${raw}`);
      return value;
    }
    case "choice":
      return choiceOption(args, option.flag, option.choices ?? [], option.choices?.[0] ?? "");
  }
}

/** `--json yes`: a flag followed by a word reads as a second file; say what is wrong instead. */
function checkFlagValues(argv: readonly string[], specs: OptionSpecs, positionals: readonly string[]): void {
  if (positionals.length <= 1) return;
  for (let i = 0; i + 1 < argv.length; i++) {
    const name = argv[i]!.startsWith("--") ? argv[i]!.slice(2) : null;
    const next = argv[i + 1]!;
    if (name && specs[name]?.type === "boolean" && !next.startsWith("--") && positionals.includes(next))
      throw new UsageError(`--${name} is a flag and takes no value (got "${next}")`);
  }
}

/** Reads an integer label file into Int32 codes, one per row. */
function readLabels(spec: string, rows: number): [string, Int32Array] {
  const eq = spec.indexOf("=");
  if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--labels expects NAME=FILE.npy, got "${spec}"`);
  const name = spec.slice(0, eq);
  const file = spec.slice(eq + 1);
  return [name, npyLabelCodes(readNpy(file), rows, file, name)];
}

/** Every --labels set, refusing one NAME given twice. */
function readLabelSets(specs: readonly string[], rows: number): Record<string, Int32Array> {
  const files = new Map<string, string>();
  for (const spec of specs) {
    const name = spec.slice(0, Math.max(0, spec.indexOf("=")));
    const earlier = files.get(name);
    if (name && earlier !== undefined)
      throw new UsageError(
        `--labels ${name} is given twice (${earlier} and ${spec.slice(name.length + 1)}); give each label set one name`,
      );
    files.set(name, spec.slice(name.length + 1));
  }
  return Object.fromEntries(specs.map((spec) => readLabels(spec, rows)));
}

function readAnchors(file: string, d: number): Anchors {
  const array = readNpy(file);
  if (array.shape.length !== 2 || array.shape[1] !== d)
    throw new InputError(`anchors must be an n × ${d} matrix, got shape (${array.shape.join(", ")})`, { file });
  if (!(array.data instanceof Float32Array || array.data instanceof Float64Array))
    throw new InputError(`anchors must be float, got ${array.dtype}`, { file });
  return anchorsFromMatrix(array.data, array.shape[0]!, d);
}

function progressReporter(total: number, quiet: boolean): (done: number) => void {
  const started = Date.now();
  let last = started;
  return (done) => {
    const now = Date.now();
    if (quiet || now - last < 2000) return;
    last = now;
    const rate = done / ((now - started) / 1000);
    process.stderr.write(
      `glossa entropy: ${done.toLocaleString("en")} / ${total.toLocaleString("en")} rows (${((100 * done) / total).toFixed(0)}%, ${Math.round(rate).toLocaleString("en")} rows/s)\n`,
    );
  };
}

export async function run(argv: string[]): Promise<number> {
  const specs = optionSpecs();
  const args = parseArgs(argv, specs);
  if (flagOption(args, "help")) {
    console.log(`usage: glossa entropy REPS.npy [options]\n${summary}\n\n${describeOptions(specs)}`);
    return 0;
  }
  checkFlagValues(argv, specs, args.positionals);
  if (args.positionals.length !== 1)
    throw new UsageError(
      `give exactly one REPS.npy file (rows × d), got ${args.positionals.length}${args.positionals.length ? `: ${args.positionals.join(" ")}` : ""}`,
    );
  const file = args.positionals[0]!;
  const estimator = choiceOption(args, "estimator", ESTIMATORS, "soft");
  const spec = estimatorSpec(estimator);
  const own = estimatorValues(args, spec);
  const backendName = choiceOption(args, "backend", BACKEND_NAMES, "onnx" as BackendName);
  const batchSize = numberOption(args, "batch", 4096, { integer: true, min: 1 });
  const nulls = numberOption(args, "null", 0, { integer: true, min: 0 });
  const resamples = numberOption(args, "bootstrap", 0, { integer: true, min: 0 });
  const json = flagOption(args, "json");
  const skipInvalid = flagOption(args, "skip-invalid");
  const nullSeed = numberOption(args, "null-seed", 0, { integer: true });
  if (args.options["null-shadows"] !== undefined && !spec.counting)
    throw new UsageError(
      `--null-shadows needs a counting estimator (${registeredEstimators()
        .filter((s) => s.counting)
        .map((s) => s.name)
        .join(", ")}), not ${spec.name}`,
    );
  const shadows = spec.counting
    ? numberOption(args, "null-shadows", DEFAULT_NULL_SHADOWS, { integer: true, min: 0, max: 1000 })
    : 0;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    if (!json) process.stderr.write(`glossa entropy: warning: ${message}\n`);
  };

  const reader = NpyRowReader.open(file);
  try {
    if (reader.shape.length !== 2)
      throw new InputError(`expected a 2-D rows × d array, got shape (${reader.shape.join(", ")})`, { file });
    if (reader.rows === 0)
      throw new InputError("has 0 rows: there is nothing to measure (expected rows × d)", { file });
    const d = reader.width;
    const labels = readLabelSets(listOption(args, "labels"), reader.rows);
    const threads =
      stringOption(args, "threads") === undefined
        ? undefined
        : numberOption(args, "threads", 1, { integer: true, min: 1 });
    const anchorsFile = stringOption(args, "anchors");
    const anchors = anchorsFile ? readAnchors(anchorsFile, d) : undefined;
    const weighting =
      args.options.weighting === undefined
        ? undefined
        : choiceOption(args, "weighting", ["weighted", "uniform"] as const, "weighted");
    const minCount =
      stringOption(args, "min-count") === undefined ? undefined : numberOption(args, "min-count", 1, { min: 0 });
    const progress = progressReporter(reader.rows, json && !process.stderr.isTTY);
    if (nulls > 0) {
      const perRow =
        estimator === "soft"
          ? 4 * ((own.n as number | undefined) ?? anchors?.n ?? 100)
          : estimator === "binned"
            ? (4 * d) / ((own.headSize as number | undefined) ?? 1)
            : 4;
      const gigabytes = (reader.rows * (perRow + 4 * Object.keys(labels).length)) / 2 ** 30;
      if (gigabytes > 1)
        warn(
          `--null keeps every row's record in memory: about ${gigabytes.toFixed(1)} GiB for ${reader.rows.toLocaleString("en")} rows`,
        );
    }

    let ranges: ReturnType<RangeFinder["ranges"]> | undefined;
    if (spec.needs.includes("ranges")) {
      const finder = new RangeFinder(d, { skipInvalid });
      try {
        for (const batch of reader.batches(batchSize, { reuse: true })) finder.update(batch.rows);
        ranges = finder.ranges();
      } catch (error) {
        throw rowsInputError(error, file);
      }
    }
    // result()'s cells of large label sets on a second thread; without label sets there are none
    if (Object.keys(labels).length > 0) installLabelCellsThread();
    const accumulator = entropyAccumulator({
      ...own,
      estimator,
      d,
      ...(anchors ? { anchors } : {}),
      ...(spec.needs.includes("backend")
        ? { backend: await selectBackend(backendName, threads ? { threads } : {}) }
        : {}),
      ...(ranges ? { ranges } : {}),
      ...(minCount !== undefined ? { minCount } : {}),
      ...(weighting ? { weighting } : {}),
      skipInvalid,
      keepRows: nulls > 0,
      nullShadows: shadows,
      nullSeed,
      resamples,
      warn,
    });
    try {
      // the next batches are read on libuv's threads while this one is counted
      const batches = reader.readAhead(batchSize);
      await accumulateBatches(accumulator, batches, { labels, onProgress: progress });
    } catch (error) {
      throw rowsInputError(error, file);
    }

    const result = entropyResults(accumulator, { permutations: nulls, resamples, seed: nullSeed });
    const { estimate } = result;
    for (const message of result.warnings) warn(message);

    const parameters = entropyParameters(
      {
        file,
        rows: reader.rows,
        d,
        batch: batchSize,
        labels: listOption(args, "labels"),
        backend: spec.needs.includes("backend") ? backendName : null,
      },
      result,
    );
    if (json) {
      console.log(JSON.stringify(entropyJson(parameters, result, warnings), null, 2));
      return 0;
    }
    printTable(estimate, result.measures, result.nulls, result.intervals, parameters);
    return 0;
  } finally {
    reader.close();
  }
}

function printTable(
  estimate: ReturnType<EntropyAccumulator["result"]>,
  measures: MeasureRow[],
  nulls: PermutationNull[],
  intervals: MeasureInterval[],
  parameters: Record<string, unknown>,
): void {
  const shown = Object.entries(parameters)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(
      ([k, v]) =>
        `${k}=${Array.isArray(v) ? v.join(",") : typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(6) : v}`,
    );
  console.log(`glossa entropy — ${shown.join("  ")}`);
  console.log(
    `rows counted: ${estimate.rows}${estimate.skippedRows ? `, skipped: ${estimate.skippedRows}` : ""}; H(Z) in nats${estimate.differential ? " (differential)" : `, max ln ${Math.round(Math.exp(estimate.maxEntropy!))} = ${estimate.maxEntropy!.toFixed(4)}`}\n`,
  );
  const interval = (m: MeasureRow) =>
    intervals.find((r) => r.labelSet === m.labelSet && r.measure === m.measure && r.correction === m.correction);
  // Bias-corrected values first (when there are null shadows), with the raw value and its null beside them.
  const corrected = measures.some((m) => m.correction === "corrected");
  const rows = shownMeasures(measures).map(({ row: m, raw, nullMean }) => {
    const ci = interval(m);
    return {
      "label set": m.labelSet ?? "(all)",
      measure: m.measure,
      value: m.value,
      ...(corrected
        ? { raw: raw ?? (m.correction === "raw" ? m.value : undefined), "null mean": nullMean, p: m.pValue }
        : {}),
      ...(intervals.length ? { "95% lower": ci?.lower, "95% upper": ci?.upper } : {}),
    };
  });
  for (const n of nulls) {
    rows.push({ "label set": n.labelSet, measure: "I null mean", value: n.mean } as never);
    rows.push({ "label set": n.labelSet, measure: "I null sd", value: n.sd } as never);
    rows.push({ "label set": n.labelSet, measure: `I null p (${n.permutations} shuffles)`, value: n.pValue } as never);
  }
  console.log(textTable(Object.keys(rows[0]!), rows));
  if (corrected) {
    const k = measures.find((m) => m.correction === "null")?.shadows;
    console.log(
      `\nvalue: bias-corrected in two stages: a within-value estimate of H(Z|X)'s bias, then ${k} null shadows (labels permuted within batches) remove what it leaves when labels carry nothing (METHODS 5.1; disentanglements: raw − null mean)\np: (1 + shadows at least as structured as raw) / ${(k ?? 0) + 1}, so never below ${(1 / ((k ?? 0) + 1)).toFixed(3)}; --null-shadows 0 for raw values only`,
    );
  }
  for (const [name, s] of Object.entries(estimate.labelSets)) {
    console.log(
      `\n${name}: ${s.values} values, ${s.retainedValues} kept (${s.retainedRows} rows; ${s.droppedRows} rows in values below minCount; ${s.excludedRows} rows excluded)`,
    );
  }
}

/**
 * `glossa entropy REPS.npy`: streams a rows × d .npy file through a vector-entropy estimator
 * and prints H(Z) and, for every --labels set, H(Z|X), I(X;Z), regularity (both
 * normalisations), variation and disentanglement; optionally a permutation null and bootstrap
 * intervals. Wiring only: the maths is src/vector/, the kernels src/compute/.
 */
import { readNpy, NpyRowReader } from "../../io/npy.js";
import { InputError } from "../../io/errors.js";
import { selectBackend, BACKEND_NAMES, type BackendName } from "../../compute/select.js";
import {
  CALIBRATIONS,
  ESTIMATORS,
  PartitionedAccumulator,
  RangeFinder,
  accumulateBatches,
  anchorsFromMatrix,
  bootstrapIntervals,
  createAccumulator,
  permutationNull,
  structureMeasures,
  type Anchors,
  type EntropyAccumulator,
  type MeasureInterval,
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
} from "../args.js";
import { textTable } from "../../report/html.js";

export const summary =
  "entropy of vectors in a .npy file (soft, binned, hard, gaussian, knn) and regularity/variation/disentanglement per label set";

const OPTIONS = {
  labels: {
    type: "string",
    repeat: true,
    description: "NAME=FILE.npy: one integer label per row (negative = excluded); repeatable",
  },
  estimator: { type: "string", description: `${ESTIMATORS.join(" | ")} (default soft)` },
  anchors: { type: "string", description: "n × d anchors .npy (default: generated from --n and --seed)" },
  n: { type: "string", description: "number of anchors (default 100)" },
  seed: { type: "string", description: "anchor seed (default 0)" },
  calibration: { type: "string", description: `temperature calibration: ${CALIBRATIONS.join(" | ")} (default exact)` },
  epsilon: { type: "string", description: "explicit temperature ε (overrides --calibration)" },
  backend: { type: "string", description: `compute back end: ${BACKEND_NAMES.join(" | ")} (default onnx)` },
  threads: { type: "string", description: "onnxruntime threads (default: all cores)" },
  batch: { type: "string", description: "rows per batch (default 4096)" },
  bins: { type: "string", description: "binned: bins per dimension (default 20)" },
  "head-size": { type: "string", description: "binned: dimensions per head (default 1)" },
  k: { type: "string", description: "knn: neighbour order (default 3)" },
  "min-count": {
    type: "string",
    description: "drop label values with fewer rows (default: 1 soft/hard, 5 binned, d+1 gaussian, k+1 knn)",
  },
  weighting: { type: "string", description: "H(Z|X) weighting: weighted | uniform (default weighted; binned uniform)" },
  null: {
    type: "string",
    description: "K label shuffles for a permutation null of I(X;Z) (keeps per-row records: 4·n bytes a row)",
  },
  "null-seed": { type: "string", description: "seed of the shuffles (default 0)" },
  bootstrap: { type: "string", description: "R bootstrap resamples over batches for 95% intervals (default 0: none)" },
  "skip-invalid": { type: "boolean", description: "skip NaN/Inf/all-zero rows (counted) instead of failing" },
  json: { type: "boolean", description: "print JSON with every parameter" },
  help: { type: "boolean" },
} as const;

/** Reads an integer label file into Int32 codes, one per row. */
function readLabels(spec: string, rows: number): [string, Int32Array] {
  const eq = spec.indexOf("=");
  if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--labels expects NAME=FILE.npy, got "${spec}"`);
  const name = spec.slice(0, eq);
  const file = spec.slice(eq + 1);
  const array = readNpy(file);
  if (array.data instanceof Float32Array || array.data instanceof Float64Array) {
    throw new InputError(`labels must be integers (int8–int64, uint8/16, bool), got dtype ${array.dtype}`, { file });
  }
  if (array.data.length !== rows)
    throw new InputError(`has ${array.data.length} labels, but the representations have ${rows} rows`, { file });
  if (array.data instanceof Int32Array) return [name, array.data];
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = array.data[i]!;
    if (v > 2147483647n || v < -2147483648n) throw new InputError(`label ${v} does not fit in int32`, { file, row: i });
    out[i] = Number(v);
  }
  return [name, out];
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
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(`usage: glossa entropy REPS.npy [options]\n${summary}\n\n${describeOptions(OPTIONS)}`);
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError("give exactly one REPS.npy file (rows × d)");
  const file = args.positionals[0]!;
  const estimator = choiceOption(args, "estimator", ESTIMATORS, "soft");
  const backendName = choiceOption(args, "backend", BACKEND_NAMES, "onnx" as BackendName);
  const batchSize = numberOption(args, "batch", 4096, { integer: true, min: 1 });
  const nulls = numberOption(args, "null", 0, { integer: true, min: 0 });
  const resamples = numberOption(args, "bootstrap", 0, { integer: true, min: 0 });
  const json = flagOption(args, "json");
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    if (!json) process.stderr.write(`glossa entropy: warning: ${message}\n`);
  };

  const reader = NpyRowReader.open(file);
  try {
    if (reader.shape.length !== 2)
      throw new InputError(`expected a 2-D rows × d array, got shape (${reader.shape.join(", ")})`, { file });
    const d = reader.width;
    const labels = Object.fromEntries(listOption(args, "labels").map((spec) => readLabels(spec, reader.rows)));
    const threads =
      stringOption(args, "threads") === undefined
        ? undefined
        : numberOption(args, "threads", 1, { integer: true, min: 1 });
    const anchorsFile = stringOption(args, "anchors");
    const weighting =
      args.options.weighting === undefined
        ? undefined
        : choiceOption(args, "weighting", ["weighted", "uniform"] as const, "weighted");
    const minCount =
      stringOption(args, "min-count") === undefined ? undefined : numberOption(args, "min-count", 1, { min: 0 });
    const epsilon =
      stringOption(args, "epsilon") === undefined
        ? undefined
        : numberOption(args, "epsilon", 0, { min: Number.MIN_VALUE });
    const progress = progressReporter(reader.rows, json && !process.stderr.isTTY);
    if (nulls > 0) {
      const perRow =
        estimator === "soft"
          ? 4 * numberOption(args, "n", 100, { integer: true, min: 2 })
          : estimator === "binned"
            ? (4 * d) / numberOption(args, "head-size", 1, { integer: true, min: 1 })
            : 4;
      const gigabytes = (reader.rows * (perRow + 4 * listOption(args, "labels").length)) / 2 ** 30;
      if (gigabytes > 1)
        warn(
          `--null keeps every row's record in memory: about ${gigabytes.toFixed(1)} GiB for ${reader.rows.toLocaleString("en")} rows`,
        );
    }

    let ranges: ReturnType<RangeFinder["ranges"]> | undefined;
    if (estimator === "binned") {
      const finder = new RangeFinder(d, { skipInvalid: flagOption(args, "skip-invalid") });
      for (const batch of reader.batches(batchSize, { reuse: true })) finder.update(batch.rows);
      ranges = finder.ranges();
    }
    const base = createAccumulator({
      estimator,
      d,
      n: numberOption(args, "n", 100, { integer: true, min: 2 }),
      seed: numberOption(args, "seed", 0, { integer: true }),
      ...(anchorsFile ? { anchors: readAnchors(anchorsFile, d) } : {}),
      calibration: choiceOption(args, "calibration", CALIBRATIONS, "exact"),
      ...(epsilon !== undefined ? { epsilon } : {}),
      ...(estimator === "soft" || estimator === "hard"
        ? { backend: await selectBackend(backendName, threads ? { threads } : {}) }
        : {}),
      bins: numberOption(args, "bins", 20, { integer: true, min: 2 }),
      headSize: numberOption(args, "head-size", 1, { integer: true, min: 1 }),
      k: numberOption(args, "k", 3, { integer: true, min: 1 }),
      ...(ranges ? { ranges } : {}),
      ...(minCount !== undefined ? { minCount } : {}),
      ...(weighting ? { weighting } : {}),
      skipInvalid: flagOption(args, "skip-invalid"),
      keepRows: nulls > 0,
      warn,
    });
    const accumulator: EntropyAccumulator = resamples > 0 ? new PartitionedAccumulator(base) : base;
    await accumulateBatches(accumulator, reader.batches(batchSize), { labels, onProgress: progress });

    const estimate = accumulator.result();
    const measures = structureMeasures(estimate);
    const labelNames = Object.keys(estimate.labelSets);
    const nullResults: PermutationNull[] =
      nulls > 0
        ? labelNames.map((labelSet) =>
            permutationNull(accumulator instanceof PartitionedAccumulator ? accumulator.merged() : accumulator, {
              labelSet,
              permutations: nulls,
              seed: numberOption(args, "null-seed", 0, { integer: true }),
            }),
          )
        : [];
    const intervals: MeasureInterval[] =
      resamples > 0
        ? bootstrapIntervals(accumulator as PartitionedAccumulator, {
            resamples,
            seed: numberOption(args, "null-seed", 0, { integer: true }),
          })
        : [];
    if (estimate.skippedRows > 0) warn(`skipped ${estimate.skippedRows} invalid rows (--skip-invalid)`);

    const parameters = {
      file,
      rows: reader.rows,
      d,
      batch: batchSize,
      labels: listOption(args, "labels"),
      backend: estimator === "soft" || estimator === "hard" ? backendName : null,
      null: nulls,
      bootstrap: resamples,
      ...estimate.parameters,
    };
    if (json) {
      console.log(
        JSON.stringify(
          {
            parameters,
            result: estimate,
            measures,
            nulls: nullResults.map(({ values: _values, ...rest }) => rest),
            bootstrap: intervals,
            warnings,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    printTable(estimate, measures, nullResults, intervals, parameters);
    return 0;
  } finally {
    reader.close();
  }
}

function printTable(
  estimate: ReturnType<EntropyAccumulator["result"]>,
  measures: ReturnType<typeof structureMeasures>,
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
  const interval = (labelSet: string | undefined, measure: string) =>
    intervals.find((r) => r.labelSet === labelSet && r.measure === measure);
  const rows = measures.map((m) => {
    const ci = interval(m.labelSet, m.measure);
    return {
      "label set": m.labelSet ?? "(all)",
      measure: m.measure,
      value: m.value,
      ...(intervals.length ? { "95% lower": ci?.lower, "95% upper": ci?.upper } : {}),
    };
  });
  for (const n of nulls) {
    rows.push({ "label set": n.labelSet, measure: "I null mean", value: n.mean } as never);
    rows.push({ "label set": n.labelSet, measure: "I null sd", value: n.sd } as never);
    rows.push({ "label set": n.labelSet, measure: `I null p (${n.permutations} shuffles)`, value: n.pValue } as never);
  }
  console.log(textTable(Object.keys(rows[0]!), rows));
  for (const [name, s] of Object.entries(estimate.labelSets)) {
    console.log(
      `\n${name}: ${s.values} values, ${s.retainedValues} kept (${s.retainedRows} rows; ${s.droppedRows} rows in values below minCount; ${s.excludedRows} rows excluded)`,
    );
  }
}

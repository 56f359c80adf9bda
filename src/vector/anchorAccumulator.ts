/**
 * Soft entropy (METHODS §4.2, the default) and hard nearest-anchor binning (§4.3):
 * rows → cosine with n fixed unit anchors → softmax(·/ε) (soft) or argmax (hard) →
 * per-row vectors summed into P(Z) and one n-vector per label value.
 * The dense kernel comes from a compute back end chosen by the caller.
 */
import type { ComputeBackend, AnchorKernel, AnchorKernelOutput, AnchorKernelSpec } from "../compute/types.js";
import { tsBackend } from "../compute/ts.js";
import { unpackBatch, validRows, type LabelSets, type RowBatch } from "./batch.js";
import { CountState, type CountStateJson } from "./countState.js";
import { labelSetEstimates, totalEntropy } from "./countEstimate.js";
import { checkCommonOptions } from "./accumulator.js";
import type { AccumulatorJson, CommonOptions, EntropyAccumulator, EntropyEstimate } from "./accumulator.js";
import {
  checkMergeable,
  commonJson,
  commonOptionsOf,
  commonParameters,
  openBatch,
  readJson,
  shadowOptionsOf,
  shadowParameters,
  type CommonState,
} from "./accumulatorBase.js";
import { anchorFingerprint, makeAnchors } from "./anchors.js";
import { CALIBRATIONS, calibrateTemperatureWithWarnings } from "./temperature.js";
import type { Weighting } from "../info/index.js";
import type { CreateAccumulatorOptions } from "./create.js";
import type { EstimatorSpec, EstimatorOption } from "./registry.js";

export interface AnchorAccumulatorOptions extends CommonOptions {
  estimator: "soft" | "hard";
  d: number;
  /** n × d unit anchors (see anchors.ts). */
  anchors: Float32Array;
  n: number;
  /** Temperature ε (soft only). */
  epsilon?: number;
  /** Recorded with results: how ε was chosen, the anchor seed and fingerprint. */
  calibration?: string;
  anchorSeed?: number;
  anchorFingerprint?: string;
  /** Dense kernel back end (default: the TypeScript reference). */
  backend?: ComputeBackend;
  /** Keep every row's assignment and labels, for the permutation null (memory: 4·n bytes per row). */
  keepRows?: boolean;
}

interface AnchorJson extends AccumulatorJson, CommonState {
  n: number;
  epsilon: number | null;
  calibration: string | null;
  anchorSeed: number | null;
  anchorFingerprint: string | null;
  counts: CountStateJson;
}

export class AnchorAccumulator implements EntropyAccumulator {
  readonly estimator: "soft" | "hard";
  readonly d: number;
  readonly n: number;
  readonly epsilon: number | null;
  readonly minCount: number;
  readonly weighting: Weighting;
  readonly skipInvalid: boolean;
  state: CountState;
  private kernelPromise: Promise<AnchorKernel> | null = null;
  private queue: Promise<void> = Promise.resolve();
  private updatesInFlight = 0;

  constructor(private readonly options: AnchorAccumulatorOptions) {
    checkCommonOptions(options);
    const { estimator, d, n, anchors } = options;
    if (estimator !== "soft" && estimator !== "hard")
      throw new RangeError(`anchor accumulator: estimator must be "soft" or "hard", got ${estimator}`);
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer, got ${d}`);
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`n (anchors) must be an integer ≥ 2, got ${n}`);
    if (anchors && anchors.length !== n * d)
      throw new RangeError(`anchors have ${anchors.length} values, expected n × d = ${n}×${d}`);
    if (estimator === "soft" && !(options.epsilon! > 0 && Number.isFinite(options.epsilon)))
      throw new RangeError(`soft entropy needs a temperature ε > 0, got ${options.epsilon}`);
    this.estimator = estimator;
    this.d = d;
    this.n = n;
    this.epsilon = estimator === "soft" ? options.epsilon! : null;
    this.minCount = options.minCount ?? 1;
    this.weighting = options.weighting ?? "weighted";
    this.skipInvalid = options.skipInvalid ?? false;
    this.state = new CountState(
      1,
      n,
      options.keepRows ? (estimator === "soft" ? "dense" : "indices") : null,
      shadowOptionsOf(options),
    );
  }

  private kernel(): Promise<AnchorKernel> {
    if (!this.options.anchors)
      throw new RangeError("this accumulator was restored without anchors; pass them to fromJSON to add rows");
    this.kernelPromise ??= sharedKernel(
      this.options.backend ?? tsBackend,
      {
        anchors: this.options.anchors,
        n: this.n,
        d: this.d,
        mode: this.estimator === "soft" ? "soft" : "scores",
        inverseTemperature: this.epsilon === null ? 1 : 1 / this.epsilon,
        // P(Z)'s sums are added in JavaScript: ORT's Cast + axis-0 ReduceSum measured slower (3.5 ms vs ~1 ms a batch)
      },
      this.options.anchorFingerprint,
    );
    return this.kernelPromise;
  }

  update(rows: RowBatch, labelSets?: LabelSets): Promise<void> {
    // Batches are processed in call order even when the caller does not await each one.
    const early = this.startKernelEarly(rows);
    this.updatesInFlight++;
    const next = this.queue
      .then(() => this.updateNow(rows, labelSets, early))
      .finally(() => {
        this.updatesInFlight--;
      });
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * With a kernel that runs off this thread (`concurrent`), batch k + 1's kernel starts when
   * it is handed over, so it computes while batch k is counted here. At most one batch waits
   * ahead this way (a caller that queues many batches without awaiting holds no more copies).
   */
  private startKernelEarly(rows: RowBatch): Promise<AnchorKernelOutput | null> | null {
    if (!this.options.anchors || this.updatesInFlight > 1) return null;
    let batch: { data: Float32Array; count: number };
    try {
      batch = unpackBatch(rows, this.d, this.state.rowsSeen);
    } catch {
      return null; // updateNow reports it, naming the right row
    }
    if (batch.count === 0) return null;
    const out = this.kernel().then((kernel) => (kernel.concurrent ? kernel.run(batch.data, batch.count) : null));
    out.catch(() => {}); // observed in updateNow
    return out;
  }

  private async updateNow(
    rows: RowBatch,
    labelSets: LabelSets | undefined,
    early: Promise<AnchorKernelOutput | null> | null,
  ): Promise<void> {
    const { data, count, names, firstRow } = openBatch(this.d, rows, labelSets, {
      rowsSeen: this.state.rowsSeen,
      rowsCounted: this.state.rows,
      labelSetNames: this.state.labelSetNames,
    });
    if (count === 0) return;
    const out = (early && (await early)) ?? (await (await this.kernel()).run(data, count));
    const norms = out.norms;
    // the kernel's norms pick out the rows to check (NaN/Inf/zero all give a non-positive or non-finite norm)
    const mask = validRows(data, count, this.d, firstRow, {
      skipInvalid: this.skipInvalid,
      rejectZero: true,
      suspect: (i) => !(norms[i]! > 0 && norms[i]! < Infinity),
    });
    if (this.state.rows === 0) {
      this.state.labelSetNames = null;
      this.state.tables.clear();
      this.state.excludedRows.clear();
      this.state.setLabelSetNames(names);
    }
    if (this.estimator === "soft") this.state.addDense(out.values, count, mask, labelSets, data);
    else this.state.addIndices(argmaxRows(out.values, count, this.n), count, mask, labelSets, data);
  }

  merge(other: EntropyAccumulator): this {
    const theirs = checkMergeable<AnchorAccumulator>(this, other, AnchorAccumulator, (o) => [
      ["n", this.n, o.n],
      ["epsilon", this.epsilon, o.epsilon],
      ["anchor fingerprint", this.options.anchorFingerprint ?? null, o.options.anchorFingerprint ?? null],
    ]);
    this.state.add(theirs.state);
    return this;
  }

  clone(): AnchorAccumulator {
    const copy = new AnchorAccumulator({ ...this.options, keepRows: false });
    copy.state = this.state.clone();
    copy.kernelPromise = this.kernelPromise; // one compiled kernel serves every copy
    return copy;
  }

  /** An empty accumulator with the same parameters (per-row records kept if these are), sharing the kernel. */
  emptyCopy(): AnchorAccumulator {
    const copy = new AnchorAccumulator(this.options);
    copy.kernelPromise = this.options.anchors ? this.kernel() : null;
    return copy;
  }

  parameters(): Record<string, unknown> {
    return {
      ...commonParameters(this),
      n: this.n,
      epsilon: this.epsilon,
      calibration: this.options.calibration ?? null,
      anchorSeed: this.options.anchorSeed ?? null,
      anchorFingerprint: this.options.anchorFingerprint ?? null,
      backend: (this.options.backend ?? tsBackend).name,
      ...shadowParameters(this.state.shadows),
    };
  }

  result(): EntropyEstimate {
    const labelSets = labelSetEstimates(this.state, { minCount: this.minCount, weighting: this.weighting });
    return {
      estimator: this.estimator,
      differential: false,
      maxEntropy: Math.log(this.n),
      rows: this.state.rows,
      skippedRows: this.state.skippedRows,
      entropy: totalEntropy(this.state),
      labelSets,
      parameters: this.parameters(),
    };
  }

  toJSON(): AnchorJson {
    const p = this.parameters();
    return {
      ...commonJson(this.estimator, this.d, this),
      n: this.n,
      epsilon: this.epsilon,
      calibration: p.calibration as string | null,
      anchorSeed: p.anchorSeed as number | null,
      anchorFingerprint: p.anchorFingerprint as string | null,
      counts: this.state.toJSON(),
    };
  }

  /**
   * Restores a serialised accumulator. Without `anchors` it can merge and report but not
   * take new rows; with them, their fingerprint (if `fingerprint` is given) must match.
   */
  static fromJSON(
    json: unknown,
    context: { anchors?: Float32Array; backend?: ComputeBackend; fingerprint?: (anchors: Float32Array) => string } = {},
  ): AnchorAccumulator {
    const estimator = (json as { estimator?: unknown })?.estimator === "hard" ? "hard" : "soft";
    const { json: j, common } = readJson<AnchorJson>(json, estimator);
    if (context.anchors && context.fingerprint && j.anchorFingerprint !== null) {
      const fp = context.fingerprint(context.anchors);
      if (fp !== j.anchorFingerprint)
        throw new RangeError(
          `the anchors given (fingerprint ${fp}) are not the ones this accumulator used (${j.anchorFingerprint})`,
        );
    }
    const acc = new AnchorAccumulator({
      ...common,
      estimator,
      n: j.n,
      anchors: context.anchors as Float32Array,
      ...(j.epsilon !== null ? { epsilon: j.epsilon } : {}),
      ...(j.calibration !== null ? { calibration: j.calibration } : {}),
      ...(j.anchorSeed !== null ? { anchorSeed: j.anchorSeed } : {}),
      ...(j.anchorFingerprint !== null ? { anchorFingerprint: j.anchorFingerprint } : {}),
      ...(j.counts.nullShadows ? { nullShadows: j.counts.nullShadows, nullSeed: j.counts.nullSeed ?? 0 } : {}),
      ...(context.backend ? { backend: context.backend } : {}),
    });
    acc.state = CountState.fromJSON(j.counts, 1, j.n, `${j.estimator} accumulator`);
    return acc;
  }
}

/**
 * Kernels are compiled once per (back end, anchors, ε, mode) and shared by every accumulator
 * that uses them — a sweep over layers and checkpoints builds one ONNX session, not hundreds.
 * Anchors without a fingerprint are not shared.
 */
const KERNELS = new WeakMap<ComputeBackend, Map<string, Promise<AnchorKernel>>>();

function sharedKernel(
  backend: ComputeBackend,
  spec: AnchorKernelSpec,
  fingerprint: string | undefined,
): Promise<AnchorKernel> {
  if (fingerprint === undefined) return backend.createAnchorKernel(spec);
  let byKey = KERNELS.get(backend);
  if (!byKey) KERNELS.set(backend, (byKey = new Map()));
  const key = `${spec.mode}|${spec.n}|${spec.d}|${spec.inverseTemperature}|${fingerprint}`;
  let kernel = byKey.get(key);
  if (!kernel) {
    kernel = backend.createAnchorKernel(spec);
    kernel.catch(() => byKey!.delete(key));
    byKey.set(key, kernel);
  }
  return kernel;
}

/** Index of the largest score in each row (ties go to the lowest anchor index). */
export function argmaxRows(scores: Float32Array, count: number, n: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const base = i * n;
    let best = 0;
    let bestScore = scores[base]!;
    for (let k = 1; k < n; k++) {
      const s = scores[base + k]!;
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Builds a soft or hard accumulator: anchors from (n, seed) unless given; ε calibrated (soft) unless given. */
function createAnchorAccumulator(estimator: "soft" | "hard", options: CreateAccumulatorOptions): AnchorAccumulator {
  const d = options.d;
  const n = options.anchors?.n ?? options.n ?? 100;
  const anchors = options.anchors ?? makeAnchors({ n, d, seed: options.seed ?? 0 });
  if (anchors.d !== d) throw new RangeError(`the anchors have d = ${anchors.d}, but the rows have d = ${d}`);
  if (options.n !== undefined && options.anchors && options.n !== anchors.n)
    throw new RangeError(`n = ${options.n} disagrees with the ${anchors.n} anchors given`);
  let epsilon = options.epsilon;
  let calibration: string | undefined = epsilon !== undefined ? "given" : undefined;
  if (estimator === "soft" && epsilon === undefined) {
    const calibrated = calibrateTemperatureWithWarnings(d, n, options.calibration ?? "exact");
    epsilon = calibrated.epsilon;
    calibration = calibrated.calibration;
    for (const w of calibrated.warnings) options.warn?.(w);
  }
  return new AnchorAccumulator({
    ...commonOptionsOf(options),
    estimator,
    d,
    n,
    anchors: anchors.data,
    ...(estimator === "soft" ? { epsilon: epsilon!, calibration: calibration! } : {}),
    ...(anchors.seed !== undefined ? { anchorSeed: anchors.seed } : {}),
    anchorFingerprint: anchorFingerprint(anchors),
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.keepRows ? { keepRows: true } : {}),
  });
}

/** Restores a soft or hard accumulator, regenerating its anchors from the recorded seed when none are given. */
function restoreAnchorAccumulator(j: AccumulatorJson, context: RestoreContextLike): AnchorAccumulator {
  const seed = (j.anchorSeed ?? null) as number | null;
  const anchors = context.anchors ?? (seed !== null ? makeAnchors({ n: j.n as number, d: j.d, seed }) : undefined);
  return AnchorAccumulator.fromJSON(j, {
    ...(anchors ? { anchors: anchors.data } : {}),
    ...(context.backend ? { backend: context.backend } : {}),
    fingerprint: (data) => anchorFingerprint({ n: j.n as number, d: j.d, data }),
  });
}

type RestoreContextLike = Parameters<EstimatorSpec["fromJSON"]>[1];

const ANCHOR_OPTIONS: readonly EstimatorOption[] = [
  {
    flag: "n",
    key: "n",
    kind: "integer",
    min: 2,
    description: "number of anchors (default 100, or the --anchors file's)",
  },
  { flag: "seed", key: "seed", kind: "integer", description: "anchor seed (default 0)" },
];

export const softEstimator: EstimatorSpec = {
  name: "soft",
  summary: "soft entropy: softmax of cosines to n seeded anchors at a calibrated temperature (the default)",
  counting: true,
  rejectsZeroRows: true,
  orderInvariant: true,
  needs: ["anchors", "backend"],
  options: [
    ...ANCHOR_OPTIONS,
    {
      flag: "calibration",
      key: "calibration",
      kind: "choice",
      choices: CALIBRATIONS,
      description: `temperature calibration: ${CALIBRATIONS.join(" | ")} (default exact)`,
    },
    {
      flag: "epsilon",
      key: "epsilon",
      kind: "positive",
      description: "explicit temperature ε > 0, e.g. 0.05 (overrides --calibration)",
    },
  ],
  create: (o) => createAnchorAccumulator("soft", o),
  fromJSON: restoreAnchorAccumulator,
};

export const hardEstimator: EstimatorSpec = {
  name: "hard",
  summary: "nearest-anchor binning: counts of the closest of n seeded anchors",
  counting: true,
  rejectsZeroRows: true,
  orderInvariant: true,
  needs: ["anchors", "backend"],
  options: ANCHOR_OPTIONS,
  create: (o) => createAnchorAccumulator("hard", o),
  fromJSON: restoreAnchorAccumulator,
};

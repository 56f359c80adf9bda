/**
 * One entry point for every estimator: `createAccumulator({estimator, d, ...})`, and
 * `accumulatorFromJSON(json, context)` to restore any serialised one.
 *
 * Soft entropy (the default): anchors are generated from (n, seed) unless given, and ε is
 * calibrated from (d, n, calibration) unless given. Default calibration: "exact" (accurate
 * at every d; "bound" is the published package's default and degenerates below d ≈ 16).
 * The compute back end is chosen by the caller (default: the TypeScript reference; in Node,
 * pass `onnxBackend()` from src/compute/onnx.ts for speed).
 */
import type { ComputeBackend } from "../compute/types.js";
import type { EntropyAccumulator, EstimatorName, CommonOptions } from "./accumulator.js";
import { checkJson } from "./accumulator.js";
import { AnchorAccumulator } from "./anchorAccumulator.js";
import { anchorFingerprint, makeAnchors, type Anchors } from "./anchors.js";
import { BinnedAccumulator, type BinRanges } from "./binned.js";
import { GaussianAccumulator } from "./gaussian.js";
import { KnnAccumulator } from "./knn.js";
import { calibrateTemperatureWithWarnings, type Calibration } from "./temperature.js";

export const ESTIMATORS: readonly EstimatorName[] = ["soft", "hard", "binned", "gaussian", "knn"];

export interface CreateAccumulatorOptions extends CommonOptions {
  estimator?: EstimatorName;
  d: number;
  // soft / hard
  /** Number of anchors (default 100). */
  n?: number;
  /** Anchor seed (default 0); ignored when `anchors` are given. */
  seed?: number;
  anchors?: Anchors;
  calibration?: Calibration;
  /** Explicit temperature; overrides the calibration. */
  epsilon?: number;
  backend?: ComputeBackend;
  /** Keep per-row records for the permutation null (soft, hard, binned). */
  keepRows?: boolean;
  /** Receives cautions (e.g. the bound calibration at small d). */
  warn?: (message: string) => void;
  // binned
  bins?: number;
  ranges?: BinRanges;
  headSize?: number;
  // knn
  k?: number;
  maxRows?: number;
}

export function createAccumulator(options: CreateAccumulatorOptions): EntropyAccumulator {
  const estimator = options.estimator ?? "soft";
  const common: CommonOptions = {
    ...(options.minCount !== undefined ? { minCount: options.minCount } : {}),
    ...(options.weighting !== undefined ? { weighting: options.weighting } : {}),
    ...(options.skipInvalid !== undefined ? { skipInvalid: options.skipInvalid } : {}),
  };
  const d = options.d;
  switch (estimator) {
    case "soft":
    case "hard": {
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
        ...common,
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
    case "binned":
      if (!options.ranges)
        throw new RangeError(
          "the binned estimator needs ranges {lo, hi} (given, or from a first pass with RangeFinder)",
        );
      return new BinnedAccumulator({
        ...common,
        d,
        ranges: options.ranges,
        ...(options.bins !== undefined ? { bins: options.bins } : {}),
        ...(options.headSize !== undefined ? { headSize: options.headSize } : {}),
        ...(options.keepRows ? { keepRows: true } : {}),
      });
    case "gaussian":
      return new GaussianAccumulator({ ...common, d });
    case "knn":
      return new KnnAccumulator({
        ...common,
        d,
        ...(options.k !== undefined ? { k: options.k } : {}),
        ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
      });
    default:
      throw new RangeError(`unknown estimator "${String(estimator)}" (expected ${ESTIMATORS.join(", ")})`);
  }
}

/**
 * Restores any serialised accumulator. Anchor estimators regain the ability to take rows
 * when given their anchors (checked by fingerprint) or, if they recorded a seed, regenerate them.
 */
export function accumulatorFromJSON(
  json: unknown,
  context: { anchors?: Anchors; backend?: ComputeBackend } = {},
): EntropyAccumulator {
  const j = checkJson(json, ESTIMATORS);
  switch (j.estimator) {
    case "soft":
    case "hard": {
      const seed = j.anchorSeed as number | null;
      const anchors = context.anchors ?? (seed !== null ? makeAnchors({ n: j.n as number, d: j.d, seed }) : undefined);
      return AnchorAccumulator.fromJSON(j, {
        ...(anchors ? { anchors: anchors.data } : {}),
        ...(context.backend ? { backend: context.backend } : {}),
        fingerprint: (data) => anchorFingerprint({ n: j.n as number, d: j.d, data }),
      });
    }
    case "binned":
      return BinnedAccumulator.fromJSON(j);
    case "gaussian":
      return GaussianAccumulator.fromJSON(j);
    case "knn":
      return KnnAccumulator.fromJSON(j);
  }
}

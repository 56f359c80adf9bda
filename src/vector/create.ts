/**
 * One entry point for every estimator: `createAccumulator({estimator, d, ...})`, and
 * `accumulatorFromJSON(json, context)` to restore any serialised one. Both look the estimator
 * up in the registry (registry.ts), where each estimator says how it is built and restored.
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
import type { Anchors } from "./anchors.js";
import type { BinRanges } from "./binned.js";
import { ESTIMATORS, estimatorSpec, registeredEstimators, type RestoreContext } from "./registry.js";
import type { Calibration } from "./temperature.js";

export { ESTIMATORS, estimatorSpec, registerEstimator, registeredEstimators } from "./registry.js";
export type { EstimatorOption, EstimatorSpec, RestoreContext } from "./registry.js";

export interface CreateAccumulatorOptions extends CommonOptions {
  /** A registered estimator's name (default "soft"). */
  estimator?: EstimatorName;
  d: number;
  // soft / hard
  /** Number of anchors (default 100, or the anchors' count when `anchors` are given). */
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
  /** Options of estimators registered at run time. */
  [option: string]: unknown;
}

export function createAccumulator(options: CreateAccumulatorOptions): EntropyAccumulator {
  const spec = estimatorSpec(options.estimator ?? "soft");
  if (options.nullShadows && !spec.counting)
    throw new RangeError(
      `nullShadows (the bias correction) needs a counting estimator (${registeredEstimators()
        .filter((s) => s.counting)
        .map((s) => s.name)
        .join(", ")}), not ${spec.name}`,
    );
  return spec.create(options);
}

/**
 * Restores any serialised accumulator. Anchor estimators regain the ability to take rows
 * when given their anchors (checked by fingerprint) or, if they recorded a seed, regenerate them.
 */
export function accumulatorFromJSON(json: unknown, context: RestoreContext = {}): EntropyAccumulator {
  const j = checkJson(json, ESTIMATORS);
  return estimatorSpec(j.estimator).fromJSON(j, context);
}

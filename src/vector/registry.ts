/**
 * The estimator registry (docs/ARCHITECTURE.md, "The vector layer"): one table, estimator name → how to build it,
 * restore it, whether it counts (soft/hard/binned: states that add, so nulls, bootstraps and
 * bias correction work), its invalid-row policy and its own options. `createAccumulator`,
 * `accumulatorFromJSON`, `ESTIMATORS`, `isCounting`, the `entropy` command's choices and
 * options, and the generic estimator contract tests are all read from here.
 *
 * Adding an estimator: write its file (accumulator + an `EstimatorSpec`), add it to
 * BUILT_IN below, or call `registerEstimator(spec)` at run time.
 */
import type { ComputeBackend } from "../compute/types.js";
import type { AccumulatorJson, EntropyAccumulator } from "./accumulator.js";
import type { Anchors } from "./anchors.js";
import type { CreateAccumulatorOptions } from "./create.js";
import { hardEstimator, softEstimator } from "./anchorAccumulator.js";
import { binnedEstimator } from "./binned.js";
import { gaussianEstimator } from "./gaussian.js";
import { knnEstimator } from "./knn.js";

/** An option of one estimator, as the CLI offers it (`--flag VALUE`) and createAccumulator takes it (`key`). */
export interface EstimatorOption {
  /** Command-line name, without dashes (e.g. "head-size"). */
  flag: string;
  /** Property of CreateAccumulatorOptions it sets (e.g. "headSize"). */
  key: string;
  /** integer / number (with `min`), positive (> 0), or one of `choices`. */
  kind: "integer" | "number" | "positive" | "choice";
  min?: number;
  choices?: readonly string[];
  description: string;
}

/** What `accumulatorFromJSON` may hand an estimator to make a restored accumulator take rows again. */
export interface RestoreContext {
  anchors?: Anchors;
  backend?: ComputeBackend;
}

export interface EstimatorSpec {
  name: string;
  /** One line for help texts. */
  summary: string;
  /** State is a CountState that adds (CountingAccumulator): nulls, bootstrap, bias correction. */
  counting: boolean;
  /** Rows are normalised, so an all-zero row is invalid (NaN/±Inf are invalid for every estimator). */
  rejectsZeroRows: boolean;
  /** The result does not depend on the order of rows (up to float rounding). */
  orderInvariant: boolean;
  /** Inputs the caller prepares: anchors (file or seed), bin ranges (a first pass), a compute back end. */
  needs: readonly ("anchors" | "ranges" | "backend")[];
  /** Its own options (common ones — minCount, weighting, skipInvalid — are every estimator's). */
  options: readonly EstimatorOption[];
  create(options: CreateAccumulatorOptions): EntropyAccumulator;
  /** `json` has passed the envelope check and names this estimator. */
  fromJSON(json: AccumulatorJson, context: RestoreContext): EntropyAccumulator;
}

const BUILT_IN: readonly EstimatorSpec[] = [
  softEstimator,
  hardEstimator,
  binnedEstimator,
  gaussianEstimator,
  knnEstimator,
];

const REGISTRY = new Map<string, EstimatorSpec>();

/** Names of the registered estimators, in registration order (a live list). */
export const ESTIMATORS: readonly string[] = [];

/** Adds an estimator; its name must be new. Returns a function that removes it again (for tests). */
export function registerEstimator(spec: EstimatorSpec): () => void {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.name))
    throw new RangeError(`estimator name must be lower-case letters, digits and dashes, got "${spec.name}"`);
  if (REGISTRY.has(spec.name)) throw new RangeError(`an estimator named "${spec.name}" is already registered`);
  REGISTRY.set(spec.name, spec);
  (ESTIMATORS as string[]).push(spec.name);
  return () => {
    if (REGISTRY.get(spec.name) !== spec) return;
    REGISTRY.delete(spec.name);
    (ESTIMATORS as string[]).splice(ESTIMATORS.indexOf(spec.name), 1);
  };
}

/** The spec of a registered estimator; an unknown name is an error listing the known ones. */
export function estimatorSpec(name: string): EstimatorSpec {
  const spec = REGISTRY.get(name);
  if (!spec) throw new RangeError(`unknown estimator "${name}" (expected ${ESTIMATORS.join(", ")})`);
  return spec;
}

export function registeredEstimators(): EstimatorSpec[] {
  return [...REGISTRY.values()];
}

for (const spec of BUILT_IN) registerEstimator(spec);

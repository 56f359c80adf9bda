/**
 * The one interface every vector-entropy estimator implements (ARCHITECTURE):
 * construct with parameters, `update` with row batches (and named label sets), `merge`
 * partial accumulators, serialise with `toJSON`, read `result()`.
 */
import type { Weighting } from "../info/index.js";
import type { LabelSets, RowBatch } from "./batch.js";
import type { LabelSetEstimate } from "./countEstimate.js";

/** The estimators built in; others may be registered at run time (registry.ts). */
export type BuiltInEstimatorName = "soft" | "hard" | "binned" | "gaussian" | "knn";
/** A registered estimator's name (the built-in ones, or any name registered at run time). */
export type EstimatorName = BuiltInEstimatorName | (string & {});

export const ACCUMULATOR_FORMAT = "glossa.vector-accumulator";
export const ACCUMULATOR_VERSION = 1;

export type UpdateOptions = Record<string, never>;

export interface EntropyAccumulator {
  readonly estimator: EstimatorName;
  readonly d: number;
  /** Adds a batch (batch × d rows) and, optionally, one label array per named label set. */
  update(rows: RowBatch, labelSets?: LabelSets): Promise<void>;
  /** Adds another accumulator's state into this one (in place); throws for incompatible states. */
  merge(other: EntropyAccumulator): this;
  /** A deep copy of the counts (without any per-row record). */
  clone(): EntropyAccumulator;
  toJSON(): AccumulatorJson;
  result(): EntropyEstimate;
  /** Every parameter needed to reproduce the numbers (recorded with results). */
  parameters(): Record<string, unknown>;
}

export interface AccumulatorJson {
  format: typeof ACCUMULATOR_FORMAT;
  version: number;
  estimator: EstimatorName;
  d: number;
  [key: string]: unknown;
}

/** Result of any estimator, in nats. */
export interface EntropyEstimate {
  estimator: EstimatorName;
  /** Differential entropies (gaussian, knn) have no maximum: efficiencies are not defined. */
  differential: boolean;
  /** ln(number of cells) for counting estimators (ln n, ln B); null when differential. */
  maxEntropy: number | null;
  rows: number;
  skippedRows: number;
  entropy: number;
  labelSets: Record<string, LabelSetEstimate>;
  parameters: Record<string, unknown>;
}

export interface CommonOptions {
  /** Drop label values with fewer rows (default: 1 soft/hard, 5 binned, d + 1 gaussian, k + 1 knn). */
  minCount?: number;
  /** H(Z|X) weighting: by p(x) ("weighted", default except binned) or a plain mean ("uniform"). */
  weighting?: Weighting;
  /** Skip invalid rows (NaN/Inf; all-zero for anchor estimators) instead of throwing; counts are reported. */
  skipInvalid?: boolean;
  /**
   * Counting estimators: k null shadows per label set for the bias correction (default 0: none).
   * Label-dependent measures are then reported raw, as their null expectation, and corrected.
   */
  nullShadows?: number;
  /** Seed of the null shadows' within-batch permutations (default 0). */
  nullSeed?: number;
}

export function checkCommonOptions(o: CommonOptions): void {
  if (o.minCount !== undefined && !(Number.isFinite(o.minCount) && o.minCount >= 0))
    throw new RangeError(`minCount must be a non-negative number, got ${o.minCount}`);
  if (o.weighting !== undefined && o.weighting !== "weighted" && o.weighting !== "uniform")
    throw new RangeError(`weighting must be "weighted" or "uniform", got ${o.weighting}`);
  if (o.nullShadows !== undefined && !(Number.isInteger(o.nullShadows) && o.nullShadows >= 0))
    throw new RangeError(`nullShadows must be a non-negative integer, got ${o.nullShadows}`);
  if (o.nullSeed !== undefined && !Number.isInteger(o.nullSeed))
    throw new RangeError(`nullSeed must be an integer, got ${o.nullSeed}`);
}

/** Checks the envelope of a serialised accumulator. */
export function checkJson(json: unknown, estimators: readonly EstimatorName[]): AccumulatorJson {
  const j = json as AccumulatorJson;
  if (!j || typeof j !== "object" || j.format !== ACCUMULATOR_FORMAT)
    throw new RangeError(`not a serialised glossa accumulator (format "${(j as { format?: unknown })?.format}")`);
  if (j.version !== ACCUMULATOR_VERSION)
    throw new RangeError(
      `accumulator format version ${j.version} is not supported (this build reads version ${ACCUMULATOR_VERSION})`,
    );
  if (!estimators.includes(j.estimator))
    throw new RangeError(`expected a ${estimators.join("/")} accumulator, got "${j.estimator}"`);
  return j;
}

/** The common head of every serialised accumulator. */
export function envelope<E extends EstimatorName>(
  estimator: E,
  d: number,
): { format: typeof ACCUMULATOR_FORMAT; version: number; estimator: E; d: number } {
  return { format: ACCUMULATOR_FORMAT, version: ACCUMULATOR_VERSION, estimator, d };
}

/** Throws unless two non-empty accumulators were fed the same label set names. */
export function checkSameLabelSets(mine: readonly string[] | null, theirs: readonly string[] | null): void {
  const a = [...(mine ?? [])].sort().join("\u0000");
  const b = [...(theirs ?? [])].sort().join("\u0000");
  if (a !== b)
    throw new RangeError(
      `cannot merge accumulators with label sets [${(theirs ?? []).join(", ")}] and [${(mine ?? []).join(", ")}]`,
    );
}

/** Throws a clear error naming the first parameter on which two accumulators differ. */
export function requireSame(what: string, pairs: [string, unknown, unknown][]): void {
  for (const [name, a, b] of pairs) {
    const same = a instanceof Object ? JSON.stringify(a) === JSON.stringify(b) : a === b;
    if (!same)
      throw new RangeError(`cannot merge ${what}: ${name} differs (${JSON.stringify(a)} vs ${JSON.stringify(b)})`);
  }
}

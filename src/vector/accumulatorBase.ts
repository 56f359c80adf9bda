/**
 * The opening every accumulator shares (docs/ARCHITECTURE.md, "The vector layer"): reading a batch and its label
 * sets, marking invalid rows, refusing incompatible merges, and the common head of the
 * serialised state. Estimators call these and keep only what is their own.
 */
import type { Weighting } from "../info/index.js";
import { checkJson, checkSameLabelSets, envelope, requireSame } from "./accumulator.js";
import type { AccumulatorJson, CommonOptions, EntropyAccumulator, EstimatorName } from "./accumulator.js";
import { allFinite, checkLabelSets, unpackBatch, validRows, type LabelSets, type RowBatch } from "./batch.js";
import { NO_SHADOWS, type NullShadowOptions } from "./nullShadows.js";

/** Where an accumulator stands, as far as checking a new batch needs to know. */
export interface BatchProgress {
  /** Rows given so far, counted or skipped (global row numbers in errors start here). */
  rowsSeen: number;
  /** Rows counted so far: label set names are fixed once this is > 0. */
  rowsCounted: number;
  labelSetNames: readonly string[] | null;
}

export interface OpenedBatch {
  data: Float32Array;
  count: number;
  /** Label set names of this batch, in the caller's order. */
  names: string[];
  /** Global index of the batch's first row. */
  firstRow: number;
}

/** Unpacks a batch and checks its label sets against earlier batches. */
export function openBatch(
  d: number,
  rows: RowBatch,
  labelSets: LabelSets | undefined,
  progress: BatchProgress,
): OpenedBatch {
  const firstRow = progress.rowsSeen;
  const { data, count } = unpackBatch(rows, d, firstRow);
  const names = checkLabelSets(labelSets, count, firstRow, progress.rowsCounted > 0 ? progress.labelSetNames : null);
  return { data, count, names, firstRow };
}

/**
 * The invalid-row policy (same for every estimator): NaN/±Inf anywhere, and all-zero rows for
 * estimators that normalise rows (`rejectZero`), throw a VectorInputError naming the global row,
 * unless `skipInvalid`, when they are masked out (mask[i] = 0) and counted by the caller.
 * Returns null when every row is usable (the common case costs one scan).
 */
export function invalidRowMask(
  batch: OpenedBatch,
  d: number,
  options: { skipInvalid: boolean; rejectZero: boolean },
): Uint8Array | null {
  if (!options.rejectZero && allFinite(batch.data, batch.count, d)) return null;
  return validRows(batch.data, batch.count, d, batch.firstRow, options);
}

/** Parameters every estimator records and serialises. */
export interface CommonState {
  minCount: number;
  weighting: Weighting;
  skipInvalid: boolean;
}

/**
 * Refuses to merge `other` into `self` unless it is the same kind of accumulator with the same
 * d, minCount, weighting and `extra` parameters. Returns `other`, typed.
 */
export function checkMergeable<T extends EntropyAccumulator & CommonState>(
  self: T,
  other: EntropyAccumulator,
  kind: abstract new (...args: never[]) => T,
  extra: (theirs: T) => [string, unknown, unknown][] = () => [],
): T {
  if (other.estimator !== self.estimator || !(other instanceof kind))
    throw new RangeError(`cannot merge a ${other.estimator} accumulator into a ${self.estimator} one`);
  requireSame(`${self.estimator} accumulators`, [
    ["d", self.d, other.d],
    ["minCount", self.minCount, other.minCount],
    ["weighting", self.weighting, other.weighting],
    ...extra(other),
  ]);
  return other;
}

/** Label sets of two non-empty accumulators must match (an empty one takes the other's). */
export function checkMergeLabelSets(
  mine: { rows: number; names: readonly string[] | null },
  theirs: { rows: number; names: readonly string[] | null },
): void {
  if (mine.rows > 0 && theirs.rows > 0) checkSameLabelSets(mine.names, theirs.names);
}

/** The serialised head: format envelope plus the common parameters. */
export function commonJson<E extends EstimatorName>(
  estimator: E,
  d: number,
  state: CommonState,
): ReturnType<typeof envelope<E>> & CommonState {
  return {
    ...envelope(estimator, d),
    minCount: state.minCount,
    weighting: state.weighting,
    skipInvalid: state.skipInvalid,
  };
}

/** Checks a serialised accumulator of `estimator` and returns it typed, with its common options. */
export function readJson<J extends AccumulatorJson & CommonState>(
  json: unknown,
  estimator: EstimatorName,
): { json: J; common: { d: number } & CommonState } {
  const j = checkJson(json, [estimator]) as J;
  return { json: j, common: { d: j.d, minCount: j.minCount, weighting: j.weighting, skipInvalid: j.skipInvalid } };
}

/** The common options that are set in `o` (for handing on to an estimator's constructor). */
export function commonOptionsOf(o: CommonOptions): CommonOptions {
  return {
    ...(o.minCount !== undefined ? { minCount: o.minCount } : {}),
    ...(o.weighting !== undefined ? { weighting: o.weighting } : {}),
    ...(o.skipInvalid !== undefined ? { skipInvalid: o.skipInvalid } : {}),
    ...(o.nullShadows !== undefined ? { nullShadows: o.nullShadows } : {}),
    ...(o.nullSeed !== undefined ? { nullSeed: o.nullSeed } : {}),
  };
}

/** For estimators without a CountState: null shadows (bias correction) are not available. */
export function refuseNullShadows(o: CommonOptions, estimator: string): void {
  if (o.nullShadows)
    throw new RangeError(
      `nullShadows (the bias correction) needs a counting estimator (soft, hard or binned), not ${estimator}`,
    );
}

/** The null-shadow settings of a counting estimator's options. */
export function shadowOptionsOf(o: CommonOptions): NullShadowOptions {
  return o.nullShadows ? { count: o.nullShadows, seed: o.nullSeed ?? 0 } : NO_SHADOWS;
}

/** Parameters recording the null shadows (nothing when there are none). */
export function shadowParameters(shadows: NullShadowOptions): Record<string, unknown> {
  return shadows.count > 0 ? { nullShadows: shadows.count, nullSeed: shadows.seed } : {};
}

/** The head of `parameters()`: the estimator, d and the common options. */
export function commonParameters(acc: EntropyAccumulator & CommonState): Record<string, unknown> {
  return {
    estimator: acc.estimator,
    d: acc.d,
    minCount: acc.minCount,
    weighting: acc.weighting,
    skipInvalid: acc.skipInvalid,
  };
}

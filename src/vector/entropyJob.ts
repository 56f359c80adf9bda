/**
 * What `glossa entropy` computes, as pure steps shared by the command (src/cli/commands/entropy.ts)
 * and the dashboard's "Analyse a file" (src/web/analysis.ts), so that both build the accumulator
 * through the registry with the same defaults (null shadows for counting estimators, seed 0),
 * run the same nulls and bootstraps, give the same warnings and print the same JSON.
 * The callers read files and choose the compute back end.
 */
import type { EntropyAccumulator, EntropyEstimate } from "./accumulator.js";
import { type MeasureInterval, PartitionedAccumulator, bootstrapIntervals } from "./bootstrap.js";
import { type CreateAccumulatorOptions, createAccumulator, estimatorSpec } from "./create.js";
import { type MeasureRow, structureMeasures } from "./measures.js";
import { VectorInputError } from "./errors.js";
import { type PermutationNull, permutationNull } from "./permutationNull.js";
import { InputError } from "../util/inputError.js";

/** Null shadows per label set unless the caller says otherwise: corrected values by default. */
export const DEFAULT_NULL_SHADOWS = 4;

export interface EntropyJobOptions extends CreateAccumulatorOptions {
  /** Null shadows per label set (default DEFAULT_NULL_SHADOWS for counting estimators, else 0). */
  nullShadows?: number;
  /** Seed of the null shadows, the permutation null and the bootstrap (default 0). */
  nullSeed?: number;
  /** Bootstrap resamples over batches (default 0: none); > 0 keeps one state per batch. */
  resamples?: number;
}

/** The estimator's accumulator, with the command's defaults (see EntropyJobOptions). */
export function entropyAccumulator(options: EntropyJobOptions): EntropyAccumulator {
  const { resamples = 0, nullShadows, nullSeed = 0, ...rest } = options;
  const shadows = nullShadows ?? (estimatorSpec(rest.estimator ?? "soft").counting ? DEFAULT_NULL_SHADOWS : 0);
  const base = createAccumulator({ ...rest, ...(shadows > 0 ? { nullShadows: shadows, nullSeed } : {}) });
  return resamples > 0 ? new PartitionedAccumulator(base) : base;
}

export interface EntropyJobResult {
  estimate: EntropyEstimate;
  /** Every measure; with null shadows, raw, null and corrected rows of each label-dependent one. */
  measures: MeasureRow[];
  /** Permutation nulls of I(X;Z), one per label set (empty without `permutations`). */
  nulls: PermutationNull[];
  /** Bootstrap intervals (empty without `resamples`). */
  intervals: MeasureInterval[];
  /** Cautions about the result (skipped invalid rows, null shadows overstating the bias). */
  warnings: string[];
  /** Shuffles per permutation null, and bootstrap resamples, as asked for. */
  permutations: number;
  resamples: number;
}

/** Measures, nulls and intervals of an accumulator that has seen every row. */
export function entropyResults(
  accumulator: EntropyAccumulator,
  options: { permutations?: number; resamples?: number; seed?: number } = {},
): EntropyJobResult {
  const { permutations = 0, resamples = 0, seed = 0 } = options;
  const estimate = accumulator.result();
  const counted = accumulator instanceof PartitionedAccumulator ? accumulator.merged() : accumulator;
  const nulls =
    permutations > 0
      ? Object.keys(estimate.labelSets).map((labelSet) => permutationNull(counted, { labelSet, permutations, seed }))
      : [];
  const intervals = resamples > 0 ? bootstrapIntervals(accumulator as PartitionedAccumulator, { resamples, seed }) : [];
  const measures = structureMeasures(estimate);
  const warnings = [
    ...(estimate.skippedRows > 0 ? [`skipped ${estimate.skippedRows} invalid rows (--skip-invalid)`] : []),
    ...shadowWarnings(estimate),
  ];
  return { estimate, measures, nulls, intervals, warnings, permutations, resamples };
}

/** Label sets whose values come in runs within batches, so that their null shadows overstate the bias. */
export function shadowWarnings(estimate: EntropyEstimate): string[] {
  const warnings: string[] = [];
  for (const [name, s] of Object.entries(estimate.labelSets))
    if (s.null && s.null.agreement > s.null.expectedAgreement + 0.1)
      warnings.push(
        `label set "${name}": its values come in runs within batches (a row's null shadow kept its value ${(100 * s.null.agreement).toFixed(0)}% of the time, against ${(100 * s.null.expectedAgreement).toFixed(0)}% for a whole-file shuffle), so the null shadows, which permute within batches of --batch rows, overstate the bias; shuffle the rows or raise --batch`,
      );
  return warnings;
}

/** The input's description as `glossa entropy --json` prints it under `parameters` (before the estimator's own). */
export interface EntropyInput {
  file: string;
  rows: number;
  d: number;
  batch: number;
  /** NAME=FILE per label set. */
  labels: string[];
  /** The anchor kernel's back end, or null for estimators without one. */
  backend: string | null;
}

/** Every parameter of a job: the input's, the nulls', the bootstrap's and the estimate's own. */
export function entropyParameters(input: EntropyInput, result: EntropyJobResult): Record<string, unknown> {
  return {
    ...input,
    null: result.permutations,
    bootstrap: result.resamples,
    ...result.estimate.parameters,
  };
}

/** What `glossa entropy --json` prints. */
export function entropyJson(parameters: Record<string, unknown>, result: EntropyJobResult, warnings: string[]) {
  return {
    parameters,
    result: result.estimate,
    measures: result.measures,
    nulls: result.nulls.map(({ values: _values, ...rest }) => rest),
    bootstrap: result.intervals,
    warnings,
  };
}

/**
 * Bad rows found while reading `file`: an InputError naming the file, and for a NaN/Inf/all-zero
 * row the command-line flag that skips such rows (the dashboard offers the same switch).
 */
export function rowsInputError(error: unknown, file: string): unknown {
  if (!(error instanceof VectorInputError)) return error;
  if (error.invalidRow)
    return new InputError(`${error.problem}; pass --skip-invalid to skip such rows (they are counted)`, {
      file,
      ...(error.row !== undefined ? { row: error.row } : {}),
    });
  return new InputError(error.message, { file });
}

/**
 * Permutation null for I(X;Z) (METHODS §5): shuffle a label set's codes among the rows
 * that have one (seeded), recount P(Z|x), and compare the observed I with the shuffled ones.
 * Needs each row's contribution, so the accumulator must be built with `keepRows: true`.
 * H(Z) does not change under shuffling; only H(Z|X) does.
 */
import { Random } from "../util/random.js";
import { tableEstimate } from "./countEstimate.js";
import { LabelTable } from "./labelTable.js";
import type { EntropyAccumulator } from "./accumulator.js";
import { requireCounting } from "./counting.js";

export interface PermutationNullOptions {
  labelSet: string;
  /** Number of shuffles (default 100). */
  permutations?: number;
  seed?: number;
}

export interface PermutationNull {
  labelSet: string;
  observed: number;
  mean: number;
  sd: number;
  /** (1 + #{null ≥ observed}) / (permutations + 1). */
  pValue: number;
  permutations: number;
  seed: number;
  values: number[];
}

export function permutationNull(accumulator: EntropyAccumulator, options: PermutationNullOptions): PermutationNull {
  const acc = requireCounting(accumulator, "the permutation null");
  const store = acc.state.store;
  if (!store)
    throw new RangeError(
      "the permutation null needs the per-row record: build the accumulator with keepRows: true (and merge only accumulators that kept theirs)",
    );
  const permutations = options.permutations ?? 100;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(permutations) || permutations < 1)
    throw new RangeError(`permutations must be a positive integer, got ${permutations}`);
  const all = store.labelsOf(options.labelSet);
  const rows: number[] = [];
  for (let i = 0; i < all.length; i++) if (all[i]! >= 0) rows.push(i);
  const labels = Int32Array.from(rows, (i) => all[i]!);
  const excluded = all.length - rows.length;
  const { blocks, blockWidth, width } = acc.state;
  const contributions = store.contributions();
  const estimateOptions = { minCount: acc.minCount, weighting: acc.weighting, skipDisentanglement: true };

  const mutualInformation = (codes: Int32Array): number => {
    const table = new LabelTable(width);
    for (let t = 0; t < rows.length; t++) {
      const slot = table.slotOf(codes[t]!);
      table.rowCounts[slot]! += 1;
      const dst = slot * width;
      const i = rows[t]!;
      if (store.kind === "dense") {
        for (let k = 0; k < width; k++) table.counts[dst + k]! += contributions[i * width + k]!;
      } else {
        for (let b = 0; b < blocks; b++) table.counts[dst + b * blockWidth + contributions[i * blocks + b]!]! += 1;
      }
    }
    return tableEstimate(table, blocks, blockWidth, excluded, estimateOptions).mutualInformation;
  };

  const observed = mutualInformation(labels);
  const random = new Random(seed);
  const shuffled = Int32Array.from(labels);
  const values: number[] = [];
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    random.shuffle(shuffled);
    const value = mutualInformation(shuffled);
    values.push(value);
    if (value >= observed) atLeast++;
  }
  const mean = values.reduce((a, b) => a + b, 0) / permutations;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, permutations - 1));
  return {
    labelSet: options.labelSet,
    observed,
    mean,
    sd,
    pValue: (1 + atLeast) / (permutations + 1),
    permutations,
    seed,
    values,
  };
}

/**
 * The probability table every variation measure reads (METHODS §3.2):
 * n(r, a, p, c) = how often symbol c sits at position p of a signal whose meaning gives
 * role r the atom a. T_r[a, p, ·] = n(r, a, p, ·) / n(r, a, p).
 *
 * Built in one pass over the rows with Float64 counts.
 */
import { InputError } from "../util/inputError.js";
import { entropy } from "../info/index.js";
import type { DiscreteMapping } from "./types.js";
import { validateMapping } from "./types.js";

/** Whether symbols after the first end-of-sequence marker are counted (METHODS §3.1). */
export type AfterEos = "count" | "ignore";

export interface TableOptions {
  /**
   * "count" (default, as in the published analyses): every position of the fixed-length
   * signal counts, the EOS/pad symbol being an ordinary symbol. "ignore": positions after
   * the first EOS symbol are not counted (the EOS itself is).
   */
  afterEos?: AfterEos;
  /** The EOS symbol code for afterEos "ignore"; defaults to the mapping's padSymbol. */
  eosSymbol?: number;
}

export interface ProbabilityTable {
  /** |A_r| per role (declared atoms, used or not). */
  atomCounts: number[];
  /** Signal length L. */
  length: number;
  /** |C|: the declared alphabet size. */
  alphabetSize: number;
  /** Per role r: n(r, a, p, c) at index (a·L + p)·C + c. */
  counts: Float64Array[];
  /** Per role r: n(r, a, p) = Σ_c n(r, a, p, c) at index a·L + p (0 where nothing was counted). */
  rowTotals: Float64Array[];
}

/** Cells of one role's table n(r, ·, ·, ·) (float64: 16 GiB at the limit). */
export const MAX_TABLE_CELLS = 2 ** 31;

/** Counts n(r, a, p, c) over the mapping's rows. Throws InputError for an empty mapping. */
export function buildProbabilityTable(mapping: DiscreteMapping, options: TableOptions = {}): ProbabilityTable {
  validateMapping(mapping);
  if (mapping.size === 0) throw new InputError("the mapping has no rows, so no measure is defined");
  const afterEos = options.afterEos ?? "count";
  const eos = options.eosSymbol ?? mapping.padSymbol;
  if (afterEos === "ignore" && eos === undefined) {
    throw new InputError(
      'afterEos "ignore" needs an EOS symbol (eosSymbol, or a mapping with a padSymbol): no signal was padded',
    );
  }
  const R = mapping.roles.length;
  const L = mapping.length;
  const C = mapping.alphabet.length;
  const atomCounts = mapping.roles.map((role) => role.atoms.length);
  atomCounts.forEach((A, r) => {
    if (A * L * C > MAX_TABLE_CELLS)
      throw new InputError(
        `role "${mapping.roles[r]!.name}" has ${A} atoms × ${L} positions × ${C} symbols = ${(A * L * C).toLocaleString("en")} cells, more than the ${MAX_TABLE_CELLS.toLocaleString("en")} the dense probability table can hold`,
      );
  });
  const counts = atomCounts.map((A) => new Float64Array(A * L * C));
  const rowTotals = atomCounts.map((A) => new Float64Array(A * L));
  const { meanings, signals } = mapping;
  for (let i = 0; i < mapping.size; i++) {
    // Positions 0..end-1 are counted.
    let end = L;
    if (afterEos === "ignore") {
      for (let p = 0; p < L; p++) {
        if (signals[i * L + p] === eos) {
          end = p + 1;
          break;
        }
      }
    }
    for (let r = 0; r < R; r++) {
      const a = meanings[i * R + r]!;
      const n = counts[r]!;
      const t = rowTotals[r]!;
      for (let p = 0; p < end; p++) {
        n[(a * L + p) * C + signals[i * L + p]!]! += 1;
        t[a * L + p]! += 1;
      }
    }
  }
  return { atomCounts, length: L, alphabetSize: C, counts, rowTotals };
}

/** The counts row n(r, a, p, ·) as a view (no copy). */
export function symbolCounts(table: ProbabilityTable, r: number, a: number, p: number): Float64Array {
  const C = table.alphabetSize;
  const start = (a * table.length + p) * C;
  return table.counts[r]!.subarray(start, start + C);
}

/** Whether (r, a, p) has any counted symbol; unobserved cells are skipped by every measure. */
export function isObserved(table: ProbabilityTable, r: number, a: number, p: number): boolean {
  return table.rowTotals[r]![a * table.length + p]! > 0;
}

/** H(T_r[a, p, ·]) in nats (0 for an unobserved cell; callers skip those). */
export function symbolEntropy(table: ProbabilityTable, r: number, a: number, p: number): number {
  return entropy(symbolCounts(table, r, a, p));
}

/** T_r[a, p, c]: the probability of symbol c at position p given role r has atom a (0 if unobserved). */
export function symbolProbability(table: ProbabilityTable, r: number, a: number, p: number, c: number): number {
  const n = table.rowTotals[r]![a * table.length + p]!;
  return n > 0 ? table.counts[r]![(a * table.length + p) * table.alphabetSize + c]! / n : 0;
}

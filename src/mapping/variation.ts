/**
 * The variation measures of METHODS §3.2, read from the probability table:
 * synonymy, homonymy, word-order freedom and entanglement. All lie in [0, 1].
 *
 * Unobserved cells are skipped, never filled in: an atom that no row gives to role r
 * takes no part in the means over atoms (the reference code gives it a uniform row instead,
 * which pushes synonymy up for sparse datasets), and a position where nothing was counted
 * for (r, a) — possible only when symbols after EOS are ignored — takes no part in the
 * minimum or maximum over positions. The normalisers still use the declared sizes
 * ln |C| and ln |A_r|.
 */
import { minimum } from "../util/extent.js";
import { efficiency, entropy } from "../info/index.js";
import type { ProbabilityTable } from "./table.js";
import { isObserved, symbolEntropy } from "./table.js";

/** A measure averaged over roles, with each role's own value. */
export interface RoleMeasure {
  value: number;
  perRole: number[];
}

/** Entanglement with each pair of roles' value. */
export interface PairMeasure {
  value: number;
  perPair: { roles: [number, number]; value: number }[];
}

const ENTANGLEMENT_FLOOR = 1e-6;

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function roleIndices(table: ProbabilityTable): number[] {
  return table.atomCounts.map((_, r) => r);
}

/**
 * Synonymy: mean over roles, mean over observed atoms a of min_p H(T_r[a, p, ·]) / ln|C|.
 * 0 when every atom always appears as the same symbol at some position.
 */
export function synonymy(table: ProbabilityTable): RoleMeasure {
  const perRole = roleIndices(table).map((r) => {
    const perAtom: number[] = [];
    for (let a = 0; a < table.atomCounts[r]!; a++) {
      let best = Infinity;
      for (let p = 0; p < table.length; p++) {
        if (isObserved(table, r, a, p)) best = Math.min(best, symbolEntropy(table, r, a, p));
      }
      if (best < Infinity) perAtom.push(efficiency(best, table.alphabetSize));
    }
    return mean(perAtom);
  });
  return { value: mean(perRole), perRole };
}

/**
 * E_r(p) = mean over observed atoms of H(T_r[a, p, ·]) in nats, for each position;
 * undefined where no atom of role r was observed at p.
 */
export function positionalEntropyProfile(table: ProbabilityTable, r: number): (number | undefined)[] {
  const profile: (number | undefined)[] = [];
  for (let p = 0; p < table.length; p++) {
    const perAtom: number[] = [];
    for (let a = 0; a < table.atomCounts[r]!; a++) {
      if (isObserved(table, r, a, p)) perAtom.push(symbolEntropy(table, r, a, p));
    }
    profile.push(perAtom.length ? mean(perAtom) : undefined);
  }
  return profile;
}

function definedValues(profile: readonly (number | undefined)[]): number[] {
  return profile.filter((e): e is number => e !== undefined);
}

/**
 * Word-order freedom: mean over roles of min_p E_r(p) / ln|C|.
 * Low when one position carries role r for all its atoms.
 */
export function wordOrderFreedom(table: ProbabilityTable): RoleMeasure {
  const perRole = roleIndices(table).map((r) => {
    const values = definedValues(positionalEntropyProfile(table, r));
    return efficiency(minimum(values), table.alphabetSize);
  });
  return { value: mean(perRole), perRole };
}

/**
 * Entanglement: mean over pairs of roles (r, s) of
 * 1 − max_p |E_r(p) − E_s(p)| / max(max_p E_r(p), max_p E_s(p), 1e-6).
 * High when two roles have the same positional profile. A single role has no pairs: 0.
 */
export function entanglement(table: ProbabilityTable): PairMeasure {
  const profiles = roleIndices(table).map((r) => positionalEntropyProfile(table, r));
  const perPair: PairMeasure["perPair"] = [];
  for (let r = 0; r < profiles.length; r++) {
    for (let s = r + 1; s < profiles.length; s++) {
      let maxDiff = 0;
      let maxE = ENTANGLEMENT_FLOOR;
      for (let p = 0; p < table.length; p++) {
        const er = profiles[r]![p];
        const es = profiles[s]![p];
        if (er !== undefined) maxE = Math.max(maxE, er);
        if (es !== undefined) maxE = Math.max(maxE, es);
        if (er !== undefined && es !== undefined) maxDiff = Math.max(maxDiff, Math.abs(er - es));
      }
      perPair.push({ roles: [r, s], value: 1 - maxDiff / maxE });
    }
  }
  return { value: mean(perPair.map((x) => x.value)), perPair };
}

/**
 * Homonymy: mean over roles of min_p [mean over symbols c used at p of H(atom | c at p)]
 * / ln|A_r|, where the distribution over atoms is T_r[·, p, c] renormalised (a uniform
 * prior over atoms). 0 when, for every role, some position shows a different symbol for
 * every atom.
 */
export function homonymy(table: ProbabilityTable): RoleMeasure {
  const C = table.alphabetSize;
  const L = table.length;
  const perRole = roleIndices(table).map((r) => {
    const A = table.atomCounts[r]!;
    const counts = table.counts[r]!;
    const totals = table.rowTotals[r]!;
    const column = new Float64Array(A);
    let best = Infinity;
    for (let p = 0; p < L; p++) {
      const perSymbol: number[] = [];
      for (let c = 0; c < C; c++) {
        let used = false;
        for (let a = 0; a < A; a++) {
          const n = totals[a * L + p]!;
          const t = n > 0 ? counts[(a * L + p) * C + c]! / n : 0;
          column[a] = t;
          if (t > 0) used = true;
        }
        if (used) perSymbol.push(entropy(column));
      }
      if (perSymbol.length) best = Math.min(best, mean(perSymbol));
    }
    return best < Infinity ? efficiency(best, A) : 0;
  });
  return { value: mean(perRole), perRole };
}

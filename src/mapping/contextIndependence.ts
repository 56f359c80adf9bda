/**
 * Context independence (Bogin et al. 2018; METHODS §3.3).
 *
 * Signals are bags of symbols. An "atom" v here is a (role, atom) pair, so the same atom name
 * in two roles is two atoms. Co-occurrence counts n(v, s) add, for each row, one count for
 * every atom v of its meaning and every occurrence of symbol s in its signal (a symbol twice
 * in a signal counts twice, as in the published code). Then
 *   p(v | s) = n(v, s) / Σ_v' n(v', s),   p(s | v) = n(v, s) / Σ_s' n(v, s'),
 *   s_v = argmax_s p(v | s), ties broken towards the larger p(s | v) (so that CI does not
 *         depend on how symbols are numbered), then the lowest symbol code,
 *   CI = mean over atoms v that occur of p(s_v | v) · p(v | s_v).
 *
 * Scale: p(v | s) is normalised over the atoms of every role, so even a perfectly
 * compositional language scores below 1 — with R roles and each atom written as one symbol
 * among L positions, p(v | s_v) = 1/R and p(s_v | v) = 1/L, so CI = 1/(R·L). Compare values
 * between languages over the same meaning space and signal length.
 *
 * Atoms with no co-occurring symbol (never in a meaning, or only with empty bags) are skipped
 * — their probabilities are undefined — and counted in `skippedAtoms`.
 */
import { type DiscreteMapping, validateMapping } from "./types.js";

export interface ContextIndependenceOptions {
  /**
   * Symbol codes left out of the bags. Default none (the pad is an ordinary symbol, METHODS
   * §3.1); the published code leaves out its EOS symbol.
   */
  excludeSymbols?: readonly number[];
}

export interface ContextIndependenceResult {
  value: number;
  /** Per role, per atom: p(s_v | v) · p(v | s_v), or null for a skipped atom. */
  perAtom: (number | null)[][];
  /** Per role, per atom: the symbol code s_v, or null. */
  bestSymbol: (number | null)[][];
  /** Atoms left out of the mean (no co-occurring symbol). */
  skippedAtoms: number;
}

export function contextIndependence(
  m: DiscreteMapping,
  options: ContextIndependenceOptions = {},
): ContextIndependenceResult {
  validateMapping(m);
  const R = m.roles.length;
  const C = m.alphabet.length;
  const L = m.length;
  const excluded = new Uint8Array(C);
  for (const c of options.excludeSymbols ?? []) {
    if (!Number.isInteger(c) || c < 0 || c >= C)
      throw new RangeError(`excluded symbol code ${c} is outside the alphabet of ${C}`);
    excluded[c] = 1;
  }
  // atom v = (r, a) has row offsets[r] + a of the co-occurrence table (V × C)
  const offsets: number[] = [];
  let V = 0;
  for (const role of m.roles) {
    offsets.push(V);
    V += role.atoms.length;
  }
  const n = new Float64Array(V * C);
  const bag = new Float64Array(C);
  for (let i = 0; i < m.size; i++) {
    bag.fill(0);
    for (let p = 0; p < L; p++) {
      const s = m.signals[i * L + p]!;
      if (!excluded[s]) bag[s]! += 1;
    }
    for (let r = 0; r < R; r++) {
      const row = (offsets[r]! + m.meanings[i * R + r]!) * C;
      for (let s = 0; s < C; s++) if (bag[s]! > 0) n[row + s]! += bag[s]!;
    }
  }
  const bySymbol = new Float64Array(C);
  const byAtom = new Float64Array(V);
  for (let v = 0; v < V; v++) {
    for (let s = 0; s < C; s++) {
      bySymbol[s]! += n[v * C + s]!;
      byAtom[v]! += n[v * C + s]!;
    }
  }
  const perAtom: (number | null)[][] = [];
  const bestSymbol: (number | null)[][] = [];
  let sum = 0;
  let used = 0;
  m.roles.forEach((role, r) => {
    const scores: (number | null)[] = [];
    const best: (number | null)[] = [];
    for (let a = 0; a < role.atoms.length; a++) {
      const v = offsets[r]! + a;
      if (byAtom[v] === 0) {
        scores.push(null);
        best.push(null);
        continue;
      }
      let sv = -1;
      let pvs = -1;
      for (let s = 0; s < C; s++) {
        if (bySymbol[s] === 0) continue;
        const p = n[v * C + s]! / bySymbol[s]!;
        if (p > pvs || (p === pvs && n[v * C + s]! > n[v * C + sv]!)) {
          pvs = p;
          sv = s;
        }
      }
      const score = (n[v * C + sv]! / byAtom[v]!) * pvs;
      scores.push(score);
      best.push(sv);
      sum += score;
      used++;
    }
    perAtom.push(scores);
    bestSymbol.push(best);
  });
  return { value: used > 0 ? sum / used : 0, perAtom, bestSymbol, skippedAtoms: V - used };
}

/**
 * Multiple-comparison corrections of p-values, returned in the input order:
 * - Holm (1979) step-down: controls the family-wise error rate;
 * - Benjamini–Hochberg (1995) step-up: controls the false discovery rate.
 * Adjusted values are capped at 1 and monotone in the sorted p-values.
 */

function checkP(p: readonly number[]): void {
  p.forEach((v, i) => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`p-value ${i} must lie in [0, 1], got ${v}`);
  });
}

function ascendingOrder(p: readonly number[]): number[] {
  return p.map((_, i) => i).sort((a, b) => p[a]! - p[b]! || a - b);
}

/** Holm-adjusted p-values: sorted ascending, p̃_(k) = max_{j ≤ k} min(1, (m − j + 1) p_(j)). */
export function holm(p: readonly number[]): number[] {
  checkP(p);
  const m = p.length;
  const order = ascendingOrder(p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach((i, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p[i]!));
    out[i] = running;
  });
  return out;
}

/** Benjamini–Hochberg q-values: sorted ascending, q_(k) = min_{j ≥ k} min(1, m p_(j) / j). */
export function benjaminiHochberg(p: readonly number[]): number[] {
  checkP(p);
  const m = p.length;
  const order = ascendingOrder(p);
  const out = new Array<number>(m);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const i = order[k]!;
    running = Math.min(running, Math.min(1, (m * p[i]!) / (k + 1)));
    out[i] = running;
  }
  return out;
}

export type Correction = "holm" | "benjamini-hochberg" | "none";

export function adjustPValues(p: readonly number[], correction: Correction): number[] {
  if (correction === "holm") return holm(p);
  if (correction === "benjamini-hochberg") return benjaminiHochberg(p);
  checkP(p);
  return [...p];
}

/**
 * Correlation tests for relating measures to outcomes across runs (METHODS §5 "Statistics"):
 * Pearson's r and Spearman's ρ (midranks for ties, from src/mapping/spearman.ts) with
 * two-sided p-values. Pure; float64 throughout.
 *
 * p-values: for n ≤ EXACT_PERMUTATION_MAX the exact permutation p-value (all n! orderings of
 * y; the fraction whose |statistic| ≥ the observed one, with a 1e-12 tolerance for float
 * ties); above that, the Student-t approximation t = r √((n − 2)/(1 − r²)), df = n − 2.
 * A constant variable (or n < 3) gives no test: ρ = 0, p = 1 and `degenerate` is set.
 */
import { spearman } from "../mapping/spearman.js";

export const EXACT_PERMUTATION_MAX = 8;

export interface CorrelationTest {
  /** The coefficient (r or ρ); 0 when degenerate. */
  value: number;
  n: number;
  /** Two-sided p-value; 1 when degenerate. */
  p: number;
  method: "exact-permutation" | "t-approximation";
  degenerate?: "constant" | "too-few";
}

/** Pearson's r in float64; 0 for a constant variable. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(x, y);
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return 0;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

function checkPair(x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length)
    throw new RangeError(`correlation needs paired values: ${x.length} x values but ${y.length} y values`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!))
      throw new RangeError(`correlation needs finite values; pair ${i} is (${x[i]}, ${y[i]})`);
  }
}

export function isConstant(v: ArrayLike<number>): boolean {
  for (let i = 1; i < v.length; i++) if (v[i] !== v[0]) return false;
  return true;
}

/** Pearson correlation test. */
export function pearsonTest(x: ArrayLike<number>, y: ArrayLike<number>): CorrelationTest {
  return correlationTest(x, y, pearson);
}

/** Spearman rank correlation test (ties get midranks). */
export function spearmanTest(x: ArrayLike<number>, y: ArrayLike<number>): CorrelationTest {
  return correlationTest(x, y, (a, b) => spearman(a, b).rho);
}

function correlationTest(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  statistic: (a: ArrayLike<number>, b: ArrayLike<number>) => number,
): CorrelationTest {
  checkPair(x, y);
  const n = x.length;
  const exact = n <= EXACT_PERMUTATION_MAX;
  const method = exact ? "exact-permutation" : "t-approximation";
  if (n < 3) return { value: 0, n, p: 1, method, degenerate: "too-few" };
  if (isConstant(x) || isConstant(y)) return { value: 0, n, p: 1, method, degenerate: "constant" };
  const value = statistic(x, y);
  const p = exact ? permutationP(x, y, value, statistic) : tTestP(value, n);
  return { value, n, p, method };
}

/** Exact two-sided permutation p-value over all n! orderings of y (Heap's algorithm). */
function permutationP(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  observed: number,
  statistic: (a: ArrayLike<number>, b: ArrayLike<number>) => number,
): number {
  const n = y.length;
  const perm = Float64Array.from(y as ArrayLike<number>);
  const c = new Int32Array(n);
  const threshold = Math.abs(observed) - 1e-12;
  let atLeast = Math.abs(statistic(x, perm)) >= threshold ? 1 : 0;
  let total = 1;
  for (let i = 0; i < n; ) {
    if (c[i]! < i) {
      const j = i % 2 === 0 ? 0 : c[i]!;
      const tmp = perm[j]!;
      perm[j] = perm[i]!;
      perm[i] = tmp;
      total++;
      if (Math.abs(statistic(x, perm)) >= threshold) atLeast++;
      c[i]!++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
  return atLeast / total;
}

/** Two-sided p-value of a correlation r from n pairs via Student's t with n − 2 df. */
export function tTestP(r: number, n: number): number {
  const df = n - 2;
  if (Math.abs(r) >= 1) return 0;
  const t2 = (r * r * df) / (1 - r * r);
  return studentTwoSidedP(Math.sqrt(t2), df);
}

/** P(|T| ≥ t) for Student's t with df degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; ~15 significant digits). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  const t = z + g + 0.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularised incomplete beta function I_x(a, b), by Lentz's continued fraction. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1)) throw new RangeError(`incomplete beta needs 0 ≤ x ≤ 1, got ${x}`);
  if (x === 0) return 0;
  if (x === 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1)/(a + b + 2); use symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedIncompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  f = d;
  for (let m = 1; m <= 300; m++) {
    for (const even of [true, false]) {
      const num = even
        ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m))
        : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      f *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return Math.min(1, Math.max(0, (front * f) / a));
}

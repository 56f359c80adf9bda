/**
 * Spearman and partial Spearman correlations across runs, each with a 95% interval, in the
 * IntervalSummary shape (./summary.ts). Pure.
 *
 * Interval: Fisher's z with Fieller, Hartley & Pearson's (1957) variance for Spearman's ρ,
 * z = atanh(ρ), SE = √(1.06 / (n − 3 − k)) with k the number of controlled variables, and
 * the interval tanh(z ± 1.959964 · SE). It is closed-form (reproducible by hand) and needs
 * n − 3 − k > 0; below MIN_RUNS_FOR_CORRELATION runs no number is reported ("too few runs").
 *
 * Partial Spearman of x and y controlling for z: the first-order partial correlation of the
 * midranks, (r_xy − r_xz r_yz) / √((1 − r_xz²)(1 − r_yz²)) with r the Spearman correlations.
 * When z is constant (one hidden size) it is the plain Spearman correlation.
 */
import { spearman } from "../mapping/spearman.js";
import { inverseNormalCdf } from "../util/normal.js";
import { isConstant } from "./correlation.js";
import {
  intervalSummary,
  type IntervalSummary,
  MIN_RUNS_FOR_CORRELATION,
  noEstimate,
  TOO_FEW_RUNS,
} from "./summary.js";

const Z975 = inverseNormalCdf(0.975);

export const FISHER_METHOD = "fisher-z, SE = sqrt(1.06/(n-3-k)) (Fieller et al. 1957)";

/** Fisher-z 95% interval of a (partial) Spearman ρ from n pairs with k controlled variables. */
export function fisherInterval95(rho: number, n: number, k = 0): [number, number] {
  const df = n - 3 - k;
  if (!(df > 0)) throw new RangeError(`a Fisher-z interval needs n − 3 − k > 0, got n = ${n}, k = ${k}`);
  const r = Math.max(-0.999999999999, Math.min(0.999999999999, rho));
  const z = Math.atanh(r);
  const se = Math.sqrt(1.06 / df);
  return [Math.tanh(z - Z975 * se), Math.tanh(z + Z975 * se)];
}

/** Partial Spearman ρ of x and y controlling for `control` (plain Spearman when control is constant). */
export function partialSpearman(x: ArrayLike<number>, y: ArrayLike<number>, control: ArrayLike<number>): number {
  const rxy = spearman(x, y).rho;
  if (isConstant(control)) return rxy;
  const rxz = spearman(x, control).rho;
  const ryz = spearman(y, control).rho;
  const denominator = Math.sqrt((1 - rxz * rxz) * (1 - ryz * ryz));
  if (!(denominator > 0)) return Number.NaN; // x or y is a monotone function of the control
  return Math.max(-1, Math.min(1, (rxy - rxz * ryz) / denominator));
}

function summarise(name: string, n: number, k: number, rho: () => number, degenerate: boolean): IntervalSummary {
  if (n < MIN_RUNS_FOR_CORRELATION) return noEstimate(name, n, FISHER_METHOD, TOO_FEW_RUNS);
  if (degenerate) return noEstimate(name, n, FISHER_METHOD, "constant variable");
  const value = rho();
  if (!Number.isFinite(value)) return noEstimate(name, n, FISHER_METHOD, "variable determined by the control");
  return intervalSummary(name, n, value, fisherInterval95(value, n, k), FISHER_METHOD);
}

/** Spearman's ρ of x and y with its Fisher-z 95% interval ("too few runs" below 5 pairs). */
export function spearmanWithInterval(name: string, x: readonly number[], y: readonly number[]): IntervalSummary {
  if (x.length !== y.length) throw new RangeError(`${name}: ${x.length} x values but ${y.length} y values`);
  return summarise(name, x.length, 0, () => spearman(x, y).rho, isConstant(x) || isConstant(y));
}

/**
 * Partial Spearman ρ of x and y controlling for `control`, with its Fisher-z interval (k = 1
 * when the control varies, 0 when it is constant and the value is plain Spearman).
 */
export function partialSpearmanWithInterval(
  name: string,
  x: readonly number[],
  y: readonly number[],
  control: readonly number[],
): IntervalSummary {
  if (x.length !== y.length || x.length !== control.length)
    throw new RangeError(`${name}: x, y and control need equal lengths (${x.length}, ${y.length}, ${control.length})`);
  const k = isConstant(control) ? 0 : 1;
  return summarise(name, x.length, k, () => partialSpearman(x, y, control), isConstant(x) || isConstant(y));
}

/** Spearman ρ of x and y within each value of `group` (e.g. per hidden size), ascending by group. */
export function spearmanPerGroup(
  name: string,
  x: readonly number[],
  y: readonly number[],
  group: readonly number[],
): { group: number; summary: IntervalSummary }[] {
  const groups = [...new Set(group)].sort((a, b) => a - b);
  return groups.map((g) => {
    const idx = group.flatMap((v, i) => (v === g ? [i] : []));
    return {
      group: g,
      summary: spearmanWithInterval(
        `${name} | ${g}`,
        idx.map((i) => x[i]!),
        idx.map((i) => y[i]!),
      ),
    };
  });
}

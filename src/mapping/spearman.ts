/**
 * Spearman rank correlation with tied ranks averaged ("midranks"), in three forms:
 * - `spearman(x, y)`: plain arrays (sort-based; the reference);
 * - `spearmanFromJointCounts`: exactly, from a joint histogram of two small-integer
 *   variables — no per-pair arrays and no sorting (used for topographic similarity);
 * - `spearmanRealInteger`: one real-valued variable (ranked by sorting) against one
 *   small-integer variable (ranked from its histogram).
 *
 * Spearman's ρ is Pearson's correlation of the midranks. Sums are taken over centred ranks
 * in float64, so ρ stays accurate for hundreds of millions of pairs.
 * A constant variable has no correlation: the result then carries `degenerate` and ρ = 0
 * (never NaN).
 */

export interface SpearmanResult {
  rho: number;
  /** Number of observations. */
  n: number;
  /** Set when ρ is undefined because a variable is constant (or n < 2); ρ is then 0. */
  degenerate?: "x" | "y" | "both";
}

function result(cov: number, varX: number, varY: number, n: number): SpearmanResult {
  const constX = !(varX > 0);
  const constY = !(varY > 0);
  if (n < 2 || constX || constY) {
    return { rho: 0, n, degenerate: constX && constY ? "both" : constX ? "x" : "y" };
  }
  const rho = cov / Math.sqrt(varX * varY);
  return { rho: Math.max(-1, Math.min(1, rho)), n };
}

/** Midranks (1-based; ties get the mean of the ranks they span) of a list of values. */
export function midranks(values: ArrayLike<number>): Float64Array {
  checkFinite(values, "values");
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2;
    for (let t = start; t < end; t++) ranks[order[t]!] = rank;
    start = end;
  }
  return ranks;
}

function checkFinite(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new RangeError(`${name}[${i}] must be a finite number, got ${values[i]}`);
  }
}

/** Spearman's ρ of two equally long arrays (midranks for ties). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): SpearmanResult {
  if (x.length !== y.length) throw new RangeError(`spearman: arrays differ in length (${x.length} vs ${y.length})`);
  const n = x.length;
  const rx = midranks(x);
  const ry = midranks(y);
  const mean = (n + 1) / 2;
  let cov = 0;
  let varX = 0;
  let varY = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i]! - mean;
    const dy = ry[i]! - mean;
    cov += dx * dy;
    varX += dx * dx;
    varY += dy * dy;
  }
  return result(cov, varX, varY, n);
}

/** Centred midrank of each value 0..k−1 of a variable with the given counts. */
function centredMidranks(counts: ArrayLike<number>, total: number): Float64Array {
  const mean = (total + 1) / 2;
  const ranks = new Float64Array(counts.length);
  let below = 0;
  for (let v = 0; v < counts.length; v++) {
    const c = counts[v]!;
    ranks[v] = below + (c + 1) / 2 - mean;
    below += c;
  }
  return ranks;
}

/**
 * Spearman's ρ, exact, from a joint count table of two integer variables: counts[x * ny + y]
 * is the number of observations with X = x and Y = y (x < nx, y < ny).
 */
export function spearmanFromJointCounts(counts: ArrayLike<number>, nx: number, ny: number): SpearmanResult {
  if (counts.length !== nx * ny)
    throw new RangeError(`joint counts hold ${counts.length} cells, expected ${nx} × ${ny}`);
  const byX = new Float64Array(nx);
  const byY = new Float64Array(ny);
  let n = 0;
  for (let x = 0; x < nx; x++) {
    for (let y = 0; y < ny; y++) {
      const c = counts[x * ny + y]!;
      if (!(c >= 0) || !Number.isFinite(c))
        throw new RangeError(`joint count [${x}][${y}] must be a finite non-negative number, got ${c}`);
      byX[x]! += c;
      byY[y]! += c;
      n += c;
    }
  }
  const rx = centredMidranks(byX, n);
  const ry = centredMidranks(byY, n);
  let cov = 0;
  let varX = 0;
  let varY = 0;
  for (let x = 0; x < nx; x++) {
    varX += byX[x]! * rx[x]! * rx[x]!;
    for (let y = 0; y < ny; y++) cov += counts[x * ny + y]! * rx[x]! * ry[y]!;
  }
  for (let y = 0; y < ny; y++) varY += byY[y]! * ry[y]! * ry[y]!;
  return result(cov, varX, varY, n);
}

/** Centred midranks of a real variable, with their sum of squares (for reuse across y's). */
export interface RankedReal {
  centred: Float64Array;
  sumSquares: number;
}

/** Midranks of x minus their mean (n + 1) / 2, found by sorting a copy and binary search. */
export function rankReal(x: Float64Array): RankedReal {
  checkFinite(x, "x");
  const n = x.length;
  const sorted = Float64Array.from(x).sort();
  const mean = (n + 1) / 2;
  const centred = new Float64Array(n);
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    // ranks lo+1 .. hi hold the values equal to v
    const lo = lowerBound(sorted, v);
    const hi = upperBound(sorted, v, lo);
    const d = (lo + 1 + hi) / 2 - mean;
    centred[i] = d;
    sumSquares += d * d;
  }
  return { centred, sumSquares };
}

/**
 * Spearman's ρ between a ranked real variable (from `rankReal`) and an integer variable
 * y ∈ [0, ny) of the same length, ranked from its histogram.
 */
export function spearmanRankedInteger(x: RankedReal, y: ArrayLike<number>, ny: number): SpearmanResult {
  const n = x.centred.length;
  if (y.length !== n) throw new RangeError(`spearman: arrays differ in length (${n} vs ${y.length})`);
  const byY = new Float64Array(ny);
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= ny)
      throw new RangeError(`y[${i}] must be an integer in [0, ${ny}), got ${v}`);
    byY[v]! += 1;
  }
  const ry = centredMidranks(byY, n);
  let cov = 0;
  for (let i = 0; i < n; i++) cov += x.centred[i]! * ry[y[i]!]!;
  let varY = 0;
  for (let v = 0; v < ny; v++) varY += byY[v]! * ry[v]! * ry[v]!;
  return result(cov, x.sumSquares, varY, n);
}

/** Spearman's ρ between a real variable x and an integer variable y ∈ [0, ny). */
export function spearmanRealInteger(x: Float64Array, y: ArrayLike<number>, ny: number): SpearmanResult {
  return spearmanRankedInteger(rankReal(x), y, ny);
}

function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, v: number, from: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

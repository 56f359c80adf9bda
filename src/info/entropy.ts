/**
 * Discrete information theory over count tables (METHODS §2).
 *
 * Every function accepts integer or real ("soft") counts. Logs are natural (nats).
 * Degenerate inputs never produce NaN:
 * - an empty table, or one whose counts sum to 0, has entropy 0;
 * - a single outcome has entropy 0;
 * - rows of a joint table that sum to 0 carry zero weight in conditional entropies
 *   (and are not counted by the `uniform` weighting).
 */

export type Counts = ArrayLike<number>;

export type EntropyCorrection = "none" | "miller-madow";

export interface EntropyOptions {
  /** Plug-in (default) or Miller–Madow bias correction: H + (m − 1) / (2N). */
  correction?: EntropyCorrection;
}

/** How H(Y|X) averages the per-x entropies: by p(x) (default) or as a plain mean over x. */
export type Weighting = "weighted" | "uniform";

function checkCount(value: number, index: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`count at index ${index} must be a finite non-negative number, got ${value}`);
  }
}

/** Sum of a count vector, validating every cell (finite, ≥ 0). */
export function total(counts: Counts): number {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    checkCount(c, i);
    sum += c;
  }
  return sum;
}

/**
 * Entropy of a count (or probability) vector, renormalised to sum to 1.
 * entropy([1, 1]) === Math.LN2; entropy([]) === 0; entropy([0, 0]) === 0.
 */
export function entropy(counts: Counts, options: EntropyOptions = {}): number {
  const n = total(counts);
  if (n === 0) return 0;
  let h = 0;
  let nonZero = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0) {
      const p = c / n;
      h -= p * Math.log(p);
      nonZero++;
    }
  }
  // Rounding can leave a tiny negative value for a single outcome.
  if (h < 0) h = 0;
  if (options.correction === "miller-madow") h += (nonZero - 1) / (2 * n);
  return h;
}

/** An entropy divided by the largest value it could take, ln(k); 0 when k ≤ 1. */
export function efficiency(h: number, outcomes: number): number {
  if (outcomes <= 1) return 0;
  return h / Math.log(outcomes);
}

/** Normalised entropy of counts over `outcomes` possible values (default: the table length). */
export function entropyEfficiency(counts: Counts, outcomes: number = counts.length): number {
  return efficiency(entropy(counts), outcomes);
}

/** Joint table: rows indexed by x, columns by y. Rows may differ in length (missing cells are 0). */
export type JointTable = readonly Counts[];

/** Marginal over columns (y) of a joint table. */
export function columnMarginal(joint: JointTable): Float64Array {
  let width = 0;
  for (const row of joint) width = Math.max(width, row.length);
  const out = new Float64Array(width);
  joint.forEach((row, x) => {
    for (let y = 0; y < row.length; y++) {
      const c = row[y]!;
      if (!(c >= 0) || !Number.isFinite(c)) {
        throw new RangeError(`joint table cell [${x}][${y}] must be a finite non-negative number, got ${c}`);
      }
      out[y]! += c;
    }
  });
  return out;
}

/** Marginal over rows (x) of a joint table. */
export function rowMarginal(joint: JointTable): Float64Array {
  return Float64Array.from(joint, (row) => total(row));
}

/**
 * H(Y|X) from a joint count table (rows x, columns y).
 * weighted: Σ_x p(x) H(Y|X=x); uniform: mean over rows with non-zero mass of H(Y|X=x).
 */
export function conditionalEntropy(
  joint: JointTable,
  options: EntropyOptions & { weighting?: Weighting } = {},
): number {
  const weighting = options.weighting ?? "weighted";
  const rowTotals = rowMarginal(joint);
  const n = rowTotals.reduce((a, b) => a + b, 0);
  if (n === 0) return 0;
  let h = 0;
  let used = 0;
  joint.forEach((row, x) => {
    const rx = rowTotals[x]!;
    if (rx === 0) return;
    const hx = entropy(row, options);
    h += weighting === "weighted" ? (rx / n) * hx : hx;
    used++;
  });
  return weighting === "weighted" ? h : h / used;
}

/** H(X, Y) of a joint table. */
export function jointEntropy(joint: JointTable, options: EntropyOptions = {}): number {
  const flat: number[] = [];
  for (const row of joint) for (let y = 0; y < row.length; y++) flat.push(row[y]!);
  return entropy(flat, options);
}

/** I(X;Y) = H(Y) − H(Y|X) (weighted by default). */
export function mutualInformation(joint: JointTable, options: EntropyOptions & { weighting?: Weighting } = {}): number {
  return entropy(columnMarginal(joint), options) - conditionalEntropy(joint, options);
}

/** Mutual information between two equally long label arrays (integer codes). */
export function mutualInformationOfLabels(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  return mutualInformation(contingencyTable(xs, ys));
}

/** Joint count table of two equally long arrays of non-negative integer codes. */
export function contingencyTable(xs: ArrayLike<number>, ys: ArrayLike<number>): Float64Array[] {
  if (xs.length !== ys.length) {
    throw new RangeError(`label arrays differ in length: ${xs.length} vs ${ys.length}`);
  }
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!Number.isInteger(x) || x < 0 || !Number.isInteger(y) || y < 0) {
      throw new RangeError(`labels at index ${i} must be non-negative integers, got ${x} and ${y}`);
    }
    nx = Math.max(nx, x + 1);
    ny = Math.max(ny, y + 1);
  }
  const table = Array.from({ length: nx }, () => new Float64Array(ny));
  for (let i = 0; i < xs.length; i++) table[xs[i]!]![ys[i]!]! += 1;
  return table;
}

function normalised(counts: Counts, name: string): Float64Array {
  const n = total(counts);
  if (n === 0) throw new RangeError(`${name} is empty (its counts sum to 0)`);
  // an index loop, not Float64Array.from(counts, fn): that goes through the iterator protocol
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / n;
  return out;
}

/**
 * KL(p‖q) = Σ p ln(p/q), both renormalised. Infinite when p puts mass where q has none.
 * Throws for tables of different lengths or with zero total.
 */
export function klDivergence(p: Counts, q: Counts): number {
  if (p.length !== q.length) throw new RangeError(`KL: lengths differ (${p.length} vs ${q.length})`);
  const pp = normalised(p, "KL: p");
  const qq = normalised(q, "KL: q");
  let kl = 0;
  for (let i = 0; i < pp.length; i++) {
    const pi = pp[i]!;
    if (pi === 0) continue;
    const qi = qq[i]!;
    if (qi === 0) return Infinity;
    kl += pi * Math.log(pi / qi);
  }
  return Math.max(0, kl);
}

/** Jensen–Shannon divergence of two distributions (renormalised), in [0, ln 2]. */
export function jsd(p: Counts, q: Counts): number {
  if (p.length !== q.length) throw new RangeError(`JSD: lengths differ (${p.length} vs ${q.length})`);
  return generalizedJsd([p, q], [0.5, 0.5]);
}

/**
 * jsd(p, q) without allocating or checking (for hot loops over many pairs of valid counts):
 * the same operations in the same order as generalizedJsd([p, q], [½, ½]), so the same bits.
 * `scratch` holds at least 3 × p.length values; p and q must each have a positive total.
 */
export function jsdUnchecked(p: Float64Array, q: Float64Array, scratch: Float64Array): number {
  const width = p.length;
  const pp = scratch.subarray(0, width);
  const qq = scratch.subarray(width, 2 * width);
  const mixture = scratch.subarray(2 * width, 3 * width);
  normaliseInto(p, pp);
  normaliseInto(q, qq);
  let meanEntropy = 0;
  for (let i = 0; i < width; i++) mixture[i] = 0 + 0.5 * pp[i]!;
  meanEntropy += 0.5 * plainEntropy(pp);
  for (let i = 0; i < width; i++) mixture[i]! += 0.5 * qq[i]!;
  meanEntropy += 0.5 * plainEntropy(qq);
  return Math.max(0, plainEntropy(mixture) - meanEntropy);
}

/**
 * generalizedJsd(distributions, weights) without allocating or checking (same operations, same
 * bits), for hot loops: `scratch` holds at least 2 × width values; weights sum to more than 0 and
 * every distribution with a positive weight has a positive total.
 */
export function generalizedJsdUnchecked(
  distributions: readonly Float64Array[],
  weights: Float64Array,
  scratch: Float64Array,
): number {
  const k = distributions.length;
  if (k === 0) return 0;
  let wSum = 0;
  for (let x = 0; x < k; x++) wSum += weights[x]!;
  const width = distributions[0]!.length;
  const p = scratch.subarray(0, width);
  const mixture = scratch.subarray(width, 2 * width).fill(0);
  let meanEntropy = 0;
  for (let x = 0; x < k; x++) {
    const wx = weights[x]! / wSum;
    if (wx === 0) continue;
    normaliseInto(distributions[x]!, p);
    for (let i = 0; i < width; i++) mixture[i]! += wx * p[i]!;
    meanEntropy += wx * plainEntropy(p);
  }
  return Math.max(0, plainEntropy(mixture) - meanEntropy);
}

function normaliseInto(counts: Float64Array, out: Float64Array): void {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / n;
}

/** entropy() without its checks and options (same operations, same result). */
function plainEntropy(counts: Float64Array): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  if (n === 0) return 0;
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0) {
      const p = c / n;
      h -= p * Math.log(p);
    }
  }
  if (h < 0) h = 0; // as entropy() does (so −0 stays −0 and the bits agree)
  return h;
}

/**
 * Generalised JSD: H(Σ w_x P_x) − Σ w_x H(P_x), with each P_x renormalised and the weights
 * renormalised to sum to 1 (default: equal weights). In [0, ln(#distributions)].
 */
export function generalizedJsd(distributions: readonly Counts[], weights?: ArrayLike<number>): number {
  const k = distributions.length;
  if (k === 0) return 0;
  const w = weights ? Float64Array.from(weights) : new Float64Array(k).fill(1);
  if (w.length !== k) throw new RangeError(`generalised JSD: ${k} distributions but ${w.length} weights`);
  const wSum = total(w);
  if (wSum === 0) throw new RangeError("generalised JSD: weights sum to 0");
  const width = distributions[0]!.length;
  const mixture = new Float64Array(width);
  let meanEntropy = 0;
  distributions.forEach((d, x) => {
    if (d.length !== width)
      throw new RangeError(`generalised JSD: distribution ${x} has length ${d.length}, expected ${width}`);
    const wx = w[x]! / wSum;
    if (wx === 0) return;
    const p = normalised(d, `generalised JSD: distribution ${x}`);
    for (let i = 0; i < width; i++) mixture[i]! += wx * p[i]!;
    meanEntropy += wx * entropy(p);
  });
  return Math.max(0, entropy(mixture) - meanEntropy);
}

/**
 * The all-pairs loop behind topographic similarity: for every pair of rows i < j it computes
 * the meaning distance (Hamming over roles) and the signal distance (Levenshtein or Hamming)
 * and either counts the pair in a joint histogram of (meaning distance, signal distance) or
 * writes its signal distance to an output array.
 *
 * Speed: Levenshtein for signals of up to 32 symbols uses the bit-parallel algorithm of
 * Myers (1999) in Hyyrö's (2003) formulation: the pattern (row i) is a table of symbol
 * bitmasks `peq` built once per i, so each pair costs one pass of ~15 integer operations per
 * symbol of row j. Longer signals fall back to the plain dynamic programme.
 *
 * SELF-CONTAINED ON PURPOSE: the functions in this module use nothing but their arguments and
 * each other, so `PAIR_KERNEL_SOURCE` (their source text) can be evaluated inside a worker
 * thread without a module loader (see topsimParallel.ts). Do not import anything here, and
 * do not use inner function expressions (bundlers may wrap them in helpers).
 */

export type SignalDistanceName = "levenshtein" | "hamming";

/** Longest signal the bit-parallel Levenshtein handles (one 32-bit word). */
export const MAX_BIT_PARALLEL_LENGTH = 32;

export interface PairJob {
  /** N × roles atom codes, row-major. */
  meanings: Int32Array;
  roles: number;
  /** N × length symbol codes, row-major. */
  signals: Int32Array;
  length: number;
  /**
   * Levenshtein only: the number of leading symbols of each row that count (e.g. with
   * trailing pads trimmed); null when every row counts all `length` symbols.
   */
  signalLengths: Int32Array | null;
  /** Symbol codes are < alphabetSize. */
  alphabetSize: number;
  size: number;
  /** Rows i in [rowStart, rowEnd) are paired with every j > i. */
  rowStart: number;
  rowEnd: number;
  signalDistance: SignalDistanceName;
}

/**
 * Levenshtein distance by the plain dynamic programme (the reference the bit-parallel
 * version is tested against). Compares a[aStart .. aStart+aLen) with b[bStart .. bStart+bLen).
 * `row` is scratch space of at least bLen + 1 cells.
 */
export function levenshteinDp(
  a: ArrayLike<number>,
  aStart: number,
  aLen: number,
  b: ArrayLike<number>,
  bStart: number,
  bLen: number,
  row: Int32Array,
): number {
  for (let j = 0; j <= bLen; j++) row[j] = j;
  for (let i = 1; i <= aLen; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    const ai = a[aStart + i - 1]!;
    for (let j = 1; j <= bLen; j++) {
      const above = row[j]!;
      const substitution = diagonal + (ai === b[bStart + j - 1]! ? 0 : 1);
      const deletion = above + 1;
      const insertion = row[j - 1]! + 1;
      let best = Math.min(substitution, deletion);
      if (insertion < best) best = insertion;
      row[j] = best;
      diagonal = above;
    }
  }
  return row[bLen]!;
}

/**
 * Bit-parallel Levenshtein distance (Myers/Hyyrö) between a pattern of length m (1 ≤ m ≤ 32),
 * given as its symbol bitmasks `peq` (bit k of peq[c] set iff pattern[k] = c), and the text
 * b[bStart .. bStart+bLen). All arithmetic is on 32-bit integers; the carry out of bit 31 is
 * dropped by `^`'s ToInt32, exactly as unsigned 32-bit arithmetic would.
 */
export function levenshteinBitParallel(
  peq: Int32Array,
  m: number,
  b: ArrayLike<number>,
  bStart: number,
  bLen: number,
): number {
  const high = 1 << (m - 1);
  let pv = -1;
  let mv = 0;
  let score = m;
  for (let k = 0; k < bLen; k++) {
    const eq = peq[b[bStart + k]!]!;
    const xv = eq | mv;
    const xh = (((eq & pv) + pv) ^ pv) | eq;
    let ph = mv | ~(xh | pv);
    let mh = pv & xh;
    if ((ph & high) !== 0) score++;
    else if ((mh & high) !== 0) score--;
    ph = (ph << 1) | 1;
    mh = mh << 1;
    pv = mh | ~(xv | ph);
    mv = ph & xv;
  }
  return score;
}

/**
 * Row index grouped by code, per column: for a row-major N × width table of non-negative
 * integer codes, `rows[starts[c * keys + v] .. starts[c * keys + v + 1])` lists, in increasing
 * order, the rows whose column c holds code v (keys = largest code + 1). A counting sort.
 */
export interface CodeIndex {
  keys: number;
  starts: Int32Array;
  rows: Int32Array;
}

export function buildCodeIndex(codes: Int32Array, width: number, size: number): CodeIndex {
  let keys = 1;
  for (let t = 0; t < size * width; t++) if (codes[t]! + 1 > keys) keys = codes[t]! + 1;
  const starts = new Int32Array(width * keys + 1);
  for (let i = 0; i < size; i++) for (let c = 0; c < width; c++) starts[c * keys + codes[i * width + c]! + 1]! += 1;
  for (let k = 1; k < starts.length; k++) starts[k]! += starts[k - 1]!;
  const fill = starts.slice(0, starts.length - 1);
  const rows = new Int32Array(size * width);
  for (let i = 0; i < size; i++) for (let c = 0; c < width; c++) rows[fill[c * keys + codes[i * width + c]!]!++] = i;
  return { keys, starts, rows };
}

/**
 * Adds `weight` to counts[j * stride + lane] for every row j > after that agrees with row i in
 * a column, once per agreeing column. Called with −weight it undoes itself. This is how the
 * Hamming distances are counted: a pair's number of agreeing columns is accumulated from the
 * short lists of rows sharing each of row i's codes, instead of comparing every pair.
 */
export function addAgreements(
  index: CodeIndex,
  codes: Int32Array,
  width: number,
  i: number,
  after: number,
  counts: Int32Array,
  weight: number,
  stride: number,
  lane: number,
): void {
  const { keys, starts, rows } = index;
  for (let c = 0; c < width; c++) {
    const key = c * keys + codes[i * width + c]!;
    let lo = starts[key]!;
    let hi = starts[key + 1]!;
    // first listed row > after (the list is increasing)
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]! > after) hi = mid;
      else lo = mid + 1;
    }
    for (let t = lo, end = starts[key + 1]!; t < end; t++) counts[rows[t]! * stride + lane]! += weight;
  }
}

/** Index, in the order (0,1), (0,2), …, (1,2), …, of the first pair (i, j > i) among n rows. */
export function firstPairOfRow(i: number, n: number): number {
  return (i * (2 * n - i - 1)) / 2;
}

/** Adds integer counts (cells of several stacked copies of `hist`) into `hist`; zeroes them. */
export function flushCounts(local: Int32Array, hist: Float64Array): void {
  const cells = hist.length;
  for (let t = 0; t < local.length; t++) {
    const c = local[t]!;
    if (c !== 0) {
      hist[t % cells]! += c;
      local[t] = 0;
    }
  }
}

/**
 * Runs the pair loop of `job`. With `pairOut` null it returns the joint histogram, a
 * (roles + 1) × (length + 1) row-major Float64Array whose cell [dm, ds] counts the pairs at
 * meaning distance dm and signal distance ds. With `pairOut` given it instead writes the
 * signal distance of pair (i, j) to pairOut[firstPairOfRow(i, size) + j − i − 1] and returns
 * an empty histogram.
 */
export function pairDistances(job: PairJob, pairOut: Uint16Array | null): Float64Array {
  const R = job.roles;
  const W = job.length + 1;
  const hist = new Float64Array(pairOut === null ? (R + 1) * W : 0);
  const meaningIndex = pairOut === null ? buildCodeIndex(job.meanings, R, job.size) : null;
  if (job.signalDistance === "hamming") hammingPairs(job, meaningIndex, hist, pairOut);
  else levenshteinPairs(job, meaningIndex, hist, pairOut);
  return hist;
}

/**
 * Hamming signal distance: one counter per row j holds W × (agreeing roles) + (agreeing
 * positions) with row i, so the histogram cell is (R·W + L) − counter.
 */
export function hammingPairs(
  job: PairJob,
  meaningIndex: CodeIndex | null,
  hist: Float64Array,
  pairOut: Uint16Array | null,
): void {
  const R = job.roles;
  const L = job.length;
  const N = job.size;
  const W = L + 1;
  const signalIndex = buildCodeIndex(job.signals, L, N);
  const counts = new Int32Array(N);
  const top = R * W + L;
  const local = new Int32Array(hist.length); // integer counts per row: no float add in the loop
  for (let i = job.rowStart; i < job.rowEnd; i++) {
    if (meaningIndex !== null) addAgreements(meaningIndex, job.meanings, R, i, i, counts, W, 1, 0);
    addAgreements(signalIndex, job.signals, L, i, i, counts, 1, 1, 0);
    if (pairOut !== null) {
      const base = firstPairOfRow(i, N) - i - 1;
      for (let j = i + 1; j < N; j++) pairOut[base + j] = L - counts[j]!;
    } else {
      for (let j = i + 1; j < N; j++) local[top - counts[j]!]! += 1;
      flushCounts(local, hist);
    }
    if (meaningIndex !== null) addAgreements(meaningIndex, job.meanings, R, i, i, counts, -W, 1, 0);
    addAgreements(signalIndex, job.signals, L, i, i, counts, -1, 1, 0);
  }
}

/** Number of set bits of a 32-bit integer. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Levenshtein signal distance. For L ≤ 32 the bit-parallel algorithm runs several patterns at
 * once ("lanes"): rows g, g+1, … are packed into fields of L + 1 bits of one 32-bit word (the
 * extra bit is a guard that keeps the addition's carry inside its field, cleared by the mask
 * F after every step), so one pass over row j's symbols gives the distances from
 * floor(32 / (L + 1)) rows at once. The distance is read from the last column of the DP
 * matrix: D[m][n] = n + #(vertical +1 steps) − #(vertical −1 steps) = n + popcount(Pv) −
 * popcount(Mv) over the pattern's bits (a table lookup per lane).
 * Rows with their own lengths (trimmed pads) use one lane. L > 32 uses the plain DP.
 */
export function levenshteinPairs(
  job: PairJob,
  meaningIndex: CodeIndex | null,
  hist: Float64Array,
  pairOut: Uint16Array | null,
): void {
  const signals = job.signals;
  const R = job.roles;
  const L = job.length;
  const N = job.size;
  const W = L + 1;
  const lengths = job.signalLengths;
  const bitParallel = L <= 32;
  const lanes = bitParallel && lengths === null ? Math.max(1, Math.floor(32 / (L + 1))) : 1;
  const fieldWidth = lanes > 1 ? L + 1 : 32;
  const laneMask = lanes > 1 ? (1 << fieldWidth) - 1 : -1;
  let fieldBits = 0; // F: the L pattern bits of every lane
  let lowBits = 0; // bit 0 of every lane
  for (let q = 0; q < lanes; q++) {
    fieldBits |= lanes > 1 ? ((1 << L) - 1) << (q * fieldWidth) : -1;
    lowBits |= 1 << (q * fieldWidth);
  }
  // popcount of one lane's field (lanes > 1 means fields of at most 16 bits)
  const fieldPopcount = new Uint8Array(lanes > 1 ? 1 << fieldWidth : 0);
  for (let v = 1; v < fieldPopcount.length; v++) fieldPopcount[v] = fieldPopcount[v >>> 1]! + (v & 1);
  const same = new Int32Array(N * lanes);
  const peq = new Int32Array(job.alphabetSize);
  const dpRow = new Int32Array(L + 1);
  const laneRows = new Int32Array(lanes);
  const cells = (R + 1) * W;
  const local = new Int32Array(pairOut === null ? cells * lanes : 0);
  for (let g = job.rowStart; g < job.rowEnd; g += lanes) {
    const used = Math.min(lanes, job.rowEnd - g);
    // m: pattern length (equal in every lane when lanes > 1)
    const m = lengths === null ? L : lengths[g]!;
    const patternMask = m >= 32 ? -1 : (1 << m) - 1;
    for (let q = 0; q < used; q++) {
      const i = g + q;
      laneRows[q] = i;
      if (bitParallel) for (let k = 0; k < m; k++) peq[signals[i * L + k]!]! |= 1 << (q * fieldWidth + k);
      if (meaningIndex !== null) addAgreements(meaningIndex, job.meanings, R, i, g, same, 1, lanes, q);
    }
    for (let j = g + 1; j < N; j++) {
      const sj = j * L;
      const n = lengths === null ? L : lengths[j]!;
      let pv = fieldBits;
      let mv = 0;
      if (bitParallel) {
        for (let k = 0; k < n; k++) {
          const eq = peq[signals[sj + k]!]!;
          const xv = eq | mv;
          const xh = (((eq & pv) + pv) ^ pv) | eq;
          const ph = mv | ~(xh | pv);
          const mh = pv & xh;
          const phShifted = ((ph << 1) | lowBits) & fieldBits;
          pv = (((mh << 1) & fieldBits) | ~(xv | phShifted)) & fieldBits;
          mv = phShifted & xv;
        }
      }
      if (pairOut === null && lanes > 1 && j >= g + used) {
        // the hot path: every lane pairs with j; per-lane integer histograms avoid a chain
        // of dependent read-modify-writes on one cell
        const sameAt = j * lanes;
        for (let q = 0, at = 0; q < used; q++, at += fieldWidth) {
          const ds = n + fieldPopcount[(pv >>> at) & laneMask]! - fieldPopcount[(mv >>> at) & laneMask]!;
          local[q * cells + (R - same[sameAt + q]!) * W + ds]! += 1;
        }
        continue;
      }
      for (let q = 0, at = 0; q < used; q++, at += fieldWidth) {
        const i = laneRows[q]!;
        if (j <= i) continue;
        let ds: number;
        if (!bitParallel) ds = levenshteinDp(signals, i * L, m, signals, sj, n, dpRow);
        else if (lanes > 1) ds = n + fieldPopcount[(pv >>> at) & laneMask]! - fieldPopcount[(mv >>> at) & laneMask]!;
        else ds = n + popcount32(pv & patternMask) - popcount32(mv & patternMask);
        if (pairOut !== null) pairOut[firstPairOfRow(i, N) + j - i - 1] = ds;
        else local[q * cells + (R - same[j * lanes + q]!) * W + ds]! += 1;
      }
    }
    if (pairOut === null) flushCounts(local, hist);
    for (let q = 0; q < used; q++) {
      const i = g + q;
      if (bitParallel) for (let k = 0; k < m; k++) peq[signals[i * L + k]!] = 0;
      if (meaningIndex !== null) addAgreements(meaningIndex, job.meanings, R, i, g, same, -1, lanes, q);
    }
  }
}

/** Source text of this module's functions, for evaluation inside a worker thread. */
export const PAIR_KERNEL_SOURCE = [
  levenshteinDp,
  levenshteinBitParallel,
  buildCodeIndex,
  addAgreements,
  firstPairOfRow,
  flushCounts,
  popcount32,
  pairDistances,
  hammingPairs,
  levenshteinPairs,
]
  .map((f) => f.toString())
  .join("\n");

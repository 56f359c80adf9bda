/**
 * Anchors for the soft-entropy estimator (METHODS §4.2): n unit vectors in ℝ^d, stored
 * row-major as float32, the same on every machine and in the browser for the same (n, d, seed).
 *
 * Generator "glossa-anchors-v1" (documented so other tools can reproduce it):
 * 1. `new Random(seed)` (xoshiro128**, src/util/random.ts), one stream for the whole matrix.
 * 2. Entries in row-major order; each takes two 32-bit outputs → 52-bit integer k →
 *    p = (2k + 1)/2^53 → z = Φ⁻¹(p) by AS241 with an arithmetic-only log (src/util/normal.ts).
 * 3. Each row is divided by its float64 norm (sum of squares in index order, Math.sqrt), then
 *    rounded to float32.
 * Because the stream is row-major, the first m rows for n anchors are the anchors for m.
 */
import { Random } from "../util/random.js";
import { standardNormal } from "../util/normal.js";
import { Fnv1a64 } from "../util/fnv.js";

export const ANCHOR_GENERATOR = "glossa-anchors-v1";

export interface Anchors {
  /** Number of anchors (rows). */
  n: number;
  /** Dimension (columns). */
  d: number;
  /** n × d unit rows, row-major. */
  data: Float32Array;
  /** The seed, when generated here (absent for anchors loaded from a file). */
  seed?: number;
}

export interface AnchorSpec {
  n: number;
  d: number;
  seed: number;
}

function checkShape(n: number, d: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`anchors need an integer count n ≥ 1, got ${n}`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`anchors need an integer dimension d ≥ 1, got ${d}`);
  if (n * d > 2 ** 31) throw new RangeError(`anchors n × d = ${n * d} is too large`);
}

/** n × d seeded anchors (generator glossa-anchors-v1, above). */
export function makeAnchors({ n, d, seed }: AnchorSpec): Anchors {
  checkShape(n, d);
  const random = new Random(seed);
  const data = new Float32Array(n * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let sumSquares = 0;
    for (let j = 0; j < d; j++) {
      const z = standardNormal(random);
      row[j] = z;
      sumSquares += z * z;
    }
    const norm = Math.sqrt(sumSquares);
    const offset = i * d;
    for (let j = 0; j < d; j++) data[offset + j] = row[j]! / norm;
  }
  return { n, d, data, seed };
}

/**
 * Anchors from a given n × d matrix (e.g. read from .npy). Rows that are already unit vectors
 * (float64 norm within UNIT_TOLERANCE of 1, as saved anchors are) are kept exactly, so a saved
 * file loads with the same fingerprint; other rows are normalised in float64. Rows are stored
 * as float32. A row that is not finite or is all zeros is an error naming the row.
 */
export function anchorsFromMatrix(matrix: ArrayLike<number>, n: number, d: number): Anchors {
  checkShape(n, d);
  if (matrix.length !== n * d)
    throw new RangeError(`anchor matrix has ${matrix.length} values, expected n × d = ${n} × ${d} = ${n * d}`);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const offset = i * d;
    let sumSquares = 0;
    for (let j = 0; j < d; j++) {
      const v = matrix[offset + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`anchor row ${i}, column ${j} is ${v}; anchors must be finite`);
      sumSquares += v * v;
    }
    if (sumSquares === 0) throw new RangeError(`anchor row ${i} is all zeros; it has no direction`);
    const norm = Math.abs(Math.sqrt(sumSquares) - 1) <= UNIT_TOLERANCE ? 1 : Math.sqrt(sumSquares);
    for (let j = 0; j < d; j++) data[offset + j] = matrix[offset + j]! / norm;
  }
  return { n, d, data };
}

/** float32 rounding leaves a unit row's norm within about sqrt(d)·6e-8 of 1. */
const UNIT_TOLERANCE = 1e-5;

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * A short stable fingerprint of anchors: FNV-1a 64 over n and d (uint32 little-endian) and the
 * float32 values' little-endian bytes, as 16 hex digits. Same anchors → same string everywhere.
 */
export function anchorFingerprint(anchors: Pick<Anchors, "n" | "d" | "data">): string {
  const { n, d, data } = anchors;
  if (data.length !== n * d) throw new RangeError(`anchor data has ${data.length} values, expected ${n} × ${d}`);
  const hash = new Fnv1a64().updateUint32(n).updateUint32(d);
  if (HOST_IS_LITTLE_ENDIAN) return hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).hex();
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return hash.update(bytes).hex();
}

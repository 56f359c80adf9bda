/**
 * The meaning space and its train / test splits (METHODS §6.1). Pure and seeded.
 *
 * Compositional split: for two roles (a, b) a balanced set of atom combinations (x, y) is held
 * out — combination (x, y) is held out when (πa(x) + πb(y)) mod |B| < m for random
 * permutations πa, πb — so every atom of a is held out with exactly m atoms of b (and, when
 * |A| = |B|, every atom of b with exactly m atoms of a). Every meaning containing a held-out
 * combination goes to the compositional test: its combinations are never seen in training,
 * while every single atom is (the atom distributions stay close, the compound distributions
 * diverge, in the spirit of maximum-compound-divergence splits). The iid test is a uniform
 * random sample of the remaining meanings.
 */
import { Random } from "../../util/random.js";
import { meaningSpace } from "../../mapping/meaningSpace.js";

/** Every meaning of the space as atom codes, N × R row-major, last role varying fastest. */
export function enumerateMeanings(atoms: readonly number[]): Int32Array {
  return meaningSpace(
    atoms,
    atoms.map((_, r) => `role${r}`),
  ).meanings;
}

export interface Splits {
  /** Meaning indices (rows of enumerateMeanings) in each split, ascending. */
  train: Int32Array;
  iid: Int32Array;
  compositional: Int32Array;
  /** Number of held-out (role a atom, role b atom) combinations. */
  heldOutCombinations: number;
  /** Fraction of each test's meanings containing some role-pair combination absent from train. */
  unseenCombinationRate: { iid: number; compositional: number };
}

export interface SplitOptions {
  atoms: readonly number[];
  /** Role indices (a, b) whose combinations are held out. */
  compositionalRoles: readonly [number, number];
  /** Fraction of b's atoms held out per atom of a (rounded; at least 1). */
  compositionalFraction: number;
  iidTestFraction: number;
  seed: number;
}

export function makeSplits(options: SplitOptions): Splits {
  const { atoms } = options;
  const R = atoms.length;
  const [ra, rb] = options.compositionalRoles;
  const na = atoms[ra]!;
  const nb = atoms[rb]!;
  const m = Math.round(options.compositionalFraction * nb);
  if (m < 1 || m >= nb)
    throw new RangeError(`compositional split holds out ${m} of ${nb} atoms per atom; need 1 ≤ m < ${nb}`);
  const rng = new Random(options.seed);
  const pa = rng.permutation(na);
  const pb = rng.permutation(nb);
  const meanings = enumerateMeanings(atoms);
  const N = meanings.length / R;
  const comp: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < N; i++) {
    const x = meanings[i * R + ra]!;
    const y = meanings[i * R + rb]!;
    if ((pa[x]! + pb[y]!) % nb < m) comp.push(i);
    else rest.push(i);
  }
  const order = rng.permutation(rest.length);
  const nIid = Math.round(options.iidTestFraction * rest.length);
  const iid = Int32Array.from(Array.from(order.subarray(0, nIid), (k) => rest[k]!)).sort();
  const train = Int32Array.from(Array.from(order.subarray(nIid), (k) => rest[k]!)).sort();
  if (train.length === 0) throw new RangeError("the splits leave no training meanings");
  checkAtomsCovered(meanings, atoms, train);
  return {
    train,
    iid,
    compositional: Int32Array.from(comp),
    heldOutCombinations: na * m,
    unseenCombinationRate: {
      iid: unseenCombinationRate(meanings, atoms, train, iid),
      compositional: unseenCombinationRate(meanings, atoms, train, Int32Array.from(comp)),
    },
  };
}

function checkAtomsCovered(meanings: Int32Array, atoms: readonly number[], train: Int32Array): void {
  const R = atoms.length;
  for (let r = 0; r < R; r++) {
    const seen = new Uint8Array(atoms[r]!);
    for (const i of train) seen[meanings[i * R + r]!] = 1;
    const missing = seen.indexOf(0);
    if (missing >= 0)
      throw new RangeError(`the splits leave atom ${missing} of role ${r} out of training; lower the test fractions`);
  }
}

/**
 * Fraction of `test` meanings that contain at least one combination of two roles' atoms
 * (over every pair of roles) that no `train` meaning contains. 0 for an empty test set.
 */
export function unseenCombinationRate(
  meanings: Int32Array,
  atoms: readonly number[],
  train: Int32Array,
  test: Int32Array,
): number {
  if (test.length === 0) return 0;
  const R = atoms.length;
  const pairs: { r: number; s: number; seen: Uint8Array }[] = [];
  for (let r = 0; r < R; r++)
    for (let s = r + 1; s < R; s++) pairs.push({ r, s, seen: new Uint8Array(atoms[r]! * atoms[s]!) });
  for (const i of train)
    for (const p of pairs) p.seen[meanings[i * R + p.r]! * atoms[p.s]! + meanings[i * R + p.s]!] = 1;
  let unseen = 0;
  for (const i of test) {
    if (pairs.some((p) => p.seen[meanings[i * R + p.r]! * atoms[p.s]! + meanings[i * R + p.s]!] === 0)) unseen++;
  }
  return unseen / test.length;
}

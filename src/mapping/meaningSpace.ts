/**
 * Meaning spaces: every combination of atoms over a set of roles
 * (e.g. 25 × 25 × 25 subject–verb–object meanings), and alphabets to write signals with.
 */
import { InputError } from "../util/inputError.js";
import type { Role } from "./types.js";

export interface MeaningSpace {
  roles: Role[];
  /** Number of meanings. */
  size: number;
  /** size × R atom codes, row-major. */
  meanings: Int32Array;
}

/** Role names used when none are given: subject/verb/object for three roles, else role1…. */
export function defaultRoleNames(roleCount: number): string[] {
  if (roleCount === 3) return ["subject", "verb", "object"];
  return Array.from({ length: roleCount }, (_, r) => `role${r + 1}`);
}

/**
 * The full product space of the given role sizes, in lexicographic order (last role fastest).
 * meaningSpace([2, 3]) has 6 meanings: (0,0) (0,1) (0,2) (1,0) (1,1) (1,2).
 */
export function meaningSpace(
  roleSizes: readonly number[],
  roleNames: readonly string[] = defaultRoleNames(roleSizes.length),
): MeaningSpace {
  if (roleSizes.length === 0) throw new InputError("a meaning space needs at least one role");
  if (roleNames.length !== roleSizes.length)
    throw new InputError(`${roleSizes.length} role sizes but ${roleNames.length} role names`);
  roleSizes.forEach((n, r) => {
    if (!Number.isInteger(n) || n < 1)
      throw new InputError(`role "${roleNames[r]}" needs a positive integer number of atoms, got ${n}`);
  });
  const size = roleSizes.reduce((a, b) => a * b, 1);
  if (size > 2 ** 27) throw new InputError(`a meaning space of ${size} meanings is too large to enumerate`);
  const R = roleSizes.length;
  const roles: Role[] = roleSizes.map((n, r) => ({
    name: roleNames[r]!,
    atoms: Array.from({ length: n }, (_, a) => `${roleNames[r]}${a}`),
  }));
  const meanings = new Int32Array(size * R);
  for (let i = 0; i < size; i++) {
    let rest = i;
    for (let r = R - 1; r >= 0; r--) {
      meanings[i * R + r] = rest % roleSizes[r]!;
      rest = Math.floor(rest / roleSizes[r]!);
    }
  }
  return { roles, size, meanings };
}

/** The subject–verb–object space with `atoms` atoms per role (25 gives 15,625 meanings). */
export function svoMeaningSpace(atoms = 25): MeaningSpace {
  return meaningSpace([atoms, atoms, atoms], ["subject", "verb", "object"]);
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Symbol names: single characters a–z, A–Z, 0–9 up to 62 symbols, else s0, s1, …. */
export function alphabetSymbols(size: number): string[] {
  if (!Number.isInteger(size) || size < 1)
    throw new InputError(`alphabet size must be a positive integer, got ${size}`);
  if (size <= LETTERS.length) return LETTERS.slice(0, size).split("");
  return Array.from({ length: size }, (_, c) => `s${c}`);
}

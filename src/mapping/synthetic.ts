/**
 * Seeded synthetic languages over any meaning space (roles × atoms), signal length and
 * alphabet size: the reference points the measures are checked against.
 *
 * In the compositional family each role r owns a block of slots (L split as evenly as
 * possible, earlier roles taking the remainder) and each atom a code of that block's width.
 * Codes are drawn by drawCodes: distinct, and when the alphabet is at least as large as the
 * number of codes, every slot alone tells all atoms apart.
 */
import { InputError } from "../util/inputError.js";
import { Random } from "../util/random.js";
import { drawCodes } from "./codes.js";
import type { MeaningSpace } from "./meaningSpace.js";
import { alphabetSymbols } from "./meaningSpace.js";
import type { DiscreteMapping } from "./types.js";

export interface LanguageOptions {
  /** Signal length L. */
  length: number;
  /** Alphabet size |C|. */
  alphabetSize: number;
  seed: number;
}

export interface CompositionalOptions extends LanguageOptions {
  /** Codes per atom, one picked at random for each example (default 1: no synonyms). */
  synonyms?: number;
  /** Atoms sharing one code (default 1: no homonyms). */
  homonyms?: number;
}

export interface HolisticOptions extends LanguageOptions {
  /** Meanings sharing one signal (default 1: every meaning its own signal). */
  homonyms?: number;
}

export const SYNTHETIC_KINDS = [
  "compositional",
  "synonyms",
  "homonyms",
  "free-order",
  "entangled",
  "holistic",
  "holistic-homonyms",
] as const;
export type SyntheticKind = (typeof SYNTHETIC_KINDS)[number];

/** What each kind is, in a line. */
export const SYNTHETIC_DESCRIPTIONS: Record<SyntheticKind, string> = {
  compositional: "one fixed code per atom at its role's fixed slots",
  synonyms: "compositional, k codes per atom, one chosen at random per example",
  homonyms: "compositional, k atoms of a role share one code",
  "free-order": "compositional codes, role order permuted at random per example",
  entangled: "pairs of roles share a block whose symbols encode the pair jointly",
  holistic: "one random unique signal per meaning",
  "holistic-homonyms": "one random signal per group of k meanings",
};

function checkOptions(options: LanguageOptions): void {
  const { length, alphabetSize, seed } = options;
  if (!Number.isInteger(length) || length < 1)
    throw new InputError(`signal length must be a positive integer, got ${length}`);
  if (!Number.isInteger(alphabetSize) || alphabetSize < 1)
    throw new InputError(`alphabet size must be a positive integer, got ${alphabetSize}`);
  if (!Number.isInteger(seed)) throw new InputError(`seed must be an integer, got ${seed}`);
}

function checkMultiplicity(name: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new InputError(`${name} must be a positive integer, got ${k}`);
}

/** Widths of the blocks of slots owned by each of `roles` roles in a signal of `length`. */
export function roleBlockWidths(roles: number, length: number): number[] {
  if (length < roles)
    throw new InputError(`a signal of length ${length} cannot give each of ${roles} roles its own slot`);
  return Array.from({ length: roles }, (_, r) => Math.floor(length / roles) + (r < length % roles ? 1 : 0));
}

function mapping(space: MeaningSpace, options: LanguageOptions, signals: Int32Array): DiscreteMapping {
  return {
    roles: space.roles.map((role) => ({ name: role.name, atoms: [...role.atoms] })),
    alphabet: alphabetSymbols(options.alphabetSize),
    length: options.length,
    size: space.size,
    meanings: space.meanings.slice(),
    signals,
  };
}

/** A role's codes: codes[(atom · variants + v) · width + t], with atoms grouped for homonyms. */
interface RoleCodes {
  width: number;
  variants: number;
  codes: Int32Array;
  /** The code group of each atom (atoms in one group share codes). */
  group: Int32Array;
}

function roleCodes(atoms: number, width: number, options: CompositionalOptions, rng: Random): RoleCodes {
  const variants = options.synonyms ?? 1;
  const homonyms = options.homonyms ?? 1;
  checkMultiplicity("synonyms", variants);
  checkMultiplicity("homonyms", homonyms);
  const order = rng.permutation(atoms);
  const group = new Int32Array(atoms);
  order.forEach((atom, i) => (group[atom] = Math.floor(i / homonyms)));
  const groups = Math.ceil(atoms / homonyms);
  return { width, variants, codes: drawCodes(groups, variants, width, options.alphabetSize, rng), group };
}

function writeCode(signals: Int32Array, at: number, rc: RoleCodes, atom: number, variant: number): void {
  const start = (rc.group[atom]! * rc.variants + variant) * rc.width;
  signals.set(rc.codes.subarray(start, start + rc.width), at);
}

/**
 * Compositional: each role's code at its own fixed slots. With `synonyms` k, each atom has
 * k codes and every example picks one at random; with `homonyms` k, groups of k atoms share
 * a code.
 */
export function compositionalLanguage(space: MeaningSpace, options: CompositionalOptions): DiscreteMapping {
  checkOptions(options);
  return blockLanguage(space, options, false);
}

/** Compositional codes, with the order of the roles' blocks permuted at random per example. */
export function freeOrderLanguage(space: MeaningSpace, options: LanguageOptions): DiscreteMapping {
  checkOptions(options);
  return blockLanguage(space, { ...options, synonyms: 1, homonyms: 1 }, true);
}

function blockLanguage(space: MeaningSpace, options: CompositionalOptions, permuteRoles: boolean): DiscreteMapping {
  const R = space.roles.length;
  const L = options.length;
  const rng = new Random(options.seed);
  const widths = roleBlockWidths(R, L);
  const codes = space.roles.map((role, r) => roleCodes(role.atoms.length, widths[r]!, options, rng));
  const signals = new Int32Array(space.size * L);
  const identity = Int32Array.from({ length: R }, (_, r) => r);
  for (let i = 0; i < space.size; i++) {
    const order = permuteRoles ? rng.permutation(R) : identity;
    let at = i * L;
    for (const r of order) {
      const rc = codes[r]!;
      const variant = rc.variants > 1 ? rng.int(rc.variants) : 0;
      writeCode(signals, at, rc, space.meanings[i * R + r]!, variant);
      at += rc.width;
    }
  }
  return mapping(space, options, signals);
}

/**
 * Entangled: roles are paired in order ((0,1), (2,3), …; an odd last role keeps a code of
 * its own). Each pair owns the slots of both its roles, and every symbol there encodes the
 * pair of atoms jointly (a random distinct code per atom pair); when the alphabet has at
 * least |A_r|·|A_s| symbols a single symbol identifies the pair.
 */
export function entangledLanguage(space: MeaningSpace, options: LanguageOptions): DiscreteMapping {
  checkOptions(options);
  const R = space.roles.length;
  if (R < 2) throw new InputError("an entangled language needs at least two roles");
  const L = options.length;
  const rng = new Random(options.seed);
  const widths = roleBlockWidths(R, L);
  // Each unit is one role or a pair of roles, with its block of slots and codes.
  const units: { roles: number[]; width: number; codes: Int32Array }[] = [];
  for (let r = 0; r < R; r += 2) {
    const unitRoles = r + 1 < R ? [r, r + 1] : [r];
    const width = unitRoles.reduce((w, u) => w + widths[u]!, 0);
    const values = unitRoles.reduce((n, u) => n * space.roles[u]!.atoms.length, 1);
    units.push({ roles: unitRoles, width, codes: drawCodes(values, 1, width, options.alphabetSize, rng) });
  }
  const signals = new Int32Array(space.size * L);
  for (let i = 0; i < space.size; i++) {
    let at = i * L;
    for (const unit of units) {
      let value = 0;
      for (const u of unit.roles) value = value * space.roles[u]!.atoms.length + space.meanings[i * R + u]!;
      signals.set(unit.codes.subarray(value * unit.width, (value + 1) * unit.width), at);
      at += unit.width;
    }
  }
  return mapping(space, options, signals);
}

/** Mixed-radix index of each row's meaning, so repeated meanings share a signal. */
function meaningKeys(space: MeaningSpace): { keys: Int32Array; distinct: number } {
  const R = space.roles.length;
  const index = new Map<string, number>();
  const keys = new Int32Array(space.size);
  for (let i = 0; i < space.size; i++) {
    const key = space.meanings.subarray(i * R, (i + 1) * R).join(",");
    let k = index.get(key);
    if (k === undefined) {
      k = index.size;
      index.set(key, k);
    }
    keys[i] = k;
  }
  return { keys, distinct: index.size };
}

/**
 * Holistic: a random signal per meaning, unique unless `homonyms` k > 1, in which case
 * random groups of k meanings share one signal.
 */
export function holisticLanguage(space: MeaningSpace, options: HolisticOptions): DiscreteMapping {
  checkOptions(options);
  const homonyms = options.homonyms ?? 1;
  checkMultiplicity("homonyms", homonyms);
  const L = options.length;
  const rng = new Random(options.seed);
  const { keys, distinct } = meaningKeys(space);
  const order = rng.permutation(distinct);
  const group = new Int32Array(distinct);
  order.forEach((meaning, i) => (group[meaning] = Math.floor(i / homonyms)));
  const codes = drawCodes(Math.ceil(distinct / homonyms), 1, L, options.alphabetSize, rng);
  const signals = new Int32Array(space.size * L);
  for (let i = 0; i < space.size; i++) {
    const g = group[keys[i]!]!;
    signals.set(codes.subarray(g * L, (g + 1) * L), i * L);
  }
  return mapping(space, options, signals);
}

export interface SyntheticOptions extends LanguageOptions {
  /** k for "synonyms" (codes per atom; default 2). */
  synonyms?: number;
  /** k for "homonyms" and "holistic-homonyms" (atoms or meanings per shared code; default 2). */
  homonyms?: number;
}

/** Builds a synthetic language of the given kind (the multiplicity options apply to their kinds only). */
export function syntheticLanguage(
  kind: SyntheticKind,
  space: MeaningSpace,
  options: SyntheticOptions,
): DiscreteMapping {
  const base: LanguageOptions = { length: options.length, alphabetSize: options.alphabetSize, seed: options.seed };
  switch (kind) {
    case "compositional":
      return compositionalLanguage(space, base);
    case "synonyms":
      return compositionalLanguage(space, { ...base, synonyms: options.synonyms ?? 2 });
    case "homonyms":
      return compositionalLanguage(space, { ...base, homonyms: options.homonyms ?? 2 });
    case "free-order":
      return freeOrderLanguage(space, base);
    case "entangled":
      return entangledLanguage(space, base);
    case "holistic":
      return holisticLanguage(space, base);
    case "holistic-homonyms":
      return holisticLanguage(space, { ...base, homonyms: options.homonyms ?? 2 });
    default:
      throw new InputError(`unknown synthetic language "${String(kind)}" (known: ${SYNTHETIC_KINDS.join(", ")})`);
  }
}

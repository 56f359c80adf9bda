/**
 * Label sets for token sequences (METHODS §5 "Label construction"): token id, bigram and
 * trigram, each n-gram in three schemes.
 *
 * - `flat`: the left context — the n tokens ending at the position, one code per n-gram.
 *   Undefined (excluded, code −1) where fewer than n − 1 real tokens precede the position
 *   in the same sequence.
 * - `window` (formerly called `nested`; the old name is still read): the window of n − 1
 *   tokens either side of the position, one code per position, with a boundary symbol where
 *   the sequence ends, so the label is defined at every real token. Each window determines
 *   the current token, and the trigram window refines the bigram window, so
 *   token ⊂ bigram ⊂ trigram nest exactly (what the residual decomposition needs).
 *   Flat labels nest the same way (trigram ⊃ bigram ⊃ token on the positions where all
 *   three are defined).
 * - `contexts-2024` (`ngramContextLabels`): the 2024 paper's nested labels (authors' code
 *   hcoxec/h, `nested_conditional_counts`): for each token value, one sub-label per n-gram
 *   containing it; a position belongs to every n-gram inside the sequence that contains it
 *   (up to n of them), so it is a grouped multi-membership set (parent = the token id).
 *
 * Padding is always excluded: only positions whose mask is 1 appear, in row-major order.
 * Codes are stable across batches through a shared `LabelVocabulary` (streaming use).
 * Pure functions, no I/O (runs in a browser).
 */
import type { Weighting } from "../info/index.js";

/** A batch of token sequences, row-major `rows × length`, with 1 = real token, 0 = padding. */
export interface TokenBatch {
  ids: Int32Array;
  rows: number;
  length: number;
  /** 1 where a real token sits; if absent, every id equal to `padId` is padding. */
  mask?: Uint8Array;
  padId?: number;
}

/** `nested` is the old name of `window` (kept so existing run folders and scripts still read). */
export type NgramScheme = "flat" | "window" | "nested";

/** Code of an excluded position (label undefined there). */
export const EXCLUDED = -1;

/** Maps label keys (strings) to dense codes 0, 1, 2, … in order of first appearance. */
export class LabelVocabulary {
  private readonly codes = new Map<string, number>();
  readonly keys: string[] = [];

  constructor(keys: readonly string[] = []) {
    for (const key of keys) this.code(key);
  }

  /** The code of `key`, adding it if new. */
  code(key: string): number {
    let c = this.codes.get(key);
    if (c === undefined) {
      c = this.keys.length;
      this.codes.set(key, c);
      this.keys.push(key);
    }
    return c;
  }

  /** The code of `key` if known, else undefined (never adds). */
  lookup(key: string): number | undefined {
    return this.codes.get(key);
  }

  get size(): number {
    return this.keys.length;
  }

  toJSON(): string[] {
    return [...this.keys];
  }

  static fromJSON(keys: readonly string[]): LabelVocabulary {
    return new LabelVocabulary(keys);
  }
}

/** The real-token mask of a batch (from `mask`, or ids ≠ padId). */
export function realTokenMask(batch: TokenBatch): Uint8Array {
  const n = batch.rows * batch.length;
  if (batch.ids.length !== n) {
    throw new RangeError(
      `token batch: ids has ${batch.ids.length} entries, expected rows × length = ${batch.rows} × ${batch.length}`,
    );
  }
  if (batch.mask) {
    if (batch.mask.length !== n)
      throw new RangeError(`token batch: mask has ${batch.mask.length} entries, expected ${n}`);
    return batch.mask;
  }
  if (batch.padId === undefined) throw new RangeError("token batch: give either a mask or a padId");
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = batch.ids[i] === batch.padId ? 0 : 1;
  return mask;
}

/** Flat indices (row * length + column) of the real tokens, row-major. */
export function realPositions(batch: TokenBatch): Int32Array {
  const mask = realTokenMask(batch);
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

/** Token-id labels, one per real position. */
export function tokenLabels(batch: TokenBatch, vocabulary: LabelVocabulary): Int32Array {
  return windowLabels(batch, vocabulary, 0, 0, false);
}

/** n-gram labels (n ≥ 1) in the given scheme, one per real position; EXCLUDED where undefined. */
export function ngramLabels(
  batch: TokenBatch,
  n: number,
  scheme: NgramScheme,
  vocabulary: LabelVocabulary,
): Int32Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n-gram order must be an integer ≥ 1, got ${n}`);
  if (scheme === "flat") return windowLabels(batch, vocabulary, n - 1, 0, false);
  if (scheme === "window" || scheme === "nested") return windowLabels(batch, vocabulary, n - 1, n - 1, true);
  throw new RangeError(`n-gram scheme must be "flat" or "window", got "${String(scheme)}"`);
}

/**
 * A grouped multi-membership label set (the shape src/vector's `MultiLabels` takes): row i's
 * sub-labels are values[offsets[i] .. offsets[i + 1]), each with its parent in `groups`.
 */
export interface GroupedLabels {
  offsets: Int32Array;
  values: Int32Array;
  groups: Int32Array;
  minCount: number;
  weighting: Weighting;
}

/** The 2024 scheme's defaults: sub-labels with fewer than 5 rows dropped; plain means (authors' code). */
export const CONTEXTS_2024 = { minCount: 5, weighting: "uniform" } as const;

/**
 * The 2024 nested n-gram labels: each real position gets, under its token (parent = token id),
 * one sub-label per n-gram of real tokens in its sequence that contains it (n-grams starting at
 * the n positions from n − 1 before it to it; those that leave the sequence are not formed).
 * A sub-label is the n-gram's token ids within the parent token ("t|a b"), so the bigram "a b"
 * is one sub-label of a and another of b. A position whose n-grams coincide (e.g. "a a" either
 * side of a) carries that sub-label once. A position in a sequence shorter than n has none
 * (excluded). Codes from `vocabulary`, stable across batches.
 */
export function ngramContextLabels(batch: TokenBatch, n: number, vocabulary: LabelVocabulary): GroupedLabels {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`n-gram context order must be an integer ≥ 2, got ${n}`);
  const mask = realTokenMask(batch);
  const positions = realPositions(batch);
  const L = batch.length;
  const offsets = new Int32Array(positions.length + 1);
  const values: number[] = [];
  const groups: number[] = [];
  for (let k = 0; k < positions.length; k++) {
    const flat = positions[k]!;
    const col = flat % L;
    const rowStart = flat - col;
    const token = batch.ids[flat]!;
    const start = values.length;
    for (let first = col - n + 1; first <= col; first++) {
      if (first < 0 || first + n > L) continue;
      const ids: number[] = [];
      for (let c = first; c < first + n && mask[rowStart + c]; c++) ids.push(batch.ids[rowStart + c]!);
      if (ids.length < n) continue;
      const code = vocabulary.code(`${token}|${ids.join(" ")}`);
      if (values.indexOf(code, start) >= 0) continue;
      values.push(code);
      groups.push(token);
    }
    offsets[k + 1] = values.length;
  }
  return {
    offsets,
    values: Int32Array.from(values),
    groups: Int32Array.from(groups),
    ...CONTEXTS_2024,
  };
}

/**
 * Labels each real position by the tokens from `left` before to `right` after it.
 * With `boundary` false the label is EXCLUDED when the window leaves the sequence's
 * real tokens; with `boundary` true the missing places are written as "^".
 */
function windowLabels(
  batch: TokenBatch,
  vocabulary: LabelVocabulary,
  left: number,
  right: number,
  boundary: boolean,
): Int32Array {
  const mask = realTokenMask(batch);
  const positions = realPositions(batch);
  const out = new Int32Array(positions.length);
  const L = batch.length;
  for (let k = 0; k < positions.length; k++) {
    const flat = positions[k]!;
    const col = flat % L;
    const rowStart = flat - col;
    const parts: string[] = [];
    let defined = true;
    for (let offset = -left; offset <= right; offset++) {
      const c = col + offset;
      if (c >= 0 && c < L && mask[rowStart + c]) parts.push(String(batch.ids[rowStart + c]));
      else if (boundary) parts.push("^");
      else {
        defined = false;
        break;
      }
    }
    out[k] = defined ? vocabulary.code(parts.join(" ")) : EXCLUDED;
  }
  return out;
}

/** One label set's codes: one per real position, or the 2024 scheme's grouped sub-labels. */
export type SequenceLabels = Int32Array | GroupedLabels;

/** The label sets measured on token sequences: name → codes per real position. */
export interface SequenceLabelSets {
  positions: Int32Array;
  sets: Record<string, SequenceLabels>;
}

export type SequenceLabelName =
  | "token"
  | "bigram"
  | "trigram"
  | "bigram-contexts-2024"
  | "trigram-contexts-2024"
  | "bigram-window"
  | "trigram-window"
  | "bigram-nested"
  | "trigram-nested";

/** Every sequence label set that can be asked for (the `-nested` names are old aliases of `-window`). */
export const SEQUENCE_LABEL_NAMES: readonly SequenceLabelName[] = [
  "token",
  "bigram",
  "trigram",
  "bigram-contexts-2024",
  "trigram-contexts-2024",
  "bigram-window",
  "trigram-window",
  "bigram-nested",
  "trigram-nested",
];

/** What the seq2seq probe measures by default: token, the 2024 nested n-grams and the flat n-grams. */
export const DEFAULT_SEQUENCE_LABELS: readonly SequenceLabelName[] = [
  "token",
  "bigram-contexts-2024",
  "trigram-contexts-2024",
  "bigram",
  "trigram",
];

/** The n-gram order and scheme of an n-gram label set name, or null (token, pos, position, …). */
export function ngramSetSpec(name: string): { n: number; scheme: NgramScheme | "contexts-2024" } | null {
  const match = /^(bigram|trigram)(?:-(window|nested|contexts-2024))?$/.exec(name);
  if (!match) return null;
  return { n: match[1] === "bigram" ? 2 : 3, scheme: (match[2] as NgramScheme | "contexts-2024") ?? "flat" };
}

/** The codes of an n-gram label set by name (see `ngramSetSpec`). */
export function namedNgramLabels(batch: TokenBatch, name: string, vocabulary: LabelVocabulary): SequenceLabels {
  const spec = ngramSetSpec(name);
  if (!spec) throw new RangeError(`"${name}" is not an n-gram label set`);
  return spec.scheme === "contexts-2024"
    ? ngramContextLabels(batch, spec.n, vocabulary)
    : ngramLabels(batch, spec.n, spec.scheme, vocabulary);
}

/**
 * Token and n-gram labels for one batch (default: DEFAULT_SEQUENCE_LABELS), with one
 * vocabulary per label set (kept by the caller across batches so codes stay stable).
 */
export function sequenceLabelSets(
  batch: TokenBatch,
  vocabularies: Record<SequenceLabelName, LabelVocabulary>,
  names: readonly SequenceLabelName[] = DEFAULT_SEQUENCE_LABELS,
): SequenceLabelSets {
  const sets: Record<string, SequenceLabels> = {};
  for (const name of names)
    sets[name] =
      name === "token" ? tokenLabels(batch, vocabularies[name]) : namedNgramLabels(batch, name, vocabularies[name]);
  return { positions: realPositions(batch), sets };
}

/** Fresh, empty vocabularies for every sequence label set. */
export function emptyVocabularies(): Record<SequenceLabelName, LabelVocabulary> {
  return Object.fromEntries(SEQUENCE_LABEL_NAMES.map((n) => [n, new LabelVocabulary()])) as Record<
    SequenceLabelName,
    LabelVocabulary
  >;
}

/** Labels from a per-token lookup (e.g. POS tag by token id), one per real position; EXCLUDED if unmapped. */
export function lookupLabels(batch: TokenBatch, tagOf: (tokenId: number) => number | undefined): Int32Array {
  const positions = realPositions(batch);
  const out = new Int32Array(positions.length);
  for (let k = 0; k < positions.length; k++) {
    const tag = tagOf(batch.ids[positions[k]!]!);
    out[k] = tag === undefined ? EXCLUDED : tag;
  }
  return out;
}

/**
 * Label sets for token sequences (METHODS §5 "Label construction"): token id, bigram and
 * trigram, each n-gram in two schemes.
 *
 * - `flat`: the left context — the n tokens ending at the position, one code per n-gram.
 *   Undefined (excluded, code −1) where fewer than n − 1 real tokens precede the position
 *   in the same sequence.
 * - `nested`: the n-grams that contain the position, grouped within the current token.
 *   We code this as the window of n − 1 tokens either side of the position (every n-gram
 *   containing it lies inside that window), with a boundary symbol where the sequence
 *   ends, so the label is defined at every real token. Each nested label determines the
 *   current token, and the trigram window refines the bigram window, so
 *   token ⊂ bigram ⊂ trigram nest exactly (what the residual decomposition needs).
 *   Flat labels nest the same way (trigram ⊃ bigram ⊃ token on the positions where all
 *   three are defined).
 *
 * Padding is always excluded: only positions whose mask is 1 appear, in row-major order.
 * Codes are stable across batches through a shared `LabelVocabulary` (streaming use).
 * Pure functions, no I/O (runs in a browser).
 */

/** A batch of token sequences, row-major `rows × length`, with 1 = real token, 0 = padding. */
export interface TokenBatch {
  ids: Int32Array;
  rows: number;
  length: number;
  /** 1 where a real token sits; if absent, every id equal to `padId` is padding. */
  mask?: Uint8Array;
  padId?: number;
}

export type NgramScheme = "flat" | "nested";

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
  if (scheme === "nested") return windowLabels(batch, vocabulary, n - 1, n - 1, true);
  throw new RangeError(`n-gram scheme must be "flat" or "nested", got "${String(scheme)}"`);
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

/** The label sets measured on token sequences: name → codes per real position. */
export interface SequenceLabelSets {
  positions: Int32Array;
  sets: Record<string, Int32Array>;
}

export type SequenceLabelName = "token" | "bigram" | "trigram" | "bigram-nested" | "trigram-nested";

export const SEQUENCE_LABEL_NAMES: readonly SequenceLabelName[] = [
  "token",
  "bigram",
  "trigram",
  "bigram-nested",
  "trigram-nested",
];

/**
 * Token, flat bigram/trigram and nested bigram/trigram labels for one batch, with one
 * vocabulary per label set (kept by the caller across batches so codes stay stable).
 */
export function sequenceLabelSets(
  batch: TokenBatch,
  vocabularies: Record<SequenceLabelName, LabelVocabulary>,
  names: readonly SequenceLabelName[] = SEQUENCE_LABEL_NAMES,
): SequenceLabelSets {
  const sets: Record<string, Int32Array> = {};
  for (const name of names) {
    const vocabulary = vocabularies[name];
    switch (name) {
      case "token":
        sets[name] = tokenLabels(batch, vocabulary);
        break;
      case "bigram":
        sets[name] = ngramLabels(batch, 2, "flat", vocabulary);
        break;
      case "trigram":
        sets[name] = ngramLabels(batch, 3, "flat", vocabulary);
        break;
      case "bigram-nested":
        sets[name] = ngramLabels(batch, 2, "nested", vocabulary);
        break;
      case "trigram-nested":
        sets[name] = ngramLabels(batch, 3, "nested", vocabulary);
        break;
    }
  }
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

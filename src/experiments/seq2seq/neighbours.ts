/**
 * Token-level edit distance (Levenshtein: insert, delete, substitute, each cost 1) and the
 * nearest training inputs of every training input, used to pair meta-train with meta-test
 * examples. Pure (no I/O).
 *
 * Neighbours are found exactly without comparing all pairs, through an index of deletion
 * variants (see nearestNeighbours): top-100 on SCAN's ~18k distinct training inputs takes
 * seconds where enumerating every sequence within two edits took minutes.
 */
import { levenshteinBitParallel, levenshteinDp, MAX_BIT_PARALLEL_LENGTH } from "../../mapping/pairKernel.js";

/** Codes words 0, 1, … in order of first sight; `size()` is the number of distinct words so far. */
function tokenCoder(): { encode: (words: readonly string[]) => Int32Array; size: () => number } {
  const codes = new Map<string, number>();
  return {
    encode: (words) => Int32Array.from(words, (w) => codes.get(w) ?? (codes.set(w, codes.size), codes.size - 1)),
    size: () => codes.size,
  };
}

/** Token-level Levenshtein distance between two word sequences. */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  const { encode } = tokenCoder();
  const x = encode(a);
  const y = encode(b);
  return levenshteinDp(x, 0, x.length, y, 0, y.length, new Int32Array(y.length + 1));
}

export interface NeighbourOptions {
  /** Neighbours kept per input (nearest first). */
  k: number;
  /** Largest distance searched (1 or 2). */
  maxDistance?: 1 | 2;
}

/** The nearest other inputs of one input (nearest first) and their edit distances. */
export interface NeighbourList {
  indices: Int32Array;
  distances: Int32Array;
}

/**
 * For each input, up to k indices of other inputs with different text, nearest first
 * (ties in index order), one index per distinct text (its first occurrence), so repeated
 * inputs do not crowd out the rest; identical texts are never each other's neighbours.
 * Returns one Int32Array per input (possibly shorter than k, or empty).
 */
export function nearestInputs(inputs: readonly (readonly string[])[], options: NeighbourOptions): Int32Array[] {
  return nearestNeighbours(inputs, options).map((n) => n.indices);
}

/**
 * Meta-test partner weights of DG-MAML (Conklin et al. 2021, §3): softmax(−distance / τ) over
 * the candidates, so nearer inputs are likelier partners and τ → ∞ is uniform.
 */
export function partnerWeights(distances: ArrayLike<number>, temperature: number): Float64Array {
  if (!(temperature > 0)) throw new RangeError(`partner temperature must be > 0, got ${temperature}`);
  const w = Float64Array.from(distances as ArrayLike<number>, (d) => -d / temperature);
  const max = Math.max(...w);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i] = Math.exp(w[i]! - max);
  for (let i = 0; i < w.length; i++) w[i]! /= total;
  return w;
}

/** Draws one index from `weights` (which sum to 1) with a uniform number u in [0, 1). */
export function drawWeighted(weights: Float64Array, u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/**
 * nearestInputs with each neighbour's edit distance (1, or 2 for the second ring).
 *
 * Candidates come from a deletion index: if two sequences are within d edits, deleting at
 * most d tokens from each gives a common sequence (drop the substituted and inserted or
 * deleted positions of an optimal alignment). So every distinct input files the distinct
 * sequences made by deleting up to maxDistance of its tokens, each input is compared only
 * with the inputs sharing one of its deletion variants, and the exact token Levenshtein
 * distance decides.
 */
export function nearestNeighbours(inputs: readonly (readonly string[])[], options: NeighbourOptions): NeighbourList[] {
  const { k } = options;
  const maxDistance = options.maxDistance ?? 2;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`neighbours: k must be a positive integer, got ${k}`);
  const distinct = distinctInputs(inputs);
  const index = deletionIndex(distinct.tokens, maxDistance);
  const count = distinct.tokens.length;
  const lists: NeighbourList[] = [];
  const seen = new Int32Array(count).fill(-1);
  const scratch = new Int32Array(distinct.longest + 1);
  const peq = new Int32Array(distinct.vocabularySize);
  // rings[(r - 1) * count ..] holds the inputs at distance r from the current one.
  const rings = new Int32Array(maxDistance * count);
  const ringSizes = new Int32Array(maxDistance);
  for (let d = 0; d < count; d++) {
    const own = distinct.tokens[d]!;
    // Bit-parallel Levenshtein with `own` as the pattern where it fits one 32-bit word.
    const bitParallel = own.length >= 1 && own.length <= MAX_BIT_PARALLEL_LENGTH;
    if (bitParallel) own.forEach((c, bit) => void (peq[c]! |= 1 << bit));
    ringSizes.fill(0);
    for (let v = index.variantStart[d]!; v < index.variantStart[d + 1]!; v++) {
      const variant = index.variants[v]!;
      for (let p = index.postingStart[variant]!; p < index.postingStart[variant + 1]!; p++) {
        const e = index.postings[p]!;
        if (e === d || seen[e] === d) continue;
        seen[e] = d;
        const other = distinct.tokens[e]!;
        const distance = bitParallel
          ? levenshteinBitParallel(peq, own.length, other, 0, other.length)
          : levenshteinDp(own, 0, own.length, other, 0, other.length, scratch);
        if (distance <= maxDistance) rings[(distance - 1) * count + ringSizes[distance - 1]!++] = e;
      }
    }
    if (bitParallel) for (const c of own) peq[c] = 0;
    const result: number[] = [];
    const distances: number[] = [];
    for (let r = 0; r < maxDistance && result.length < k; r++) {
      // Distinct ids follow first occurrence, so ascending ids are ascending input indices.
      const ring = rings.subarray(r * count, r * count + ringSizes[r]!).sort();
      for (let i = 0; i < ring.length && result.length < k; i++) {
        result.push(distinct.firstIndex[ring[i]!]!);
        distances.push(r + 1);
      }
    }
    lists.push({ indices: Int32Array.from(result), distances: Int32Array.from(distances) });
  }
  return Array.from(distinct.idOf, (d) => lists[d]!);
}

/** The distinct texts of `inputs` in order of first occurrence, as token-code arrays. */
function distinctInputs(inputs: readonly (readonly string[])[]): {
  tokens: Int32Array[];
  firstIndex: number[];
  idOf: Int32Array;
  longest: number;
  vocabularySize: number;
} {
  const byText = new Map<string, number>();
  const coder = tokenCoder();
  const tokens: Int32Array[] = [];
  const firstIndex: number[] = [];
  const idOf = new Int32Array(inputs.length);
  let longest = 0;
  inputs.forEach((words, i) => {
    const text = words.join(" ");
    let id = byText.get(text);
    if (id === undefined) {
      id = tokens.length;
      byText.set(text, id);
      tokens.push(coder.encode(words));
      firstIndex.push(i);
      longest = Math.max(longest, words.length);
    }
    idOf[i] = id;
  });
  return { tokens, firstIndex, idOf, longest, vocabularySize: coder.size() };
}

/**
 * Every distinct sequence made by deleting at most `maxDeletions` tokens of each input:
 * `variants[variantStart[d] .. variantStart[d + 1])` are input d's variant ids (no repeats)
 * and `postings[postingStart[v] .. postingStart[v + 1])` the inputs having variant v, ascending.
 */
function deletionIndex(
  tokens: readonly Int32Array[],
  maxDeletions: number,
): { variants: Int32Array; variantStart: Int32Array; postings: Int32Array; postingStart: Int32Array } {
  const ids = new Map<string, number>();
  const variants: number[] = [];
  const variantStart = new Int32Array(tokens.length + 1);
  tokens.forEach((seq, d) => {
    for (const key of deletionVariants(seq, maxDeletions)) {
      let v = ids.get(key);
      if (v === undefined) ids.set(key, (v = ids.size));
      variants.push(v);
    }
    variantStart[d + 1] = variants.length;
  });
  // Counting sort of (variant, input) pairs by variant; inputs stay ascending within a variant.
  const postingStart = new Int32Array(ids.size + 1);
  for (const v of variants) postingStart[v + 1]! += 1;
  for (let v = 1; v <= ids.size; v++) postingStart[v]! += postingStart[v - 1]!;
  const fill = postingStart.slice(0, ids.size);
  const postings = new Int32Array(variants.length);
  for (let d = 0; d < tokens.length; d++)
    for (let i = variantStart[d]!; i < variantStart[d + 1]!; i++) postings[fill[variants[i]!]!++] = d;
  return { variants: Int32Array.from(variants), variantStart, postings, postingStart };
}

/** Keys of the distinct sequences made by deleting at most `maxDeletions` tokens of `seq`. */
function deletionVariants(seq: Int32Array, maxDeletions: number): Set<string> {
  // Two UTF-16 code units of 15 bits per token code: a key is a string, equal keys equal sequences.
  let text = "";
  for (const c of seq) text += String.fromCharCode(c >>> 15, c & 0x7fff);
  const out = new Set<string>([text]);
  let frontier = [text];
  for (let deleted = 1; deleted <= maxDeletions; deleted++) {
    const next: string[] = [];
    for (const t of frontier)
      for (let i = 0; i < t.length; i += 2) {
        const shorter = t.slice(0, i) + t.slice(i + 2);
        if (!out.has(shorter)) {
          out.add(shorter);
          next.push(shorter);
        }
      }
    frontier = next;
  }
  return out;
}

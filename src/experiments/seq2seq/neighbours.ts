/**
 * Token-level edit distance (Levenshtein: insert, delete, substitute, each cost 1) and the
 * nearest training inputs of every training input, used to pair meta-train with meta-test
 * examples. Pure (no I/O).
 *
 * Neighbours are found exactly without comparing all pairs: every input at distance 1 is
 * one edit away, so we enumerate the single edits of an input (over the training vocabulary)
 * and look them up in a hash of the distinct inputs; distance-2 neighbours (only needed
 * where fewer than k lie at distance 1) are the single edits of those edits.
 */
import { levenshteinDp } from "../../mapping/pairKernel.js";

/** Token-level Levenshtein distance between two word sequences. */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  const codes = new Map<string, number>();
  const encode = (words: readonly string[]): Int32Array =>
    Int32Array.from(words, (w) => codes.get(w) ?? (codes.set(w, codes.size), codes.size - 1));
  const x = encode(a);
  const y = encode(b);
  return levenshteinDp(x, 0, x.length, y, 0, y.length, new Int32Array(y.length + 1));
}

/** All sequences one edit away from `words` over `vocabulary` (may include duplicates). */
function singleEdits(words: readonly string[], vocabulary: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < words.length; i++) out.push([...words.slice(0, i), ...words.slice(i + 1)]);
  for (let i = 0; i < words.length; i++) {
    for (const w of vocabulary) if (w !== words[i]) out.push([...words.slice(0, i), w, ...words.slice(i + 1)]);
  }
  for (let i = 0; i <= words.length; i++)
    for (const w of vocabulary) out.push([...words.slice(0, i), w, ...words.slice(i)]);
  return out;
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

/** nearestInputs with each neighbour's edit distance (1, or 2 for the second ring). */
export function nearestNeighbours(inputs: readonly (readonly string[])[], options: NeighbourOptions): NeighbourList[] {
  const { k } = options;
  const maxDistance = options.maxDistance ?? 2;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`neighbours: k must be a positive integer, got ${k}`);
  const key = (words: readonly string[]): string => words.join(" ");
  const byText = new Map<string, number[]>();
  inputs.forEach((words, i) => {
    const t = key(words);
    const list = byText.get(t);
    if (list) list.push(i);
    else byText.set(t, [i]);
  });
  const vocabulary = [...new Set(inputs.flat())];
  const cache = new Map<string, NeighbourList>();
  return inputs.map((words) => {
    const text = key(words);
    const cached = cache.get(text);
    if (cached) return cached;
    const found = new Set<string>([text]);
    const ring1: string[][] = [];
    const result: number[] = [];
    const distances: number[] = [];
    const collect = (candidates: string[][], keep: string[][] | null, distance: number): void => {
      const hits: number[] = [];
      for (const c of candidates) {
        const t = key(c);
        if (found.has(t)) continue;
        found.add(t);
        keep?.push(c);
        const idx = byText.get(t);
        if (idx) hits.push(idx[0]!);
      }
      hits.sort((a, b) => a - b);
      result.push(...hits);
      for (const _ of hits) distances.push(distance);
    };
    collect(singleEdits(words, vocabulary), ring1, 1);
    if (result.length < k && maxDistance >= 2)
      collect(
        ring1.flatMap((c) => singleEdits(c, vocabulary)),
        null,
        2,
      );
    const out = {
      indices: Int32Array.from(result.slice(0, k)),
      distances: Int32Array.from(distances.slice(0, k)),
    };
    cache.set(text, out);
    return out;
  });
}

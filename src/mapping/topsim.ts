/**
 * Topographic similarity (METHODS §3.3): Spearman's ρ between the pairwise meaning distances
 * and the pairwise signal distances, over ALL pairs of rows (the published code samples 25%
 * of pairs because it is slow; this is not), or, when `samplePairs` is given, over that many
 * seeded random pairs (topsimSample.ts; for mappings of more than tens of thousands of rows).
 *
 * Integer distances (Hamming over roles; Levenshtein or Hamming over signals) are counted
 * into a joint histogram by the pair kernel (pairKernel.ts) and ρ is computed exactly from it
 * with tied ranks averaged — no per-pair arrays, no sorting. Real meaning distances (cosine,
 * Euclidean between meaning vectors) store one distance per pair and rank by sorting.
 *
 * Optional permutation test: the signals are shuffled over the rows `permutations` times
 * (seeded), giving the null mean and sample standard deviation of ρ and
 * z = (ρ − null mean) / null sd.
 *
 * This module is the single-thread reference; topsimParallel.ts (Node only) runs the same
 * plan on worker threads.
 */
import { Random } from "../util/random.js";
import { type PairJob, type SignalDistanceName, pairDistances } from "./pairKernel.js";
import { rankReal, spearmanFromJointCounts, spearmanRankedInteger, type SpearmanResult } from "./spearman.js";
import { sampledPairSpearman } from "./topsimSample.js";
import { type DiscreteMapping, validateMapping } from "./types.js";

export type { SignalDistanceName } from "./pairKernel.js";
export type MeaningDistanceName = "hamming" | "cosine" | "euclidean";

/** Real-valued meanings, one row of `dim` numbers per mapping row (row-major N × dim). */
export interface MeaningVectors {
  data: Float64Array;
  dim: number;
}

export interface TopsimOptions {
  /** Default "hamming" (over roles). "cosine" (1 − cos) and "euclidean" need `meaningVectors`. */
  meaningDistance?: MeaningDistanceName;
  meaningVectors?: MeaningVectors;
  /** Default "levenshtein". */
  signalDistance?: SignalDistanceName;
  /**
   * Levenshtein only: drop trailing pad symbols (the mapping's `padSymbol`) before comparing.
   * Default false: every position of the fixed-length signal counts (METHODS §3.1).
   */
  trimPad?: boolean;
  /** Number of signal shuffles for the permutation z-score (0 = none, default; else ≥ 2). */
  permutations?: number;
  /** Seed of the shuffles (default 0). */
  seed?: number;
  /**
   * Real meaning distances keep every pair in memory (about 26 bytes per pair at the peak,
   * while ranking); more pairs than this (default 2^24 ≈ 16.8 million, ~5,800 rows, ~440 MB)
   * is refused with an error rather than exhausting memory.
   */
  maxRealPairs?: number;
  /**
   * Hamming meaning distance only: ρ over this many random pairs (uniform, with replacement,
   * seeded by `seed`) instead of all pairs; ignored when it is not fewer than all pairs.
   */
  samplePairs?: number;
}

/** How the pairs of a sampled topsim were drawn. */
export interface TopsimSample {
  /** Pairs drawn (with replacement). */
  pairs: number;
  /** All pairs of the mapping's rows. */
  of: number;
  /** The seed given (the draw itself uses pairSampleSeed(seed), apart from the shuffles). */
  seed: number;
}

export interface PermutationTest {
  permutations: number;
  seed: number;
  nullMean: number;
  /** Sample standard deviation (k − 1) of the shuffled ρ's. */
  nullSd: number;
  /** (ρ − nullMean) / nullSd; null when nullSd = 0. */
  z: number | null;
}

export interface TopsimResult {
  /** Spearman's ρ; 0 when undefined (see `degenerate`). */
  topsim: number;
  pairs: number;
  meaningDistance: MeaningDistanceName;
  signalDistance: SignalDistanceName;
  trimPad: boolean;
  /** Set when ρ is undefined because all meaning ("x") or signal ("y") distances are equal. */
  degenerate?: SpearmanResult["degenerate"];
  permutation?: PermutationTest;
  /** Present when ρ is over a random sample of pairs rather than all pairs. */
  sample?: TopsimSample;
}

interface Resolved {
  meaningDistance: MeaningDistanceName;
  signalDistance: SignalDistanceName;
  trimPad: boolean;
  permutations: number;
  seed: number;
  maxRealPairs: number;
  samplePairs: number | null;
}

function resolve(m: DiscreteMapping, options: TopsimOptions): Resolved {
  validateMapping(m);
  const meaningDistance = options.meaningDistance ?? "hamming";
  const signalDistance = options.signalDistance ?? "levenshtein";
  const trimPad = options.trimPad ?? false;
  const permutations = options.permutations ?? 0;
  const seed = options.seed ?? 0;
  if (!["hamming", "cosine", "euclidean"].includes(meaningDistance)) {
    throw new RangeError(`meaning distance must be hamming, cosine or euclidean, got "${meaningDistance}"`);
  }
  if (!["levenshtein", "hamming"].includes(signalDistance)) {
    throw new RangeError(`signal distance must be levenshtein or hamming, got "${signalDistance}"`);
  }
  if (meaningDistance !== "hamming") {
    const v = options.meaningVectors;
    if (!v) throw new RangeError(`meaning distance "${meaningDistance}" needs meaning vectors`);
    if (!Number.isInteger(v.dim) || v.dim < 1 || v.data.length !== m.size * v.dim) {
      throw new RangeError(`meaning vectors hold ${v.data.length} numbers, expected ${m.size} rows × ${v.dim}`);
    }
  }
  if (trimPad && signalDistance !== "levenshtein")
    throw new RangeError("trimPad applies to the Levenshtein distance only");
  if (trimPad && m.padSymbol === undefined)
    throw new RangeError("trimPad needs the mapping's pad symbol, and it has none");
  if (!Number.isInteger(permutations) || permutations < 0 || permutations === 1) {
    throw new RangeError(`permutations must be 0 or an integer ≥ 2, got ${permutations}`);
  }
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const maxRealPairs = options.maxRealPairs ?? 2 ** 24;
  const sample = options.samplePairs;
  if (sample !== undefined) {
    if (!Number.isInteger(sample) || sample < 1)
      throw new RangeError(`samplePairs must be a positive integer, got ${sample}`);
    if (meaningDistance !== "hamming") throw new RangeError("samplePairs covers the Hamming meaning distance only");
  }
  const samplePairs = sample !== undefined && sample < pairCount(m.size) ? sample : null;
  return { meaningDistance, signalDistance, trimPad, permutations, seed, maxRealPairs, samplePairs };
}

/** Number of unordered pairs of n rows. */
export function pairCount(n: number): number {
  return (n * (n - 1)) / 2;
}

/** Signals of `m` with row i given the signal of row order[i] (the order is a permutation). */
export function reorderSignals(m: DiscreteMapping, order: Int32Array): Int32Array {
  const L = m.length;
  const out = new Int32Array(m.signals.length);
  for (let i = 0; i < m.size; i++) out.set(m.signals.subarray(order[i]! * L, order[i]! * L + L), i * L);
  return out;
}

/** Per-row signal lengths with trailing pad symbols removed. */
export function trimmedLengths(signals: Int32Array, length: number, size: number, pad: number): Int32Array {
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    let n = length;
    while (n > 0 && signals[i * length + n - 1] === pad) n--;
    out[i] = n;
  }
  return out;
}

/** The pair-kernel job over rows [rowStart, rowEnd) for the given signals. */
export function pairJob(
  m: DiscreteMapping,
  signals: Int32Array,
  signalDistance: SignalDistanceName,
  trimPad: boolean,
  rowStart = 0,
  rowEnd = m.size,
): PairJob {
  return {
    meanings: m.meanings,
    roles: m.roles.length,
    signals,
    length: m.length,
    signalLengths: trimPad ? trimmedLengths(signals, m.length, m.size, m.padSymbol!) : null,
    alphabetSize: m.alphabet.length,
    size: m.size,
    rowStart,
    rowEnd,
    signalDistance,
  };
}

/**
 * The work of one topographic-similarity computation with integer distances: the jobs
 * (observed signals first, then each shuffle) and how to turn their histograms into a result.
 * Running the jobs is left to the caller (here in one thread; topsimParallel.ts in workers).
 */
export interface TopsimPlan {
  jobs: PairJob[];
  finish(histograms: Float64Array[]): TopsimResult;
}

export function topsimPlan(m: DiscreteMapping, options: TopsimOptions = {}): TopsimPlan {
  const o = resolve(m, options);
  if (o.meaningDistance !== "hamming" || o.samplePairs !== null)
    throw new RangeError("topsimPlan covers all pairs with the Hamming meaning distance; use topographicSimilarity");
  const random = new Random(o.seed);
  const signalSets = [m.signals];
  for (let k = 0; k < o.permutations; k++) signalSets.push(reorderSignals(m, random.permutation(m.size)));
  const jobs = signalSets.map((signals) => pairJob(m, signals, o.signalDistance, o.trimPad));
  const nx = m.roles.length + 1;
  const ny = m.length + 1;
  return {
    jobs,
    finish(histograms) {
      const [observed, ...nulls] = histograms.map((h) => spearmanFromJointCounts(h, nx, ny));
      return assemble(o, observed!, nulls);
    },
  };
}

function assemble(o: Resolved, observed: SpearmanResult, nulls: SpearmanResult[]): TopsimResult {
  const out: TopsimResult = {
    topsim: observed.rho,
    pairs: observed.n,
    meaningDistance: o.meaningDistance,
    signalDistance: o.signalDistance,
    trimPad: o.trimPad,
  };
  if (observed.degenerate) out.degenerate = observed.degenerate;
  if (o.permutations > 0)
    out.permutation = permutationTest(
      observed.rho,
      nulls.map((r) => r.rho),
      o.seed,
    );
  return out;
}

/** Null mean, sample sd and z-score of an observed value against shuffled values. */
export function permutationTest(observed: number, shuffled: number[], seed: number): PermutationTest {
  const k = shuffled.length;
  let mean = 0;
  for (const v of shuffled) mean += v;
  mean /= k;
  let ss = 0;
  for (const v of shuffled) ss += (v - mean) * (v - mean);
  const sd = k > 1 ? Math.sqrt(ss / (k - 1)) : 0;
  return { permutations: k, seed, nullMean: mean, nullSd: sd, z: sd > 0 ? (observed - mean) / sd : null };
}

/**
 * Topographic similarity of a mapping over all pairs of rows.
 *
 * @example
 * topographicSimilarity(mapping).topsim                                  // Hamming vs Levenshtein
 * topographicSimilarity(mapping, { signalDistance: "hamming", permutations: 20, seed: 1 })
 */
export function topographicSimilarity(m: DiscreteMapping, options: TopsimOptions = {}): TopsimResult {
  const o = resolve(m, options);
  if (o.samplePairs !== null) return sampledTopsim(m, o, o.samplePairs);
  if (o.meaningDistance === "hamming") {
    const plan = topsimPlan(m, options);
    return plan.finish(plan.jobs.map((job) => pairDistances(job, null)));
  }
  const pairs = pairCount(m.size);
  if (pairs > o.maxRealPairs) {
    throw new RangeError(
      `${m.size} rows make ${pairs} pairs; real-valued meaning distances keep every pair in memory and the limit is ` +
        `${o.maxRealPairs} (option maxRealPairs); use the Hamming meaning distance or fewer rows`,
    );
  }
  const ranked = rankReal(realMeaningDistances(options.meaningVectors!, m.size, o.meaningDistance));
  const ny = m.length + 1;
  const signalDistances = (signals: Int32Array): SpearmanResult => {
    const out = new Uint16Array(pairs);
    pairDistances(pairJob(m, signals, o.signalDistance, o.trimPad), out);
    return spearmanRankedInteger(ranked, out, ny);
  };
  const random = new Random(o.seed);
  const observed = signalDistances(m.signals);
  const nulls: SpearmanResult[] = [];
  for (let k = 0; k < o.permutations; k++) nulls.push(signalDistances(reorderSignals(m, random.permutation(m.size))));
  return assemble(o, observed, nulls);
}

function sampledTopsim(m: DiscreteMapping, o: Resolved, pairs: number): TopsimResult {
  const random = new Random(o.seed);
  const signalSets = [m.signals];
  for (let k = 0; k < o.permutations; k++) signalSets.push(reorderSignals(m, random.permutation(m.size)));
  const [observed, ...nulls] = sampledPairSpearman(m, signalSets, {
    pairs,
    seed: o.seed,
    signalDistance: o.signalDistance,
    signalLengths: o.trimPad ? trimmedLengths(m.signals, m.length, m.size, m.padSymbol!) : null,
  });
  const out = assemble(o, observed!, nulls);
  out.sample = { pairs, of: pairCount(m.size), seed: o.seed };
  return out;
}

/** Cosine (1 − cos) or Euclidean distance of every pair (i < j) of vector rows, in pair order. */
export function realMeaningDistances(
  vectors: MeaningVectors,
  size: number,
  kind: "cosine" | "euclidean",
): Float64Array {
  const { data, dim } = vectors;
  for (let t = 0; t < data.length; t++) {
    if (!Number.isFinite(data[t]!))
      throw new RangeError(
        `meaning vector of row ${Math.floor(t / dim)} has a non-finite value ${data[t]} at ${t % dim}`,
      );
  }
  const norms = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += data[i * dim + d]! ** 2;
    norms[i] = Math.sqrt(s);
    if (kind === "cosine" && norms[i] === 0)
      throw new RangeError(`meaning vector of row ${i} is all zeros; its cosine distance is undefined`);
  }
  const out = new Float64Array(pairCount(size));
  let t = 0;
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      let s = 0;
      if (kind === "cosine") {
        for (let d = 0; d < dim; d++) s += data[i * dim + d]! * data[j * dim + d]!;
        out[t++] = Math.max(0, 1 - s / (norms[i]! * norms[j]!));
      } else {
        for (let d = 0; d < dim; d++) s += (data[i * dim + d]! - data[j * dim + d]!) ** 2;
        out[t++] = Math.sqrt(s);
      }
    }
  }
  return out;
}

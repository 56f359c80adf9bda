/**
 * Topographic similarity over a random sample of pairs, for mappings too large for all
 * pairs (N rows make N(N − 1)/2 pairs: 5·10¹¹ for a million rows). Pairs (i, j), i ≠ j, are
 * drawn uniformly with replacement from a seeded generator, their distances counted into the
 * same joint histogram as the exhaustive kernel, and ρ computed from it exactly; the sampling
 * error of ρ is about 1/√pairs (3·10⁻⁴ for the default 10 million pairs).
 *
 * The permutation test shuffles the signals as the exhaustive version does (same shuffles
 * for the same seed) and scores each shuffle on the same pair sample.
 */
import { Random } from "../util/random.js";
import { levenshteinDp, type SignalDistanceName } from "./pairKernel.js";
import { spearmanFromJointCounts, type SpearmanResult } from "./spearman.js";
import type { DiscreteMapping } from "./types.js";

/** Pairs sampled by default when a mapping is too large for all pairs. */
export const DEFAULT_SAMPLED_PAIRS = 10_000_000;

/** Mappings with more rows than this sample pairs by default (glossa mapping, measureMapping). */
export const EXHAUSTIVE_TOPSIM_MAX_ROWS = 50_000;

/** The seed of the pair sample, derived from the shuffle seed so one --seed fixes both. */
export function pairSampleSeed(seed: number): number {
  return (seed ^ 0x5bd1e995) | 0;
}

/**
 * Spearman's ρ of Hamming meaning distance vs signal distance over `pairs` sampled pairs of
 * rows, for each signal set (the observed signals, then shuffles). `signalLengths` (Levenshtein
 * only) gives each row's length when trailing pads are trimmed.
 */
export function sampledPairSpearman(
  m: DiscreteMapping,
  signalSets: readonly Int32Array[],
  options: {
    pairs: number;
    seed: number;
    signalDistance: SignalDistanceName;
    signalLengths: Int32Array | null;
  },
): SpearmanResult[] {
  const R = m.roles.length;
  const L = m.length;
  const nx = R + 1;
  const ny = L + 1;
  const n = m.size;
  const scratch = new Int32Array(L + 1);
  const lengths = options.signalLengths;
  return signalSets.map((signals) => {
    const counts = new Float64Array(nx * ny);
    const random = new Random(pairSampleSeed(options.seed));
    for (let t = 0; t < options.pairs; t++) {
      const i = random.int(n);
      let j = random.int(n - 1);
      if (j >= i) j++;
      let dm = 0;
      for (let r = 0; r < R; r++) if (m.meanings[i * R + r] !== m.meanings[j * R + r]) dm++;
      let ds = 0;
      if (options.signalDistance === "hamming") {
        for (let p = 0; p < L; p++) if (signals[i * L + p] !== signals[j * L + p]) ds++;
      } else {
        const li = lengths ? lengths[i]! : L;
        const lj = lengths ? lengths[j]! : L;
        ds = levenshteinDp(signals, i * L, li, signals, j * L, lj, scratch);
      }
      counts[dm * ny + ds]!++;
    }
    return spearmanFromJointCounts(counts, nx, ny);
  });
}

import { describe, expect, it } from "vitest";
import { measureMapping } from "../src/mapping/measureAll.js";
import { meaningSpace } from "../src/mapping/meaningSpace.js";
import { levenshteinDp } from "../src/mapping/pairKernel.js";
import { spearman } from "../src/mapping/spearman.js";
import { compositionalLanguage, holisticLanguage } from "../src/mapping/synthetic.js";
import { pairCount, topographicSimilarity, trimmedLengths } from "../src/mapping/topsim.js";
import { EXHAUSTIVE_TOPSIM_MAX_ROWS, pairSampleSeed } from "../src/mapping/topsimSample.js";
import type { DiscreteMapping } from "../src/mapping/types.js";
import { Random } from "../src/util/random.js";

/** The documented draw, written out: pairs (i, j ≠ i) from Random(pairSampleSeed(seed)), ρ by sorting. */
function naiveSampledRho(m: DiscreteMapping, pairs: number, seed: number, distance: "levenshtein" | "hamming") {
  const random = new Random(pairSampleSeed(seed));
  const R = m.roles.length;
  const L = m.length;
  const dm: number[] = [];
  const ds: number[] = [];
  const scratch = new Int32Array(L + 1);
  for (let t = 0; t < pairs; t++) {
    const i = random.int(m.size);
    let j = random.int(m.size - 1);
    if (j >= i) j++;
    let d = 0;
    for (let r = 0; r < R; r++) if (m.meanings[i * R + r] !== m.meanings[j * R + r]) d++;
    dm.push(d);
    let s = 0;
    if (distance === "hamming") for (let p = 0; p < L; p++) s += m.signals[i * L + p] !== m.signals[j * L + p] ? 1 : 0;
    else s = levenshteinDp(m.signals, i * L, L, m.signals, j * L, L, scratch);
    ds.push(s);
  }
  return spearman(dm, ds).rho;
}

const space = meaningSpace([6, 6, 6]);
const language = compositionalLanguage(space, { length: 6, alphabetSize: 10, synonyms: 2, seed: 4 });

describe("topsim over a sample of pairs", () => {
  it("is Spearman's ρ over exactly the documented draw of pairs", () => {
    for (const signalDistance of ["levenshtein", "hamming"] as const) {
      const sampled = topographicSimilarity(language, { samplePairs: 5000, seed: 9, signalDistance });
      expect(sampled.sample).toEqual({ pairs: 5000, of: pairCount(language.size), seed: 9 });
      expect(sampled.pairs).toBe(5000);
      expect(sampled.topsim).toBeCloseTo(naiveSampledRho(language, 5000, 9, signalDistance), 12);
    }
  });
  it("estimates the all-pairs value (sampling error about 1/√pairs)", () => {
    const larger = compositionalLanguage(meaningSpace([10, 10, 10]), {
      length: 6,
      alphabetSize: 10,
      synonyms: 2,
      seed: 4,
    });
    const all = topographicSimilarity(larger);
    const sampled = topographicSimilarity(larger, { samplePairs: 200_000, seed: 1 });
    expect(sampled.sample?.of).toBe(499_500);
    expect(all.sample).toBeUndefined();
    expect(Math.abs(sampled.topsim - all.topsim)).toBeLessThan(0.01);
    expect(sampled.topsim).not.toBe(all.topsim);
    // a different seed draws other pairs
    expect(topographicSimilarity(language, { samplePairs: 5000, seed: 2 }).topsim).not.toBe(
      topographicSimilarity(language, { samplePairs: 5000, seed: 3 }).topsim,
    );
  });
  it("uses all pairs when the sample would not be smaller", () => {
    const all = topographicSimilarity(language);
    const big = topographicSimilarity(language, { samplePairs: pairCount(language.size) });
    expect(big.sample).toBeUndefined();
    expect(big.topsim).toBe(all.topsim);
  });
  it("runs the permutation test on the same pair sample, and trims pads", () => {
    const holistic = holisticLanguage(space, { length: 4, alphabetSize: 5, seed: 2 });
    const t = topographicSimilarity(holistic, { samplePairs: 20_000, permutations: 5, seed: 3 });
    expect(t.permutation?.permutations).toBe(5);
    expect(Math.abs(t.permutation!.nullMean)).toBeLessThan(0.05);
    const pad = language.signals[language.length - 1]!; // the last symbol of row 0
    const padded = { ...language, padSymbol: pad };
    const trimmed = topographicSimilarity(padded, { samplePairs: 3000, trimPad: true, seed: 1 });
    const lengths = trimmedLengths(padded.signals, padded.length, padded.size, pad);
    expect(Math.min(...lengths)).toBeLessThan(padded.length); // some rows really are trimmed
    expect(trimmed.topsim).not.toBe(topographicSimilarity(padded, { samplePairs: 3000, seed: 1 }).topsim);
  });
  it("rejects a bad sample size and real-valued meaning distances", () => {
    expect(() => topographicSimilarity(language, { samplePairs: 0 })).toThrow(/samplePairs must be a positive integer/);
    expect(() =>
      topographicSimilarity(language, {
        samplePairs: 10,
        meaningDistance: "euclidean",
        meaningVectors: { data: new Float64Array(language.size), dim: 1 },
      }),
    ).toThrow(/Hamming meaning distance only/);
  });
  it(`measureMapping samples by default above ${EXHAUSTIVE_TOPSIM_MAX_ROWS.toLocaleString("en")} rows, and says so`, async () => {
    const rows = EXHAUSTIVE_TOPSIM_MAX_ROWS + 1;
    const big: DiscreteMapping = {
      roles: [{ name: "r", atoms: ["a", "b"] }],
      alphabet: ["x", "y"],
      length: 1,
      size: rows,
      meanings: Int32Array.from({ length: rows }, (_, i) => i % 2),
      signals: Int32Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 1 : i % 2)),
    };
    const sampled = await measureMapping(big, { topsimPairs: 100_000, seed: 5 });
    expect(sampled.parameters.topsimSample).toEqual({ pairs: 100_000, of: pairCount(rows), seed: 5 });
    expect(sampled.parameters.topsimPairs).toBe(100_000);
    const small = await measureMapping(language);
    expect(small.parameters.topsimSample).toBeNull();
    expect(small.parameters.topsimPairs).toBe(pairCount(language.size));
    const forced = await measureMapping(language, { topsimPairs: 1000 });
    expect(forced.parameters.topsimSample?.pairs).toBe(1000);
  });
});

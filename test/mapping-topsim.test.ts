import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meaningSpace } from "../src/mapping/meaningSpace.js";
import { type PairJob, levenshteinBitParallel, levenshteinDp, pairDistances } from "../src/mapping/pairKernel.js";
import { midranks, spearman, spearmanFromJointCounts, spearmanRealInteger } from "../src/mapping/spearman.js";
import { compositionalLanguage, holisticLanguage } from "../src/mapping/synthetic.js";
import { realMeaningDistances, topographicSimilarity, trimmedLengths } from "../src/mapping/topsim.js";
import { balancedRowRanges, topographicSimilarityParallel } from "../src/mapping/topsimParallel.js";
import type { DiscreteMapping } from "../src/mapping/types.js";
import { mappingOf } from "./helpers/mappingRows.js";

/** Random mapping arbitrary: N rows, R roles, length L, alphabet A. */
function arbitraryMapping(opts: { maxRows?: number; maxLength?: number; minRows?: number } = {}) {
  return fc
    .record({
      n: fc.integer({ min: opts.minRows ?? 2, max: opts.maxRows ?? 30 }),
      roles: fc.integer({ min: 1, max: 4 }),
      atoms: fc.integer({ min: 1, max: 4 }),
      length: fc.integer({ min: 1, max: opts.maxLength ?? 8 }),
      alphabet: fc.integer({ min: 1, max: 5 }),
    })
    .chain(({ n, roles, atoms, length, alphabet }) =>
      fc.record({
        meanings: fc.array(fc.array(fc.integer({ min: 0, max: atoms - 1 }), { minLength: roles, maxLength: roles }), {
          minLength: n,
          maxLength: n,
        }),
        signals: fc.array(
          fc.array(fc.integer({ min: 0, max: alphabet - 1 }), { minLength: length, maxLength: length }),
          { minLength: n, maxLength: n },
        ),
        atoms: fc.constant(Array.from({ length: roles }, () => atoms)),
        alphabet: fc.constant(alphabet),
      }),
    )
    .map(({ meanings, signals, atoms, alphabet }) => mappingOf(meanings, signals, atoms, alphabet, 0));
}

function row(a: Int32Array, i: number, w: number): number[] {
  return Array.from(a.subarray(i * w, i * w + w));
}

/** Naive all-pairs topsim: arrays of pair distances and the sort-based Spearman. */
function naiveTopsim(m: DiscreteMapping, signalDistance: "levenshtein" | "hamming", trimPad = false): number {
  const R = m.roles.length;
  const L = m.length;
  const dm: number[] = [];
  const ds: number[] = [];
  const lengths = trimPad ? trimmedLengths(m.signals, L, m.size, m.padSymbol!) : null;
  const scratch = new Int32Array(L + 1);
  for (let i = 0; i < m.size; i++) {
    for (let j = i + 1; j < m.size; j++) {
      const a = row(m.meanings, i, R);
      const b = row(m.meanings, j, R);
      dm.push(a.filter((x, r) => x !== b[r]).length);
      if (signalDistance === "hamming") {
        const s = row(m.signals, i, L);
        const t = row(m.signals, j, L);
        ds.push(s.filter((x, k) => x !== t[k]).length);
      } else {
        ds.push(
          levenshteinDp(
            m.signals,
            i * L,
            lengths ? lengths[i]! : L,
            m.signals,
            j * L,
            lengths ? lengths[j]! : L,
            scratch,
          ),
        );
      }
    }
  }
  return spearman(dm, ds).rho;
}

describe("Levenshtein", () => {
  it("plain DP matches hand-worked distances", () => {
    const d = (a: string, b: string) => {
      const x = Array.from(a, (c) => c.charCodeAt(0));
      const y = Array.from(b, (c) => c.charCodeAt(0));
      return levenshteinDp(x, 0, x.length, y, 0, y.length, new Int32Array(y.length + 1));
    };
    expect(d("kitten", "sitting")).toBe(3);
    expect(d("flaw", "lawn")).toBe(2);
    expect(d("", "abc")).toBe(3);
    expect(d("abc", "")).toBe(3);
    expect(d("abcdef", "abcdef")).toBe(0);
    expect(d("abcdef", "bcdefa")).toBe(2);
  });

  it("bit-parallel equals the DP for patterns of 1..32 symbols", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 6 })
          .chain((k) =>
            fc.tuple(
              fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: 1, maxLength: 32 }),
              fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: 0, maxLength: 40 }),
              fc.constant(k),
            ),
          ),
        ([a, b, k]) => {
          const peq = new Int32Array(k);
          a.forEach((c, i) => (peq[c]! |= 1 << i));
          const fast = levenshteinBitParallel(peq, a.length, b, 0, b.length);
          const slow = levenshteinDp(a, 0, a.length, b, 0, b.length, new Int32Array(b.length + 1));
          expect(fast).toBe(slow);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("pair kernel", () => {
  function naiveHistogram(job: PairJob): Float64Array {
    const { roles: R, length: L, size: N, meanings, signals } = job;
    const W = L + 1;
    const h = new Float64Array((R + 1) * W);
    const scratch = new Int32Array(L + 1);
    for (let i = job.rowStart; i < job.rowEnd; i++) {
      for (let j = i + 1; j < N; j++) {
        let dm = 0;
        for (let r = 0; r < R; r++) if (meanings[i * R + r] !== meanings[j * R + r]) dm++;
        let ds = 0;
        if (job.signalDistance === "hamming") {
          for (let k = 0; k < L; k++) if (signals[i * L + k] !== signals[j * L + k]) ds++;
        } else {
          const m = job.signalLengths ? job.signalLengths[i]! : L;
          const n = job.signalLengths ? job.signalLengths[j]! : L;
          ds = levenshteinDp(signals, i * L, m, signals, j * L, n, scratch);
        }
        h[dm * W + ds]! += 1;
      }
    }
    return h;
  }

  it("counts the same joint histogram as a naive loop (lanes, long signals, trimmed pads, row ranges)", () => {
    fc.assert(
      fc.property(
        arbitraryMapping({ maxRows: 25, maxLength: 40 }),
        fc.constantFrom("levenshtein", "hamming") as fc.Arbitrary<"levenshtein" | "hamming">,
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        (m, signalDistance, trim, a, b) => {
          const lo = Math.min(a, b) % (m.size + 1);
          const hi = lo + (Math.max(a, b) % (m.size - lo + 1));
          const job: PairJob = {
            meanings: m.meanings,
            roles: m.roles.length,
            signals: m.signals,
            length: m.length,
            signalLengths:
              trim && signalDistance === "levenshtein" ? trimmedLengths(m.signals, m.length, m.size, 0) : null,
            alphabetSize: m.alphabet.length,
            size: m.size,
            rowStart: lo,
            rowEnd: hi,
            signalDistance,
          };
          expect(Array.from(pairDistances(job, null))).toEqual(Array.from(naiveHistogram(job)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("per-pair output equals the DP / direct Hamming for every pair", () => {
    fc.assert(
      fc.property(arbitraryMapping({ maxRows: 15, maxLength: 36 }), fc.boolean(), (m, trim) => {
        const L = m.length;
        const lengths = trimmedLengths(m.signals, L, m.size, 0);
        for (const signalDistance of ["levenshtein", "hamming"] as const) {
          const trimmed = trim && signalDistance === "levenshtein";
          const out = new Uint16Array((m.size * (m.size - 1)) / 2);
          pairDistances(
            {
              meanings: m.meanings,
              roles: m.roles.length,
              signals: m.signals,
              length: L,
              signalLengths: trimmed ? lengths : null,
              alphabetSize: m.alphabet.length,
              size: m.size,
              rowStart: 0,
              rowEnd: m.size,
              signalDistance,
            },
            out,
          );
          const expected: number[] = [];
          const scratch = new Int32Array(L + 1);
          for (let i = 0; i < m.size; i++) {
            for (let j = i + 1; j < m.size; j++) {
              if (signalDistance === "hamming")
                expected.push(row(m.signals, i, L).filter((c, k) => c !== m.signals[j * L + k]).length);
              else
                expected.push(
                  levenshteinDp(
                    m.signals,
                    i * L,
                    trimmed ? lengths[i]! : L,
                    m.signals,
                    j * L,
                    trimmed ? lengths[j]! : L,
                    scratch,
                  ),
                );
            }
          }
          expect(Array.from(out)).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("writes per-pair signal distances in pair order", () => {
    const m = mappingOf(
      [[0], [1], [2], [3]],
      [
        [0, 1, 2, 0],
        [1, 2, 0, 1],
        [0, 0, 0, 0],
        [2, 2, 2, 2],
      ],
      [4],
      3,
    );
    const out = new Uint16Array(6);
    pairDistances(
      {
        meanings: m.meanings,
        roles: 1,
        signals: m.signals,
        length: 4,
        signalLengths: null,
        alphabetSize: 3,
        size: 4,
        rowStart: 0,
        rowEnd: 4,
        signalDistance: "levenshtein",
      },
      out,
    );
    // pairs (0,1) (0,2) (0,3) (1,2) (1,3) (2,3) of "0120" "1201" "0000" "2222"
    expect(Array.from(out)).toEqual([2, 2, 3, 3, 3, 4]);
  });
});

describe("Spearman", () => {
  it("matches hand-worked values, with tied ranks averaged", () => {
    expect(Array.from(midranks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(spearman([1, 2, 3], [1, 3, 2]).rho).toBeCloseTo(0.5, 14);
    // x ranks 1, 2.5, 2.5, 4; y ranks 1, 3, 2, 4: ρ = 4.5 / √(4.5 · 5)
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4]).rho).toBeCloseTo(4.5 / Math.sqrt(22.5), 14);
    expect(spearman([1, 2, 3, 4], [8, 6, 4, 2]).rho).toBeCloseTo(-1, 14);
  });

  it("reports a constant variable as degenerate with ρ = 0, never NaN", () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toEqual({ rho: 0, n: 3, degenerate: "x" });
    expect(spearmanFromJointCounts([0, 0, 5, 0], 2, 2)).toEqual({ rho: 0, n: 5, degenerate: "both" });
  });

  it("from joint counts and from real × integer equals the sort-based reference", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 })), {
          minLength: 2,
          maxLength: 60,
        }),
        (pairs) => {
          const xs = pairs.map((p) => p[0]);
          const ys = pairs.map((p) => p[1]);
          const counts = new Float64Array(4 * 5);
          pairs.forEach(([x, y]) => (counts[x * 5 + y]! += 1));
          const reference = spearman(xs, ys);
          const fromCounts = spearmanFromJointCounts(counts, 4, 5);
          const realInt = spearmanRealInteger(
            Float64Array.from(xs, (x) => x * 0.37),
            ys,
            5,
          );
          expect(fromCounts.rho).toBeCloseTo(reference.rho, 12);
          expect(realInt.rho).toBeCloseTo(reference.rho, 12);
          expect(fromCounts.degenerate).toBe(reference.degenerate);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("topographic similarity", () => {
  it("matches the naive all-pairs computation (both signal distances, trimmed pads)", () => {
    fc.assert(
      fc.property(arbitraryMapping({ maxRows: 20, maxLength: 10, minRows: 3 }), fc.boolean(), (m, trim) => {
        for (const signalDistance of ["levenshtein", "hamming"] as const) {
          const trimPad = trim && signalDistance === "levenshtein";
          const got = topographicSimilarity(m, { signalDistance, trimPad });
          expect(got.topsim).toBeCloseTo(naiveTopsim(m, signalDistance, trimPad), 12);
          expect(got.pairs).toBe((m.size * (m.size - 1)) / 2);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("hand-worked: two meanings per role, signals of one symbol per role", () => {
    // meanings 00 01 10 11, signals "ac" "ad" "bc" "bd": signal Hamming = meaning Hamming
    const m = mappingOf(
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      [
        [0, 2],
        [0, 3],
        [1, 2],
        [1, 3],
      ],
      [2, 2],
      4,
    );
    expect(topographicSimilarity(m, { signalDistance: "hamming" }).topsim).toBeCloseTo(1, 14);
    expect(topographicSimilarity(m).topsim).toBeCloseTo(1, 14);
    // swap one signal pair's roles: meanings 00,11 get "ac","ad"? use a permuted assignment
    const scrambled = mappingOf(
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      [
        [0, 2],
        [1, 3],
        [0, 3],
        [1, 2],
      ],
      [2, 2],
      4,
    );
    // dm over pairs: (01)1 (02)1 (03)2 (12)2 (13)1 (23)1; ds: 2,1,1,1,1,2 → ρ = −0.5
    expect(topographicSimilarity(scrambled, { signalDistance: "hamming" }).topsim).toBeCloseTo(-0.5, 14);
  });

  it("is 1 for a perfectly compositional language under signal Hamming, high under Levenshtein", () => {
    const space = meaningSpace([5, 4, 6]);
    const m = compositionalLanguage(space, { length: 6, alphabetSize: 8, seed: 3 });
    expect(topographicSimilarity(m, { signalDistance: "hamming" }).topsim).toBeCloseTo(1, 12);
    expect(topographicSimilarity(m).topsim).toBeGreaterThan(0.9);
  });

  it("is near 0 for a random holistic language, and the permutation test says so", () => {
    const space = meaningSpace([8, 8, 8]);
    const m = holisticLanguage(space, { length: 6, alphabetSize: 10, seed: 5 });
    const r = topographicSimilarity(m, { permutations: 5, seed: 2 });
    expect(Math.abs(r.topsim)).toBeLessThan(0.03);
    expect(Math.abs(r.permutation!.z!)).toBeLessThan(4);
    const c = topographicSimilarity(compositionalLanguage(space, { length: 6, alphabetSize: 10, seed: 5 }), {
      permutations: 5,
      seed: 2,
    });
    expect(c.permutation!.z!).toBeGreaterThan(50);
    expect(Math.abs(c.permutation!.nullMean)).toBeLessThan(0.03);
  });

  it("is invariant to row order, symbol renaming and atom renaming", () => {
    fc.assert(
      fc.property(arbitraryMapping({ maxRows: 20, minRows: 3 }), fc.integer(), (m, seed) => {
        const rng = new (class {
          s = seed >>> 0;
          next(n: number): number {
            this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
            return this.s % n;
          }
        })();
        const perm = (n: number) => {
          const p = Array.from({ length: n }, (_, i) => i);
          for (let i = n - 1; i > 0; i--) {
            const j = rng.next(i + 1);
            [p[i], p[j]] = [p[j]!, p[i]!];
          }
          return p;
        };
        const R = m.roles.length;
        const L = m.length;
        const rows = perm(m.size);
        const symbols = perm(m.alphabet.length);
        const atoms = m.roles.map((role) => perm(role.atoms.length));
        const renamed: DiscreteMapping = {
          ...m,
          meanings: Int32Array.from(
            { length: m.size * R },
            (_, t) => atoms[t % R]![m.meanings[rows[Math.floor(t / R)]! * R + (t % R)]!]!,
          ),
          signals: Int32Array.from(
            { length: m.size * L },
            (_, t) => symbols[m.signals[rows[Math.floor(t / L)]! * L + (t % L)]!]!,
          ),
        };
        for (const signalDistance of ["levenshtein", "hamming"] as const) {
          expect(topographicSimilarity(renamed, { signalDistance }).topsim).toBeCloseTo(
            topographicSimilarity(m, { signalDistance }).topsim,
            12,
          );
        }
      }),
      { numRuns: 100 },
    );
  });

  it("real-valued meaning distances (cosine, Euclidean) match the naive computation", () => {
    const space = meaningSpace([3, 3, 2]);
    const m = holisticLanguage(space, { length: 4, alphabetSize: 3, seed: 9 });
    // one-hot meaning vectors with a little structure
    const dim = 8;
    const data = new Float64Array(m.size * dim);
    for (let i = 0; i < m.size; i++) {
      data[i * dim + m.meanings[i * 3]!] = 1;
      data[i * dim + 3 + m.meanings[i * 3 + 1]!] = 2;
      data[i * dim + 6 + m.meanings[i * 3 + 2]!] = 0.5 + i / 100;
    }
    for (const kind of ["cosine", "euclidean"] as const) {
      const x = realMeaningDistances({ data, dim }, m.size, kind);
      const ys: number[] = [];
      const scratch = new Int32Array(5);
      for (let i = 0; i < m.size; i++)
        for (let j = i + 1; j < m.size; j++) ys.push(levenshteinDp(m.signals, i * 4, 4, m.signals, j * 4, 4, scratch));
      const got = topographicSimilarity(m, { meaningDistance: kind, meaningVectors: { data, dim } });
      expect(got.topsim).toBeCloseTo(spearman(Array.from(x), ys).rho, 12);
      expect(got.meaningDistance).toBe(kind);
    }
    // hand-worked distances
    const hand = realMeaningDistances({ data: Float64Array.from([1, 0, 0, 2, 3, 4]), dim: 2 }, 3, "euclidean");
    // (1,0) (0,2) (3,4)
    expect(Array.from(hand)).toEqual([Math.sqrt(5), Math.sqrt(20), Math.sqrt(13)]);
    const cos = realMeaningDistances({ data: Float64Array.from([1, 0, 0, 2, 1, 1]), dim: 2 }, 3, "cosine");
    expect(cos[0]).toBeCloseTo(1, 14);
    expect(cos[1]).toBeCloseTo(1 - Math.SQRT1_2, 14);
  });

  it("reports undefined cases as degenerate with topsim 0, never NaN", () => {
    const one = topographicSimilarity(mappingOf([[0]], [[0, 1]], [2], 2));
    expect(one).toMatchObject({ topsim: 0, pairs: 0, degenerate: "both" });
    const sameSignal = topographicSimilarity(
      mappingOf(
        [[0], [1], [1]],
        [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
        [2],
        2,
      ),
      { permutations: 3 },
    );
    expect(sameSignal).toMatchObject({ topsim: 0, pairs: 3, degenerate: "y" });
    expect(sameSignal.permutation).toEqual({ permutations: 3, seed: 0, nullMean: 0, nullSd: 0, z: null });
  });

  it("rejects bad options with clear messages", () => {
    const m = mappingOf([[0], [1]], [[0], [1]], [2], 2);
    expect(() => topographicSimilarity(m, { meaningDistance: "cosine" })).toThrow(/needs meaning vectors/);
    expect(() => topographicSimilarity(m, { permutations: 1 })).toThrow(/permutations/);
    expect(() => topographicSimilarity(m, { trimPad: true })).toThrow(/pad symbol/);
    expect(() =>
      topographicSimilarity(m, { meaningDistance: "cosine", meaningVectors: { data: new Float64Array(2), dim: 1 } }),
    ).toThrow(/all zeros/);
    expect(() =>
      topographicSimilarity(m, {
        meaningDistance: "euclidean",
        meaningVectors: { data: new Float64Array(2), dim: 1 },
        maxRealPairs: 0,
      }),
    ).toThrow(/maxRealPairs/);
  });

  it("gives the same result and z-score on worker threads as in one thread", async () => {
    const space = meaningSpace([6, 7, 5]);
    const m = compositionalLanguage(space, { length: 7, alphabetSize: 9, synonyms: 2, seed: 4 });
    for (const signalDistance of ["levenshtein", "hamming"] as const) {
      const options = { signalDistance, permutations: 2, seed: 11 };
      const single = topographicSimilarity(m, options);
      const parallel = await topographicSimilarityParallel(m, { ...options, threads: 2, minPairsForThreads: 0 });
      expect(parallel).toEqual(single);
    }
  });

  it("splits rows into ranges of about equal pair counts that cover every row", () => {
    const ranges = balancedRowRanges(1000, 2);
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(1000);
    expect(ranges[0]![1]).toBe(ranges[1]![0]);
    // the first range holds about half of the 499,500 pairs: rows 0..~293
    expect(ranges[0]![1]).toBeGreaterThan(280);
    expect(ranges[0]![1]).toBeLessThan(300);
    expect(balancedRowRanges(3, 8).flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k))).toEqual([
      0, 1, 2,
    ]);
  });
});

/**
 * posdis, bosdis, residual entropy, context independence and game accuracy (METHODS §3.3):
 * hand-worked cases, reference languages, and invariance to renaming symbols and atoms.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gameAccuracy } from "../src/mapping/accuracy.js";
import { contextIndependence } from "../src/mapping/contextIndependence.js";
import { bosdis, posdis } from "../src/mapping/disentanglement.js";
import { meaningSpace } from "../src/mapping/meaningSpace.js";
import { residualEntropy } from "../src/mapping/residualEntropy.js";
import { holisticLanguage } from "../src/mapping/synthetic.js";
import type { DiscreteMapping } from "../src/mapping/types.js";
import { mappingOf } from "./helpers/mappingRows.js";

/**
 * Our own perfectly compositional language over the full product of `atoms`: role r writes
 * atom a as the symbol offset_r + a at slot r, repeated `copies` times (slots r, r + R, …),
 * so signal Hamming distance = copies × meaning Hamming distance.
 */
function perfectlyCompositional(atoms: number[], copies = 1): DiscreteMapping {
  const space = meaningSpace(atoms);
  const R = atoms.length;
  const offsets = atoms.map((_, r) => atoms.slice(0, r).reduce((a, b) => a + b, 0));
  const L = R * copies;
  const signals = new Int32Array(space.size * L);
  for (let i = 0; i < space.size; i++) {
    for (let k = 0; k < copies; k++) {
      for (let r = 0; r < R; r++) signals[i * L + k * R + r] = offsets[r]! + space.meanings[i * R + r]!;
    }
  }
  return {
    roles: space.roles,
    alphabet: Array.from({ length: offsets[R - 1]! + atoms[R - 1]! }, (_, c) => `c${c}`),
    length: L,
    size: space.size,
    meanings: space.meanings,
    signals,
  };
}

const LN2 = Math.LN2;

describe("posdis", () => {
  it("hand-worked: a copied position scores 1, an XOR position 0, a constant one is left out", () => {
    const meanings = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    // position 0 = a, position 1 = a XOR b, position 2 constant
    const m = mappingOf(
      meanings,
      meanings.map(([a, b]) => [a!, a! ^ b!, 2]),
      [2, 2],
      3,
    );
    const r = posdis(m);
    expect(r.gaps[0]).toBeCloseTo(1, 14);
    expect(r.gaps[1]).toBeCloseTo(0, 14);
    expect(r.gaps[2]).toBe(0);
    expect(r.counted).toBe(2);
    expect(r.value).toBeCloseTo(0.5, 14);
  });

  it("is 1 for a perfectly compositional language", () => {
    expect(posdis(perfectlyCompositional([4, 3, 5], 2)).value).toBeCloseTo(1, 12);
  });

  it("is 0, with nothing counted, when every position is constant", () => {
    const m = mappingOf(
      [[0], [1]],
      [
        [1, 1],
        [1, 1],
      ],
      [2],
      2,
    );
    expect(posdis(m)).toEqual({ value: 0, gaps: [0, 0], counted: 0 });
  });

  it("with one role, scores I / h", () => {
    // one role with 4 atoms, position 0 = atom mod 2: I = h = ln 2
    const m = mappingOf([[0], [1], [2], [3]], [[0], [1], [0], [1]], [4], 2);
    expect(posdis(m).value).toBeCloseTo(1, 14);
  });
});

describe("bosdis", () => {
  it("hand-worked: counts of x and z each carry one role, the count of y both", () => {
    // alphabet x=0, y=1, z=2; signal [a ? x : y, b ? z : y]
    const meanings = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const m = mappingOf(
      meanings,
      meanings.map(([a, b]) => [a ? 0 : 1, b ? 2 : 1]),
      [2, 2],
      3,
    );
    const r = bosdis(m);
    // count(y) ∈ {2,1,1,0}: h = 1.5 ln 2, I with each role = 0.5 ln 2, gap 0
    expect(r.gaps[0]).toBeCloseTo(1, 14);
    expect(r.gaps[1]).toBeCloseTo(0, 14);
    expect(r.gaps[2]).toBeCloseTo(1, 14);
    expect(r.value).toBeCloseTo(2 / 3, 14);
    const withoutY = bosdis(m, { excludeSymbols: [1] });
    expect(withoutY.value).toBeCloseTo(1, 14);
    expect(withoutY.counted).toBe(2);
    expect(() => bosdis(m, { excludeSymbols: [7] })).toThrow(/outside the alphabet/);
  });

  it("is 1 for a perfectly compositional language", () => {
    expect(bosdis(perfectlyCompositional([4, 3, 5])).value).toBeCloseTo(1, 12);
  });
});

describe("residual entropy", () => {
  it("is 0 for a perfectly compositional language", () => {
    const r = residualEntropy(perfectlyCompositional([4, 3, 5], 2));
    expect(r.value).toBeCloseTo(0, 12);
    expect(r.assignment).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it("hand-worked: a role with no position keeps its whole entropy, normalised by its own ln |A_r|", () => {
    // role 0: 2 atoms, carried by the single position; role 1: 4 atoms, uniform, no position
    const meanings: number[][] = [];
    for (let a = 0; a < 2; a++) for (let b = 0; b < 4; b++) meanings.push([a, b]);
    const m = mappingOf(
      meanings,
      meanings.map(([a]) => [a!]),
      [2, 4],
      2,
    );
    const r = residualEntropy(m);
    expect(r.assignment).toEqual([0]);
    expect(r.perRole[0]).toBeCloseTo(0, 14);
    expect(r.perRole[1]).toBeCloseTo(1, 14); // ln 4 / ln 4, not ln 4 / ln 25
    expect(r.value).toBeCloseTo(0.5, 14);
  });

  it("hand-worked: a position that tells half of a role", () => {
    // one role with 4 atoms; position = atom div 2: H(atom | position) = ln 2, over ln 4 = 1/2
    const m = mappingOf([[0], [1], [2], [3]], [[0], [0], [1], [1]], [4], 2);
    expect(residualEntropy(m).value).toBeCloseTo(LN2 / Math.log(4), 14);
  });

  it("assigns a position equally informative about two roles to the lower role index", () => {
    // position 0 = a XOR b tells nothing about either: goes to role 0; position 1 = b
    const meanings = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const m = mappingOf(
      meanings,
      meanings.map(([a, b]) => [a! ^ b!, b!]),
      [2, 2],
      2,
    );
    const r = residualEntropy(m);
    expect(r.assignment).toEqual([0, 1]);
    // role 0 given (a XOR b): still 1 bit; role 1 given b: 0
    expect(r.perRole[0]).toBeCloseTo(1, 14);
    expect(r.perRole[1]).toBeCloseTo(0, 14);
  });

  it("is high for a random holistic language", () => {
    const m = holisticLanguage(meaningSpace([10, 10, 10]), { length: 6, alphabetSize: 10, seed: 1 });
    expect(residualEntropy(m).value).toBeGreaterThan(0.6);
  });
});

describe("context independence", () => {
  it("hand-worked: one role, signals xx and xy", () => {
    // n(0,x)=2, n(1,x)=1, n(1,y)=1. Atom 0: s=x, p(x|0)=1, p(0|x)=2/3. Atom 1: s=y, p(y|1)=1/2, p(1|y)=1.
    const m = mappingOf(
      [[0], [1]],
      [
        [0, 0],
        [0, 1],
      ],
      [2],
      2,
    );
    const r = contextIndependence(m);
    expect(r.perAtom[0]![0]).toBeCloseTo(2 / 3, 14);
    expect(r.perAtom[0]![1]).toBeCloseTo(1 / 2, 14);
    expect(r.bestSymbol[0]).toEqual([0, 1]);
    expect(r.value).toBeCloseTo(7 / 12, 14);
  });

  it("gives 1/(R·L) for a perfectly compositional language (its ceiling) and less for a holistic one", () => {
    const m = perfectlyCompositional([4, 3, 5]);
    expect(contextIndependence(m).value).toBeCloseTo(1 / 9, 12);
    const h = holisticLanguage(meaningSpace([4, 3, 5]), { length: 3, alphabetSize: 12, seed: 2 });
    expect(contextIndependence(h).value).toBeLessThan(1 / 9 / 2);
  });

  it("skips atoms that never occur and can leave symbols out", () => {
    const m = mappingOf(
      [[0], [0]],
      [
        [0, 1],
        [0, 2],
      ],
      [3],
      3,
    );
    const r = contextIndependence(m);
    expect(r.skippedAtoms).toBe(2);
    expect(r.perAtom[0]).toEqual([expect.any(Number), null, null]);
    // atom 0 co-occurs with x twice, y once, z once; p(0|s) = 1 for all: tie → larger p(s|0) = x
    expect(r.bestSymbol[0]![0]).toBe(0);
    expect(r.value).toBeCloseTo(0.5, 14);
    expect(contextIndependence(m, { excludeSymbols: [0] }).value).toBeCloseTo(0.5, 14);
  });
});

describe("renaming symbols and atoms changes none of the measures", () => {
  const arbitrary = fc
    .record({
      n: fc.integer({ min: 2, max: 25 }),
      roles: fc.integer({ min: 1, max: 3 }),
      atoms: fc.integer({ min: 1, max: 4 }),
      length: fc.integer({ min: 1, max: 5 }),
      alphabet: fc.integer({ min: 1, max: 5 }),
      seed: fc.integer(),
    })
    .chain(({ n, roles, atoms, length, alphabet, seed }) =>
      fc.record({
        meanings: fc.array(fc.array(fc.nat({ max: atoms - 1 }), { minLength: roles, maxLength: roles }), {
          minLength: n,
          maxLength: n,
        }),
        signals: fc.array(fc.array(fc.nat({ max: alphabet - 1 }), { minLength: length, maxLength: length }), {
          minLength: n,
          maxLength: n,
        }),
        atoms: fc.constant(atoms),
        alphabet: fc.constant(alphabet),
        seed: fc.constant(seed),
      }),
    );

  it("posdis, bosdis, residual entropy, context independence", () => {
    fc.assert(
      fc.property(arbitrary, ({ meanings, signals, atoms, alphabet, seed }) => {
        let s = seed >>> 0;
        const perm = (n: number) => {
          const p = Array.from({ length: n }, (_, i) => i);
          for (let i = n - 1; i > 0; i--) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            const j = s % (i + 1);
            [p[i], p[j]] = [p[j]!, p[i]!];
          }
          return p;
        };
        const R = meanings[0]!.length;
        const roleAtoms = Array.from({ length: R }, () => atoms);
        const m = mappingOf(meanings, signals, roleAtoms, alphabet);
        const symbolMap = perm(alphabet);
        const atomMaps = roleAtoms.map((k) => perm(k));
        const renamed = mappingOf(
          meanings.map((row) => row.map((a, r) => atomMaps[r]![a]!)),
          signals.map((row) => row.map((c) => symbolMap[c]!)),
          roleAtoms,
          alphabet,
        );
        expect(posdis(renamed).value).toBeCloseTo(posdis(m).value, 10);
        expect(bosdis(renamed).value).toBeCloseTo(bosdis(m).value, 10);
        expect(residualEntropy(renamed).value).toBeCloseTo(residualEntropy(m).value, 10);
        expect(contextIndependence(renamed).value).toBeCloseTo(contextIndependence(m).value, 12);
      }),
      { numRuns: 200 },
    );
  });
});

describe("game accuracy", () => {
  it("hand-worked: all-roles-correct and per-role", () => {
    const target = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const predicted = [0, 1, 2, 3, 9, 5, 9, 9, 8];
    const acc = gameAccuracy(predicted, target, 3);
    expect(acc.allCorrect).toBeCloseTo(1 / 3, 15);
    expect(acc.perRole).toEqual([2 / 3, 1 / 3, 1]);
    expect(acc.meanRole).toBeCloseTo(6 / 9, 15);
    expect(acc.examples).toBe(3);
  });

  it("rejects mismatched shapes and empty input", () => {
    expect(() => gameAccuracy([0, 1], [0], 1)).toThrow(/holds 2 codes/);
    expect(() => gameAccuracy([0, 1, 2], [0, 1, 2], 2)).toThrow(/whole examples/);
    expect(() => gameAccuracy([], [], 2)).toThrow(/zero examples/);
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildProbabilityTable, symbolCounts } from "../src/mapping/table.js";
import {
  entanglement,
  homonymy,
  positionalEntropyProfile,
  synonymy,
  wordOrderFreedom,
} from "../src/mapping/variation.js";
import { inferWordOrder, wordOrderLabels } from "../src/mapping/wordOrder.js";
import type { DiscreteMapping } from "../src/mapping/types.js";
import { mappingFromRows } from "./helpers/mappingRows.js";

const LN2 = Math.LN2;
const LN3 = Math.log(3);

// One role with atoms a, b; atom a varies at both positions, b never does.
const oneRole = mappingFromRows([{ name: "x", atoms: ["a", "b"] }], "pqr", [
  [[0], "pq"],
  [[0], "qr"],
  [[1], "qq"],
  [[1], "qq"],
]);

// Two roles, two atoms each, every meaning once.
const twoRoles = [
  { name: "x", atoms: ["a", "b"] },
  { name: "y", atoms: ["c", "d"] },
];
const compositional = mappingFromRows(twoRoles, "0123", [
  [[0, 0], "02"],
  [[0, 1], "03"],
  [[1, 0], "12"],
  [[1, 1], "13"],
]);
// Each symbol names the pair (x, y) jointly, at both positions.
const entangled = mappingFromRows(twoRoles, "0123", [
  [[0, 0], "00"],
  [[0, 1], "11"],
  [[1, 0], "22"],
  [[1, 1], "33"],
]);

describe("probability table", () => {
  it("counts n(r, a, p, c) in one pass", () => {
    const t = buildProbabilityTable(oneRole);
    expect([...symbolCounts(t, 0, 0, 0)]).toEqual([1, 1, 0]);
    expect([...symbolCounts(t, 0, 0, 1)]).toEqual([0, 1, 1]);
    expect([...symbolCounts(t, 0, 1, 1)]).toEqual([0, 2, 0]);
    expect([...t.rowTotals[0]!]).toEqual([2, 2, 2, 2]);
  });
  it("ignores symbols after EOS only when asked", () => {
    const m = mappingFromRows(
      [{ name: "x", atoms: ["a", "b"] }],
      "xy#",
      [
        [[0], "#yx"],
        [[0], "#xy"],
        [[1], "x#y"],
        [[1], "y#x"],
      ],
      "#",
    );
    const counted = buildProbabilityTable(m);
    const ignored = buildProbabilityTable(m, { afterEos: "ignore" });
    expect([...counted.rowTotals[0]!]).toEqual([2, 2, 2, 2, 2, 2]);
    expect([...ignored.rowTotals[0]!]).toEqual([2, 0, 0, 2, 2, 0]);
    // Counted: E(p) = (ln2/2, ln2/2, ln2); ignored: E = (ln2/2, 0 [only b], undefined).
    expect(wordOrderFreedom(counted).value).toBeCloseTo(LN2 / 2 / LN3, 14);
    expect(positionalEntropyProfile(ignored, 0)).toEqual([LN2 / 2, 0, undefined]);
    expect(wordOrderFreedom(ignored).value).toBe(0);
    expect(() => buildProbabilityTable({ ...m, padSymbol: undefined }, { afterEos: "ignore" })).toThrow(/EOS symbol/);
  });
  it("rejects an empty mapping", () => {
    expect(() =>
      buildProbabilityTable({ ...oneRole, size: 0, meanings: new Int32Array(0), signals: new Int32Array(0) }),
    ).toThrow(/no rows/);
  });
});

describe("variation measures, hand-worked", () => {
  it("one role: synonymy, freedom, homonymy", () => {
    const t = buildProbabilityTable(oneRole);
    // atom a: H = ln2 at both positions; atom b: 0.
    expect(synonymy(t).value).toBeCloseTo(LN2 / 2 / LN3, 14);
    expect(wordOrderFreedom(t).value).toBeCloseTo(LN2 / 2 / LN3, 14);
    // position 0: p → only a (H 0); q → T = (1/2, 1) → (1/3, 2/3). Same at position 1.
    const hq = LN3 - (2 / 3) * LN2;
    expect(homonymy(t).value).toBeCloseTo(hq / 2 / LN2, 14);
    expect(entanglement(t)).toEqual({ value: 0, perPair: [] });
  });
  it("two roles, compositional: everything 0, order x y", () => {
    const t = buildProbabilityTable(compositional);
    expect(synonymy(t).value).toBe(0);
    expect(homonymy(t).value).toBe(0);
    expect(wordOrderFreedom(t).value).toBe(0);
    expect(entanglement(t).value).toBe(0);
    expect(positionalEntropyProfile(t, 0)).toEqual([0, LN2]);
    const order = inferWordOrder(t);
    expect(order.scores).toEqual([
      [1, 0.5],
      [0.5, 1],
    ]);
    expect(wordOrderLabels(order, ["x", "y"])).toEqual(["x", "y"]);
  });
  it("two roles, entangled: profiles equal, entanglement 1", () => {
    const t = buildProbabilityTable(entangled);
    expect(entanglement(t).value).toBe(1);
    expect(synonymy(t).value).toBeCloseTo(0.5, 14); // ln2 / ln4
    expect(wordOrderFreedom(t).value).toBeCloseTo(0.5, 14);
    expect(homonymy(t).value).toBe(0); // every symbol belongs to one x atom and one y atom
    expect(inferWordOrder(t).positions).toEqual([0, 0]); // a tie goes to the lowest role
  });
  it("skips atoms never observed (they do not pull synonymy up)", () => {
    const m = { ...oneRole, roles: [{ name: "x", atoms: ["a", "b", "unused"] }] };
    const t = buildProbabilityTable(m);
    expect(synonymy(t).value).toBeCloseTo(LN2 / 2 / LN3, 14);
    // …but ln|A_r| counts the declared atoms.
    expect(homonymy(t).value).toBeCloseTo((LN3 - (2 / 3) * LN2) / 2 / LN3, 14);
  });
  it("never gives NaN for a one-symbol alphabet or one-atom role", () => {
    const m = mappingFromRows([{ name: "x", atoms: ["a"] }], "z", [[[0], "zz"]]);
    const t = buildProbabilityTable(m);
    for (const v of [synonymy(t).value, homonymy(t).value, wordOrderFreedom(t).value]) expect(v).toBe(0);
  });
});

// Random small mappings, and the same mapping with symbols, atoms and rows renamed/reordered.
const mappings = fc
  .record({
    atoms: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    C: fc.integer({ min: 1, max: 5 }),
    L: fc.integer({ min: 1, max: 4 }),
    N: fc.integer({ min: 1, max: 24 }),
    seed: fc.integer(),
  })
  .map(({ atoms, C, L, N, seed }): DiscreteMapping => {
    let s = seed >>> 0;
    const next = (n: number): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s % n;
    };
    const R = atoms.length;
    const meanings = Int32Array.from({ length: N * R }, (_, k) => next(atoms[k % R]!));
    const signals = Int32Array.from({ length: N * L }, () => next(C));
    return {
      roles: atoms.map((n, r) => ({ name: `r${r}`, atoms: Array.from({ length: n }, (_, a) => `${a}`) })),
      alphabet: Array.from({ length: C }, (_, c) => `${c}`),
      length: L,
      size: N,
      meanings,
      signals,
    };
  });

function measures(m: DiscreteMapping): number[] {
  const t = buildProbabilityTable(m);
  return [synonymy(t).value, homonymy(t).value, wordOrderFreedom(t).value, entanglement(t).value];
}

function renamed(m: DiscreteMapping, seed: number): DiscreteMapping {
  let s = seed >>> 0;
  const shuffle = (n: number): number[] => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      s = (Math.imul(s, 22695477) + 1) >>> 0;
      const j = s % (i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  };
  const R = m.roles.length;
  const symbolMap = shuffle(m.alphabet.length);
  const atomMaps = m.roles.map((role) => shuffle(role.atoms.length));
  const rowOrder = shuffle(m.size);
  const meanings = new Int32Array(m.meanings.length);
  const signals = new Int32Array(m.signals.length);
  rowOrder.forEach((from, to) => {
    for (let r = 0; r < R; r++) meanings[to * R + r] = atomMaps[r]![m.meanings[from * R + r]!]!;
    for (let p = 0; p < m.length; p++) signals[to * m.length + p] = symbolMap[m.signals[from * m.length + p]!]!;
  });
  return { ...m, meanings, signals };
}

describe("variation measures, properties", () => {
  it("lie in [0, 1], and freedom ≥ synonymy (a min of means ≥ a mean of mins)", () => {
    fc.assert(
      fc.property(mappings, (m) => {
        const [syn, hom, free, ent] = measures(m);
        for (const v of [syn!, hom!, free!, ent!]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1 + 1e-12);
        }
        expect(free!).toBeGreaterThanOrEqual(syn! - 1e-12);
      }),
      { numRuns: 200 },
    );
  });
  it("are invariant to renaming symbols and atoms and to row order", () => {
    fc.assert(
      fc.property(mappings, fc.integer(), (m, seed) => {
        const before = measures(m);
        const after = measures(renamed(m, seed));
        after.forEach((v, k) => expect(v).toBeCloseTo(before[k]!, 12));
        expect(inferWordOrder(buildProbabilityTable(renamed(m, seed))).positions).toEqual(
          inferWordOrder(buildProbabilityTable(m)).positions,
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe("variation measures against an independent numpy implementation", () => {
  it("match test/fixtures/mapping/random-ragged.expected.json (ragged signals padded with #)", async () => {
    const { readMappingFile } = await import("../src/io/mappingFile.js");
    const { readFile } = await import("node:fs/promises");
    const dir = new URL("./fixtures/mapping/", import.meta.url);
    const expected = JSON.parse(await readFile(new URL("random-ragged.expected.json", dir), "utf8"));
    const { mapping } = await readMappingFile(new URL("random-ragged.tsv", dir).pathname, { pad: "#" });
    for (const afterEos of ["count", "ignore"] as const) {
      const t = buildProbabilityTable(mapping, { afterEos });
      const got = {
        synonymy: synonymy(t).value,
        homonymy: homonymy(t).value,
        wordOrderFreedom: wordOrderFreedom(t).value,
        entanglement: entanglement(t).value,
      };
      for (const [name, value] of Object.entries(got)) expect(value).toBeCloseTo(expected[afterEos][name], 12);
    }
  });
});

/**
 * Multi-membership and grouped label sets in the counting accumulators (METHODS "Nested n-gram
 * labels"): values counted by hand on seven rows, merge and JSON, the estimators that refuse them,
 * and the null shadows (whole value lists permuted; row counts kept; bias removed).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LabelVocabulary, ngramContextLabels } from "../src/labels/ngrams.js";
import {
  BinnedAccumulator,
  accumulatorFromJSON,
  createAccumulator,
  structureMeasures,
  type EntropyAccumulator,
  type LabelSets,
  type MultiLabels,
} from "../src/vector/index.js";
import type { AnchorAccumulator } from "../src/vector/anchorAccumulator.js";
import { Random } from "../src/util/random.js";
import { tsBackend } from "../src/compute/ts.js";
import { onnxBackend } from "../src/compute/onnx.js";

// Seven rows of d = 1, binned into 2 bins over [0, 2): 0.5 → bin 0, 1.5 → bin 1.
const ROWS = Float32Array.from([0.5, 1.5, 0.5, 1.5, 0.5, 0.5, 1.5]);
// Sub-labels a1 = 11, a2 = 12 under parent A = 1; b1 = 21, b2 = 22 under B = 2; row 6 has none.
const CSR = [[11], [11, 12], [12], [12], [21], [21, 22], []];

function multi(rows: number[][], grouped: boolean, extra: Partial<MultiLabels> = {}): MultiLabels {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => (offsets[i + 1] = offsets[i]! + r.length));
  const values = Int32Array.from(rows.flat());
  return {
    offsets,
    values,
    ...(grouped ? { groups: Int32Array.from(values, (v) => Math.floor(v / 10)) } : {}),
    ...extra,
  };
}

function binned(options: Record<string, unknown> = {}): BinnedAccumulator {
  return new BinnedAccumulator({
    d: 1,
    bins: 2,
    ranges: { lo: [0], hi: [2] },
    minCount: 1,
    weighting: "weighted",
    ...options,
  });
}

const H = (...counts: number[]) => {
  const n = counts.reduce((a, b) => a + b, 0);
  return -counts.reduce((h, c) => (c > 0 ? h + (c / n) * Math.log(c / n) : h), 0);
};
/** JSD of two count vectors, by the definition. */
const JSD = (p: number[], q: number[]) => {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  const m = p.map((x, k) => 0.5 * (x / sp) + 0.5 * (q[k]! / sq));
  return H(...m) - 0.5 * H(...p) - 0.5 * H(...q);
};

describe("multi-membership label sets, counted by hand", () => {
  // Counts per sub-label (bin 0, bin 1): a1 = rows 0,1 → (1,1); a2 = rows 1,2,3 → (1,2); b1 = rows 4,5 → (2,0); b2 = row 5 → (1,0).
  const memberships = 8;
  const hA1 = Math.LN2;
  const hA2 = H(1, 2);
  const retainedH = H(5, 3); // Σ of the four count vectors = (5, 3)

  it("ungrouped: every membership counts; a row with no value is excluded", async () => {
    const acc = binned();
    await acc.update(ROWS, { s: multi(CSR, false) });
    const e = acc.result();
    const s = e.labelSets.s!;
    expect(e.rows).toBe(7);
    expect(e.entropy).toBeCloseTo(H(4, 3), 14);
    expect([s.values, s.retainedValues, s.retainedRows, s.excludedRows]).toEqual([4, 4, memberships, 1]);
    expect(s.entropy).toBeCloseTo(retainedH, 14);
    expect(s.conditionalEntropy).toBeCloseTo((2 * hA1 + 3 * hA2) / memberships, 14);
    // each value against all the others: complements (5,3) − own
    const d = [JSD([1, 1], [4, 2]), JSD([1, 2], [4, 1]), JSD([2, 0], [3, 3]), JSD([1, 0], [4, 3])];
    expect(s.disentanglement!).toBeCloseTo(d.reduce((a, b) => a + b) / 4, 14);
  });

  it("grouped (the 2024 averaging): mean over parents of the mean over their sub-labels; JSD within each parent", async () => {
    const acc = binned();
    await acc.update(ROWS, { s: multi(CSR, true, { weighting: "uniform" }) });
    const s = acc.result().labelSets.s!;
    // A: mean(ln 2, H(1/3)); B: mean(0, 0)
    expect(s.conditionalEntropy).toBeCloseTo(((hA1 + hA2) / 2 + 0) / 2, 14);
    expect(s.mutualInformation).toBeCloseTo(retainedH - (hA1 + hA2) / 2 / 2, 14);
    // A: a1 vs a2 and a2 vs a1 (the same JSD); B: (2,0) vs (1,0) → 0
    expect(s.disentanglement!).toBeCloseTo((JSD([1, 1], [1, 2]) + 0) / 2, 14);
    // generalised JSD within A with weights 2:3, within B 0
    const mixA = [(2 / 5) * 0.5 + (3 / 5) * (1 / 3), (2 / 5) * 0.5 + (3 / 5) * (2 / 3)];
    expect(s.generalisedJsd!).toBeCloseTo((H(...mixA) - (2 / 5) * hA1 - (3 / 5) * hA2) / 2, 14);
    expect(s.groups).toBe(2);
  });

  it("a set's own minCount drops sub-labels with fewer rows (and a parent left with none)", async () => {
    const acc = binned({ minCount: 1 });
    await acc.update(ROWS, { s: multi(CSR, true, { minCount: 3, weighting: "uniform" }) });
    const s = acc.result().labelSets.s!;
    // only a2 (3 rows) survives: one parent, one sub-label, no complement
    expect([s.retainedValues, s.retainedRows, s.droppedRows, s.groups]).toEqual([1, 3, 5, 1]);
    expect(s.conditionalEntropy).toBeCloseTo(hA2, 14);
    expect(s.disentanglement).toBe(0);
  });

  it("one code per row written as lists of one gives exactly the plain label set", async () => {
    const codes = Int32Array.from([0, 1, 0, 2, 2, 1, 0]);
    const a = binned();
    await a.update(ROWS, { s: codes });
    const b = binned();
    await b.update(ROWS, {
      s: multi(
        [...codes].map((c) => [c]),
        false,
      ),
    });
    expect(b.result().labelSets.s).toEqual(a.result().labelSets.s);
  });

  it("a value listed twice for one row counts once", async () => {
    const a = binned();
    await a.update(ROWS, { s: multi([[1, 1], [1], [2], [2, 2, 2], [1], [1], [2]], false) });
    expect(a.result().labelSets.s!.retainedRows).toBe(7);
  });

  it("bad shapes and changing kinds are errors naming the set", async () => {
    const acc = binned();
    await expect(
      acc.update(ROWS, { s: { offsets: Int32Array.from([0, 1]), values: Int32Array.of(1) } }),
    ).rejects.toThrow(/label set "s" has 2 offsets/);
    await expect(acc.update(ROWS, { s: multi([[1], [1], [1], [1], [1], [1], [-1]], false) })).rejects.toThrow(
      /values must be ≥ 0/,
    );
    await acc.update(ROWS, { s: multi(CSR, true) });
    await expect(acc.update(ROWS, { s: multi(CSR, false) })).rejects.toThrow(
      /grouped multi-membership, now multi-membership/,
    );
    // sub-label 11 was under parent 1; now a row puts it under parent 2
    const moved = { ...multi([[11], [], [], [], [], [], []], false), groups: Int32Array.of(2) };
    await expect(acc.update(ROWS, { s: moved })).rejects.toThrow(/parent 2, but earlier rows gave it parent 1/);
  });

  it("gaussian and k-NN refuse multi-membership sets", async () => {
    for (const estimator of ["gaussian", "knn"] as const) {
      const acc = createAccumulator({ estimator, d: 1 });
      await expect(acc.update(ROWS, { s: multi(CSR, false) })).rejects.toThrow(/several values.*soft, hard or binned/);
    }
  });
});

/** Rows from 8 clusters in d = 16 and, per row, a token (its cluster or not) with 1–3 context sub-labels. */
function data(rows: number, seed: number, linked: boolean) {
  const r = new Random(seed);
  const d = 16;
  const x = new Float32Array(rows * d);
  const lists: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const cluster = Math.floor(r.uniform() * 8);
    for (let j = 0; j < d; j++) x[i * d + j] = gauss(r) + (j === cluster ? 3 : 0);
    const token = linked ? cluster : Math.floor(r.uniform() * 8);
    const k = 1 + Math.floor(r.uniform() * 3);
    const list = new Set<number>();
    for (let t = 0; t < k; t++) list.add(token * 100 + Math.floor(r.uniform() * 6));
    lists.push([...list]);
  }
  return {
    x,
    d,
    labels: {
      ctx: multi(lists, false),
      grouped: {
        ...multi(lists, false),
        groups: Int32Array.from(lists.flat(), (v) => Math.floor(v / 100)),
        weighting: "uniform" as const,
        minCount: 5,
      },
    },
  };
}

async function feed(
  acc: EntropyAccumulator,
  x: Float32Array,
  d: number,
  labels: Record<string, MultiLabels>,
  from: number,
  to: number,
  batch = 250,
) {
  for (let s = from; s < to; s += batch) {
    const e = Math.min(to, s + batch);
    const slice: LabelSets = {};
    for (const [name, l] of Object.entries(labels)) {
      const o = l.offsets;
      slice[name] = {
        ...l,
        offsets: Int32Array.from(o.subarray(s, e + 1), (v) => v - o[s]!),
        values: l.values.subarray(o[s]!, o[e]!),
        ...(l.groups ? { groups: l.groups.subarray(o[s]!, o[e]!) } : {}),
      };
    }
    await acc.update(x.subarray(s * d, e * d), slice);
  }
}

describe("multi-membership sets: merge, JSON and null shadows", () => {
  for (const estimator of ["soft", "hard", "binned"] as const) {
    it(`${estimator}: two halves merge to the one-pass state, shadows included; JSON round-trips`, async () => {
      const { x, d, labels } = data(1000, 1, true);
      const make = () =>
        createAccumulator({
          estimator,
          d,
          n: 20,
          bins: 4,
          ...(estimator === "binned" ? { ranges: { lo: new Array(d).fill(-4), hi: new Array(d).fill(7) } } : {}),
          nullShadows: 2,
        });
      const whole = make();
      await feed(whole, x, d, labels, 0, 1000);
      const a = make();
      const b = make();
      await feed(a, x, d, labels, 0, 500);
      await feed(b, x, d, labels, 500, 1000);
      b.merge(a);
      const one = whole.result();
      const two = b.result();
      for (const name of ["ctx", "grouped"]) {
        const [p, q] = [one.labelSets[name]!, two.labelSets[name]!];
        for (const key of ["conditionalEntropy", "mutualInformation", "disentanglement", "generalisedJsd"] as const)
          expect(q[key]!).toBeCloseTo(p[key]!, 9);
        p.null!.shadows.forEach((s, j) =>
          expect(q.null!.shadows[j]!.conditionalEntropy).toBeCloseTo(s.conditionalEntropy, 9),
        );
      }
      const restored = accumulatorFromJSON(JSON.parse(JSON.stringify(whole.toJSON())));
      expect(JSON.stringify(restored.toJSON())).toBe(JSON.stringify(whole.toJSON()));
      expect(restored.result().labelSets.grouped).toEqual(one.labelSets.grouped);
    });
  }

  it("soft: the TypeScript and onnxruntime back ends agree on multi-membership and grouped sets (1e-5)", async () => {
    const { x, d, labels } = data(800, 4, true);
    const measure = async (backend: typeof tsBackend) => {
      const acc = createAccumulator({ estimator: "soft", d, n: 20, seed: 2, nullShadows: 2, backend });
      await feed(acc, x, d, labels, 0, 800);
      // raw values only: the shadows' permutations are keyed on sampled kernel outputs, which differ in the last bits
      return structureMeasures(acc.result()).filter((r) => r.correction === undefined || r.correction === "raw");
    };
    const [a, b] = [await measure(tsBackend), await measure(onnxBackend({ threads: 1 }))];
    expect(a.length).toBe(b.length);
    expect(a.filter((r) => r.labelSet === "grouped").length).toBeGreaterThan(5);
    a.forEach((r, i) => {
      expect(b[i]!.measure).toBe(r.measure);
      expect(b[i]!.value as number).toBeCloseTo(r.value as number, 5);
    });
  });

  it("shadows move whole value lists: each value keeps its row count, and hard shadow counts sum to it", async () => {
    const { x, d, labels } = data(600, 2, true);
    const acc = createAccumulator({ estimator: "hard", d, n: 10, nullShadows: 3 }) as AnchorAccumulator;
    await feed(acc, x, d, labels, 0, 600);
    const table = acc.state.tables.get("grouped")!;
    for (const shadow of table.shadows)
      for (let s = 0; s < table.size; s++) {
        let sum = 0;
        for (let k = 0; k < 10; k++) sum += shadow[s * 10 + k]!;
        expect(sum).toBe(table.rowCounts[s]);
      }
    const e = acc.result().labelSets.grouped!;
    // agreement of shadow lists with own lists ≈ what a whole-data permutation gives
    expect(Math.abs(e.null!.agreement - e.null!.expectedAgreement)).toBeLessThan(0.02);
  });

  it("labels independent of the rows: corrected grouped and ungrouped measures are near 0; linked labels keep their structure", async () => {
    const corrected = async (linked: boolean) => {
      const { x, d, labels } = data(4000, 3, linked);
      const acc = createAccumulator({ estimator: "soft", d, n: 20, nullShadows: 4 });
      await feed(acc, x, d, labels, 0, 4000);
      const rows = structureMeasures(acc.result());
      const pick = (set: string, measure: string) =>
        rows.find((r) => r.labelSet === set && r.measure === measure && r.correction === "corrected")!.value as number;
      return { ctx: pick("ctx", "regularity-ln-n"), grouped: pick("grouped", "disentanglement") };
    };
    const none = await corrected(false);
    expect(Math.abs(none.ctx)).toBeLessThan(0.01);
    expect(Math.abs(none.grouped)).toBeLessThan(0.01);
    const some = await corrected(true);
    expect(some.ctx).toBeGreaterThan(0.05);
  });
});

function gauss(r: Random): number {
  return Math.sqrt(-2 * Math.log(1 - r.uniform())) * Math.cos(2 * Math.PI * r.uniform());
}

describe("2024 nested n-gram contexts against an independent numpy computation", () => {
  // scripts/nested_ngram_reference.py: 40 seeded sequences, 3 heads × 4 hard bins per row
  const fixture = JSON.parse(readFileSync("test/fixtures/nested-ngram-reference.json", "utf8")) as {
    heads: number;
    bins: number;
    sequences: number[][];
    cells: number[][];
    expected: Record<string, { conditional: number; disentanglement: number; tokens: number }>;
  };
  const length = Math.max(...fixture.sequences.map((s) => s.length));
  const ids = new Int32Array(fixture.sequences.length * length);
  fixture.sequences.forEach((s, r) => ids.set(s, r * length));
  const batch = { ids, rows: fixture.sequences.length, length, padId: 0 };
  const rows = Float32Array.from(fixture.cells.flat(), (c) => c + 0.5);

  for (const [key, expected] of Object.entries(fixture.expected)) {
    const [n, minCount] = key.split("-").map(Number) as [number, number];
    it(`n = ${n}, min count ${minCount}: H(Z|set) and disentanglement agree to 1e-12`, async () => {
      const labels = { ...ngramContextLabels(batch, n, new LabelVocabulary()), minCount };
      const acc = new BinnedAccumulator({
        d: fixture.heads,
        bins: fixture.bins,
        ranges: { lo: [0, 0, 0], hi: [4, 4, 4] },
      });
      await acc.update(rows, { contexts: labels });
      const s = acc.result().labelSets.contexts!;
      expect(s.groups).toBe(expected.tokens);
      expect(s.conditionalEntropy).toBeCloseTo(expected.conditional, 12);
      expect(s.disentanglement!).toBeCloseTo(expected.disentanglement, 12);
    });
  }
  it("the fixture covers both orders and both minimum counts", () => {
    expect(Object.keys(fixture.expected).sort()).toEqual(["2-1", "2-5", "3-1", "3-5"]);
  });
});

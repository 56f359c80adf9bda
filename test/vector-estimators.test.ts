import { describe, expect, it } from "vitest";
import {
  BinnedAccumulator,
  GaussianAccumulator,
  KnnAccumulator,
  PartitionedAccumulator,
  RangeFinder,
  accumulatorFromJSON,
  accumulateBatches,
  bootstrapIntervals,
  createAccumulator,
  isCounting,
  registeredEstimators,
  kozachenkoLeonenko,
  ksgMutualInformation,
  permutationNull,
  residualDecomposition,
  structureMeasures,
} from "../src/vector/index.js";
import { digamma } from "../src/vector/digamma.js";
import { LabelTable } from "../src/vector/labelTable.js";
import { entropy } from "../src/info/index.js";
import { Random } from "../src/util/random.js";
import { clusteredRows, gaussianRows } from "./vector-helpers.js";
import { expectSameMeasures } from "./helpers/estimatorContract.js";

describe("dimension-wise binning H_dw", () => {
  it("hand-computed: bins, value = hi in the last bin, constant dimension in bin 0", async () => {
    // d = 2, B = 2, ranges [0, 1] and [5, 5] (constant)
    const acc = new BinnedAccumulator({ d: 2, bins: 2, ranges: { lo: [0, 5], hi: [1, 5] } });
    await acc.update(Float32Array.of(0, 5, 0.2, 5, 0.7, 5, 1, 5));
    // dim 0: bins 0,0,1,1 → ln 2; dim 1: all bin 0 → 0; H_dw = ln2 / 2
    const r = acc.result();
    expect(r.entropy).toBeCloseTo(Math.LN2 / 2, 14);
    expect(r.maxEntropy).toBeCloseTo(Math.LN2, 14);
    expect(acc.outOfRangeValues).toBe(0);
  });

  it("values outside given ranges are clamped and counted", async () => {
    const acc = new BinnedAccumulator({ d: 1, bins: 4, ranges: { lo: [0], hi: [1] } });
    await acc.update(Float32Array.of(-3, 0.1, 0.9, 7));
    expect(acc.outOfRangeValues).toBe(2);
    expect(acc.result().entropy).toBeCloseTo(Math.LN2, 14); // bins 0,0,3,3
  });

  it("conditionals: unweighted mean over values with ≥ minCount rows (published defaults)", async () => {
    const acc = new BinnedAccumulator({ d: 1, bins: 2, ranges: { lo: [0], hi: [1] }, minCount: 2 });
    // value 0: rows 0.1, 0.9 (H = ln2); value 1: 0.1 ×4 (H = 0); value 2: one row (dropped)
    await acc.update(Float32Array.of(0.1, 0.9, 0.1, 0.1, 0.1, 0.1, 0.9), { x: Int32Array.of(0, 0, 1, 1, 1, 1, 2) });
    const s = acc.result().labelSets.x!;
    expect(s.conditionalEntropy).toBeCloseTo(Math.LN2 / 2, 14);
    expect(s).toMatchObject({ retainedValues: 2, retainedRows: 6, droppedRows: 1 });
    expect(s.entropy).toBeCloseTo(entropy([5, 1]), 14);
  });

  it("the fast path (no labels) equals the general path", async () => {
    const rows = gaussianRows(500, 6, 4);
    const ranges = new RangeFinder(6);
    ranges.update(rows);
    const fast = new BinnedAccumulator({ d: 6, ranges: ranges.ranges() });
    await fast.update(rows);
    const general = new BinnedAccumulator({ d: 6, ranges: ranges.ranges() });
    await general.update(rows, { x: new Int32Array(500) });
    expect(fast.result().entropy).toBe(general.result().entropy);
    expect(general.result().labelSets.x!.mutualInformation).toBeCloseTo(0, 14);
  });

  it("bad values: the fast path rejects NaN/Inf with the row, or skips and counts them", async () => {
    const acc = new BinnedAccumulator({ d: 2, bins: 2, ranges: { lo: [0, 0], hi: [1, 1] } });
    await acc.update(Float32Array.of(0.1, 0.2, 0.3, 0.4));
    await expect(acc.update(Float32Array.of(0.1, 0.2, 0.3, Infinity))).rejects.toThrow(
      /row 3: contains \+Inf \(column 1\)/,
    );
    expect(acc.result().rows).toBe(2);
    const skip = new BinnedAccumulator({ d: 2, bins: 2, ranges: { lo: [0, 0], hi: [1, 1] }, skipInvalid: true });
    await skip.update(Float32Array.of(0.1, NaN, 0.3, 0.9));
    expect(skip.result()).toMatchObject({ rows: 1, skippedRows: 1 });
  });

  it("heads: nearest aligned bin centre; headSize 1 equals per-dimension binning", async () => {
    const acc = new BinnedAccumulator({ d: 2, bins: 4, headSize: 2, ranges: { lo: [0, 0], hi: [4, 40] } });
    // centres: b=0 (0.5, 5), b=1 (1.5, 15), b=2 (2.5, 25), b=3 (3.5, 35)
    expect(Array.from(acc.binIndices(Float32Array.of(0.4, 6, 3.9, 33, 1.6, 30), 3))).toEqual([0, 3, 2]);
    // (1.6, 30): distances² to b=1: 0.01 + 225; b=2: 0.81 + 25 → 2
  });
});

describe("Gaussian log-det entropy", () => {
  it("hand-computed: ½ ln(2πe σ²) in one and two dimensions", async () => {
    const acc = new GaussianAccumulator({ d: 1 });
    await acc.update(Float32Array.of(-1, 1, -1, 1));
    expect(acc.result().entropy).toBeCloseTo(0.5 * Math.log(2 * Math.PI * Math.E), 12);
    const two = new GaussianAccumulator({ d: 2 });
    // x ∈ {±1}, y ∈ {±2} independent: variances 1 and 4
    await two.update(Float32Array.of(1, 2, 1, -2, -1, 2, -1, -2));
    expect(two.result().entropy).toBeCloseTo(Math.log(2 * Math.PI * Math.E) + 0.5 * Math.log(4), 12);
  });

  it("large offsets do not lose precision; merge re-centres exactly", async () => {
    const rows = gaussianRows(400, 3, 2, [1e4, -2e4, 5e3]);
    const whole = new GaussianAccumulator({ d: 3 });
    await whole.update(rows, { x: Int32Array.from({ length: 400 }, (_, i) => i % 3) });
    const a = new GaussianAccumulator({ d: 3 });
    const b = new GaussianAccumulator({ d: 3 });
    await a.update(rows.subarray(0, 150 * 3), { x: Int32Array.from({ length: 150 }, (_, i) => i % 3) });
    await b.update(rows.subarray(150 * 3), { x: Int32Array.from({ length: 250 }, (_, i) => (i + 150) % 3) });
    a.merge(b);
    expectSameMeasures(structureMeasures(a), structureMeasures(whole), 1e-9);
    // N(0, I₃) entropy = 1.5 ln(2πe) ≈ 4.257
    expect(whole.result().entropy).toBeCloseTo(1.5 * Math.log(2 * Math.PI * Math.E), 0);
    expect(JSON.stringify(accumulatorFromJSON(JSON.parse(JSON.stringify(a.toJSON()))).toJSON())).toBe(
      JSON.stringify(a.toJSON()),
    );
  });

  it("a singular covariance is a clear error", async () => {
    const acc = new GaussianAccumulator({ d: 2 });
    await acc.update(Float32Array.of(1, 1, 2, 2, 3, 3));
    expect(() => acc.result()).toThrow(/singular/);
  });
});

describe("k-NN estimators", () => {
  it("Kozachenko–Leonenko, hand-computed in one dimension (k = 1)", () => {
    // points 0, 1, 3: nearest distances 1, 1, 2; V_1 = 2
    const expected = digamma(3) - digamma(1) + Math.log(2) + (1 / 3) * Math.log(2);
    expect(kozachenkoLeonenko(Float64Array.of(0, 1, 3), 3, 1, 1)).toBeCloseTo(expected, 14);
  });

  it("digamma: ψ(1) = −γ, ψ(x + 1) = ψ(x) + 1/x", () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 12);
    expect(digamma(0.3) + 1 / 0.3).toBeCloseTo(digamma(1.3), 13);
  });

  it("KL entropy and KSG MI approach closed forms for Gaussians", () => {
    const n = 600;
    const z = gaussianRows(n, 2, 8);
    expect(kozachenkoLeonenko(z, n, 2, 3)).toBeCloseTo(Math.log(2 * Math.PI * Math.E), 1);
    const rho = 0.8;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = z[2 * i]!;
      y[i] = rho * z[2 * i]! + Math.sqrt(1 - rho * rho) * z[2 * i + 1]!;
    }
    expect(ksgMutualInformation(x, 1, y, 1, n, 3)).toBeCloseTo(-0.5 * Math.log(1 - rho * rho), 1);
  });

  it("the accumulator: labels that separate clusters carry information, shuffled ones do not", async () => {
    const { rows, labels } = clusteredRows(300, 2, 3, 4, 0.1);
    const acc = new KnnAccumulator({ d: 2 });
    await acc.update(rows, { real: labels, shuffled: new Random(1).shuffle(Int32Array.from(labels)) as Int32Array });
    const r = acc.result();
    expect(r.labelSets.real!.mutualInformation).toBeGreaterThan(0.8); // ≈ ln 3 = 1.10
    expect(Math.abs(r.labelSets.shuffled!.mutualInformation)).toBeLessThan(0.1);
    expect(r.differential).toBe(true);
    expect(structureMeasures(r).map((m) => m.measure)).not.toContain("information");
  });

  it("coinciding rows are rejected by name", async () => {
    const acc = new KnnAccumulator({ d: 1, k: 1 });
    await acc.update(Float32Array.of(0, 0, 1, 2));
    expect(() => acc.result()).toThrow(/distinct rows/);
  });
});

describe("accumulator properties across estimators", () => {
  const d = 8;
  const { rows, labels } = clusteredRows(240, d, 5, 2);
  const ranges = (() => {
    const f = new RangeFinder(d);
    f.update(rows);
    return f.ranges();
  })();
  // Merge = one pass, JSON round trip, invalid rows, label-set mismatch and row order for every
  // registered estimator: test/vector-contract.test.ts (the generic estimator contract).

  it("counting estimators: merge matches one pass to 1e-12", async () => {
    const counting = registeredEstimators().filter((s) => s.counting);
    expect(counting.map((s) => s.name)).toEqual(["soft", "hard", "binned"]);
    for (const spec of counting) {
      const make = () => createAccumulator({ d, estimator: spec.name, seed: 1, ranges, bins: 8 });
      expect(isCounting(make())).toBe(true);
      const whole = make();
      await whole.update(rows, { x: labels });
      const a = make();
      const b = make();
      await a.update(rows.subarray(0, 100 * d), { x: labels.subarray(0, 100) });
      await b.update(rows.subarray(100 * d), { x: labels.subarray(100) });
      a.merge(b);
      expectSameMeasures(structureMeasures(a), structureMeasures(whole), 1e-12);
    }
  });

  it("binned: permutation null works from stored bins", async () => {
    const acc = createAccumulator({
      d,
      estimator: "binned",
      ranges,
      bins: 8,
      keepRows: true,
      minCount: 1,
      weighting: "weighted",
    });
    await acc.update(rows, { x: labels });
    const n = permutationNull(acc, { labelSet: "x", permutations: 20, seed: 3 });
    expect(n.observed).toBeCloseTo(acc.result().labelSets.x!.mutualInformation, 12);
    expect(n.pValue).toBeCloseTo(1 / 21, 12);
  });
});

describe("streaming batches", () => {
  it("accumulateBatches slices whole-dataset labels per batch and equals one update; errors propagate", async () => {
    const d = 8;
    const { rows, labels } = clusteredRows(300, d, 4, 6);
    const batches = [0, 70, 140, 300].slice(0, -1).map((start, i, _starts) => {
      const end = [70, 140, 300][i]!;
      return { start, count: end - start, rows: rows.slice(start * d, end * d) };
    });
    const streamed = createAccumulator({ d, seed: 1, calibration: "exact" });
    const done: number[] = [];
    await accumulateBatches(streamed, batches, { labels: { x: labels }, onProgress: (n) => done.push(n) });
    const whole = createAccumulator({ d, seed: 1, calibration: "exact" });
    await whole.update(rows, { x: labels });
    expect(done).toEqual([70, 140, 300]);
    expectSameMeasures(structureMeasures(streamed), structureMeasures(whole), 1e-12);
    const bad = batches.map((b) => ({ ...b, rows: Float32Array.from(b.rows) }));
    bad[1]!.rows[5 * d] = NaN;
    await expect(
      accumulateBatches(createAccumulator({ d, seed: 1, calibration: "exact" }), bad, { labels: { x: labels } }),
    ).rejects.toThrow(/row 75: contains NaN/);
  });
});

describe("measures over label sets", () => {
  it("residual decomposition sums to 1 and follows nesting", async () => {
    const d = 16;
    const { rows, labels } = clusteredRows(400, d, 16, 3, 0.2);
    const coarse = Int32Array.from(labels, (l) => l % 4);
    const acc = createAccumulator({ d, seed: 2, calibration: "exact" });
    await acc.update(rows, { coarse, fine: labels });
    const parts = residualDecomposition(acc, ["coarse", "fine"]);
    expect(parts.map((p) => p.component)).toEqual(["coarse", "fine − coarse", "unexplained"]);
    expect(parts.reduce((a, p) => a + p.value, 0)).toBeCloseTo(1, 12);
    expect(parts[1]!.value).toBeGreaterThan(0);
    expect(() => residualDecomposition(acc, ["nope"])).toThrow(/no label set "nope"/);
  });

  it("bootstrap over batches: intervals contain the point estimate and are reproducible", async () => {
    const d = 16;
    const { rows, labels } = clusteredRows(800, d, 6, 9);
    const make = () => new PartitionedAccumulator(createAccumulator({ d, seed: 2, calibration: "exact" }));
    const runs: ReturnType<typeof bootstrapIntervals>[] = [];
    for (let rep = 0; rep < 2; rep++) {
      const acc = make();
      for (let b = 0; b < 8; b++)
        await acc.update(rows.subarray(b * 100 * d, (b + 1) * 100 * d), { x: labels.subarray(b * 100, (b + 1) * 100) });
      runs.push(bootstrapIntervals(acc, { resamples: 60, seed: 5 }));
    }
    expect(runs[0]).toEqual(runs[1]);
    for (const row of runs[0]!) {
      expect(row.lower).toBeLessThanOrEqual(row.upper);
      expect(row.sd).toBeGreaterThanOrEqual(0);
    }
    // basic intervals are centred on the point estimate up to the resampling skew
    for (const row of runs[0]!.filter((r) => r.labelSet === "x")) {
      expect(row.lower).toBeLessThanOrEqual(row.value + 2 * row.sd);
      expect(row.upper).toBeGreaterThanOrEqual(row.value - 2 * row.sd);
      expect(row.upper - row.lower).toBeGreaterThan(0);
    }
  });

  it("bootstrap over batches: batches handed over before the previous one is done keep one part each", async () => {
    const d = 8;
    const { rows, labels } = clusteredRows(300, d, 4, 3);
    for (const perPart of [1, 2]) {
      const acc = new PartitionedAccumulator(createAccumulator({ d, seed: 1, calibration: "exact" }), perPart);
      const sizes = [100, 60, 90, 50];
      let start = 0;
      const pending = sizes.map((n) => {
        const batch = acc.update(rows.subarray(start * d, (start + n) * d), { x: labels.subarray(start, start + n) });
        start += n;
        return batch; // not awaited before the next batch is handed over, as accumulateBatches does
      });
      await Promise.all(pending);
      const expected = perPart === 1 ? sizes : [160, 140];
      expect(acc.parts.map((p) => p.state.rowsSeen)).toEqual(expected);
    }
  });

  it("label table: growable slots survive 10⁵ distinct values and JSON", () => {
    const t = new LabelTable(2);
    for (let v = 0; v < 100_000; v++) {
      const s = t.slotOf(v * 7919);
      t.rowCounts[s]! += 1;
      t.counts[s * 2 + (v % 2)]! += v;
    }
    expect(t.size).toBe(100_000);
    expect(t.find(7919 * 99_999)).toBe(99_999);
    expect(t.find(3)).toBe(-1);
    const back = LabelTable.fromJSON(JSON.parse(JSON.stringify(t.toJSON())), 2, "test");
    let same = true;
    for (let i = 0; i < 200_000; i++) same &&= back.counts[i] === t.counts[i];
    expect(same).toBe(true);
    expect(back.find(7919 * 5)).toBe(5);
  });
});

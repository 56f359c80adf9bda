/**
 * The bias correction of label-dependent measures by null shadows (src/vector/nullShadows.ts,
 * METHODS "Small-sample bias"): unbiased when labels are independent of the rows, streaming,
 * mergeable, serialisable, and reported as raw / null / corrected rows.
 */
import { describe, expect, it } from "vitest";
import { onnxBackend } from "../src/compute/onnx.js";
import { tsBackend } from "../src/compute/ts.js";
import { Random } from "../src/util/random.js";
import {
  PartitionedAccumulator,
  RangeFinder,
  bootstrapIntervals,
  accumulatorFromJSON,
  createAccumulator,
  residualDecomposition,
  structureMeasures,
  type EntropyAccumulator,
  type MeasureRow,
} from "../src/vector/index.js";
import { expectSameMeasures } from "./helpers/estimatorContract.js";
import { rowEntropies } from "../src/vector/rowEntropy.js";
import { clustersWithRowsPerValue, feedInBatches as feed, gaussianRows, independentLabels } from "./vector-helpers.js";

const backend = onnxBackend({ threads: 1 });
const ROWS_PER_VALUE = [1, 5, 20, 100];

function value(rows: MeasureRow[], labelSet: string, measure: string, correction: string): number {
  const row = rows.find((r) => r.labelSet === labelSet && r.measure === measure && r.correction === correction);
  if (!row) throw new Error(`no ${correction} ${measure} row for ${labelSet}`);
  return row.value;
}

describe("bias correction: labels independent of the rows give corrected ≈ 0", () => {
  const cases: [string, number, number][] = [
    ["soft", 64, 4000],
    ["soft", 768, 4000],
    ["hard", 64, 5000],
    ["hard", 768, 5000],
    ["binned", 64, 1000],
    ["binned", 768, 300],
  ];
  it.each(cases)(
    "%s, d = %i, %i rows: |corrected regularity| and |corrected disentanglement| ≤ 0.01",
    async (estimator, d, count) => {
      const rows = gaussianRows(count, d, d);
      const ranges = new RangeFinder(d);
      ranges.update(rows);
      const acc = createAccumulator({
        estimator,
        d,
        n: 100,
        seed: 0,
        backend,
        ranges: ranges.ranges(),
        minCount: 1, // binned defaults to 5, which would drop every value at 1 row per value
        nullShadows: 4,
        nullSeed: 3,
      });
      const labels = Object.fromEntries(ROWS_PER_VALUE.map((m) => [`m${m}`, independentLabels(count, m, m + d)]));
      await feed(acc, rows, labels, 1000);
      const measures = structureMeasures(acc);
      const checked: string[] = [];
      for (const m of ROWS_PER_VALUE) {
        const set = `m${m}`;
        for (const measure of ["regularity-ln-n", "regularity-h", "disentanglement"]) {
          const raw = value(measures, set, measure, "raw");
          const corrected = value(measures, set, measure, "corrected");
          expect(Math.abs(corrected), `${set} ${measure}: raw ${raw}, corrected ${corrected}`).toBeLessThanOrEqual(
            0.01,
          );
          checked.push(`${set} ${measure}`);
        }
        // the raw values are the bias the issue measured (regularity 0.6 / 0.3 / 0.13 / 0.03 for soft at d = 64)
        if (m <= 5) expect(value(measures, set, "regularity-ln-n", "raw")).toBeGreaterThan(0.1);
      }
      expect(checked).toHaveLength(12);
    },
  );
});

const clusters = clustersWithRowsPerValue;

async function regularityOf({ rows, labels }: { rows: Float32Array; labels: Int32Array }, d: number) {
  const acc = createAccumulator({ d, seed: 0, backend, nullShadows: 8 });
  await feed(acc, rows, { x: labels }, 4096);
  const m = structureMeasures(acc);
  return {
    raw: value(m, "x", "regularity-ln-n", "raw"),
    corrected: value(m, "x", "regularity-ln-n", "corrected"),
    p: m.find((r) => r.labelSet === "x" && r.measure === "regularity-ln-n" && r.correction === "corrected")!.pValue!,
  };
}

describe("bias correction keeps real structure", () => {
  const d = 64;
  const V = 40;

  // noise sd 6: weak structure (truth ≈ 0.016); 3: medium (≈ 0.05); 1: strong (≈ 0.24), where the
  // shadows alone over-correct (their null is the bias of rows spread like all rows)
  it.each([6, 3, 1])(
    "clusters with noise sd %i: corrected from 5 rows per value is within 0.02 of raw from 1,000 rows per value",
    async (spread) => {
      const reference = await regularityOf(clusters(V, 1000, d, spread, 1), d);
      const small = await regularityOf(clusters(V, 5, d, spread, 7), d);
      expect(reference.raw).toBeGreaterThan(0.01); // there is structure to find
      expect(Math.abs(small.raw - reference.raw)).toBeGreaterThan(0.1); // raw at 5 rows is mostly bias
      const error = Math.abs(small.corrected - reference.raw);
      expect(error, `corrected ${small.corrected}, truth ${reference.raw}, raw ${small.raw}`).toBeLessThanOrEqual(0.02);
      expect(error).toBeLessThan(Math.abs(small.raw - reference.raw) / 5);
      if (spread === 1) expect(small.p).toBeCloseTo(1 / 9, 12); // no shadow reaches the observed value
    },
  );
});

describe("null shadows stream, merge and serialise", () => {
  const d = 16;
  const count = 1200;
  const rows = gaussianRows(count, d, 5);
  const labels = { x: independentLabels(count, 5, 1), y: independentLabels(count, 30, 2) };
  const ranges = (() => {
    const f = new RangeFinder(d);
    f.update(rows);
    return f.ranges();
  })();
  const make = (estimator: string) => createAccumulator({ estimator, d, seed: 2, ranges, nullShadows: 3, nullSeed: 9 });

  it.each(["soft", "hard", "binned"])(
    "%s: accumulators fed disjoint batches merge to the one-pass result, rows included",
    async (estimator) => {
      const whole = make(estimator);
      await feed(whole, rows, labels, 300);
      const a = make(estimator);
      const b = make(estimator);
      const cut = 600; // a batch boundary: the same batches, so the same shadows
      await feed(a, rows.subarray(0, cut * d), { x: labels.x.subarray(0, cut), y: labels.y.subarray(0, cut) }, 300);
      await feed(b, rows.subarray(cut * d), { x: labels.x.subarray(cut), y: labels.y.subarray(cut) }, 300);
      const merged = b.merge(a);
      const expected = structureMeasures(whole);
      expect(expected.filter((r) => r.correction === "corrected")).toHaveLength(2 * 7);
      expectSameMeasures(structureMeasures(merged), expected, 1e-9);
      expect(structureMeasures(merged).map((r) => r.correction)).toEqual(expected.map((r) => r.correction));
      const json = JSON.stringify(merged.toJSON());
      const restored = accumulatorFromJSON(JSON.parse(json));
      expect(JSON.stringify(restored.toJSON())).toBe(json);
      expect(structureMeasures(restored)).toEqual(structureMeasures(merged));
      expect(restored.parameters()).toMatchObject({ nullShadows: 3, nullSeed: 9 });
    },
  );

  it("memory does not grow with the rows; merges across shadow settings are refused", async () => {
    const few = make("soft");
    await feed(few, rows.subarray(0, 600 * d), { x: labels.x.subarray(0, 600), y: labels.y.subarray(0, 600) }, 300);
    const all = make("soft");
    await feed(all, rows, labels, 300);
    const size = (acc: EntropyAccumulator) => JSON.stringify(acc.toJSON()).length;
    // the label values are the same set; only the numbers inside the counts change
    expect(size(all)).toBeLessThan(size(few) * 1.1);
    expect(() => all.merge(createAccumulator({ d, seed: 2, nullShadows: 2, nullSeed: 9 }))).toThrow(/null shadows/);
    expect(() => createAccumulator({ estimator: "gaussian", d, nullShadows: 2 })).toThrow(/counting estimator/);
  });

  it("reports raw, null (with sd and interval) and corrected (with a p-value) as tidy rows", async () => {
    const acc = make("soft");
    await feed(acc, rows, labels, 300);
    const rowsOut = structureMeasures(acc);
    expect(rowsOut.filter((r) => r.labelSet === undefined).map((r) => [r.measure, r.correction])).toEqual([
      ["entropy", "raw"],
      ["information", "raw"],
    ]);
    const reg = rowsOut.filter((r) => r.labelSet === "x" && r.measure === "regularity-ln-n");
    expect(reg.map((r) => r.correction)).toEqual(["raw", "null", "corrected"]);
    const [raw, nul, corrected] = reg as [MeasureRow, MeasureRow, MeasureRow];
    // two stages: the within-value bias estimate raises H(Z|X), then the shadows (corrected the same way) remove the rest
    const e = acc.result();
    const x = e.labelSets.x!;
    const shadows = x.null!.shadows;
    expect(shadows).toHaveLength(3);
    expect(x.withinBias).toBeGreaterThan(0);
    const lnN = e.maxEntropy!;
    expect(raw.value).toBeCloseTo(x.mutualInformation / lnN, 14);
    expect(nul.value).toBeCloseTo(shadows.reduce((a, s) => a + s.mutualInformation / lnN, 0) / 3, 14);
    const adjustedNull = shadows.reduce((a, s) => a + (s.mutualInformation - s.withinBias!) / lnN, 0) / 3;
    expect(corrected.value).toBeCloseTo((x.mutualInformation - x.withinBias!) / lnN - adjustedNull, 14);
    // disentanglement is not touched by the within-value stage: corrected = raw − null
    const dis = rowsOut.filter((r) => r.labelSet === "x" && r.measure === "disentanglement");
    expect(dis[2]!.value).toBeCloseTo(dis[0]!.value - dis[1]!.value, 14);
    expect(nul.shadows).toBe(3);
    expect(nul.sd).toBeGreaterThan(0);
    expect(nul.lower!).toBeLessThan(nul.value);
    // the corrected value's interval: the Monte Carlo error of the shadows' (within-corrected) mean
    const adjusted = shadows.map((s) => (s.mutualInformation - s.withinBias!) / lnN);
    const sdAdjusted = Math.sqrt(adjusted.reduce((a, v) => a + (v - adjustedNull) ** 2, 0) / 2);
    expect(corrected.upper! - corrected.lower!).toBeCloseTo((2 * 1.959963984540054 * sdAdjusted) / Math.sqrt(3), 12);
    expect(corrected.pValue).toBeGreaterThanOrEqual(0.25);
    // variation's corrected value adds the null bias back: information = variation + regularity-ln-n holds corrected too
    const info = rowsOut.find((r) => r.measure === "information")!.value;
    const variation = value(rowsOut, "x", "variation", "corrected");
    expect(variation + corrected.value).toBeCloseTo(info, 12);
  });

  it("residual decomposition: raw, null and corrected components, each summing to 1", async () => {
    const coarse = Int32Array.from(labels.x, (v) => v % 7);
    const acc = createAccumulator({ d, seed: 2, nullShadows: 3 });
    await feed(acc, rows, { coarse, fine: labels.x }, 300);
    const parts = residualDecomposition(acc, ["coarse", "fine"]);
    expect(parts.map((p) => [p.component, p.correction])).toEqual(
      ["coarse", "fine − coarse", "unexplained"].flatMap((c) => [
        [c, "raw"],
        [c, "null"],
        [c, "corrected"],
      ]),
    );
    for (const kind of ["raw", "null", "corrected"])
      expect(parts.filter((p) => p.correction === kind).reduce((a, p) => a + p.value, 0)).toBeCloseTo(1, 12);
    for (const p of parts.filter((p) => p.correction === "corrected" && p.component !== "unexplained"))
      expect(Math.abs(p.value)).toBeLessThan(0.02);
  });

  it("bootstrap intervals over batches cover the raw, null and corrected rows", async () => {
    const acc = new PartitionedAccumulator(createAccumulator({ d, seed: 2, nullShadows: 2 }));
    await feed(acc, rows, { x: labels.x }, 200);
    const intervals = bootstrapIntervals(acc, { resamples: 20, seed: 1 });
    const reg = intervals.filter((r) => r.labelSet === "x" && r.measure === "regularity-ln-n");
    expect(reg.map((r) => r.correction)).toEqual(["raw", "null", "corrected"]);
    for (const r of reg) expect(r.upper).toBeGreaterThanOrEqual(r.lower);
    expect(reg[0]!.upper - reg[0]!.lower).toBeGreaterThan(0);
  });

  it("rows sorted by label defeat within-batch permutations: the agreement check shows it", async () => {
    const sorted = Int32Array.from({ length: count }, (_, i) => Math.floor(i / 100)); // 12 values in runs of 100
    const acc = createAccumulator({ d, seed: 2, nullShadows: 2 });
    await feed(acc, rows, { s: sorted }, 100); // each batch holds one value
    const info = acc.result().labelSets.s!.null!;
    expect(info.agreement).toBe(1);
    expect(info.expectedAgreement).toBeCloseTo(1 / 12, 12);
    const mixed = createAccumulator({ d, seed: 2, nullShadows: 2 });
    await feed(mixed, rows, { s: new Random(4).shuffle(Int32Array.from(sorted)) as Int32Array }, 300);
    const good = mixed.result().labelSets.s!.null!;
    expect(Math.abs(good.agreement - good.expectedAgreement)).toBeLessThan(0.03);
  });
});

describe("shadows are keyed on the input, not on the kernel's output", () => {
  const d = 32;
  const count = 2000;
  const rows = gaussianRows(count, d, 11);
  const labels = { x: independentLabels(count, 5, 3), y: independentLabels(count, 40, 4) };

  async function measuresWith(estimator: string, compute: typeof backend) {
    const acc = createAccumulator({ estimator, d, n: 50, seed: 4, backend: compute, nullShadows: 3, nullSeed: 2 });
    await feed(acc, rows, labels, 500);
    return structureMeasures(acc);
  }

  it.each(["hard", "soft"])("%s: TypeScript and onnx back ends give the same corrected values", async (estimator) => {
    const ts = await measuresWith(estimator, tsBackend);
    const onnx = await measuresWith(estimator, backend);
    expect(onnx.map((r) => [r.labelSet, r.measure, r.correction])).toEqual(
      ts.map((r) => [r.labelSet, r.measure, r.correction]),
    );
    const gap = (kind: string) =>
      Math.max(
        ...ts.map((r, i) =>
          r.correction === kind ? Math.abs(r.value - onnx[i]!.value) / Math.max(1e-3, Math.abs(r.value)) : 0,
        ),
      );
    expect(ts.filter((r) => r.correction === "corrected")).toHaveLength(2 * 7);
    if (estimator === "hard") {
      // argmax agrees on every row here, so the raw tables are identical; so must the shadows be
      expect(gap("raw")).toBe(0);
      expect(gap("corrected")).toBeLessThanOrEqual(1e-9);
    } else {
      // soft vectors differ in the last float bits; the corrected values differ no more than the raw ones do
      expect(gap("raw")).toBeLessThan(1e-5);
      expect(gap("corrected")).toBeLessThan(1e-5);
    }
  });
});

describe("row entropies (the within-value estimate's mean row entropy)", () => {
  it("match −Σ z ln z with Math.log to 1e-8 on soft rows, zeros and tiny cells included", () => {
    const width = 100;
    const count = 200;
    const r = new Random(3);
    const values = new Float32Array(count * width);
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let k = 0; k < width; k++) {
        const v = k % 17 === 0 ? 0 : Math.exp(12 * (r.uniform() - 0.5) * (1 + (i % 5)));
        values[i * width + k] = v;
        sum += v;
      }
      for (let k = 0; k < width; k++) values[i * width + k]! /= sum;
    }
    const offset = values.subarray(width, count * width); // a view that does not start at the buffer's start
    const fast = rowEntropies(offset, count - 1, width);
    expect(fast).toHaveLength(count - 1);
    let worst = 0;
    for (let i = 0; i < count - 1; i++) {
      let h = 0;
      for (let k = 0; k < width; k++) {
        const z = offset[i * width + k]!;
        if (z > 0) h -= z * Math.log(z);
      }
      worst = Math.max(worst, Math.abs(fast[i]! - h));
    }
    expect(worst).toBeLessThan(1e-8);
    expect(worst).toBeGreaterThan(0); // it is the table, not Math.log
  });
});

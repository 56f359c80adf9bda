import { describe, expect, it } from "vitest";
import {
  AnchorAccumulator,
  createAccumulator,
  permutationNull,
  structureMeasures,
  accumulatorFromJSON,
  makeAnchors,
} from "../src/vector/index.js";
import { calibrateTemperature } from "../src/vector/temperature.js";
import { tsBackend } from "../src/compute/ts.js";
import { onnxBackend } from "../src/compute/onnx.js";
import { createAccumulatorNode } from "../src/vector/create.node.js";
import { VectorInputError } from "../src/vector/errors.js";
import { Random } from "../src/util/random.js";
import { clusteredRows, gaussianRows } from "./vector-helpers.js";
import { expectSameMeasures } from "./helpers/estimatorContract.js";

const binaryEntropy = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p));

function unitAnchors2d(): Float32Array {
  return Float32Array.of(1, 0, 0, 1);
}

describe("soft entropy: hand-computed cases", () => {
  it("one row on an anchor at ε = 1: softmax([1, 0])", async () => {
    const acc = new AnchorAccumulator({ estimator: "soft", d: 2, n: 2, anchors: unitAnchors2d(), epsilon: 1 });
    await acc.update(Float32Array.of(3, 0));
    const p = Math.E / (Math.E + 1);
    expect(acc.result().entropy).toBeCloseTo(binaryEntropy(p), 6);
  });

  it("two orthogonal rows: P(Z) uniform, I = ln 2 − h(e/(e+1))", async () => {
    const acc = new AnchorAccumulator({ estimator: "soft", d: 2, n: 2, anchors: unitAnchors2d(), epsilon: 1 });
    await acc.update(Float32Array.of(1, 0, 0, 2), { x: Int32Array.of(0, 1) });
    const r = acc.result();
    const h = binaryEntropy(Math.E / (Math.E + 1));
    expect(r.entropy).toBeCloseTo(Math.LN2, 12);
    expect(r.labelSets.x!.conditionalEntropy).toBeCloseTo(h, 6);
    expect(r.labelSets.x!.mutualInformation).toBeCloseTo(Math.LN2 - h, 6);
    const m = structureMeasures(r);
    const get = (measure: string) =>
      m.find((row) => row.measure === measure && row.labelSet === (measure === "information" ? undefined : "x"))!.value;
    expect(get("information")).toBeCloseTo(1, 12);
    expect(get("regularity-ln-n")).toBeCloseTo((Math.LN2 - h) / Math.LN2, 6);
    expect(get("regularity-h")).toBeCloseTo((Math.LN2 - h) / Math.LN2, 6);
    expect(get("variation")).toBeCloseTo(h / Math.LN2, 6);
    // JSD between (p, 1−p) and (1−p, p)
    const p = Math.E / (Math.E + 1);
    const jsd = Math.LN2 - binaryEntropy(p);
    expect(get("disentanglement")).toBeCloseTo(jsd, 6);
    expect(get("disentanglement-generalised")).toBeCloseTo(jsd, 6);
  });

  it("hard nearest-anchor: counts of argmax, ties to the lowest anchor", async () => {
    const acc = new AnchorAccumulator({ estimator: "hard", d: 2, n: 2, anchors: unitAnchors2d() });
    await acc.update(Float32Array.of(1, 0, 2, 0.5, 0, 1, 1, 1));
    // argmax: 0, 0, 1, 0 (tie) → counts [3, 1]
    expect(acc.result().entropy).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 12);
  });

  it("minCount drops rare values and reports them", async () => {
    const acc = new AnchorAccumulator({
      estimator: "soft",
      d: 2,
      n: 2,
      anchors: unitAnchors2d(),
      epsilon: 1,
      minCount: 2,
    });
    await acc.update(Float32Array.of(1, 0, 1, 0, 0, 1), { x: Int32Array.of(0, 0, 1) });
    const s = acc.result().labelSets.x!;
    expect(s).toMatchObject({ values: 2, retainedValues: 1, retainedRows: 2, droppedRows: 1 });
    expect(s.mutualInformation).toBeCloseTo(0, 12);
  });
});

describe("soft entropy: properties", () => {
  const d = 32;
  const { rows, labels } = clusteredRows(600, d, 12, 5);

  it("row order does not matter", async () => {
    const a = createAccumulator({ d, seed: 3 });
    await a.update(rows, { x: labels });
    const perm = new Random(9).permutation(600);
    const shuffledRows = new Float32Array(rows.length);
    const shuffledLabels = new Int32Array(600);
    perm.forEach((src, dst) => {
      shuffledRows.set(rows.subarray(src * d, (src + 1) * d), dst * d);
      shuffledLabels[dst] = labels[src]!;
    });
    const b = createAccumulator({ d, seed: 3 });
    await b.update(shuffledRows, { x: shuffledLabels });
    expectSameMeasures(structureMeasures(b), structureMeasures(a), 1e-12);
  });

  it("merge(a, b) equals one accumulator fed both; toJSON/fromJSON round-trips exactly", async () => {
    const whole = createAccumulator({ d, seed: 3 });
    await whole.update(rows, { x: labels });
    const a = createAccumulator({ d, seed: 3 });
    const b = createAccumulator({ d, seed: 3 });
    await a.update(rows.subarray(0, 250 * d), { x: labels.subarray(0, 250) });
    await b.update(rows.subarray(250 * d), { x: labels.subarray(250) });
    a.merge(b);
    expectSameMeasures(structureMeasures(a), structureMeasures(whole), 1e-12);
    const json = JSON.parse(JSON.stringify(a.toJSON()));
    const restored = accumulatorFromJSON(json);
    expect(JSON.stringify(restored.toJSON())).toBe(JSON.stringify(a.toJSON()));
    expect(structureMeasures(restored)).toEqual(structureMeasures(a));
    // anchors given back must be the ones used
    expect(() => accumulatorFromJSON(json, { anchors: makeAnchors({ n: 100, d, seed: 4 }) })).toThrow(
      /not the ones this accumulator used/,
    );
    // restored from a seed, it can keep taking rows
    await restored.update(rows.subarray(0, 10 * d), { x: labels.subarray(0, 10) });
    expect(restored.result().rows).toBe(610);
  });

  it("refuses incompatible merges with a clear error", () => {
    const a = createAccumulator({ d, seed: 3 });
    expect(() => a.merge(createAccumulator({ d, seed: 4 }))).toThrow(/anchor fingerprint differs/);
    expect(() => a.merge(createAccumulator({ d, seed: 3, calibration: "leading-order" }))).toThrow(/epsilon differs/);
    expect(() => a.merge(createAccumulator({ d, estimator: "gaussian" }))).toThrow(/cannot merge a gaussian/);
  });

  it("shuffled labels give I within the permutation null", async () => {
    const acc = createAccumulator({ d, seed: 3, keepRows: true });
    const shuffled = new Random(2).shuffle(Int32Array.from(labels)) as Int32Array;
    await acc.update(rows, { real: labels, shuffled });
    const fake = permutationNull(acc, { labelSet: "shuffled", permutations: 60, seed: 1 });
    expect(fake.observed).toBeCloseTo(acc.result().labelSets.shuffled!.mutualInformation, 12);
    expect(fake.pValue).toBeGreaterThan(0.02);
    expect(Math.abs(fake.observed - fake.mean)).toBeLessThan(4 * fake.sd);
    const real = permutationNull(acc, { labelSet: "real", permutations: 30, seed: 1 });
    expect(real.pValue).toBeCloseTo(1 / 31, 12);
    expect(real.observed).toBeGreaterThan(real.mean + 10 * real.sd);
  });

  it("more distinct classes raise H", async () => {
    const hs: number[] = [];
    for (const k of [2, 8, 32]) {
      const acc = createAccumulator({ d, seed: 3 });
      await acc.update(clusteredRows(800, d, k, 11, 0.05).rows);
      hs.push(acc.result().entropy);
    }
    expect(hs[1]).toBeGreaterThan(hs[0]!);
    expect(hs[2]).toBeGreaterThan(hs[1]!);
  });

  it("scaling rows by a positive constant leaves soft entropy unchanged", async () => {
    const a = createAccumulator({ d, seed: 3 });
    await a.update(rows, { x: labels });
    for (const c of [1e-6, 0.37, 8, 1e5]) {
      const b = createAccumulator({ d, seed: 3 });
      await b.update(
        Float32Array.from(rows, (v) => v * c),
        { x: labels },
      );
      expectSameMeasures(structureMeasures(b), structureMeasures(a), 1e-6);
    }
  });

  it.each([["ts"], ["onnx"]])(
    "N identical rows give exactly the value of one such row, never 0 (%s back end)",
    async (name) => {
      const backend = name === "ts" ? tsBackend : onnxBackend({ threads: 2 });
      const one = createAccumulator({ d, seed: 3, backend });
      const row = rows.subarray(0, d);
      await one.update(Float32Array.from(row));
      const many = createAccumulator({ d, seed: 3, backend });
      const repeated = new Float32Array(777 * d);
      for (let i = 0; i < 777; i++) repeated.set(row, i * d);
      await many.update(repeated);
      expect(many.result().entropy).toBe(one.result().entropy);
      expect(one.result().entropy).toBeGreaterThan(0.01);
    },
  );

  it("an isotropic Gaussian cloud gives efficiency near 1", async () => {
    const acc = createAccumulator({ d: 64, seed: 1, calibration: "bound" });
    await acc.update(gaussianRows(4000, 64, 2));
    const info = structureMeasures(acc).find((r) => r.measure === "information")!.value;
    expect(info).toBeGreaterThan(0.97);
    expect(info).toBeLessThanOrEqual(1);
  });

  it("single random points: efficiency median ≈ 0.43–0.49, range ≈ 0.02–0.72 (n = 100, d ≥ 64, bound)", async () => {
    for (const dim of [64, 256]) {
      const acc = createAccumulator({ d: dim, seed: 7, calibration: "bound" });
      const points = gaussianRows(300, dim, 3);
      const effs: number[] = [];
      const kernel = await tsBackend.createAnchorKernel({
        anchors: makeAnchors({ n: 100, d: dim, seed: 7 }).data,
        n: 100,
        d: dim,
        mode: "soft",
        inverseTemperature: 1 / calibrateTemperature(dim, 100, "bound"),
      });
      const out = await kernel.run(points, 300);
      for (let i = 0; i < 300; i++) {
        let h = 0;
        for (let k = 0; k < 100; k++) {
          const p = out.values[i * 100 + k]!;
          if (p > 0) h -= p * Math.log(p);
        }
        effs.push(h / Math.log(100));
      }
      effs.sort((a, b) => a - b);
      const median = effs[150]!;
      expect(median).toBeGreaterThan(0.4);
      expect(median).toBeLessThan(0.5);
      expect(effs[0]).toBeGreaterThan(0);
      expect(effs[0]).toBeLessThan(0.2);
      expect(effs[299]).toBeLessThan(0.8);
      expect(effs[299]).toBeGreaterThan(0.6);
      // the accumulator agrees with the per-row computation for one point
      await acc.update(points.subarray(0, dim));
      expect(acc.result().entropy / Math.log(100)).toBeCloseTo(effs.length ? entropyOfFirst(out.values) : 0, 5);
    }
  });
});

function entropyOfFirst(values: Float32Array): number {
  let h = 0;
  for (let k = 0; k < 100; k++) if (values[k]! > 0) h -= values[k]! * Math.log(values[k]!);
  return h / Math.log(100);
}

describe("soft entropy: back ends and input checks", () => {
  it("the TypeScript and ONNX back ends agree within 1e-5", async () => {
    const d = 96;
    const { rows, labels } = clusteredRows(300, d, 7, 21);
    rows.fill(0, 5 * d, 6 * d);
    rows[5 * d] = 3e25; // float32 norm would overflow in ONNX: recomputed
    const a = createAccumulator({ d, seed: 2, backend: tsBackend });
    const b = createAccumulator({ d, seed: 2, backend: onnxBackend({ threads: 1 }) });
    await a.update(rows, { x: labels });
    await b.update(rows, { x: labels });
    expectSameMeasures(structureMeasures(a), structureMeasures(b), 1e-5);
    const spec = {
      anchors: makeAnchors({ n: 100, d, seed: 2 }).data,
      n: 100,
      d,
      mode: "soft" as const,
      inverseTemperature: 50,
      columnSums: true,
    };
    const ka = await tsBackend.createAnchorKernel(spec);
    const kb = await onnxBackend({ threads: 1 }).createAnchorKernel(spec);
    const [oa, ob] = [await ka.run(rows, 300), await kb.run(rows, 300)];
    let max = 0;
    for (let i = 0; i < oa.values.length; i++) max = Math.max(max, Math.abs(oa.values[i]! - ob.values[i]!));
    expect(max).toBeLessThan(1e-5);
    for (let k = 0; k < 100; k++) expect(Math.abs(oa.columnSums![k]! - ob.columnSums![k]!)).toBeLessThan(1e-5);
    await kb.dispose();
  });

  it("createAccumulatorNode picks the back end by name (onnx by default)", async () => {
    const { rows } = clusteredRows(200, 48, 4, 8);
    const byName = await createAccumulatorNode({ d: 48, seed: 5 });
    const again = await createAccumulatorNode({ d: 48, seed: 5 }); // shares the compiled kernel
    const reference = await createAccumulatorNode({ d: 48, seed: 5, backend: "ts" });
    for (const acc of [byName, again, reference]) await acc.update(rows);
    expect(byName.parameters().backend).toBe("onnx");
    expect(reference.parameters().backend).toBe("ts");
    expect(Math.abs(byName.result().entropy - reference.result().entropy)).toBeLessThan(1e-5);
    expect(again.result().entropy).toBe(byName.result().entropy);
  });

  it("bad input: NaN/Inf/all-zero rows name the global row; skipInvalid counts them", async () => {
    const d = 4;
    const good = gaussianRows(10, d, 1);
    const acc = createAccumulator({ d, seed: 1, calibration: "exact" });
    await acc.update(good);
    const bad = Float32Array.from(good);
    bad[3 * d + 2] = NaN;
    await expect(acc.update(bad)).rejects.toThrow(/row 13: contains NaN \(column 2\)/);
    const zero = Float32Array.from(good);
    zero.fill(0, 7 * d, 8 * d);
    await expect(acc.update(zero)).rejects.toThrow(VectorInputError);
    await expect(acc.update(zero)).rejects.toThrow(/row 17: is all zeros/);
    const inf = Float32Array.from(good);
    inf[0] = -Infinity;
    await expect(acc.update(inf)).rejects.toThrow(/row 10: contains -Inf/);
    expect(acc.result().rows).toBe(10); // nothing partial was added

    const skipping = createAccumulator({ d, seed: 1, calibration: "exact", skipInvalid: true });
    await skipping.update(bad, { x: new Int32Array(10) });
    expect(skipping.result()).toMatchObject({ rows: 9, skippedRows: 1 });
    expect(skipping.result().labelSets.x!.retainedRows).toBe(9);
  });

  it("bad input: label length, width changes, label sets changing between batches", async () => {
    const acc = createAccumulator({ d: 4, seed: 1, calibration: "exact" });
    await expect(acc.update(gaussianRows(5, 4, 1), { x: new Int32Array(4) })).rejects.toThrow(
      /label set "x" has 4 labels for a batch of 5 rows/,
    );
    await expect(acc.update(new Float32Array(10))).rejects.toThrow(/not a multiple of d = 4/);
    await expect(acc.update({ data: new Float32Array(15), shape: [3, 5] })).rejects.toThrow(
      /width 5, but this accumulator has d = 4/,
    );
    await acc.update(gaussianRows(5, 4, 1), { x: new Int32Array(5) });
    await expect(acc.update(gaussianRows(5, 4, 2), { y: new Int32Array(5) })).rejects.toThrow(
      /label sets \[y\], earlier batches had \[x\]/,
    );
  });
});

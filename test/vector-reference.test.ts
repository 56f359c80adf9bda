/**
 * Agreement with an independent float64 numpy implementation (scripts/vector_reference.py wrote
 * the fixture): soft entropy with given anchors and ε, and H_dw with observed ranges.
 */
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import { AnchorAccumulator, BinnedAccumulator, RangeFinder } from "../src/vector/index.js";

const ref = JSON.parse(fs.readFileSync(new URL("./fixtures/vector-reference.json", import.meta.url), "utf8"));
const rows = Float32Array.from(ref.rows as number[]);
const labels = { meaning: Int32Array.from(ref.labels.meaning), noise: Int32Array.from(ref.labels.noise) };

describe("numpy reference", () => {
  it("soft entropy: H, H(Z|X), I and JSD disentanglement within 1e-7", async () => {
    const acc = new AnchorAccumulator({
      estimator: "soft",
      d: ref.d,
      n: ref.n,
      anchors: Float32Array.from(ref.anchors),
      epsilon: ref.epsilon,
    });
    await acc.update(rows, labels);
    const r = acc.result();
    expect(Math.abs(r.entropy - ref.soft.entropy)).toBeLessThan(1e-7);
    for (const name of ["meaning", "noise"]) {
      for (const key of ["conditionalEntropy", "mutualInformation", "disentanglement"]) {
        expect(
          Math.abs((r.labelSets[name] as unknown as Record<string, number>)[key]! - ref.soft.labelSets[name][key]),
        ).toBeLessThan(1e-7);
      }
    }
    expect(r.labelSets.meaning!.mutualInformation).toBeGreaterThan(5 * r.labelSets.noise!.mutualInformation);
  });

  it("H_dw with observed ranges, minCount 5, unweighted conditionals", async () => {
    const finder = new RangeFinder(ref.d);
    finder.update(rows);
    const acc = new BinnedAccumulator({ d: ref.d, ranges: finder.ranges() });
    await acc.update(rows, labels);
    const r = acc.result();
    expect(r.entropy).toBeCloseTo(ref.binned.entropy, 12);
    for (const name of ["meaning", "noise"])
      expect(r.labelSets[name]!.conditionalEntropy).toBeCloseTo(ref.binned.labelSets[name].conditionalEntropy, 12);
  });
});

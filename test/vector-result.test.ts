/**
 * The one-pass label-set estimate (countEstimate.ts, issue 16 target 2) gives the numbers the
 * previous path gave (src/bench/resultBaseline.ts, kept verbatim) to 1e-12 relative.
 */
import { describe, expect, it } from "vitest";
import { baselineTableEstimate, syntheticTable } from "../src/bench/resultBaseline.js";
import { tableEstimate } from "../src/vector/countEstimate.js";
import { LabelTable } from "../src/vector/labelTable.js";
import { Random } from "../src/util/random.js";
import { randomTable } from "./label-tables.js";

const FIELDS = ["entropy", "conditionalEntropy", "mutualInformation", "disentanglement", "generalisedJsd"] as const;

function expectSame(
  table: LabelTable,
  blocks: number,
  blockWidth: number,
  minCount: number,
  weighting: "weighted" | "uniform",
) {
  const options = { minCount, weighting };
  const fast = tableEstimate(table, blocks, blockWidth, 0, options);
  const old = baselineTableEstimate(table, blocks, blockWidth, 0, options);
  for (const field of FIELDS) {
    const a = fast[field]!;
    const b = old[field]!;
    // relative to the value, or to H(Z) for a difference that is zero up to rounding (MI of one value)
    const scale = Math.max(Math.abs(b), old.entropy * 1e-3, 1e-300);
    expect(Math.abs(a - b), `${field}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-12 * scale);
  }
  expect([fast.values, fast.retainedValues, fast.retainedRows, fast.droppedRows]).toEqual([
    old.values,
    old.retainedValues,
    old.retainedRows,
    old.droppedRows,
  ]);
}

describe("one-pass label-set estimate", () => {
  it("soft counts, 2,000 values × n = 100: equal to the previous path to 1e-12 (both weightings, minCount 1 and 5)", () => {
    const table = syntheticTable(2000, 1, 100, 1);
    for (const minCount of [1, 5])
      for (const w of ["weighted", "uniform"] as const) expectSame(table, 1, 100, minCount, w);
  });

  it("hard (sparse) counts and several blocks (binned layout): equal to 1e-12", () => {
    expectSame(syntheticTable(500, 1, 100, 2, true), 1, 100, 1, "weighted");
    expectSame(syntheticTable(300, 8, 20, 3, true), 8, 20, 5, "uniform");
    expectSame(syntheticTable(300, 8, 20, 4), 8, 20, 1, "weighted");
  });

  it("a single value (no complement) and an empty table agree too", () => {
    expectSame(syntheticTable(1, 1, 10, 5), 1, 10, 1, "weighted");
    expectSame(new LabelTable(10), 1, 10, 1, "weighted");
  });

  it("random tables with values of zero rows and of single rows, soft, sparse and one-hot rows: equal to 1e-12", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = new Random(seed);
      const blocks = seed % 3 === 0 ? 4 : 1;
      const blockWidth = [5, 20, 100][seed % 3]!;
      const table = randomTable(r, 30 + Math.floor(r.uniform() * 300), blocks, blockWidth);
      let zero = 0;
      let single = 0;
      for (let s = 0; s < table.size; s++) {
        if (table.rowCounts[s] === 0) zero++;
        if (table.rowCounts[s] === 1) single++;
      }
      expect(zero).toBeGreaterThan(0);
      expect(single).toBeGreaterThan(0);
      for (const minCount of [1, 2])
        for (const w of ["weighted", "uniform"] as const) expectSame(table, blocks, blockWidth, minCount, w);
    }
  });
});

/**
 * The WebAssembly SIMD kernel of the label-set estimate (src/vector/labelCells.ts, assembled by
 * scripts/make-label-cells-wasm.mjs) against the JavaScript loop it replaces: the same estimates
 * to 1e-12 relative on random tables and on edge cases (zero counts, subnormal counts, one-hot
 * rows, a single value, several blocks, odd block widths), and entropies of subnormal cells.
 */
import { describe, expect, it } from "vitest";
import { baselineTableEstimate, syntheticTable } from "../src/bench/resultBaseline.js";
import { tableEstimate } from "../src/vector/countEstimate.js";
import { labelCellsKernel, noSubnormalCells } from "../src/vector/labelCells.js";
import { LabelTable } from "../src/vector/labelTable.js";
import { Random } from "../src/util/random.js";

const FIELDS = ["entropy", "conditionalEntropy", "mutualInformation", "disentanglement", "generalisedJsd"] as const;

/** The kernel equals the JavaScript loop and (unless `againstPrevious` is false) the previous formula, to 1e-12. */
function expectKernelMatches(
  table: LabelTable,
  blocks: number,
  blockWidth: number,
  minCount = 1,
  againstPrevious = true,
): void {
  for (const weighting of ["weighted", "uniform"] as const)
    for (const skipDisentanglement of [false, true]) {
      const options = { minCount, weighting, skipDisentanglement };
      const wasm = tableEstimate(table, blocks, blockWidth, 0, options);
      const js = tableEstimate(table, blocks, blockWidth, 0, { ...options, javascriptCells: true });
      for (const field of FIELDS) {
        const a = wasm[field];
        const b = js[field];
        if (skipDisentanglement && (field === "disentanglement" || field === "generalisedJsd")) {
          expect([a, b]).toEqual([null, null]);
          continue;
        }
        expect(Number.isFinite(a), `${field} is ${a}`).toBe(true);
        // relative to the value, or to H(Z) for a difference that is zero up to rounding; blocks of one
        // cell have H = 0, which fastLog(1) gives as ~1e-17: 1e-15 absolute at most
        const scale = Math.max(Math.abs(b!), js.entropy * 1e-3, 1e-3);
        expect(Math.abs(a! - b!), `${field}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-12 * scale);
      }
      expect(wasm.retainedValues).toBe(js.retainedValues);
      if (skipDisentanglement || !againstPrevious) continue;
      // and both equal the previous formula (info/'s entropy, jsd, generalizedJsd)
      const old = baselineTableEstimate(table, blocks, blockWidth, 0, options);
      for (const field of FIELDS) {
        const scale = Math.max(Math.abs(old[field]!), old.entropy * 1e-3, 1e-3);
        expect(Math.abs(wasm[field]! - old[field]!), `${field} vs previous formula`).toBeLessThanOrEqual(1e-12 * scale);
      }
    }
}

/** A table from explicit per-value rows of counts (one row count per value). */
function tableOf(rows: number[], cells: number[][]): LabelTable {
  const width = cells[0]!.length;
  const table = new LabelTable(width);
  expect(rows.length).toBe(cells.length);
  cells.forEach((values, v) => {
    const slot = table.slotOf(v);
    table.rowCounts[slot] = rows[v]!;
    table.counts.set(values, slot * width);
  });
  return table;
}

describe("label-set cell kernel (WebAssembly SIMD)", () => {
  it("is available in Node, so the tests below compare it with the JavaScript loop", () => {
    expect(labelCellsKernel(100)).not.toBeNull();
  });

  it("random soft, sparse and one-hot tables, 1–4 blocks, even and odd block widths: equal to 1e-12", () => {
    let cases = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = new Random(seed);
      const blocks = seed % 2 === 0 ? 4 : 1;
      const blockWidth = [3, 7, 20, 100, 1][seed % 5]!;
      const width = blocks * blockWidth;
      const table = new LabelTable(width);
      const values = 20 + Math.floor(r.uniform() * 200);
      for (let v = 0; v < values; v++) {
        const slot = table.slotOf(v);
        const u = r.uniform();
        const rows = u < 0.1 ? 0 : u < 0.4 ? 1 : 1 + Math.floor(r.uniform() * 20);
        table.rowCounts[slot] = rows;
        for (let i = 0; i < rows; i++)
          for (let b = 0; b < blocks; b++) {
            const base = slot * width + b * blockWidth;
            if (r.uniform() < 0.3) table.counts[base + Math.floor(r.uniform() * blockWidth)]! += 1;
            else for (let k = 0; k < blockWidth; k++) table.counts[base + k]! += r.uniform() < 0.2 ? 0 : r.uniform();
          }
      }
      for (const minCount of [1, 3]) expectKernelMatches(table, blocks, blockWidth, minCount);
      cases++;
    }
    expect(cases).toBe(10);
  });

  it("large values (ln(1 − o/ref) by the logarithm, not its series) and many chunks", () => {
    expectKernelMatches(syntheticTable(3000, 1, 100, 7), 1, 100);
    expectKernelMatches(syntheticTable(40, 1, 9, 8), 1, 9); // few values: o/ref well above 1/1024
  });

  it("edge cases: zero cells and zero values, subnormal counts, one-hot rows, a single value, several blocks", () => {
    const tiny = 5e-324;
    // value 0 all zero (no rows), value 1 one-hot, value 2 soft with zeros, value 3 soft
    const cells = [
      [0, 0, 0, 0, 0],
      [0, 0, 3, 0, 0],
      [0.5, 0.75, 2, 0, 0],
      [0.5, 0.25, 0.125, 0.125, 1],
    ];
    const rows = [0, 3, 2, 4];
    expectKernelMatches(tableOf(rows, cells), 1, 5);
    // rows but no counts (no counting state makes this; the previous formula weighs it differently)
    expectKernelMatches(tableOf([2, 3, 2, 4], cells), 1, 5, 1, false);
    expectKernelMatches(tableOf([2], [cells[3]!]), 1, 5); // a single value: no complement
    expectKernelMatches(tableOf([1], [[0, 0, 7, 0, 0]]), 1, 5); // a single one-hot value
    // blocks > 1: one-hot rows in every block (3 blocks of 4); then the cells above read as 5 blocks
    // of width 1 and as 2 blocks of width 2, where blocks hold no counts for some values (no
    // counting state makes those, so against the JavaScript loop only)
    expectKernelMatches(syntheticTable(50, 3, 4, 9, true), 3, 4);
    expectKernelMatches(tableOf(rows, cells), 5, 1, 1, false);
    expectKernelMatches(
      tableOf([1, 1, 1], [cells[1]!.slice(1), cells[2]!.slice(1), cells[3]!.slice(1)]),
      2,
      2,
      1,
      false,
    );
    // subnormal cells, and blocks whose sums are subnormal (the previous formula gives NaN there)
    const subnormal = cells.map((row, v) => (v === 2 ? [tiny, 1e-310, 2, tiny, 0] : row));
    expectKernelMatches(tableOf(rows, subnormal), 1, 5, 1, false);
    expectKernelMatches(tableOf(rows, subnormal), 5, 1, 1, false);
    expectKernelMatches(
      tableOf(
        [1, 2],
        [
          [tiny, 3 * tiny, 1e-310],
          [2e-310, 0, tiny],
        ],
      ),
      1,
      3,
      1,
      false,
    );
  });

  it("skips the logarithms' subnormal test only where the group's least count and sum rule subnormal cells out", () => {
    expect(noSubnormalCells(Infinity, 0)).toBe(true); // no positive count: every cell is 0
    expect(noSubnormalCells(1e-3, 1e5)).toBe(true);
    expect(noSubnormalCells(1, 1e290)).toBe(true);
    expect(noSubnormalCells(5e-324, 1)).toBe(false);
    expect(noSubnormalCells(1e-250, 1e300)).toBe(false); // p could be 1e-550
    // q can be as small as least · 2^-53 / total: 1e-289 leaves q normal with room, 1e-291 does not
    expect(noSubnormalCells(1e-289, 1)).toBe(true);
    expect(noSubnormalCells(1e-291, 1)).toBe(false);
    expect(noSubnormalCells(0, 1)).toBe(false);
    expect(noSubnormalCells(1, Number.NaN)).toBe(false);
  });

  it("entropies of a value whose cells are subnormal, tiny or 1 − tiny (the kernel's logarithm)", () => {
    // 5e-324 · ln 5e-324 is itself subnormal (a few significant bits): compared to 1e-321 absolute
    for (const p of [5e-324, 3e-309, 1e-310, 2.2250738585072014e-308, 1e-200, 1e-5, 0.3, 0.5]) {
      const table = tableOf([1], [[p, 1 - p]]);
      const h = tableEstimate(table, 1, 2, 0, { minCount: 1, weighting: "weighted" }).entropy;
      const so = p + (1 - p);
      const q = p / so;
      const expected = -q * Math.log(q) - ((1 - p) / so) * Math.log((1 - p) / so);
      const wasm = tableEstimate(table, 1, 2, 0, { minCount: 1, weighting: "weighted" }).conditionalEntropy;
      const tolerance = Math.max(1e-14 * expected, 1e-321);
      expect(Math.abs(h - expected), `H(Z) at p = ${p}`).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(wasm - expected), `kernel H at p = ${p}: ${wasm} vs ${expected}`).toBeLessThanOrEqual(tolerance);
    }
  });
});

/**
 * The label-set cells split between two threads (countEstimate.ts groupCellsWasm, labelCells.ts
 * LabelCellsHelper), with a helper that computes its part at once on a second kernel instance in
 * this thread: the estimates equal the one-thread path to 1e-12 relative (all sums but the mixture
 * are added in the same order, so they are the same numbers), and a helper that drops or doubles
 * its part is caught.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tableEstimate } from "../src/vector/countEstimate.js";
import {
  type CellsJob,
  type LabelCellsHelper,
  cellsInstance,
  labelCellsModule,
  runCellsRange,
  setLabelCellsHelper,
} from "../src/vector/labelCells.js";
import type { LabelTable } from "../src/vector/labelTable.js";
import { Random } from "../src/util/random.js";
import { randomTable } from "./label-tables.js";

const FIELDS = ["entropy", "conditionalEntropy", "mutualInformation", "disentanglement", "generalisedJsd"] as const;

/** A helper on this thread; `tamper` may change its job's output afterwards. Counts the jobs and their values. */
function inThreadHelper(tamper: (job: CellsJob) => void = () => {}) {
  const instance = cellsInstance(labelCellsModule()!);
  const seen = { jobs: 0, values: 0 };
  const helper: LabelCellsHelper = {
    minCells: 0,
    share: 0.6,
    reads: () => true,
    buffers: (values, width, blocks) => ({
      kept: new Int32Array(values),
      meta: new Float64Array(2 * values),
      out: new Float64Array(2 * values * blocks),
      reference: new Float64Array(3 * width),
      mixture: new Float64Array(width),
    }),
    start(job) {
      seen.jobs++;
      seen.values += job.to - job.from;
      runCellsRange(instance, job);
      tamper(job);
      return () => true;
    },
  };
  return { helper, seen };
}

/** The largest relative difference of the estimate's fields, with and without `helper`. */
function difference(table: LabelTable, blocks: number, blockWidth: number, helper: LabelCellsHelper): number {
  let worst = 0;
  for (const weighting of ["weighted", "uniform"] as const)
    for (const minCount of [1, 2]) {
      const options = { minCount, weighting };
      setLabelCellsHelper(null);
      const one = tableEstimate(table, blocks, blockWidth, 0, options);
      setLabelCellsHelper(helper);
      const two = tableEstimate(table, blocks, blockWidth, 0, options);
      setLabelCellsHelper(null);
      expect(two.retainedValues).toBe(one.retainedValues);
      for (const field of FIELDS) {
        const scale = Math.max(Math.abs(one[field]!), one.entropy * 1e-3, 1e-300);
        worst = Math.max(worst, Math.abs(two[field]! - one[field]!) / scale);
      }
    }
  return worst;
}

/** Random tables large enough to split (more than one chunk of values per group). */
const CASES = [
  { seed: 1, values: 2500, blocks: 1, blockWidth: 100, groups: 0 },
  { seed: 2, values: 600, blocks: 4, blockWidth: 100, groups: 0 },
  { seed: 3, values: 16000, blocks: 1, blockWidth: 5, groups: 0 },
  { seed: 4, values: 3000, blocks: 4, blockWidth: 20, groups: 0 },
  { seed: 5, values: 6000, blocks: 1, blockWidth: 100, groups: 2 },
  { seed: 6, values: 3000, blocks: 4, blockWidth: 100, groups: 3 },
];

afterEach(() => setLabelCellsHelper(null));

describe("label-set cells on two threads", () => {
  it("equal the one-thread estimate to 1e-12: soft, sparse and one-hot rows, zero- and single-row values, 1 and 4 blocks, grouped sets", () => {
    expect(labelCellsModule()).not.toBeNull();
    for (const c of CASES) {
      const table = randomTable(new Random(c.seed), c.values, c.blocks, c.blockWidth, c.groups);
      let zero = 0;
      let single = 0;
      for (let s = 0; s < table.size; s++) {
        if (table.rowCounts[s] === 0) zero++;
        if (table.rowCounts[s] === 1) single++;
      }
      expect([zero > 0, single > 0]).toEqual([true, true]);
      const { helper, seen } = inThreadHelper();
      expect(difference(table, c.blocks, c.blockWidth, helper), `case ${c.seed}`).toBeLessThanOrEqual(1e-12);
      // the split happened: every estimate (4 per case) gave the helper part of each group
      expect(seen.jobs, `case ${c.seed}`).toBeGreaterThanOrEqual(4 * Math.max(1, c.groups));
      expect(seen.values).toBeGreaterThan(0);
    }
  });

  it("small groups stay on the calling thread (minCells)", () => {
    const table = randomTable(new Random(7), 2500, 1, 100);
    let kept = 0;
    for (let s = 0; s < table.size; s++) if (table.rowCounts[s]! > 0) kept++;
    const { helper, seen } = inThreadHelper();
    setLabelCellsHelper({ ...helper, minCells: kept * 100 + 1 });
    tableEstimate(table, 1, 100, 0, { minCount: 1, weighting: "weighted" });
    expect(seen.jobs).toBe(0);
    setLabelCellsHelper({ ...helper, minCells: kept * 100 });
    tableEstimate(table, 1, 100, 0, { minCount: 1, weighting: "weighted" });
    expect(seen.jobs).toBe(1);
  });

  it("a helper thread that fails: this thread computes its part, with the same numbers", () => {
    const table = randomTable(new Random(9), 2500, 1, 100);
    const { helper, seen } = inThreadHelper();
    const failing: LabelCellsHelper = {
      ...helper,
      start(job) {
        seen.jobs++;
        job.out.fill(Number.NaN); // what a thread that died halfway might leave
        return () => false;
      },
    };
    expect(difference(table, 1, 100, failing)).toBeLessThanOrEqual(1e-12);
    expect(seen.jobs).toBe(4);
  });

  it("a helper that drops its part, or doubles its mixture, is caught", () => {
    const table = randomTable(new Random(8), 2500, 1, 100);
    const dropped = inThreadHelper((job) => job.out.fill(0));
    expect(difference(table, 1, 100, dropped.helper)).toBeGreaterThan(1e-6);
    const doubled = inThreadHelper((job) => {
      for (let k = 0; k < job.mixture.length; k++) job.mixture[k]! *= 2;
    });
    expect(difference(table, 1, 100, doubled.helper)).toBeGreaterThan(1e-6);
    const shifted = inThreadHelper((job) => job.out.copyWithin(0, 2)); // each value given its neighbour's cells
    expect(difference(table, 1, 100, shifted.helper)).toBeGreaterThan(1e-9);
  });
});

/**
 * The label-set cells on a real worker thread (labelCellsThread.node.ts): once installed, label
 * tables keep their counts on shared memory, large groups are split with the worker, result()
 * stays synchronous, and the estimates equal the one-thread path to 1e-12 relative.
 */
import { describe, expect, it } from "vitest";
import { tableEstimate } from "../src/vector/countEstimate.js";
import {
  type CellsJob,
  type LabelCellsHelper,
  cellsInstance,
  labelCellsHelper,
  labelCellsKernel,
  labelCellsModule,
  runCellsRange,
  setLabelCellsHelper,
} from "../src/vector/labelCells.js";
import { installLabelCellsThread } from "../src/vector/labelCellsThread.node.js";
import { Random } from "../src/util/random.js";
import { randomTable } from "./label-tables.js";

const FIELDS = ["entropy", "conditionalEntropy", "mutualInformation", "disentanglement", "generalisedJsd"] as const;

describe("label-set cells on a worker thread", () => {
  it("split with the worker, equal to one thread to 1e-12 (soft/sparse/one-hot, 1 and 4 blocks, grouped)", () => {
    installLabelCellsThread(0);
    const worker = labelCellsHelper()!;
    expect(worker).not.toBeNull();
    let jobs = 0;
    const counting: LabelCellsHelper = {
      minCells: worker.minCells,
      share: worker.share,
      reads: (counts) => worker.reads(counts),
      buffers: (values, width, blocks) => worker.buffers(values, width, blocks),
      start(job) {
        jobs++;
        return worker.start(job);
      },
    };
    const cases = [
      { seed: 11, values: 4000, blocks: 1, blockWidth: 100, groups: 0 },
      { seed: 12, values: 1500, blocks: 4, blockWidth: 100, groups: 0 },
      { seed: 13, values: 6000, blocks: 1, blockWidth: 100, groups: 2 },
    ];
    for (const c of cases) {
      const table = randomTable(new Random(c.seed), c.values, c.blocks, c.blockWidth, c.groups);
      expect(table.counts.buffer).toBeInstanceOf(SharedArrayBuffer);
      for (const weighting of ["weighted", "uniform"] as const) {
        const options = { minCount: 1, weighting };
        setLabelCellsHelper(null);
        const one = tableEstimate(table, c.blocks, c.blockWidth, 0, options);
        setLabelCellsHelper(counting);
        const before = jobs;
        const two = tableEstimate(table, c.blocks, c.blockWidth, 0, options);
        expect(jobs - before, `case ${c.seed}`).toBe(Math.max(1, c.groups));
        for (const field of FIELDS) {
          const scale = Math.max(Math.abs(one[field]!), one.entropy * 1e-3, 1e-300);
          expect(Math.abs(two[field]! - one[field]!), `case ${c.seed} ${field}`).toBeLessThanOrEqual(1e-12 * scale);
        }
      }
    }
    setLabelCellsHelper(worker);
  });

  it("the worker computes a job bit for bit as this thread does (given time to claim it)", () => {
    installLabelCellsThread(0);
    const worker = labelCellsHelper()!;
    const width = 100;
    const table = randomTable(new Random(21), 3000, 1, width);
    const kept = Int32Array.from({ length: table.size }, (_, s) => s).filter((s) => table.rowCounts[s]! > 0);
    const kernel = labelCellsKernel(width)!;
    const sum = new Float64Array(width);
    kernel.sumValues(table.counts, kept, 0, kept.length, sum);
    kernel.setReference(sum);
    const shared = worker.buffers(kept.length, width, 1);
    shared.kept.set(kept);
    kernel.copyReference(shared.reference);
    for (let t = 0; t < kept.length; t++) {
      shared.meta[2 * t] = 1 / kept.length;
      shared.meta[2 * t + 1] = 1;
    }
    const whole = { from: 0, to: kept.length, width, blocks: 1, blockWidth: width, normal: kernel.normal };
    const job: CellsJob = { counts: table.counts, ...shared, ...whole };
    const mine = { ...job, out: new Float64Array(2 * kept.length), mixture: new Float64Array(width) };
    runCellsRange(cellsInstance(labelCellsModule()!), mine);
    let done = false;
    for (let attempt = 0; attempt < 5 && !done; attempt++) {
      shared.out.fill(Number.NaN);
      const wait = worker.start(job);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000); // let the worker claim it
      done = wait();
    }
    expect(done).toBe(true);
    expect(Array.from(shared.out.subarray(0, 2 * kept.length))).toEqual(Array.from(mine.out));
    expect(Array.from(shared.mixture)).toEqual(Array.from(mine.mixture));
    expect(mine.out.some((v) => v > 0)).toBe(true);
  });
});

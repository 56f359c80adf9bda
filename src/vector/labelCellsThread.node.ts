/**
 * NODE ONLY: a worker thread for the label-set cells of large groups (labelCells.ts,
 * LabelCellsHelper). Node lets the main thread block in Atomics.wait, so result() stays
 * synchronous: this thread posts a job (the counts stay where they are, on shared memory: label
 * tables allocate them there once this helper is installed), computes its own part, then waits.
 * The worker evaluates the source text of labelCells.ts' self-contained functions, so it needs no
 * module files and runs the same code under vitest and from dist/.
 */
import { Worker } from "node:worker_threads";
import {
  type CellsJob,
  type LabelCellsHelper,
  cellsInstance,
  copyValues,
  growFor,
  labelCellsModule,
  runCellsRange,
  setLabelCellsHelper,
  writeLogTable,
} from "./labelCells.js";
import { shareLabelTableCounts } from "./labelTable.js";

/**
 * Groups of fewer cells (values × width) stay on the calling thread. Measured (bench vector (e), by
 * each thread's CPU time, loaded machine): 1,000 values × 100 cells 1.36× faster on two threads,
 * 2,000 1.56×, 50,000 1.94×; a group splits at a chunk boundary (655 values at 100 cells), so
 * smaller groups cannot split usefully, and a small call gains less than a worker's wake-up may cost.
 */
export const DEFAULT_MIN_CELLS = 100_000;
/**
 * The helper's share of a split group: the calling thread also sums the group and adds every value's
 * results (~7 of ~57 ms CPU at 50,000 values × 100; at a share of 0.6 the threads took 27.0–27.5 /
 * 28.9–30.7 ms CPU per call, calling thread / helper), so an even load is a share of ~0.57.
 */
export const DEFAULT_SHARE = 0.57;
/** How long the main thread waits for a job before computing the part itself (the worker is then dropped). */
const WAIT_MS = 60_000;

/**
 * A job's signal is posted + state, posted = 8 × the job's number: the worker claims a posted job
 * (CLAIMED) and ends it DONE or FAILED; the caller may take back a job not yet claimed (TAKEN_BACK) and
 * compute it itself, so a worker that has no core yet never holds the caller up, and a late message
 * for an old job finds a newer number and is skipped.
 */
const DONE = 1;
const FAILED = 2;
const CLAIMED = 3;
const TAKEN_BACK = 4;

const WORKER_SOURCE = `
"use strict";
const { parentPort } = require("node:worker_threads");
var __name = (f) => f; // bundlers may wrap functions in __name(...)
${[cellsInstance, growFor, copyValues, runCellsRange, writeLogTable].map(String).join("\n")}
let instance = null;
parentPort.on("message", (job) => {
  try {
    if (job.module) instance = cellsInstance(job.module);
  } catch (error) {
    instance = null;
  }
  // claim the job, unless the caller took it back (it found it not started when it had done its part)
  if (Atomics.compareExchange(job.signal, 0, job.posted, job.posted + ${CLAIMED}) !== job.posted) return;
  let state = ${FAILED};
  try {
    runCellsRange(instance, job);
    state = ${DONE};
  } catch (error) {
    state = ${FAILED};
  }
  Atomics.store(job.signal, 0, job.posted + state);
  Atomics.notify(job.signal, 0);
});
`;

class CellsThread implements LabelCellsHelper {
  private worker: Worker | null;
  private sentModule = false;
  private jobs = 0;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private shared: { kept: Int32Array; meta: Float64Array; out: Float64Array } = {
    kept: new Int32Array(0),
    meta: new Float64Array(0),
    out: new Float64Array(0),
  };
  private reference: Float64Array = new Float64Array(0);
  private mixture: Float64Array = new Float64Array(0);

  constructor(
    private readonly module: WebAssembly.Module,
    readonly minCells: number,
    readonly share: number,
  ) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref(); // never keeps the process alive: jobs are waited for synchronously
    this.worker.on("error", () => this.drop());
    this.worker.on("exit", () => this.drop());
  }

  reads(counts: Float64Array): boolean {
    return this.worker !== null && counts.buffer instanceof SharedArrayBuffer;
  }

  buffers(values: number, width: number, blocks: number) {
    if (this.shared.kept.length < values) {
      const capacity = Math.max(values, 2 * this.shared.kept.length);
      this.shared = {
        kept: new Int32Array(new SharedArrayBuffer(capacity * 4)),
        meta: sharedFloats(2 * capacity),
        out: sharedFloats(2 * capacity * blocks),
      };
    }
    if (this.shared.out.length < 2 * values * blocks) this.shared.out = sharedFloats(2 * values * blocks);
    if (this.mixture.length !== width) {
      this.mixture = sharedFloats(width);
      this.reference = sharedFloats(3 * width);
    }
    return { ...this.shared, reference: this.reference, mixture: this.mixture };
  }

  start(job: CellsJob): () => boolean {
    const worker = this.worker;
    if (!worker) return () => false;
    this.jobs = (this.jobs + 1) % 2 ** 27;
    const posted = 8 * this.jobs;
    Atomics.store(this.signal, 0, posted);
    const module = this.sentModule ? null : this.module;
    this.sentModule = true;
    worker.postMessage({ ...job, module, signal: this.signal, posted });
    return () => {
      // not claimed yet: take it back (the caller computes it) rather than wait for the worker to get a core
      if (Atomics.compareExchange(this.signal, 0, posted, posted + TAKEN_BACK) === posted) return false;
      while (Atomics.load(this.signal, 0) === posted + CLAIMED)
        if (Atomics.wait(this.signal, 0, posted + CLAIMED, WAIT_MS) === "timed-out") {
          this.drop();
          return false;
        }
      return Atomics.load(this.signal, 0) === posted + DONE;
    };
  }

  private drop(): void {
    const worker = this.worker;
    this.worker = null;
    void worker?.terminate();
  }
}

function sharedFloats(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}

let installed = false;

/**
 * Registers the cells thread (once per process) and has label tables keep their counts on shared
 * memory from now on; does nothing where WebAssembly SIMD is missing.
 */
export function installLabelCellsThread(minCells = DEFAULT_MIN_CELLS, share = DEFAULT_SHARE): void {
  if (installed) return;
  const module = labelCellsModule();
  if (!module) return;
  installed = true;
  shareLabelTableCounts(true);
  setLabelCellsHelper(new CellsThread(module, minCells, share));
}

/**
 * NODE ONLY: topographic similarity with the pair loop split over worker threads. The maths
 * is that of topsim.ts (the single-thread reference, which this must match exactly): the
 * rows are cut into ranges holding equal numbers of pairs, each worker counts its ranges'
 * joint histogram with the same kernel, and the histograms are summed (integer counts, so
 * the sum — and ρ — is identical to the single-thread result).
 *
 * The workers evaluate the kernel's own source text (PAIR_KERNEL_SOURCE), so they need no
 * module files on disk and run the same code under tsc output and under vitest.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { PAIR_KERNEL_SOURCE, type PairJob, firstPairOfRow } from "./pairKernel.js";
import { type TopsimOptions, type TopsimResult, pairCount, topographicSimilarity, topsimPlan } from "./topsim.js";
import type { DiscreteMapping } from "./types.js";

export interface ParallelOptions {
  /** Worker threads (default: min(2, available cores)); 1 runs in this thread. */
  threads?: number;
  /** Below this many pairs the work runs in this thread (starting workers costs ~50 ms). */
  minPairsForThreads?: number;
}

const WORKER_SOURCE = `
"use strict";
const { parentPort } = require("node:worker_threads");
var __name = (f) => f; // bundlers may wrap functions in __name(...)
${PAIR_KERNEL_SOURCE}
parentPort.on("message", (job) => {
  const hist = pairDistances(job, null);
  parentPort.postMessage(hist, [hist.buffer]);
});
`;

/** Splits rows [0, n) into `parts` consecutive ranges holding about equal numbers of pairs. */
export function balancedRowRanges(n: number, parts: number): Array<[number, number]> {
  const total = pairCount(n);
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let k = 1; k <= parts; k++) {
    let end = n;
    if (k < parts) {
      const target = (total * k) / parts;
      end = start;
      while (end < n && firstPairOfRow(end, n) < target) end++;
    }
    if (end > start) ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

class KernelPool {
  private readonly workers: Worker[];

  constructor(threads: number) {
    this.workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
  }

  private runOn(worker: Worker, job: PairJob): Promise<Float64Array> {
    return new Promise((resolve, reject) => {
      const onMessage = (hist: Float64Array): void => {
        worker.off("error", onError);
        resolve(hist);
      };
      const onError = (error: Error): void => {
        worker.off("message", onMessage);
        reject(error);
      };
      worker.once("message", onMessage);
      worker.once("error", onError);
      worker.postMessage(job);
    });
  }

  /** The histogram of `job`, its rows split over the workers. */
  async histogram(job: PairJob): Promise<Float64Array> {
    const ranges = balancedRowRanges(job.size, this.workers.length);
    const parts = await Promise.all(
      ranges.map(([rowStart, rowEnd], k) => this.runOn(this.workers[k]!, { ...job, rowStart, rowEnd })),
    );
    const sum = new Float64Array(parts[0]!.length);
    for (const part of parts) for (let t = 0; t < sum.length; t++) sum[t]! += part[t]!;
    return sum;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * topographicSimilarity (topsim.ts) on worker threads. Real-valued meaning distances, sampled
 * pairs, and mappings with fewer than `minPairsForThreads` pairs, run in this thread.
 */
export async function topographicSimilarityParallel(
  m: DiscreteMapping,
  options: TopsimOptions & ParallelOptions = {},
): Promise<TopsimResult> {
  const threads = options.threads ?? Math.min(2, availableParallelism());
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const minPairs = options.minPairsForThreads ?? 2_000_000;
  const sampled = options.samplePairs !== undefined && options.samplePairs < pairCount(m.size);
  if (
    (options.meaningDistance ?? "hamming") !== "hamming" ||
    sampled ||
    threads === 1 ||
    pairCount(m.size) < minPairs
  ) {
    return topographicSimilarity(m, options);
  }
  const plan = topsimPlan(m, options);
  const pool = new KernelPool(threads);
  try {
    const histograms: Float64Array[] = [];
    for (const job of plan.jobs) histograms.push(await pool.histogram(job));
    return plan.finish(histograms);
  } finally {
    await pool.close();
  }
}

import { expect } from "vitest";
import type { ResultRow } from "../../src/io/runFolder.js";

/** Rows keyed by every coordinate but the value; fails the test on a duplicated row. */
export function rowsByKey(rows: readonly ResultRow[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const r of rows) {
    const { value, ...rest } = r;
    const key = JSON.stringify(
      Object.keys(rest)
        .sort()
        .map((k) => [k, rest[k]]),
    );
    expect(out.has(key), `duplicated row ${key}`).toBe(false);
    out.set(key, value);
  }
  return out;
}

/** A seq2seq configuration that trains in a second: reverse task, 8 steps, 4 measurements. */
export const TINY_SEQ2SEQ = {
  task: "reverse",
  split: "random",
  steps: 8,
  measurePoints: 4,
  batchSize: 16,
  toyTrain: 64,
  toyTest: 16,
  evalExamples: 16,
  probeInputs: 12,
  checkpointEvery: 2,
} as const;

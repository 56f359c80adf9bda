/**
 * Tiny seeded sequence tasks for tests and smoke runs: copy or reverse a sequence of
 * symbols drawn from a small alphabet. Pure (no I/O).
 */
import { Random } from "../../util/random.js";
import type { Seq2seqExample } from "./scan.js";
import type { TaskSplit } from "./splits.js";

export const TOY_TASKS = ["copy", "reverse"] as const;
export type ToyTask = (typeof TOY_TASKS)[number];

export interface ToyTaskOptions {
  seed: number;
  /** Alphabet size (symbols a, b, c, …), default 5. */
  symbols?: number;
  /** Sequence length, default 5. */
  length?: number;
  train?: number;
  test?: number;
}

export function toyTaskSplit(task: ToyTask, options: ToyTaskOptions): TaskSplit {
  const symbols = options.symbols ?? 5;
  const length = options.length ?? 5;
  if (!Number.isInteger(symbols) || symbols < 2 || symbols > 26)
    throw new RangeError(`toy task: symbols must be an integer in [2, 26], got ${symbols}`);
  if (!Number.isInteger(length) || length < 1)
    throw new RangeError(`toy task: length must be a positive integer, got ${length}`);
  const rng = new Random(options.seed);
  const letters = Array.from({ length: symbols }, (_, i) => String.fromCharCode(97 + i));
  const example = (): Seq2seqExample => {
    const input = Array.from({ length }, () => letters[rng.int(symbols)]!);
    const output = (task === "reverse" ? [...input].reverse() : input).map((w) => w.toUpperCase());
    return { input, output };
  };
  const train = Array.from({ length: options.train ?? 500 }, example);
  const iidTest = Array.from({ length: options.test ?? 100 }, example);
  return { task, split: "random", train, iidTest, oodTest: [] };
}

/**
 * SCAN's standard splits, seeded, each with an iid test (held out from the training
 * distribution) and, where the split defines one, an out-of-distribution test:
 * - `random`: 80 % train / 20 % test of all commands; no OOD test.
 * - `jump` (add-primitive "jump"): training holds "jump" only alone (repeated 1,467
 *   times as in the released split, so that it is seen), never composed; the OOD test is
 *   every composed command containing "jump" (7,706).
 * - `length`: training holds commands whose action sequence has ≤ 22 actions; the OOD
 *   test holds the longer ones (16,990 / 3,920).
 * The iid test is a seeded `iidFraction` of the training-distribution commands (the
 * "jump" primitive always stays in training). Pure (no I/O).
 */
import { Random } from "../../util/random.js";
import { allScanExamples, type Seq2seqExample } from "./scan.js";

export const SCAN_SPLITS = ["random", "jump", "length"] as const;
export type ScanSplit = (typeof SCAN_SPLITS)[number];

/** Copies of the lone "jump" command in the released add-primitive training set (14,670 − 13,203). */
export const JUMP_PRIMITIVE_REPEATS = 1467;
/** Longest action sequence in the length split's training set. */
export const LENGTH_SPLIT_MAX_TRAIN_ACTIONS = 22;

export interface TaskSplit {
  task: string;
  split: string;
  train: Seq2seqExample[];
  iidTest: Seq2seqExample[];
  /** Empty where the split has no out-of-distribution test. */
  oodTest: Seq2seqExample[];
}

export interface SplitSizes {
  train: number;
  trainDistinct: number;
  iidTest: number;
  oodTest: number;
}

export interface ScanSplitOptions {
  seed: number;
  /** Share of the training-distribution commands held out as the iid test (random split: 0.2). */
  iidFraction?: number;
  /** Copies of "jump" in the add-jump training set (default 1,467, as released). */
  jumpRepeats?: number;
}

export function scanSplit(split: ScanSplit, options: ScanSplitOptions): TaskSplit {
  const all = allScanExamples();
  const rng = new Random(options.seed);
  const iidFraction = options.iidFraction ?? (split === "random" ? 0.2 : 0.1);
  if (!(iidFraction >= 0 && iidFraction < 1)) throw new RangeError(`iidFraction must be in [0, 1), got ${iidFraction}`);
  const isJumpPrimitive = (e: Seq2seqExample): boolean => e.input.length === 1 && e.input[0] === "jump";
  let pool: Seq2seqExample[];
  let oodTest: Seq2seqExample[];
  let fixedTrain: Seq2seqExample[] = [];
  switch (split) {
    case "random":
      pool = all;
      oodTest = [];
      break;
    case "jump": {
      const repeats = options.jumpRepeats ?? JUMP_PRIMITIVE_REPEATS;
      if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`jumpRepeats must be an integer ≥ 1, got ${repeats}`);
      pool = all.filter((e) => !e.input.includes("jump"));
      oodTest = all.filter((e) => e.input.includes("jump") && !isJumpPrimitive(e));
      const jump = all.find(isJumpPrimitive)!;
      fixedTrain = Array.from({ length: repeats }, () => jump);
      break;
    }
    case "length":
      pool = all.filter((e) => e.output.length <= LENGTH_SPLIT_MAX_TRAIN_ACTIONS);
      oodTest = all.filter((e) => e.output.length > LENGTH_SPLIT_MAX_TRAIN_ACTIONS);
      break;
    default:
      throw new RangeError(`unknown SCAN split "${String(split)}" (known: ${SCAN_SPLITS.join(", ")})`);
  }
  const order = rng.permutation(pool.length);
  const nTest = Math.round(pool.length * iidFraction);
  const iidTest: Seq2seqExample[] = [];
  const train: Seq2seqExample[] = [...fixedTrain];
  for (let k = 0; k < order.length; k++) (k < nTest ? iidTest : train).push(pool[order[k]!]!);
  rng.shuffle(train);
  return { task: "scan", split, train, iidTest, oodTest };
}

export function splitSizes(split: TaskSplit): SplitSizes {
  return {
    train: split.train.length,
    trainDistinct: new Set(split.train.map((e) => e.input.join(" "))).size,
    iidTest: split.iidTest.length,
    oodTest: split.oodTest.length,
  };
}

/**
 * SCAN's standard splits, seeded, each with an iid test (held out from the training
 * distribution) and, where the split defines one, an out-of-distribution test:
 * - `random`: 80 % train / 20 % test of all commands; no OOD test.
 * - `jump` (add-primitive "jump"): training holds "jump" only alone (repeated 1,467
 *   times as in the released split, so that it is seen), never composed; the OOD test is
 *   every composed command containing "jump" (7,706).
 * - `turn-left` (add-primitive "turn left", Lake & Baroni 2018): the same rule for the
 *   bigram "turn left": training holds it only as the bare command (repeated 2,189 times,
 *   which with the 19,701 other commands gives the released 21,890 training lines); the
 *   OOD test is every other command containing "turn left" (1,208, as released). "turn
 *   opposite left" / "turn around left" and LTURN in "walk left" stay in training, which
 *   is why transformers generalise here and not on `jump`.
 * - `around-right` (template split, Loula et al. 2018): training holds no command with
 *   "around right" in either conjunct (15,225); the OOD test is every command with
 *   "X around right", X a primitive verb (walk, look, run, jump), in any position (4,476).
 *   As released, the 1,209 commands containing "turn around right" are in neither set.
 *   "around left" and "opposite right" stay in training: the template is new, its parts
 *   are not.
 * - `length`: training holds commands whose action sequence has ≤ 22 actions; the OOD
 *   test holds the longer ones (16,990 / 3,920).
 * The iid test is a seeded `iidFraction` of the training-distribution commands (a repeated
 * primitive always stays in training). Pure (no I/O).
 */
import { Random } from "../../util/random.js";
import { allScanExamples, type Seq2seqExample } from "./scan.js";

export const SCAN_SPLITS = ["random", "jump", "turn-left", "around-right", "length"] as const;
export type ScanSplit = (typeof SCAN_SPLITS)[number];

/** Copies of the lone "jump" command in the released add-primitive training set (14,670 − 13,203). */
export const JUMP_PRIMITIVE_REPEATS = 1467;
/** Copies of the bare "turn left" in the released add-primitive training set (21,890 − 19,701). */
export const TURN_LEFT_PRIMITIVE_REPEATS = 2189;
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
  /** Copies of "turn left" in the add-turn-left training set (default 2,189, as released). */
  turnLeftRepeats?: number;
}

export function scanSplit(split: ScanSplit, options: ScanSplitOptions): TaskSplit {
  const all = allScanExamples();
  const rng = new Random(options.seed);
  const iidFraction = options.iidFraction ?? (split === "random" ? 0.2 : 0.1);
  if (!(iidFraction >= 0 && iidFraction < 1)) throw new RangeError(`iidFraction must be in [0, 1), got ${iidFraction}`);
  let pool: Seq2seqExample[];
  let oodTest: Seq2seqExample[];
  let fixedTrain: Seq2seqExample[] = [];
  switch (split) {
    case "random":
      pool = all;
      oodTest = [];
      break;
    case "jump":
      ({ pool, oodTest, fixedTrain } = addPrimitive(
        all,
        ["jump"],
        options.jumpRepeats ?? JUMP_PRIMITIVE_REPEATS,
        "jumpRepeats",
      ));
      break;
    case "turn-left":
      ({ pool, oodTest, fixedTrain } = addPrimitive(
        all,
        ["turn", "left"],
        options.turnLeftRepeats ?? TURN_LEFT_PRIMITIVE_REPEATS,
        "turnLeftRepeats",
      ));
      break;
    case "around-right":
      pool = all.filter((e) => !containsPhrase(e.input, ["around", "right"]));
      oodTest = all.filter(
        (e) => containsPhrase(e.input, ["around", "right"]) && !containsPhrase(e.input, ["turn", "around", "right"]),
      );
      break;
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

/** Whether `words` holds `phrase` as consecutive words. */
export function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  for (let i = 0; i + phrase.length <= words.length; i++) if (phrase.every((w, k) => words[i + k] === w)) return true;
  return false;
}

/**
 * Add-primitive split: the primitive command alone (repeated `repeats` times) is the only
 * training command containing it; every composed command containing it is the OOD test.
 */
function addPrimitive(
  all: readonly Seq2seqExample[],
  primitive: readonly string[],
  repeats: number,
  field: string,
): { pool: Seq2seqExample[]; oodTest: Seq2seqExample[]; fixedTrain: Seq2seqExample[] } {
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new RangeError(`${field} must be an integer ≥ 1, got ${repeats}`);
  const isBare = (e: Seq2seqExample): boolean =>
    e.input.length === primitive.length && containsPhrase(e.input, primitive);
  const bare = all.find(isBare);
  if (!bare) throw new RangeError(`SCAN has no command "${primitive.join(" ")}"`);
  return {
    pool: all.filter((e) => !containsPhrase(e.input, primitive)),
    oodTest: all.filter((e) => containsPhrase(e.input, primitive) && !isBare(e)),
    fixedTrain: Array.from({ length: repeats }, () => bare),
  };
}

export function splitSizes(split: TaskSplit): SplitSizes {
  return {
    train: split.train.length,
    trainDistinct: new Set(split.train.map((e) => e.input.join(" "))).size,
    iidTest: split.iidTest.length,
    oodTest: split.oodTest.length,
  };
}

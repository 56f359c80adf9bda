/**
 * Everything a seq2seq run needs from its task, prepared once: the split, vocabularies,
 * encoded training set, fixed evaluation subsets, the probe inputs whose encoder states are
 * measured (with their word categories), and meta-learning neighbours. Pure (no I/O).
 */
import { Random } from "../../util/random.js";
import type { Seq2seqConfig } from "./config.js";
import {
  buildVocabularies,
  encodeExamples,
  requiredLengths,
  type EncodedExamples,
  type Vocabularies,
} from "./encoding.js";
import { nearestNeighbours, type NeighbourList } from "./neighbours.js";
import { SCAN_CATEGORY_NAMES, SCAN_WORD_CATEGORIES, type Seq2seqExample } from "./scan.js";
import { scanSplit, splitSizes, type SplitSizes, type TaskSplit } from "./splits.js";
import { toyTaskSplit } from "./toyTasks.js";

export interface PreparedTask {
  split: TaskSplit;
  sizes: SplitSizes;
  vocab: Vocabularies;
  lengths: { src: number; tgt: number };
  train: EncodedExamples;
  iidEval: EncodedExamples;
  oodEval: EncodedExamples;
  /** Distinct training inputs whose encoder states are measured. */
  probe: EncodedExamples;
  /** POS code (index into posNames) of each source id; undefined for padding or unknown words. */
  posOfSource: (id: number) => number | undefined;
  posNames: readonly string[];
  /** Meta-test candidates for each training row (only when a meta regime is requested). */
  neighbours?: NeighbourList[];
}

function subset<T>(items: readonly T[], count: number, rng: Random): T[] {
  if (count === 0 || count >= items.length) return [...items];
  const order = rng.permutation(items.length);
  return Array.from(order.subarray(0, count), (i) => items[i]!);
}

export function loadSplit(config: Seq2seqConfig, seed: number): TaskSplit {
  if (config.task === "scan") return scanSplit(config.split, { seed });
  return toyTaskSplit(config.task, { seed, train: config.toyTrain, test: config.toyTest });
}

/** Prepares the task; the split and subsets depend on `dataSeed` only (shared by all models of a run). */
export function prepareTask(config: Seq2seqConfig, dataSeed: number): PreparedTask {
  const split = loadSplit(config, dataSeed);
  const everything: Seq2seqExample[] = [...split.train, ...split.iidTest, ...split.oodTest];
  const vocab = buildVocabularies(everything);
  const lengths = requiredLengths(everything);
  const rng = new Random(dataSeed ^ 0x7e57);
  const encode = (xs: readonly Seq2seqExample[]): EncodedExamples =>
    encodeExamples(xs, vocab, lengths.src, lengths.tgt);
  const distinct = [...new Map(split.train.map((e) => [e.input.join(" "), e])).values()];
  const posNames = config.task === "scan" ? SCAN_CATEGORY_NAMES : [];
  const posIndex = new Map<string, number>(posNames.map((n, i) => [n, i]));
  const posOfSource = (id: number): number | undefined => {
    const word = vocab.source[id] as keyof typeof SCAN_WORD_CATEGORIES | undefined;
    if (!word || id === 0 || config.task !== "scan") return undefined;
    return posIndex.get(SCAN_WORD_CATEGORIES[word]);
  };
  const prepared: PreparedTask = {
    split,
    sizes: splitSizes(split),
    vocab,
    lengths,
    train: encode(split.train),
    iidEval: encode(subset(split.iidTest, config.evalExamples, rng)),
    oodEval: encode(subset(split.oodTest, config.evalExamples, rng)),
    probe: encode(subset(distinct, config.probeInputs, rng)),
    posOfSource,
    posNames,
  };
  if (config.regimes.includes("meta"))
    prepared.neighbours = nearestNeighbours(
      split.train.map((e) => e.input),
      { k: config.metaNeighbours },
    );
  return prepared;
}

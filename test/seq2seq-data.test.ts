import { describe, expect, it } from "vitest";
import { allScanExamples, interpretScan, SCAN_WORD_CATEGORIES } from "../src/experiments/seq2seq/scan.js";
import {
  containsPhrase,
  LENGTH_SPLIT_MAX_TRAIN_ACTIONS,
  scanSplit,
  splitSizes,
} from "../src/experiments/seq2seq/splits.js";
import {
  drawWeighted,
  editDistance,
  nearestInputs,
  nearestNeighbours,
  partnerWeights,
} from "../src/experiments/seq2seq/neighbours.js";
import {
  logSpacedSteps,
  presetConfig,
  validateSeq2seqConfig,
  PRESETS,
  type Seq2seqConfig,
} from "../src/experiments/seq2seq/config.js";
import { buildVocabularies, encodeExamples, trimPadding, EOS } from "../src/experiments/seq2seq/encoding.js";
import { toyTaskSplit } from "../src/experiments/seq2seq/toyTasks.js";
import { Random } from "../src/util/random.js";

const act = (c: string): string => interpretScan(c).join(" ");

describe("SCAN grammar", () => {
  it("interprets the known examples", () => {
    expect(act("jump twice")).toBe("JUMP JUMP");
    expect(act("turn left")).toBe("LTURN");
    expect(act("turn right thrice")).toBe("RTURN RTURN RTURN");
    expect(act("walk left")).toBe("LTURN WALK");
    expect(act("run opposite right")).toBe("RTURN RTURN RUN");
    expect(act("turn opposite left")).toBe("LTURN LTURN");
    expect(act("turn around right")).toBe("RTURN RTURN RTURN RTURN");
    expect(act("walk around right")).toBe("RTURN WALK RTURN WALK RTURN WALK RTURN WALK");
    expect(act("look and jump")).toBe("LOOK JUMP");
    expect(act("look after jump twice")).toBe("JUMP JUMP LOOK");
    expect(act("jump around left twice and walk opposite right thrice")).toBe(
      "LTURN JUMP LTURN JUMP LTURN JUMP LTURN JUMP LTURN JUMP LTURN JUMP LTURN JUMP LTURN JUMP RTURN RTURN WALK RTURN RTURN WALK RTURN RTURN WALK",
    );
  });

  it("generates all 20,910 distinct commands, inputs ≤ 9 words and outputs ≤ 48 actions", () => {
    const all = allScanExamples();
    expect(all.length).toBe(20910);
    expect(new Set(all.map((e) => e.input.join(" "))).size).toBe(20910);
    expect(Math.max(...all.map((e) => e.input.length))).toBe(9);
    expect(Math.max(...all.map((e) => e.output.length))).toBe(48);
    const words = new Set(all.flatMap((e) => e.input));
    expect([...words].sort()).toEqual(Object.keys(SCAN_WORD_CATEGORIES).sort());
  });

  it("rejects commands outside the grammar", () => {
    expect(() => interpretScan("fly twice")).toThrow(/primitive/);
    expect(() => interpretScan("walk up")).toThrow(/directed primitive/);
  });
});

describe("SCAN splits", () => {
  it("add-jump: training holds jump only alone; the OOD test is every composed jump command", () => {
    const s = scanSplit("jump", { seed: 3, iidFraction: 0 });
    const sizes = splitSizes(s);
    expect(sizes).toEqual({ train: 14670, trainDistinct: 13204, iidTest: 0, oodTest: 7706 });
    for (const e of s.train) if (e.input.includes("jump")) expect(e.input).toEqual(["jump"]);
    for (const e of s.oodTest) {
      expect(e.input).toContain("jump");
      expect(e.input.length).toBeGreaterThan(1);
    }
  });

  it('add-turn-left: training holds "turn left" only alone; the OOD test is every composed command with it (released 21,890 / 1,208)', () => {
    const s = scanSplit("turn-left", { seed: 2, iidFraction: 0 });
    expect(splitSizes(s)).toEqual({ train: 21890, trainDistinct: 19702, iidTest: 0, oodTest: 1208 });
    const bare = s.train.filter((e) => containsPhrase(e.input, ["turn", "left"]));
    expect(bare.length).toBe(2189);
    for (const e of bare) expect(e.input).toEqual(["turn", "left"]);
    // The other left turns stay in training: LTURN is seen, only the phrase is new in composition.
    const trainText = new Set(s.train.map((e) => e.input.join(" ")));
    for (const c of ["turn opposite left", "turn around left twice", "walk left and run"])
      expect(trainText.has(c)).toBe(true);
    // OOD = exactly the composed commands containing the bigram.
    const expected = allScanExamples()
      .filter((e) => containsPhrase(e.input, ["turn", "left"]) && e.input.length > 2)
      .map((e) => e.input.join(" "));
    expect(s.oodTest.map((e) => e.input.join(" ")).sort()).toEqual(expected.sort());
    expect(act("turn left twice after walk")).toBe("WALK LTURN LTURN");
    // The iid test never holds the bare primitive.
    const withIid = scanSplit("turn-left", { seed: 2 });
    for (const e of withIid.iidTest) expect(containsPhrase(e.input, ["turn", "left"])).toBe(false);
    expect(withIid.train.length + withIid.iidTest.length).toBe(21890);
  });

  it('around-right template: no "around right" in training; OOD = every "X around right" command, X a verb (released 15,225 / 4,476)', () => {
    const s = scanSplit("around-right", { seed: 4, iidFraction: 0 });
    expect(splitSizes(s)).toEqual({ train: 15225, trainDistinct: 15225, iidTest: 0, oodTest: 4476 });
    for (const e of s.train) expect(containsPhrase(e.input, ["around", "right"])).toBe(false);
    const verbAroundRight = (words: readonly string[]): boolean =>
      ["walk", "look", "run", "jump"].some((v) => containsPhrase(words, [v, "around", "right"]));
    const expected = allScanExamples()
      .filter((e) => verbAroundRight(e.input) && !containsPhrase(e.input, ["turn", "around", "right"]))
      .map((e) => e.input.join(" "));
    expect(s.oodTest.map((e) => e.input.join(" ")).sort()).toEqual(expected.sort());
    // In any position: first or second conjunct, and under twice/thrice.
    const ood = new Set(s.oodTest.map((e) => e.input.join(" ")));
    for (const c of [
      "jump around right",
      "walk around right thrice",
      "look and run around right twice",
      "run around right after turn left",
    ])
      expect(ood.has(c)).toBe(true);
    // As released, commands with "turn around right" are in neither set (15,225 + 4,476 + 1,209 = 20,910).
    const dropped = allScanExamples().filter((e) => containsPhrase(e.input, ["turn", "around", "right"]));
    expect(dropped.length).toBe(1209);
    expect(s.train.length + s.oodTest.length + dropped.length).toBe(20910);
    const trainText = new Set(s.train.map((e) => e.input.join(" ")));
    for (const c of ["walk around left", "walk opposite right", "turn right twice"])
      expect(trainText.has(c)).toBe(true);
  });

  it("containsPhrase matches consecutive words only", () => {
    expect(containsPhrase(["walk", "around", "right"], ["around", "right"])).toBe(true);
    expect(containsPhrase(["turn", "right", "and", "walk", "around", "left"], ["around", "right"])).toBe(false);
    expect(containsPhrase(["turn"], ["turn", "left"])).toBe(false);
  });

  it("length: training ≤ 22 actions, OOD test longer (16,990 / 3,920)", () => {
    const s = scanSplit("length", { seed: 1, iidFraction: 0.1 });
    expect(s.train.length + s.iidTest.length).toBe(16990);
    expect(s.oodTest.length).toBe(3920);
    expect(Math.max(...s.train.map((e) => e.output.length))).toBe(LENGTH_SPLIT_MAX_TRAIN_ACTIONS);
    // No command has exactly 23 actions: the shortest OOD outputs have 24.
    expect(Math.min(...s.oodTest.map((e) => e.output.length))).toBe(24);
  });

  it("random: 80/20, no OOD test, disjoint, seeded", () => {
    const a = scanSplit("random", { seed: 7 });
    expect([a.train.length, a.iidTest.length, a.oodTest.length]).toEqual([16728, 4182, 0]);
    const train = new Set(a.train.map((e) => e.input.join(" ")));
    for (const e of a.iidTest) expect(train.has(e.input.join(" "))).toBe(false);
    expect(scanSplit("random", { seed: 7 }).train.slice(0, 5)).toEqual(a.train.slice(0, 5));
    expect(scanSplit("random", { seed: 8 }).train.slice(0, 5)).not.toEqual(a.train.slice(0, 5));
  });
});

describe("encoding", () => {
  it("encodes with PAD 0 and a final EOS, and trims trailing padding", () => {
    const examples = [
      { input: ["a", "b"], output: ["X"] },
      { input: ["b"], output: ["Y", "X"] },
    ];
    const vocab = buildVocabularies(examples);
    expect(vocab.target.slice(0, 3)).toEqual(["<pad>", "<bos>", "<eos>"]);
    const enc = encodeExamples(examples, vocab, 4, 5);
    expect([...enc.src]).toEqual([1, 2, 0, 0, 2, 0, 0, 0]);
    expect([...enc.tgt]).toEqual([3, EOS, 0, 0, 0, 4, 3, EOS, 0, 0]);
    const t = trimPadding(enc);
    expect([t.srcLength, t.tgtLength]).toEqual([2, 3]);
    expect([...t.tgt]).toEqual([3, EOS, 0, 4, 3, EOS]);
    expect(() => encodeExamples(examples, vocab, 1, 5)).toThrow(/more than the model's 1/);
  });

  it("toy tasks copy and reverse", () => {
    const r = toyTaskSplit("reverse", { seed: 1, train: 3, test: 1, length: 4 });
    for (const e of r.train) expect(e.output).toEqual([...e.input].reverse().map((w) => w.toUpperCase()));
  });
});

describe("edit-distance neighbours", () => {
  it("matches brute force on random short sequences", () => {
    const rng = new Random(5);
    const words = ["a", "b", "c"];
    const inputs = Array.from({ length: 60 }, () => Array.from({ length: 1 + rng.int(4) }, () => words[rng.int(3)]!));
    const k = 4;
    const got = nearestInputs(inputs, { k, maxDistance: 2 });
    const lists = nearestNeighbours(inputs, { k, maxDistance: 2 });
    inputs.forEach((x, i) => {
      expect([...lists[i]!.indices]).toEqual([...got[i]!]);
      expect([...lists[i]!.distances]).toEqual([...got[i]!].map((j) => editDistance(x, inputs[j]!)));
      const text = x.join(" ");
      const firstOf = new Map<string, number>();
      inputs.forEach((y, j) => void (firstOf.has(y.join(" ")) || firstOf.set(y.join(" "), j)));
      const candidates = [...firstOf.entries()]
        .filter(([t]) => t !== text)
        .map(([t, j]) => ({ j, d: editDistance(x, t.split(" ")) }))
        .filter((c) => c.d <= 2)
        .sort((p, q) => p.d - q.d || p.j - q.j)
        .slice(0, k);
      expect([...got[i]!]).toEqual(candidates.map((c) => c.j));
    });
  });

  it("DG-MAML partners: softmax(−distance/τ) weights, drawn in proportion", () => {
    const w = partnerWeights([1, 1, 2], 1);
    const z = 2 * Math.exp(-1) + Math.exp(-2);
    expect([...w].map((v) => v * z)).toEqual(
      [Math.exp(-1), Math.exp(-1), Math.exp(-2)].map((v) => expect.closeTo(v, 12)),
    );
    expect([...partnerWeights([1, 2], 1e9)].every((v) => Math.abs(v - 0.5) < 1e-6)).toBe(true);
    expect(() => partnerWeights([1], 0)).toThrow(/temperature/);
    const rng = new Random(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[drawWeighted(w, rng.uniform())]! += 1;
    counts.forEach((c, i) => expect(c / 20000).toBeCloseTo(w[i]!, 1));
    expect(drawWeighted(w, 0)).toBe(0);
    expect(drawWeighted(w, 0.999999999)).toBe(2);
  });

  it("computes token-level Levenshtein", () => {
    expect(editDistance(["walk", "twice"], ["walk", "thrice"])).toBe(1);
    expect(editDistance(["walk"], ["jump", "left", "twice"])).toBe(3);
    expect(editDistance([], ["a"])).toBe(1);
  });
});

describe("configuration", () => {
  it("log-spaced steps start at 0 and end at the last step", () => {
    expect(logSpacedSteps(1000, 5)).toEqual([0, 1, 10, 100, 1000]);
    expect(logSpacedSteps(3, 8)).toEqual([0, 1, 2, 3]);
  });

  it("presets are valid; bad configurations fail naming the field", () => {
    for (const name of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) expect(() => presetConfig(name)).not.toThrow();
    const bad =
      (patch: Partial<Seq2seqConfig>): (() => void) =>
      () =>
        validateSeq2seqConfig({ ...presetConfig("quick"), ...patch });
    expect(bad({ split: "lenght" as never })).toThrow(/"split" must be one of/);
    expect(bad({ sizes: ["huge" as never] })).toThrow(/"size" must be one of/);
    expect(bad({ steps: 0 })).toThrow(/"steps" must be an integer ≥ 1/);
    expect(bad({ learningRate: 2 })).toThrow(/learningRate/);
    expect(bad({ task: "copy", split: "jump" })).toThrow(/only the random split/);
    expect(bad({ seeds: [] })).toThrow(/seeds/);
    expect(bad({ measurePoints: 50, steps: 10 })).toThrow(/measurePoints/);
  });
});

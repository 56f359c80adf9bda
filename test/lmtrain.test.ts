import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tsBackend } from "../src/compute/ts.js";
import { readRunFolder } from "../src/io/runFolder.js";
import { tokenizeCorpus } from "../src/labels/lmLabels.js";
import { measureCells, measureContext } from "../src/experiments/lm/measureModel.js";
import { LM_TRAIN_DEFAULTS, corpusPath, type LmTrainingConfig } from "../src/experiments/lmtrain/config.js";
import {
  TrainedLanguageModel,
  loadStepCheckpoint,
  prepareCorpus,
  runLmTraining,
  saveStepCheckpoint,
} from "../src/experiments/lmtrain/experiment.js";
import {
  initLmParameters,
  languageModelLoss,
  lmParameterCount,
  lmParameterShapes,
  residualStates,
  type LmModelConfig,
} from "../src/experiments/lmtrain/model.js";
import { summariseLayers } from "../src/experiments/lmtrain/summary.js";
import { PAD_ID, UNKNOWN_ID, WordTokenizer, pretokens } from "../src/experiments/lmtrain/tokenizer.js";
import { LmTrainer } from "../src/experiments/lmtrain/trainer.js";
import type { JournalRow } from "../src/experiments/seq2seq/summary.js";
import { padBatch } from "../src/sources/onnxModel.js";
import { tf, useTfBackend } from "../src/experiments/tfSetup.js";
import { readCorpus } from "../src/sources/corpus.js";

beforeAll(async () => {
  await useTfBackend("wasm");
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const GENESIS = readCorpus(corpusPath(LM_TRAIN_DEFAULTS)).documents;

describe("the committed corpus", () => {
  it("is the King James Genesis, 50 chapters, one per line", () => {
    expect(GENESIS).toHaveLength(50);
    expect(GENESIS[0]!.startsWith("In the beginning God created the heaven and the earth.")).toBe(true);
    expect(GENESIS[49]!.endsWith("and he was put in a coffin in Egypt.")).toBe(true);
  });
});

describe("the word tokenizer", () => {
  const docs = ["the cat sat on the mat.", "the dog sat, the cat ran!"];
  const tok = WordTokenizer.fromCorpus(docs, 40);

  it("splits like GPT-2's pre-tokenizer and decodes back to the text", () => {
    expect(pretokens("the cat, sat 7!  x")).toEqual(["the", " cat", ",", " sat", " 7", "!", "  ", "x"]);
    for (const text of [...docs, "the rat sat on a cod.", "  a cat  sat"])
      expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it("keeps frequent pre-tokens whole, spells out the rest, and maps unseen characters to the unknown id", () => {
    expect(tok.encode(" cat")).toHaveLength(1);
    expect(tok.encode(" zebra").length).toBeGreaterThan(1); // not in the corpus: characters (z is unknown)
    expect(tok.encode("z")).toEqual([UNKNOWN_ID]);
    expect(tok.decode([UNKNOWN_ID])).toBe("\uFFFD");
    expect(tok.encode(docs.join(" "))).not.toContain(PAD_ID);
    expect(tok.vocabSize).toBeLessThanOrEqual(40);
    expect(WordTokenizer.fromCorpus(GENESIS, 1000).vocabSize).toBe(1000);
  });

  it("learns the same vocabulary from the same text and refuses bad settings", () => {
    expect(WordTokenizer.fromCorpus(docs, 40).pieces).toEqual(tok.pieces);
    expect(() => WordTokenizer.fromCorpus(docs, 2)).toThrow(/vocabulary size/);
    expect(() => new WordTokenizer(["a", "b"])).toThrow(/padding/);
  });
});

const MODEL: LmModelConfig = { width: 16, heads: 2, layers: 2, ffMultiplier: 2, dropout: 0.1, vocab: 30 };

describe("the causal language model", () => {
  it("has the parameters its shapes list, and one residual state per layer plus the embeddings", () => {
    const params = initLmParameters(tf, MODEL, 1);
    expect([...params.keys()]).toEqual(lmParameterShapes(MODEL).map(([n]) => n));
    expect(lmParameterCount(MODEL)).toBe([...params.values()].reduce((a, t) => a + t.size, 0));
    const ids = tf.tensor([[1, 2, 3, 4]], [1, 4], "int32");
    const states = residualStates({ tf, p: params, c: MODEL }, ids);
    expect(states).toHaveLength(MODEL.layers + 1);
    for (const s of states) expect(s.shape).toEqual([1, 4, MODEL.width]);
  });

  it("is causal: changing a later token leaves every layer's earlier states alone", () => {
    const p = initLmParameters(tf, MODEL, 2);
    const a = residualStates({ tf, p, c: MODEL }, tf.tensor([[5, 6, 7, 8]], [1, 4], "int32"));
    const b = residualStates({ tf, p, c: MODEL }, tf.tensor([[5, 6, 7, 9]], [1, 4], "int32"));
    for (let l = 0; l <= MODEL.layers; l++) {
      const x = a[l]!.arraySync() as number[][][];
      const y = b[l]!.arraySync() as number[][][];
      expect(x[0]!.slice(0, 3)).toEqual(y[0]!.slice(0, 3));
      expect(x[0]![3]).not.toEqual(y[0]![3]);
    }
  });

  it("starts near the uniform loss ln V", () => {
    const p = initLmParameters(tf, { ...MODEL, dropout: 0 }, 3);
    const windows = tf.tensor([Array.from({ length: 9 }, (_, i) => (i * 7) % 30)], [1, 9], "int32");
    const loss = languageModelLoss({ tf, p, c: { ...MODEL, dropout: 0 } }, windows).dataSync()[0]!;
    expect(Math.abs(loss - Math.log(30))).toBeLessThan(1.5);
  });
});

describe("the LM trainer", () => {
  const stream = Int32Array.from({ length: 400 }, (_, i) => 2 + (i % 7)); // a repeating sequence
  const config = { seed: 4, batchSize: 4, context: 8, learningRate: 3e-3 };

  it("learns a repeating sequence", () => {
    const t = new LmTrainer(tf, MODEL, config, stream);
    const first = t.trainStep();
    let last = first;
    for (let s = 0; s < 40; s++) last = t.trainStep();
    expect(last).toBeLessThan(first / 2);
    t.dispose();
  });

  it("is deterministic for a seed and resumes exactly from a saved checkpoint", () => {
    const straight = new LmTrainer(tf, MODEL, config, stream);
    for (let s = 0; s < 6; s++) straight.trainStep();
    const first = new LmTrainer(tf, MODEL, config, stream);
    for (let s = 0; s < 3; s++) first.trainStep();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lmtrain-ckpt-"));
    dirs.push(dir);
    const snap = first.snapshot();
    saveStepCheckpoint(path.join(dir, "step3.json"), 3, snap.params, snap.adam);
    first.dispose();
    const resumed = new LmTrainer(tf, MODEL, config, stream);
    resumed.restore(loadStepCheckpoint(path.join(dir, "step3.json"))!);
    expect(resumed.step).toBe(3);
    for (let s = 0; s < 3; s++) resumed.trainStep();
    for (const [name, t] of straight.params) expect(resumed.params.get(name)!.dataSync()).toEqual(t.dataSync());
    expect(resumed.windows(9)).toEqual(straight.windows(9));
    straight.dispose();
    resumed.dispose();
  });

  it("refuses a text shorter than one window", () => {
    expect(() => new LmTrainer(tf, MODEL, config, new Int32Array(5))).toThrow(/fewer than one window/);
  });
});

describe("measuring a trained model with glossa lm's code", () => {
  const config: LmTrainingConfig = { ...LM_TRAIN_DEFAULTS, vocabSize: 200, context: 16, probeTokens: 200 };
  const corpus = prepareCorpus(config, GENESIS);

  it("gives glossa lm the residual states of the real positions, unchanged by right padding", async () => {
    const c = { ...MODEL, vocab: corpus.tokenizer.vocabSize };
    const p = initLmParameters(tf, c, 1);
    const lm = new TrainedLanguageModel(tf, p, c, corpus.tokenizer);
    expect(lm.layerCount).toBe(3);
    const short = corpus.probe.sequences[0]!.ids.slice(0, 5);
    const alone = await lm.forward(padBatch([short], 0), [0, 2]);
    const padded = await lm.forward(padBatch([short, corpus.probe.sequences[1]!.ids], 0), [0, 2]);
    const L = padded.states[0]!.length / (2 * c.width);
    expect(padded.width).toBe(c.width);
    for (const i of [0, 1]) {
      const direct = residualStates({ tf, p, c }, tf.tensor([Array.from(short)], [1, 5], "int32"))[i === 0 ? 0 : 2]!;
      expect(Array.from(alone.states[i]!)).toEqual(Array.from(direct.dataSync()));
      // Padding after the real tokens changes nothing but float rounding (other matrix shapes).
      const diff = padded.states[i]!.subarray(0, 5 * c.width).map((v, k) => Math.abs(v - alone.states[i]![k]!));
      expect(Math.max(...diff)).toBeLessThan(1e-4);
    }
    expect(L).toBeGreaterThan(5);
  });

  it("keeps the held-out chapters out of training, and counts per group without changing the estimate", async () => {
    expect(corpus.probe.tokens).toBe(200);
    const trainTokens = tokenizeCorpus(GENESIS.slice(0, 45), corpus.tokenizer, { maxLength: 1 << 30 }).tokens;
    expect(corpus.train.length).toBe(trainTokens);
    const c = { ...MODEL, vocab: corpus.tokenizer.vocabSize };
    const lm = new TrainedLanguageModel(tf, initLmParameters(tf, c, 1), c, corpus.tokenizer);
    const settings = {
      labels: config.labels,
      batchSize: 4,
      anchors: { n: 20, seed: 0 },
      calibration: "exact" as const,
      bins: 20,
      nullShadows: 0,
      backend: tsBackend,
    };
    const todo = [{ layer: 2, estimator: "soft" as const }];
    const plain = await measureCells(
      lm,
      "t",
      corpus.probe,
      todo,
      settings,
      measureContext(() => {}),
    );
    const grouped = await measureCells(
      lm,
      "t",
      corpus.probe,
      todo,
      { ...settings, bootstrapGroups: 3 },
      measureContext(() => {}),
    );
    expect(plain.tokens).toBe(200);
    const a = plain.cells[0]!.accumulator.result();
    const b = grouped.cells[0]!.accumulator.result();
    expect(b.entropy).toBeCloseTo(a.entropy, 10);
    expect(b.rows).toBe(a.rows);
    expect(Object.keys(b.labelSets).sort()).toEqual(["bigram", "pos", "token"]);
  });
});

describe("the lmtrain experiment", () => {
  it("checkpoints and measures every layer at log-spaced steps; a resume recomputes nothing (also when fewer held-out tokens exist than asked for)", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "lmtrain-run-"));
    dirs.push(out);
    const config: LmTrainingConfig = {
      ...LM_TRAIN_DEFAULTS,
      vocabSize: 200,
      context: 16,
      steps: 6,
      batchSize: 4,
      measurePoints: 3,
      // More than the held-out chapters hold: all of them are measured, and run.json keeps the
      // setting as asked (a resume compares it) beside the count measured.
      probeTokens: 1_000_000,
      nullShadows: 2,
      bootstrapGroups: 4,
      bootstrapResamples: 10,
      sizes: ["w32"],
    };
    const first = await runLmTraining(config, { out, log: () => {} });
    const steps = [...new Set(first.rows.map((r) => r.step))].sort((a, b) => Number(a) - Number(b));
    expect(steps).toEqual([0, 1, 6]);
    expect(fs.readdirSync(path.join(out, "checkpoints", "w32-seed1")).sort()).toEqual([
      "step0.json",
      "step1.json",
      "step6.json",
    ]);
    expect(loadStepCheckpoint(path.join(out, "checkpoints", "w32-seed1", "step6.json"))!.step).toBe(6);
    const info = first.rows.filter((r) => r.measure === "information");
    expect(info.map((r) => `${r.step}/${r.layer}`).sort()).toEqual(
      ["0/0", "0/1", "0/2", "1/0", "1/1", "1/2", "6/0", "6/1", "6/2"].sort(),
    );
    expect(
      first.rows.filter((r) => r.measure === "information-bootstrap" && r.step === 6 && r.layer === 2),
    ).toHaveLength(10);
    expect(
      first.rows.some((r) => r.measure === "regularity-ln-n" && r.labelSet === "pos" && r.correction === "corrected"),
    ).toBe(true);
    expect(first.rows.filter((r) => r.measure === "loss").map((r) => r.step)).toEqual([1, 6]);
    const layers = summariseLayers(first.rows as unknown as JournalRow[]);
    expect(layers.map((s) => s.layer)).toEqual([0, 1, 2]);
    for (const s of layers) {
      expect(s.run).toBe("w32-seed1");
      expect(Object.keys(s.regularity).sort()).toEqual(["bigram", "pos", "token"]);
      expect(s.compressionInterval).not.toBeNull();
    }
    const recorded = JSON.parse(fs.readFileSync(path.join(out, "run.json"), "utf8")).parameters;
    expect(recorded.probeTokens).toBe(1_000_000);
    expect(recorded.probeTokensMeasured).toBeGreaterThan(1000);
    expect(recorded.probeTokensMeasured).toBeLessThan(1_000_000);
    const again = await runLmTraining(config, { out, resume: true, log: () => {} });
    expect(again.rows).toEqual(readRunFolder(out).rows);
    expect(again.rows).toHaveLength(first.rows.length);
  }, 120_000);
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useTfBackend, tf } from "../src/experiments/tfSetup.js";
import { Adam } from "../src/experiments/training/adam.js";
import { metaGradients, type LossFn } from "../src/experiments/seq2seq/gradients.js";
import { toyTaskSplit } from "../src/experiments/seq2seq/toyTasks.js";
import { buildVocabularies, encodeExamples, selectRows } from "../src/experiments/seq2seq/encoding.js";
import {
  decodeLogits,
  decodeNext,
  disposeDecoderCache,
  encodeLayers,
  initParameters,
  shiftRight,
  startDecoding,
  type ModelConfig,
  type Params,
} from "../src/experiments/seq2seq/model.js";
import { Seq2seqTrainer } from "../src/experiments/seq2seq/trainer.js";
import { exactMatchAccuracy, exactMatches } from "../src/experiments/seq2seq/decode.js";
import { loadRunCheckpoint, saveRunCheckpoint } from "../src/experiments/seq2seq/experiment.js";
import { nearestNeighbours } from "../src/experiments/seq2seq/neighbours.js";

beforeAll(async () => {
  await useTfBackend("wasm");
});

function tinyTask(task: "copy" | "reverse", seed = 1) {
  const split = toyTaskSplit(task, { seed, symbols: 4, length: 4, train: 300, test: 60 });
  const vocab = buildVocabularies([...split.train, ...split.iidTest]);
  const train = encodeExamples(split.train, vocab, 4, 5);
  const test = encodeExamples(split.iidTest, vocab, 4, 5);
  const model: ModelConfig = {
    width: 16,
    heads: 4,
    encoderLayers: 2,
    decoderLayers: 1,
    ffMultiplier: 4,
    dropout: 0.1,
    sourceVocab: vocab.source.length,
    targetVocab: vocab.target.length,
    maxSourceLength: 4,
    maxTargetLength: 5,
  };
  return { split, train, test, model };
}

function values(p: Params): Record<string, number[]> {
  return Object.fromEntries([...p].map(([k, t]) => [k, Array.from(t.dataSync())]));
}

describe("the seq2seq transformer", () => {
  it("learns to copy 4-token sequences (exact match on held-out sequences)", () => {
    const { train, test, model } = tinyTask("copy");
    const trainer = new Seq2seqTrainer(tf, model, { seed: 2, batchSize: 32, learningRate: 1e-2 }, train);
    const before = exactMatchAccuracy(tf, trainer.params, model, test)!;
    let loss = Infinity;
    for (let s = 0; s < 250; s++) loss = trainer.trainStep().loss;
    const after = exactMatchAccuracy(tf, trainer.params, model, test)!;
    console.log(`copy task: held-out exact match ${before} → ${after}, final loss ${loss.toFixed(3)}`);
    expect(before).toBeLessThan(0.1);
    expect(after).toBeGreaterThan(0.9);
    trainer.dispose();
  });

  it("is deterministic for a seed and resumes exactly from a checkpoint (parameters and Adam state)", () => {
    const { train, model } = tinyTask("reverse");
    const config = { seed: 5, batchSize: 16, learningRate: 3e-3 };
    const straight = new Seq2seqTrainer(tf, model, config, train);
    for (let s = 0; s < 6; s++) straight.trainStep();
    const first = new Seq2seqTrainer(tf, model, config, train);
    for (let s = 0; s < 3; s++) first.trainStep();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "s2s-ckpt-")), "ckpt.json");
    const losses = { loss: 4.25, metaTestLoss: 0, count: 3 };
    saveRunCheckpoint(file, { snapshot: first.snapshot(), losses });
    first.dispose();
    const resumed = new Seq2seqTrainer(tf, model, config, train);
    const loaded = loadRunCheckpoint(file)!;
    expect(loaded.losses).toEqual(losses);
    resumed.restore(loaded.snapshot);
    expect(resumed.step).toBe(3);
    for (let s = 0; s < 3; s++) resumed.trainStep();
    expect(values(resumed.params)).toEqual(values(straight.params));
    expect(resumed.adam.state().m.get("out.w")).toEqual(straight.adam.state().m.get("out.w"));
    straight.dispose();
    resumed.dispose();
  });

  it("meta-learning steps train and use the neighbour partners", () => {
    const { split, train, model } = tinyTask("copy", 3);
    const neighbours = nearestNeighbours(
      split.train.map((e) => e.input),
      { k: 4 },
    );
    const trainer = new Seq2seqTrainer(
      tf,
      model,
      {
        seed: 1,
        batchSize: 16,
        learningRate: 3e-3,
        meta: { innerLearningRate: 0.05, order: "first", neighbours: 4, partners: 3 },
      },
      train,
      neighbours,
    );
    const rows = trainer.batchIndices(0);
    const partners = trainer.metaTestIndices(0, rows);
    expect(partners).toHaveLength(3 * rows.length);
    rows.forEach((r, i) => {
      for (let j = 0; j < 3; j++) expect([...neighbours[r]!.indices]).toContain(partners[3 * i + j]);
    });
    const a = trainer.trainStep();
    expect(a.testLoss).toBeGreaterThan(0);
    expect(a.loss).toBeCloseTo(a.trainLoss + a.testLoss!, 5);
    trainer.dispose();
    // The exact (second-order) gradient also runs through the whole transformer.
    const second = new Seq2seqTrainer(
      tf,
      model,
      { seed: 1, batchSize: 16, learningRate: 3e-3, meta: { innerLearningRate: 0.05, order: "second", neighbours: 4 } },
      train,
      neighbours,
    );
    const b = second.trainStep();
    expect(b.trainLoss).toBeCloseTo(a.trainLoss, 4);
    expect(Number.isFinite(b.testLoss!)).toBe(true);
    second.dispose();
  });

  it("refuses a meta-learning trainer without neighbours and bad settings", () => {
    const { train, model } = tinyTask("copy");
    expect(
      () =>
        new Seq2seqTrainer(
          tf,
          model,
          {
            seed: 1,
            batchSize: 16,
            learningRate: 1e-3,
            meta: { innerLearningRate: 0.1, order: "first", neighbours: 2 },
          },
          train,
        ),
    ).toThrow(/neighbour list/);
    expect(() => new Seq2seqTrainer(tf, model, { seed: 1, batchSize: 1000, learningRate: 1e-3 }, train)).toThrow(
      /exceeds/,
    );
    expect(
      () => new Seq2seqTrainer(tf, { ...model, width: 18 }, { seed: 1, batchSize: 16, learningRate: 1e-3 }, train),
    ).toThrow(/divisible by heads/);
  });

  it("incremental (cached) decoding gives the same logits as the full teacher-forced decoder", () => {
    const { train, model } = tinyTask("reverse");
    const p = initParameters(tf, model, 9);
    const f = { tf, p, c: model };
    const batch = selectRows(train, [0, 1, 2]);
    const src = tf.tensor(batch.src, [3, batch.srcLength], "int32");
    const tgt = tf.tensor(batch.tgt, [3, batch.tgtLength], "int32");
    const layers = encodeLayers(f, src);
    const memory = layers[layers.length - 1]!;
    const full = decodeLogits(f, memory, src, shiftRight(tf, tgt)).arraySync() as number[][][];
    const cache = startDecoding(f, memory, src);
    const tgtIn = shiftRight(tf, tgt).arraySync() as number[][];
    for (let t = 0; t < batch.tgtLength; t++) {
      const step = decodeNext(
        f,
        cache,
        tf.tensor1d(
          tgtIn.map((row) => row[t]!),
          "int32",
        ),
      ).arraySync() as number[][];
      for (let i = 0; i < 3; i++)
        for (let v = 0; v < model.targetVocab; v++) expect(step[i]![v]).toBeCloseTo(full[i]![t]![v]!, 4);
    }
    disposeDecoderCache(cache);
  });

  it("scores exact match up to EOS only", () => {
    // target rows: [3 4 EOS 0], [3 EOS 0 0]; predictions: right then too long.
    const target = Int32Array.from([3, 4, 2, 0, 3, 2, 0, 0]);
    const predicted = Int32Array.from([3, 4, 2, 0, 3, 4, 2, 0]);
    expect([...exactMatches(predicted, target, 2, 4)]).toEqual([1, 0]);
  });
});

describe("the meta-learning step (hand-checked)", () => {
  // Parameters w (scalar) and u (2-vector); L_train = (w − 1)² + Σ(u − [0, 2])², L_test = (w − 3)² + u₀·u₁.
  const trainLoss: LossFn = (p) =>
    p
      .get("w")!
      .sub(1)
      .square()
      .sum()
      .add(
        p
          .get("u")!
          .sub(tf.tensor1d([0, 2]))
          .square()
          .sum(),
      );
  const testLoss: LossFn = (p) => p.get("w")!.sub(3).square().sum().add(p.get("u")!.prod());
  const alpha = 0.1;
  const w = 2;
  const u = [1, 1];
  const params = (): Params =>
    new Map<string, tf.Tensor>([
      ["w", tf.scalar(w)],
      ["u", tf.tensor1d(u)],
    ]);
  // Inner step: ∇L_train = [2(w−1), 2(u₀−0), 2(u₁−2)] = [2, 2, −2]; θ′ = θ − α∇ = [1.8, 0.8, 1.2].
  const wp = 1.8;
  const up = [0.8, 1.2];
  // ∇L_test(θ′) = [2(w′−3), u′₁, u′₀] = [−2.4, 1.2, 0.8].

  it("first order: ∇L_train(θ) + ∇L_test(θ′)", () => {
    const g = metaGradients(tf, params(), trainLoss, testLoss, alpha, "first");
    expect(g.grads.get("w")!.dataSync()[0]).toBeCloseTo(2 + -2.4, 5);
    expect(Array.from(g.grads.get("u")!.dataSync())).toEqual([expect.closeTo(2 + 1.2, 5), expect.closeTo(-2 + 0.8, 5)]);
    expect(g.trainLoss).toBeCloseTo(1 + 1 + 1, 5);
    expect(g.testLoss).toBeCloseTo((wp - 3) ** 2 + up[0]! * up[1]!, 5);
  });

  it("second order: differentiates through the inner step, (I − α∇²L_train)∇L_test(θ′)", () => {
    // ∇²L_train = 2I, so the test gradient is scaled by (1 − 2α) = 0.8.
    const g = metaGradients(tf, params(), trainLoss, testLoss, alpha, "second");
    expect(g.grads.get("w")!.dataSync()[0]).toBeCloseTo(2 + 0.8 * -2.4, 4);
    expect(Array.from(g.grads.get("u")!.dataSync())).toEqual([
      expect.closeTo(2 + 0.8 * 1.2, 4),
      expect.closeTo(-2 + 0.8 * 0.8, 4),
    ]);
    expect(g.loss).toBeCloseTo(3 + (wp - 3) ** 2 + up[0]! * up[1]!, 4);
  });

  it("the outer update is one Adam step on the meta gradient", () => {
    const p = params();
    const adam = new Adam(tf, { learningRate: 0.01, form: "paper" });
    const g = metaGradients(tf, p, trainLoss, testLoss, alpha, "first");
    adam.apply(p, g.grads);
    // First Adam step: m̂ = g, v̂ = g², so θ ← θ − lr · g / (|g| + ε).
    const step = (gi: number): number => (0.01 * gi) / (Math.abs(gi) + 1e-8);
    expect(p.get("w")!.dataSync()[0]).toBeCloseTo(w - step(-0.4), 6);
    expect(Array.from(p.get("u")!.dataSync())).toEqual([
      expect.closeTo(u[0]! - step(3.2), 6),
      expect.closeTo(u[1]! - step(-1.2), 6),
    ]);
    // Second step with the same gradient: m = g(1 − β1²)…; check against the closed form.
    const g2 = metaGradients(tf, p, trainLoss, testLoss, alpha, "first");
    const gw2 = g2.grads.get("w")!.dataSync()[0]!;
    const w1 = p.get("w")!.dataSync()[0]!;
    adam.apply(p, g2.grads);
    const m = 0.9 * 0.1 * -0.4 + 0.1 * gw2;
    const v = 0.999 * 0.001 * 0.16 + 0.001 * gw2 * gw2;
    const expected = w1 - (0.01 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    expect(p.get("w")!.dataSync()[0]).toBeCloseTo(expected, 6);
  });
});

/**
 * The ICLR 2023 reference's game options: symbol 0 ends a message, the receiver's loss
 * averaged over roles, EGG's running-mean baseline, and split files in the released format.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Tensor2D } from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { Agents, initialParameters } from "../src/experiments/emergent/agents.js";
import { MEDIUM_PRESET, QUICK_PRESET, resolveConfig, THESIS_PRESET } from "../src/experiments/emergent/config.js";
import { runExperiment } from "../src/experiments/emergent/experiment.js";
import { readSplitFiles } from "../src/experiments/emergent/splitFiles.js";
import { enumerateMeanings } from "../src/experiments/emergent/splits.js";
import { Trainer, type TrainerOptions } from "../src/experiments/emergent/trainer.js";
import { useTfBackend } from "../src/experiments/tfSetup.js";
import { InputError } from "../src/io/errors.js";
import { epochRandom } from "../src/experiments/emergent/trainer.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-emergent-ref-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("configuration", () => {
  it("the thesis preset plays the reference's game; quick and medium keep glossa's", () => {
    expect(THESIS_PRESET).toMatchObject({ zeroEndsMessage: true, roleLoss: "mean", baseline: "mean" });
    for (const preset of [QUICK_PRESET, MEDIUM_PRESET]) {
      expect(preset.zeroEndsMessage).toBeUndefined();
      expect(preset.roleLoss).toBeUndefined();
      expect(preset.baseline).toBeUndefined();
    }
  });

  it("bad option values are InputErrors naming the key", () => {
    expect(() => resolveConfig(QUICK_PRESET, { roleLoss: "max" }, "c.json")).toThrow(
      /c.json: "roleLoss" must be "sum" or "mean"/,
    );
    expect(() => resolveConfig(QUICK_PRESET, { baseline: "ema" })).toThrow(
      /"baseline" must be "exponential" or "mean"/,
    );
    expect(() => resolveConfig(QUICK_PRESET, { zeroEndsMessage: 1 })).toThrow(
      /"zeroEndsMessage" must be true or false/,
    );
  });
});

describe("symbol 0 ends a message", () => {
  const shape = {
    atoms: [3, 3],
    signalLength: 4,
    alphabetSize: 5,
    hiddenSize: 6,
    embeddingSize: 3,
    zeroEndsMessage: true,
  };

  it("the receiver's output does not depend on symbols after the first 0", async () => {
    const tf = await useTfBackend("wasm");
    const agents = new Agents(tf, shape, initialParameters(shape, 2));
    const read = (codes: number[][]) =>
      tf.tidy(() => {
        const symbols = [0, 1, 2, 3].map(
          (t) =>
            tf
              .oneHot(
                tf.tensor1d(
                  codes.map((c) => c[t]!),
                  "int32",
                ),
                5,
              )
              .cast("float32") as Tensor2D,
        );
        // reads as the sender builds them: 1 up to and including the first 0, and for the appended 0 when none came earlier
        const reads: Tensor2D[] = [tf.ones([codes.length, 1]) as Tensor2D];
        for (let t = 0; t < 4; t++)
          reads.push(tf.mul(reads[t]!, tf.sub(1, tf.slice(symbols[t]!, [0, 0], [codes.length, 1]))) as Tensor2D);
        return Array.from(agents.receiver(symbols, reads).dataSync());
      });
    const a = read([
      [3, 0, 1, 2],
      [2, 4, 0, 1],
    ]);
    const b = read([
      [3, 0, 4, 4],
      [2, 4, 0, 3],
    ]);
    expect(a).toEqual(b);
    // A symbol before the first 0 does change it; and without the option every position counts.
    expect(
      read([
        [1, 0, 1, 2],
        [2, 4, 0, 1],
      ]),
    ).not.toEqual(a);
    const fixed = new Agents(tf, { ...shape, zeroEndsMessage: false }, initialParameters(shape, 2));
    const plain = (codes: number[]) =>
      tf.tidy(() =>
        Array.from(
          fixed
            .receiver(
              [0, 1, 2, 3].map((t) => tf.oneHot(tf.tensor1d([codes[t]!], "int32"), 5).cast("float32") as Tensor2D),
            )
            .dataSync(),
        ),
      );
    expect(plain([3, 0, 1, 2])).not.toEqual(plain([3, 0, 4, 4]));
    agents.dispose();
    fixed.dispose();
  });

  it("the sender's log-probability counts only positions up to the first 0, its entropy is their mean over the length", async () => {
    const tf = await useTfBackend("wasm");
    const agents = new Agents(tf, shape, initialParameters(shape, 5));
    const plain = new Agents(tf, { ...shape, zeroEndsMessage: false }, initialParameters(shape, 5));
    const meanings = enumerateMeanings([3, 3]);
    const x = tf.tensor2d(
      Array.from({ length: 9 }, (_, i) =>
        [0, 1, 2]
          .map((a) => (meanings[i * 2] === a ? 1 : 0))
          .concat([0, 1, 2].map((a) => (meanings[i * 2 + 1] === a ? 1 : 0))),
      ).flat(),
      [9, 6],
    );
    const ended = agents.sender(x);
    const full = plain.sender(x);
    const choices = ended.choices.map((c) => Array.from(c.dataSync()));
    const logp = Array.from(ended.logProb.dataSync());
    const fullLogp = Array.from(full.logProb.dataSync());
    expect(choices).toEqual(full.choices.map((c) => Array.from(c.dataSync()))); // same weights, same greedy symbols
    for (let i = 0; i < 9; i++) {
      const first = choices.findIndex((c) => c[i] === 0);
      if (first < 0) expect(logp[i]).toBeCloseTo(fullLogp[i]!, 5);
      else expect(logp[i]!).toBeGreaterThanOrEqual(fullLogp[i]! - 1e-5); // fewer (negative) terms
    }
    const lengths = Array.from(tf.addN(ended.reads!).dataSync());
    for (let i = 0; i < 9; i++) {
      const first = choices.findIndex((c) => c[i] === 0);
      expect(lengths[i]).toBe(first < 0 ? 5 : first + 1);
    }
    agents.dispose();
    plain.dispose();
  });
});

describe("receiver loss over roles and the baseline", () => {
  const base: TrainerOptions = {
    atoms: [4, 4, 4],
    signalLength: 3,
    alphabetSize: 6,
    hiddenSize: 8,
    embeddingSize: 4,
    seed: 1,
    batchSize: 64,
    learningRate: 1e-2,
    entropyCoefficient: 0.5,
  };
  const meanings = enumerateMeanings([4, 4, 4]);
  const rows = Array.from({ length: 64 }, (_, i) => i);

  it("mean over roles is the summed loss divided by the number of roles (same weights, same noise)", async () => {
    const tf = await useTfBackend("wasm");
    const sum = new Trainer(tf, base, meanings);
    const mean = new Trainer(tf, { ...base, roleLoss: "mean" }, meanings);
    const a = sum.step(rows, epochRandom(1, 1));
    const b = mean.step(rows, epochRandom(1, 1));
    expect(b.receiverLoss).toBeCloseTo(a.receiverLoss / 3, 5);
    sum.dispose();
    mean.dispose();
  });

  it("EGG's mean baseline is the mean of every batch's loss; the default is an exponential mean", async () => {
    const tf = await useTfBackend("wasm");
    const mean = new Trainer(tf, { ...base, baseline: "mean" }, meanings);
    const expo = new Trainer(tf, base, meanings);
    const losses: number[] = [];
    const expoLosses: number[] = [];
    for (let k = 0; k < 5; k++) {
      losses.push(mean.step(rows, epochRandom(1, k + 1)).receiverLoss);
      expoLosses.push(expo.step(rows, epochRandom(1, k + 1)).receiverLoss);
    }
    expect(mean.baseline.count).toBe(5);
    expect(mean.baseline.mean).toBeCloseTo(losses.reduce((s, v) => s + v, 0) / 5, 6);
    let b = expoLosses[0]!;
    for (const l of expoLosses.slice(1)) b += 0.1 * (l - b);
    expect(expo.baseline.mean).toBeCloseTo(b, 6);
    mean.dispose();
    expo.dispose();
  });
});

describe("split files in the released format", () => {
  function folder(name: string, files: Record<string, string>): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
    return dir;
  }
  const line = (s: string) => `${s}\t${s}\n`;
  const names = ["Tom", "Mary", "Sam"];
  const verbs = ["greets", "likes"];
  const all: string[] = [];
  for (const s of names) for (const v of verbs) for (const o of names) all.push(`${s} ${v} ${o}`);

  it("reads atoms from the files; test is compositional, iid_test iid, val only joins the meanings", () => {
    const dir = folder("good", {
      "train_mcd.tsv": all.slice(0, 12).map(line).join(""),
      "val_mcd.tsv": line(all[12]!),
      "test_mcd.tsv": all.slice(13, 16).map(line).join(""),
      "iid_test_mcd.tsv": line(all[16]!) + line(all[17]!),
      "notes.txt": "ignored",
    });
    const read = readSplitFiles(dir, 3);
    expect(read.atomNames).toEqual([
      ["Mary", "Sam", "Tom"],
      ["greets", "likes"],
      ["Mary", "Sam", "Tom"],
    ]);
    expect(read.meanings.length / 3).toBe(18);
    expect([read.splits.train.length, read.splits.compositional.length, read.splits.iid.length]).toEqual([12, 3, 2]);
    expect(read.files.iid_test).toEqual(["iid_test_mcd.tsv"]);
    expect(read.files.test).toEqual(["test_mcd.tsv"]);
    // The first meaning, "Tom greets Tom", is coded by the sorted atom lists.
    expect(Array.from(read.meanings.subarray(0, 3))).toEqual([2, 0, 2]);
  });

  it("a line that breaks the format is an InputError naming file and line", () => {
    const cases: [string, RegExp][] = [
      ["Tom greets Mary\n", /train\.tsv, line 2: expected "subject verb object<TAB>subject verb object"/],
      ["Tom greets\tTom greets\n", /train\.tsv, line 2: expected 3 words on each side/],
      ["Tom greets Mary\tTom greets Sam\n", /train\.tsv, line 2: the two sides differ/],
    ];
    cases.forEach(([bad, message], k) => {
      const dir = folder(`bad${k}`, {
        "train.tsv": line(all[0]!) + bad,
        "val.tsv": line(all[1]!),
        "test.tsv": line(all[2]!),
      });
      expect(() => readSplitFiles(dir, 3)).toThrow(InputError);
      expect(() => readSplitFiles(dir, 3)).toThrow(message);
    });
    expect(cases).toHaveLength(3);
    const missing = folder("missing", { "train.tsv": line(all[0]!), "val.tsv": line(all[1]!) });
    expect(() => readSplitFiles(missing, 3)).toThrow(/no test\*\.tsv file/);
  });

  it("a run on split files trains on them and measures their language with the files' atom names", async () => {
    const dir = folder("run", {
      "train.tsv": all.slice(0, 14).map(line).join(""),
      "val.tsv": line(all[14]!),
      "test.tsv": all.slice(15, 18).map(line).join(""),
    });
    const config = resolveConfig(QUICK_PRESET, {
      splitsDir: dir,
      signalLength: 3,
      alphabetSize: 5,
      hiddenSizes: [8],
      seeds: [1],
      embeddingSize: 4,
      batchSize: 14,
      passesPerEpoch: 2,
      epochs: 2,
      zeroEndsMessage: true,
      roleLoss: "mean",
      baseline: "mean",
    });
    const result = await runExperiment(config, { out: path.join(tmp, "run-out"), log: () => {}, plots: false });
    expect(result.splits.train.length).toBe(14);
    expect(result.splits.compositional.length).toBe(3);
    const epochs = new Set(result.rows.filter((r) => r.run === "h8-s1").map((r) => r.epoch));
    expect([...epochs].sort()).toEqual([0, 1, 2]);
    expect(result.rows.some((r) => r.measure === "synonymy" && typeof r.value === "number")).toBe(true);
  }, 60_000);
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../src/io/errors.js";
import { useTfBackend } from "../src/experiments/tfSetup.js";
import { Adam, type AdamForm } from "../src/experiments/training/adam.js";
import {
  adamFromCheckpoint,
  adamToCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "../src/experiments/training/checkpoint.js";
import {
  choiceSetting,
  integerSetting,
  readSettingsFile,
  resolveSettings,
} from "../src/experiments/training/config.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-training-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("training/adam", () => {
  it.each(["pytorch", "paper"] as AdamForm[])(
    "%s form: two steps match the closed form; Variables update in place, tensors are replaced",
    async (form) => {
      const tf = await useTfBackend("wasm");
      const params = new Map<string, import("@tensorflow/tfjs").Tensor>([
        ["w", tf.variable(tf.tensor1d([1, -2]))],
        ["b", tf.tensor1d([0.5])],
      ]);
      const w = params.get("w")!;
      const adam = new Adam(tf, { learningRate: 0.1, form });
      const g1 = new Map([
        ["w", tf.tensor1d([0.5, -1])],
        ["b", tf.tensor1d([2])],
      ]);
      adam.apply(params, g1);
      // First step: m̂ = g, v̂ = g², so θ ← θ − lr · g / (|g| + ε).
      expect(params.get("w")).toBe(w);
      expect(Array.from(w.dataSync())).toEqual([expect.closeTo(0.9, 6), expect.closeTo(-1.9, 6)]);
      expect(params.get("b")!.dataSync()[0]).toBeCloseTo(0.4, 6);
      // A second step with only w's gradient: b is left alone.
      adam.apply(params, new Map([["w", tf.tensor1d([1, 1])]]));
      const m = 0.9 * 0.1 * 0.5 + 0.1 * 1;
      const v = 0.999 * 0.001 * 0.25 + 0.001 * 1;
      const expected = 0.9 - (0.1 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
      expect(w.dataSync()[0]).toBeCloseTo(expected, 5);
      expect(params.get("b")!.dataSync()[0]).toBeCloseTo(0.4, 6);
      expect(adam.step).toBe(2);
      adam.dispose();
    },
  );

  it("state saved mid-training and restored (through a checkpoint file) continues bit for bit", async () => {
    const tf = await useTfBackend("wasm");
    const init = [0.3, -0.7, 1.1, 0.05];
    const grad = (s: number) => new Map([["p", tf.tensor1d(init.map((x, i) => Math.sin(x * (s + 1) + i)))]]);
    const straight = new Map([["p", tf.variable(tf.tensor1d(init))]]);
    const a = new Adam(tf, { learningRate: 0.05 });
    for (let s = 0; s < 6; s++) a.apply(straight, grad(s));

    const first = new Map([["p", tf.variable(tf.tensor1d(init))]]);
    const b = new Adam(tf, { learningRate: 0.05 });
    for (let s = 0; s < 3; s++) b.apply(first, grad(s));
    const file = path.join(tmp, "adam.json");
    const saved = adamToCheckpoint(b.state());
    saveCheckpoint(file, {
      experiment: "test",
      data: { adamStep: saved.adamStep },
      arrays: { parameters: new Map([["p", Float32Array.from(first.get("p")!.dataSync())]]), ...saved.arrays },
    });
    const loaded = loadCheckpoint<{ adamStep: number }>(file, "test")!;
    const resumed = new Map([["p", tf.variable(tf.tensor1d(loaded.arrays.parameters!.get("p")!))]]);
    const c = new Adam(tf, { learningRate: 0.05 });
    c.restore(adamFromCheckpoint(loaded, file), resumed);
    expect(c.step).toBe(3);
    for (let s = 3; s < 6; s++) c.apply(resumed, grad(s));
    expect(Array.from(resumed.get("p")!.dataSync())).toEqual(Array.from(straight.get("p")!.dataSync()));
    expect(() => c.restore({ step: 1, m: new Map([["q", new Float32Array(4)]]), v: new Map() }, resumed)).toThrow(
      /unknown parameter "q"/,
    );
    expect(() => c.restore({ step: 1, m: new Map([["p", new Float32Array(3)]]), v: new Map() }, resumed)).toThrow(
      /3 values, the parameter 4/,
    );
  });
});

describe("training/checkpoint", () => {
  it("writes atomically (no temporary file left) and refuses damaged, foreign and other experiments' files naming them", () => {
    const file = path.join(tmp, "ck", "run.json");
    saveCheckpoint(file, {
      experiment: "emergent",
      data: { epoch: 2 },
      arrays: { g: new Map([["x", new Float32Array([1.5, -2])]]) },
    });
    expect(fs.readdirSync(path.dirname(file))).toEqual(["run.json"]);
    const back = loadCheckpoint(file, "emergent")!;
    expect(back.data).toEqual({ epoch: 2 });
    expect(Array.from(back.arrays.g!.get("x")!)).toEqual([1.5, -2]);
    expect(loadCheckpoint(path.join(tmp, "absent.json"), "emergent")).toBeUndefined();
    const cases: [string, RegExp][] = [
      ['{"format":"glossa-checkpoint","version":1,"exp', /damaged checkpoint/],
      ['{"format":"something-else"}', /not a glossa checkpoint/],
      ['{"format":"glossa-checkpoint","version":7,"experiment":"emergent","data":{},"arrays":{}}', /version 7/],
      [
        '{"format":"glossa-checkpoint","version":1,"experiment":"seq2seq","data":{},"arrays":{}}',
        /of the "seq2seq" experiment, not emergent/,
      ],
      [
        '{"format":"glossa-checkpoint","version":1,"experiment":"emergent","data":{},"arrays":{"g":{"x":"AAA="}}}',
        /array "g\/x" has 2 bytes/,
      ],
    ];
    for (const [text, message] of cases) {
      fs.writeFileSync(file, text);
      const error = (() => {
        try {
          loadCheckpoint(file, "emergent");
        } catch (e) {
          return e;
        }
      })();
      expect(error, text).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
    }
  });
});

describe("training/config", () => {
  interface C {
    n: number;
    mode: string;
  }
  const schema = {
    keys: ["n", "mode"],
    validate: (c: C, source: string) => {
      integerSetting(c.n, "n", source, 1, 10);
      choiceSetting(c.mode, "mode", source, ["a", "b"]);
    },
  };
  const base: C = { n: 2, mode: "a" };

  it("layers preset, file and flags in order; unset flags keep earlier values; the base is not mutated", () => {
    const file = path.join(tmp, "c.json");
    fs.writeFileSync(file, JSON.stringify({ n: 5, mode: "b" }));
    const c = resolveSettings(schema, base, "preset p", [
      { source: file, values: readSettingsFile(file) },
      { source: "command line", values: { n: 7, mode: undefined } },
    ]);
    expect(c).toEqual({ n: 7, mode: "b" });
    expect(base).toEqual({ n: 2, mode: "a" });
  });

  it("unknown keys and bad values are InputErrors naming the source and the key", () => {
    expect(() => resolveSettings(schema, base, "preset p", [{ source: "my.json", values: { m: 1 } }])).toThrow(
      /^my\.json: unknown key "m" \(known keys: n, mode\)$/,
    );
    expect(() => resolveSettings(schema, base, "preset p", [{ source: "my.json", values: { n: 11 } }])).toThrow(
      /^my\.json: "n" must be an integer from 1 to 10, got 11$/,
    );
    expect(() =>
      resolveSettings(schema, base, "preset p", [{ source: "command line", values: { mode: "c" } }]),
    ).toThrow(/^command line: "mode" must be one of a, b, got "c"$/);
    const file = path.join(tmp, "bad.json");
    fs.writeFileSync(file, "[1, 2]");
    expect(() => readSettingsFile(file)).toThrow(new RegExp(`${file}: expected a JSON object of settings`));
    fs.writeFileSync(file, "{ nope");
    expect(() => readSettingsFile(file)).toThrow(/bad\.json: not valid JSON/);
    expect(() => readSettingsFile(path.join(tmp, "none.json"))).toThrow(/none\.json: no such config file/);
  });
});

import { describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { readRunFolder, type ResultRow } from "../src/io/runFolder.js";
import { runExperiment, stepFromName, modelNames, type LmSweepOptions } from "../src/experiments/lm/experiment.js";
import { LanguageModel, padBatch } from "../src/sources/onnxModel.js";
import { decodeModel, encodeModel } from "../src/sources/transformerLayers.js";
import { tsBackend } from "../src/compute/ts.js";
import { AnchorAccumulator } from "../src/vector/anchorAccumulator.js";
import { makeAnchors } from "../src/vector/anchors.js";
import { calibrateTemperature } from "../src/vector/temperature.js";
import { InputError } from "../src/io/errors.js";
import { summaryTable } from "../src/experiments/lm/report.js";
import { lmSizeTrends } from "../src/experiments/lm/sizeTrends.js";

const FIX = "test/fixtures/lm";
const GPT2 = join(FIX, "gpt2-tiny");
const STEP0 = join(FIX, "pythia-tiny-step0");
const CORPUS = readFileSync(join(FIX, "corpus.txt"), "utf8")
  .split("\n")
  .filter((l) => l.trim());
const quiet = () => {};

function options(over: Partial<LmSweepOptions> = {}): LmSweepOptions {
  return {
    models: [GPT2],
    documents: CORPUS.slice(0, 6),
    layers: "all",
    labels: ["token", "bigram", "trigram", "bigram-nested", "trigram-nested", "pos", "position"],
    estimators: ["soft"],
    batchSize: 4,
    anchors: { n: 32, seed: 7 },
    calibration: "exact",
    bins: 10,
    nullShadows: 0,
    backend: tsBackend,
    ...over,
  };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "glossa-lm-"));
}

async function sweep(over: Partial<LmSweepOptions> = {}, dir = tmp(), resume = false) {
  const { summary, rows } = await runExperiment(options(over), { out: dir, resume, log: quiet });
  expect(rows).toEqual(readRunFolder(dir).rows);
  return { dir, summary, rows };
}

/** measure → value, keyed "model|layer|estimator|labelSet|measure|component" (keys must be unique). */
function table(rows: readonly ResultRow[], model?: string): Map<string, number> {
  const chosen = rows.filter((r) => !model || r.model === model);
  const out = new Map(
    chosen.map((r) => [
      `${r.model}|${r.layer}|${r.estimator}|${r.labelSet ?? ""}|${r.measure}|${r.component ?? ""}`,
      r.value as number,
    ]),
  );
  expect(out.size, "two rows share one key").toBe(chosen.length);
  return out;
}

describe("LM sweep", () => {
  it("names, steps, and one row per measure with model size, step, and estimator parameters", async () => {
    expect(stepFromName("pythia-tiny-step300")).toBe(300);
    expect(stepFromName("step143000")).toBe(143000);
    expect(stepFromName("gpt2-tiny")).toBeUndefined();
    expect(modelNames(["a/x/step1", "b/y/step1", "c/z"])).toEqual(["x/step1", "y/step1", "z"]);
    const { rows, summary } = await sweep({ models: [GPT2, STEP0], estimators: ["soft", "binned"] });
    expect(summary.cellsComputed).toBe(2 * 3 * 2);
    expect(rows.every((r) => r.value !== null && Number.isFinite(r.value))).toBe(true);
    const info = rows.find(
      (r) => r.model === "pythia-tiny-step0" && r.measure === "information" && r.estimator === "soft",
    )!;
    expect(info).toMatchObject({ step: 0, n: 32, anchorSeed: 7, calibration: "exact" });
    expect(info.params).toBeGreaterThan(100000);
    expect(rows.find((r) => r.model === "gpt2-tiny")!.step).toBeUndefined();
    expect(rows.find((r) => r.estimator === "binned" && r.measure === "information")).toMatchObject({ bins: 10 });
    const measures = new Set(rows.map((r) => r.measure));
    for (const m of [
      "information",
      "variation",
      "regularity-ln-n",
      "regularity-h",
      "disentanglement",
      "disentanglement-generalised",
      "residual",
      "tokens",
    ]) {
      expect(measures.has(m), m).toBe(true);
    }
    // The residual decomposition: one row per component (the shared format), summing to one.
    const residual = rows.filter(
      (r) => r.model === "gpt2-tiny" && r.layer === 1 && r.estimator === "soft" && r.measure === "residual",
    );
    const nested = residual.filter((r) => r.labelSet === "nested");
    expect(nested.map((r) => r.component)).toEqual([
      "token",
      "bigram-nested − token",
      "trigram-nested − bigram-nested",
      "unexplained",
    ]);
    expect(nested.reduce((a, r) => a + (r.value as number), 0)).toBeCloseTo(1, 12);
    expect(residual.filter((r) => r.labelSet === "flat").map((r) => r.component)).toEqual([
      "token",
      "bigram − token",
      "trigram − bigram",
      "unexplained",
    ]);
  });

  it("with null shadows: raw, null and corrected rows per label measure (shadows recorded), Z-only rows raw; the report reads the corrected", async () => {
    const { rows } = await sweep({ models: [GPT2], estimators: ["soft"], layers: [1], nullShadows: 2 });
    const token = rows.filter((r) => r.measure === "regularity-ln-n" && r.labelSet === "token");
    expect(token.map((r) => r.correction).sort()).toEqual(["corrected", "null", "raw"]);
    const byCorrection = Object.fromEntries(token.map((r) => [r.correction, r.value as number]));
    // the plug-in overstates regularity; the two-stage correction (METHODS "Small-sample bias") lowers it
    expect(byCorrection.corrected).toBeLessThan(byCorrection.raw!);
    // disentanglement is corrected by the shadows alone: raw − null
    const dis = rows.filter((r) => r.measure === "disentanglement" && r.labelSet === "token");
    const disBy = Object.fromEntries(dis.map((r) => [r.correction, r.value as number]));
    expect(disBy.corrected).toBeCloseTo(disBy.raw! - disBy.null!, 12);
    expect(token.every((r) => r.nullShadows === 2)).toBe(true);
    const info = rows.filter((r) => r.measure === "information" && !r.labelSet);
    expect(info.map((r) => r.correction)).toEqual(["raw"]);
    const table = summaryTable(rows);
    expect(table).toHaveLength(1);
    expect(table[0]!["regularity (token)"]).toBe(Number(byCorrection.corrected!.toFixed(4)));
    // One model: a size trend is "too few runs", never a number.
    const trends = lmSizeTrends(rows);
    expect(trends).toHaveLength(3);
    expect(trends.every((t) => t.estimate === null && t.note === "too few runs")).toBe(true);
  });

  it("size trends: Spearman against log parameters over ≥ 5 models, with interval and p", () => {
    const fake = [1e5, 2e5, 4e5, 8e5, 16e5, 32e5].flatMap((params, i) => [
      {
        experiment: "lm",
        model: `m${i}`,
        params,
        layer: 2,
        estimator: "soft",
        measure: "information",
        value: 0.1 * i,
        correction: "raw",
      },
      {
        experiment: "lm",
        model: `m${i}`,
        params,
        layer: 1,
        estimator: "soft",
        measure: "information",
        value: 1 - 0.1 * i,
        correction: "raw",
      },
    ]);
    const [info] = lmSizeTrends(fake);
    expect(info!.n).toBe(6);
    expect(info!.estimate).toBeCloseTo(1, 12);
    expect(info!.excludesZero).toBe(true);
    expect(info!.p).toBeLessThan(0.01);
  });

  it("padding is excluded: batches of 1 and of 5 sequences give the same results", async () => {
    const a = table((await sweep({ batchSize: 1 })).rows);
    const b = table((await sweep({ batchSize: 5 })).rows);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, v] of a) expect(Math.abs(v - b.get(k)!), k).toBeLessThan(1e-5);
  });

  it("resumes without recomputing finished cells, and recomputes an interrupted one", async () => {
    const first = await sweep({ models: [GPT2, STEP0] });
    expect(first.summary.cellsComputed).toBe(6);
    const again = await sweep({ models: [GPT2, STEP0] }, first.dir, true);
    expect(again.summary).toMatchObject({ cellsComputed: 0, cellsSkipped: 6 });
    expect(again.rows.length).toBe(first.rows.length);
    // Simulate a run killed inside the last cell: drop its closing rows and leave half a line.
    const journal = join(first.dir, "results.jsonl");
    const lines = readFileSync(journal, "utf8").trimEnd().split("\n");
    const last = JSON.parse(lines[lines.length - 1]!);
    const keep = lines.filter((l) => {
      const r = JSON.parse(l);
      return !(r.model === last.model && r.layer === last.layer);
    });
    writeFileSync(journal, `${keep.join("\n")}\n${lines[lines.length - 1]!.slice(0, 20)}`);
    const resumed = await sweep({ models: [GPT2, STEP0] }, first.dir, true);
    expect(resumed.summary).toMatchObject({ cellsComputed: 1, cellsSkipped: 5 });
    const a = table(first.rows);
    const b = table(resumed.rows);
    expect(b.size).toBe(a.size);
    for (const [k, v] of a) expect(b.get(k), k).toBeCloseTo(v, 9);
  });

  it("one repeated sentence: N copies give exactly one copy's values; H(Z|position) = mean single-row entropy", async () => {
    const sentence = "The cat sat on the mat.";
    const one = table((await sweep({ documents: [sentence], layers: [0, 2] })).rows);
    const many = table((await sweep({ documents: Array(7).fill(sentence), layers: [0, 2], batchSize: 3 })).rows);
    for (const [k, v] of one) {
      if (/\|(rows|tokens|label-rows|excluded-rows)\|$/.test(k)) continue; // counts scale with N
      expect(Math.abs(many.get(k)! - v), k).toBeLessThan(1e-6);
    }
    // Each position holds identical rows, so H(Z | position) is the mean over positions of one row's
    // soft entropy, computed here row by row with separate accumulators.
    const model = await LanguageModel.load(GPT2);
    const ids = model.tokenizer.encode(sentence);
    const { width, states } = await model.forward(padBatch([ids], model.tokenizer.padId), [2]);
    await model.dispose();
    const anchors = makeAnchors({ n: 32, d: width, seed: 7 });
    const epsilon = calibrateTemperature(width, 32, "exact");
    let meanH = 0;
    for (let p = 0; p < ids.length; p++) {
      const acc = new AnchorAccumulator({ estimator: "soft", d: width, n: 32, anchors: anchors.data, epsilon });
      await acc.update(states[0]!.slice(p * width, (p + 1) * width));
      meanH += acc.result().entropy / ids.length;
    }
    expect(many.get("gpt2-tiny|2|soft|position|variation|")!).toBeCloseTo(meanH / Math.log(32), 6);
    // Every position's nested trigram window is unique in this sentence, so it splits rows exactly as position does.
    expect(many.get("gpt2-tiny|2|soft|trigram-nested|regularity-ln-n|")!).toBeCloseTo(
      many.get("gpt2-tiny|2|soft|position|regularity-ln-n|")!,
      9,
    );
    // Identical rows are not zero entropy (METHODS §4.2): a single point's assignment is spread.
    expect(meanH / Math.log(32)).toBeGreaterThan(0.02);
  });
});

describe("LM bad input is refused before work starts", () => {
  function folderWith(files: Record<string, string | Uint8Array>): string {
    const dir = tmp();
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  }
  const tokenizerFiles = () => ({
    "tokenizer.json": readFileSync(join(GPT2, "tokenizer.json"), "utf8"),
    "tokenizer_config.json": readFileSync(join(GPT2, "tokenizer_config.json"), "utf8"),
  });

  it("a folder without a model", async () => {
    const dir = folderWith(tokenizerFiles());
    const out = tmp();
    await expect(sweep({ models: [GPT2, dir] }, out)).rejects.toThrow(
      /no ONNX model in this folder: looked for model\.onnx/,
    );
    expect(existsSync(join(out, "results.jsonl")) ? readFileSync(join(out, "results.jsonl"), "utf8") : "").toBe("");
  });

  it("a graph whose layers cannot be found lists candidates; explicit tensor names then work", async () => {
    const model = decodeModel(readFileSync(join(GPT2, "model.onnx")));
    for (const node of model.graph!.node!) node.name = "";
    const dir = folderWith({ ...tokenizerFiles(), "model.onnx": encodeModel(model) });
    await expect(LanguageModel.load(dir)).rejects.toThrow(InputError);
    await expect(LanguageModel.load(dir)).rejects.toThrow(
      /cannot find the per-layer residual stream[\s\S]*candidate tensors:[\s\S]*Add_1_output_0[\s\S]*--outputs/,
    );
    const names = ["/transformer/Add_output_0", "/transformer/h.0/Add_1_output_0", "/transformer/h.1/Add_1_output_0"];
    const explicit = await LanguageModel.load(dir, { outputs: names });
    const auto = await LanguageModel.load(GPT2);
    const batch = padBatch([[267, 307, 260]], 0);
    const [x, y] = [await explicit.forward(batch), await auto.forward(batch)];
    expect(explicit.layers.layout).toBe("explicit");
    expect(auto.layers.tensors).toEqual(names);
    expect(x.states.map((s) => [...s])).toEqual(y.states.map((s) => [...s]));
    await expect(LanguageModel.load(dir, { outputs: ["nope"] })).rejects.toThrow(/not in the graph: nope/);
    await explicit.dispose();
    await auto.dispose();
  });

  it("a tokenizer whose ids exceed the model's vocabulary", async () => {
    const tok = JSON.parse(readFileSync(join(GPT2, "tokenizer.json"), "utf8"));
    tok.added_tokens.push({
      id: 5000,
      content: "<extra>",
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
    const dir = folderWith({
      "tokenizer.json": JSON.stringify(tok),
      "tokenizer_config.json": tokenizerFiles()["tokenizer_config.json"],
    });
    copyFileSync(join(GPT2, "model.onnx"), join(dir, "model.onnx"));
    await expect(LanguageModel.load(dir)).rejects.toThrow(/tokenizer\/model mismatch.*5000.*337 rows/);
  });

  it("an empty corpus, a missing tokenizer, a layer out of range", async () => {
    await expect(sweep({ documents: [] })).rejects.toThrow(/corpus is empty/);
    await expect(sweep({ documents: ["", ""] })).rejects.toThrow(/no tokens/);
    await expect(sweep({ layers: [0, 9] })).rejects.toThrow(/layer\(s\) 9 out of range .*0\.\.2/);
    const dir = tmp();
    mkdirSync(join(dir, "m"));
    copyFileSync(join(GPT2, "model.onnx"), join(dir, "m", "model.onnx"));
    await expect(LanguageModel.load(join(dir, "m"))).rejects.toThrow(/no tokenizer\.json in this folder/);
  });
});

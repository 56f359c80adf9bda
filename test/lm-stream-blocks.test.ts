import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { readRunFolder, type ResultRow } from "../src/io/runFolder.js";
import { mergeShards } from "../src/distributed/merge.js";
import { type LmSweepOptions, runExperiment } from "../src/experiments/lm/experiment.js";
import { tsBackend } from "../src/compute/ts.js";
import { splitBlocks } from "../src/sources/blockSplit.js";
import { StreamedModel, streamLayers } from "../src/sources/blockStream.js";
import { batchFeeds, LanguageModel, padBatch } from "../src/sources/onnxModel.js";
import { readModelSkeleton } from "../src/sources/onnxSkeleton.js";
import { decodeModel, encodeModel, findLayerTensors } from "../src/sources/transformerLayers.js";
import { floatToHalfBits, LayerStore } from "../src/sources/stateStore.js";
import { halfToFloat } from "../src/sources/onnxModel.js";
import { readNpy } from "../src/io/npy.js";
import { parseByteSize, run } from "../src/cli/commands/lm.js";
import { UsageError } from "../src/cli/args.js";
import { InputError } from "../src/io/errors.js";
import { readLmReference } from "./helpers/lmReference.js";
import { measureCells, measureContext } from "../src/experiments/lm/measureModel.js";
import { tokenizeCorpus } from "../src/labels/lmLabels.js";
import type { PartitionedAccumulator } from "../src/vector/bootstrap.js";
import { randomTransformerParameters, writeRandomTransformer } from "../src/bench/randomTransformer.js";

const FIX = "test/fixtures/lm";
const MODELS = ["gpt2-tiny", "pythia-tiny-step0", "pythia-tiny-step300"];
const CORPUS = readFileSync(join(FIX, "corpus.txt"), "utf8")
  .split("\n")
  .filter((l) => l.trim());
const quiet = () => {};

function options(over: Partial<LmSweepOptions> = {}): LmSweepOptions {
  return {
    models: MODELS.map((m) => join(FIX, m)),
    documents: CORPUS.slice(0, 8),
    layers: "all",
    labels: ["token", "bigram", "trigram-nested", "pos", "position"],
    estimators: ["soft", "binned"],
    batchSize: 3,
    anchors: { n: 24, seed: 5 },
    calibration: "exact",
    bins: 8,
    nullShadows: 2,
    backend: tsBackend,
    ...over,
  };
}

const tmp = () => mkdtempSync(join(tmpdir(), "glossa-stream-"));

/**
 * Rows keyed by their text fields and layer; every number (value, sd, interval, epsilon…)
 * must agree within `tolerance` relative. Returns the largest relative difference.
 */
function expectSameRows(got: readonly ResultRow[], want: readonly ResultRow[], tolerance: number): number {
  const key = (r: ResultRow) =>
    JSON.stringify(Object.entries(r).filter(([k, v]) => typeof v !== "number" || k === "layer"));
  const wanted = new Map(want.map((r) => [key(r), r]));
  expect(wanted.size).toBe(want.length);
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (const r of got) {
    const w = wanted.get(key(r));
    expect(w, `row ${key(r)} missing from the whole-graph run`).toBeDefined();
    expect(Object.keys(r).sort()).toEqual(Object.keys(w!).sort());
    for (const [k, v] of Object.entries(r)) {
      if (typeof v !== "number") continue;
      const x = w![k] as number;
      worst = Math.max(worst, Math.abs(v - x) / Math.max(Math.abs(x), 1e-12));
    }
  }
  expect(worst).toBeLessThanOrEqual(tolerance);
  return worst;
}

describe("block splitting", () => {
  it.each(MODELS)(
    "%s: embeddings and blocks chained give every layer, and the head the logits, of the whole graph",
    async (name) => {
      const dir = join(FIX, name);
      const model = decodeModel(readFileSync(join(dir, "model.onnx")));
      const layers = findLayerTensors(model);
      const segments = splitBlocks(model, layers.tensors, { head: true });
      expect(segments.map((s) => s.name)).toEqual([
        "embeddings",
        ...layers.tensors.slice(1).map((_, k) => `block ${k + 1}`),
        "head",
      ]);
      // No block holds another block's matrices, nor the token embeddings.
      const matrices = (k: number) =>
        new Set(
          segments[k]!.model.graph!.initializer!.filter(
            (t) => (t.dims ?? []).length === 2 && Number(t.dims![0]) * Number(t.dims![1]) >= 1024,
          ).map((t) => t.name),
        );
      const embeddingTable = model.graph!.node!.find((n) => n.opType === "Gather" && n.input?.[1] === "input_ids")!
        .input![0]!;
      expect(matrices(0).has(embeddingTable)).toBe(true);
      for (let a = 1; a < segments.length - 1; a++) {
        expect(matrices(a).size).toBeGreaterThanOrEqual(4);
        expect(matrices(a).has(embeddingTable)).toBe(false);
        for (let b = a + 1; b < segments.length - 1; b++)
          expect([...matrices(a)].filter((n) => matrices(b).has(n))).toEqual([]);
      }
      const { batch, hidden, shape } = readLmReference(dir);
      const [L, B, T, D] = shape;
      const logits = readNpy(join(dir, "ref_logits.npy"));
      let previous: ort.Tensor | null = null;
      let worst = 0;
      for (let k = 0; k < segments.length; k++) {
        const s = segments[k]!;
        const session = await ort.InferenceSession.create(encodeModel(s.model));
        const feeds = batchFeeds(batch, s.graphInputs);
        if (s.input) feeds[s.input] = previous!;
        const out = (await session.run(feeds))[s.outputs[0]!] as ort.Tensor;
        const got = out.data as Float32Array;
        if (k < L) {
          const want = hidden.subarray(k * B * T * D, (k + 1) * B * T * D);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
        } else {
          // ref_logits keeps the first 8 vocabulary entries of each position.
          const V = Number(out.dims[2]);
          const want = logits.data as Float32Array;
          expect(want.length).toBe(B * T * 8);
          for (let p = 0; p < B * T; p++)
            for (let v = 0; v < 8; v++) worst = Math.max(worst, Math.abs(got[p * V + v]! - want[p * 8 + v]!));
        }
        previous = out;
        await session.release();
      }
      expect(worst).toBeLessThan(1e-4);
    },
  );

  it("a block that reads an earlier layer (not through Shape) cannot be streamed", () => {
    const model = decodeModel(readFileSync(join(FIX, "gpt2-tiny", "model.onnx")));
    const layers = findLayerTensors(model);
    // Make block 2's last Add read the embeddings instead of its own attention residual.
    const last = model.graph!.node!.find((n) => n.output?.[0] === layers.tensors[2])!;
    last.input = [layers.tensors[0]!, last.input![1]!];
    expect(() => splitBlocks(model, layers.tensors)).toThrow(/block 2 reads layer 0's residual/);
  });

  it("the skeleton graph holds no weight bytes, and a session on it reads them from the model file", async () => {
    const dir = join(FIX, "gpt2-tiny");
    const skeleton = readModelSkeleton(join(dir, "model.onnx"), "weights.onnx");
    const big = skeleton.graph!.initializer!.filter((t) => (t.externalData ?? []).length > 0);
    expect(big.length).toBeGreaterThan(4);
    expect(big.every((t) => !t.rawData || t.rawData.length === 0)).toBe(true);
    expect(encodeModel(skeleton).length).toBeLessThan(readFileSync(join(dir, "model.onnx")).length / 4);
    const whole = await LanguageModel.load(dir);
    const streamed = await StreamedModel.open(dir);
    expect(streamed.parameters).toBe(whole.parameters);
    expect(streamed.layerCount).toBe(whole.layerCount);
    const batch = padBatch([Int32Array.from([5, 9, 2, 7]), Int32Array.from([3, 1])], whole.tokenizer.padId);
    const { states } = await whole.forward(batch);
    const seen: number[] = [];
    await streamLayers(streamed, [batch], [0, 1, 2], {}, async ({ layer, states: get }) => {
      seen.push(layer);
      const got = get(0);
      expect(got.length).toBe(states[layer]!.length);
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - states[layer]![i]!)).toBeLessThan(1e-5);
    });
    expect(seen).toEqual([0, 1, 2]);
    await whole.dispose();
    await streamed.dispose();
  });
});

describe("state store", () => {
  it("keeps float32 exactly on disk, and float16 to its rounding", () => {
    const dir = tmp();
    const values = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    const exact = new LayerStore({ file: join(dir, "a.bin"), precision: "float32" });
    const half = new LayerStore({ file: join(dir, "b.bin"), precision: "float16" });
    for (const store of [exact, half]) {
      store.put(0, { type: "float32", data: values, dims: [2, 3, 4] });
      store.put(1, { type: "float32", data: values.map((v) => -v), dims: [1, 6, 4] });
    }
    expect(exact.spilledBytes).toBe(2 * 24 * 4);
    expect(half.spilledBytes).toBe(2 * 24 * 2);
    expect(Array.from(exact.get(1).data)).toEqual(Array.from(values.map((v) => -v)));
    expect(exact.get(1).dims).toEqual([1, 6, 4]);
    const rounded = half.get(0).data as Float32Array;
    expect(half.get(0).type).toBe("float32");
    for (let i = 0; i < values.length; i++)
      expect(Math.abs(rounded[i]! - values[i]!)).toBeLessThanOrEqual(Math.abs(values[i]!) * 2 ** -11 + 2 ** -24);
    exact.clear();
    half.clear();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("float16 conversion rounds to nearest even and round-trips every finite half", () => {
    expect(floatToHalfBits(1)).toBe(0x3c00);
    expect(floatToHalfBits(-2)).toBe(0xc000);
    expect(floatToHalfBits(65504)).toBe(0x7bff);
    expect(floatToHalfBits(1e6)).toBe(0x7c00);
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    for (let h = 0; h < 0x7c00; h += 7) {
      expect(floatToHalfBits(halfToFloat(h))).toBe(h);
      expect(floatToHalfBits(-halfToFloat(h))).toBe(h | 0x8000);
    }
  });
});

describe("glossa lm --stream-blocks", () => {
  it("per-layer measures equal the whole-graph run (≤ 1e-5 relative), GPT-2 and Pythia layouts, soft and binned", async () => {
    const whole = await runExperiment(options(), { out: tmp(), log: quiet });
    const logged: string[] = [];
    const streamed = await runExperiment(options({ streamBlocks: true }), {
      out: tmp(),
      log: (m) => logged.push(m),
    });
    expect(whole.rows.length).toBeGreaterThan(3 * 3 * 2 * 10);
    expect(new Set(whole.rows.map((r) => r.model)).size).toBe(3);
    expectSameRows(streamed.rows, whole.rows, 1e-5);
    expect(streamed.summary.tokens).toBe(whole.summary.tokens);
    expect(logged.some((m) => m.includes("spilling"))).toBe(false);
  });

  it("bootstrap groups (lmtrain's per-group counts) stream to the same groups as the whole graph", async () => {
    const dir = join(FIX, "gpt2-tiny");
    const whole = await LanguageModel.load(dir);
    const streamed = await StreamedModel.open(dir);
    const corpus = tokenizeCorpus(CORPUS.slice(0, 8), whole.tokenizer, { maxLength: 64, pos: true });
    const settings = { ...options(), bootstrapGroups: 2 };
    const todo = [
      { layer: 1, estimator: "soft" as const },
      { layer: 2, estimator: "binned" as const },
    ];
    const finished: number[][] = [];
    const a = await measureCells(whole, "w", corpus, todo, settings, measureContext(quiet));
    const b = await measureCells(streamed, "s", corpus, todo, settings, measureContext(quiet), async (cells) => {
      finished.push(cells.map((c) => c.layer));
    });
    await whole.dispose();
    // Streamed cells finish one layer at a time, in layer order.
    expect(finished).toEqual([[1], [2]]);
    expect(b.tokens).toBe(a.tokens);
    expect(a.cells).toHaveLength(2);
    for (let i = 0; i < todo.length; i++) {
      const pa = (a.cells[i]!.accumulator as PartitionedAccumulator).parts;
      const pb = (b.cells[i]!.accumulator as PartitionedAccumulator).parts;
      expect(pa.length).toBe(2);
      expect(pb.length).toBe(pa.length);
      for (let g = 0; g < pa.length; g++) {
        const ra = pa[g]!.result();
        const rb = pb[g]!.result();
        expect(rb.rows).toBe(ra.rows);
        expect(Math.abs(rb.entropy - ra.entropy)).toBeLessThanOrEqual(1e-5 * Math.abs(ra.entropy));
      }
    }
  });

  it("a float16 model with external data (built by the bench's generator) streams to the whole graph's results", async () => {
    const dir = join(tmp(), "random-fp16");
    const config = { layers: 3, width: 32, heads: 4, vocab: 400, context: 64, seed: 3 };
    const parameters = writeRandomTransformer(dir, config, join(FIX, "gpt2-tiny"));
    expect(parameters).toBe(randomTransformerParameters(config));
    expect(statSync(join(dir, "model.onnx_data")).size).toBe(2 * parameters);
    const one = options({ models: [dir], estimators: ["soft"], nullShadows: 0 });
    const whole = await runExperiment(one, { out: tmp(), log: quiet });
    const streamed = await runExperiment(
      { ...one, streamBlocks: true, memoryLimit: 60_000 },
      { out: tmp(), log: quiet },
    );
    expect(new Set(whole.rows.map((r) => r.layer))).toEqual(new Set([0, 1, 2, 3]));
    expect(whole.rows[0]!.params).toBe(parameters);
    expectSameRows(streamed.rows, whole.rows, 1e-5);
  });

  it("a tiny memory limit spills the hidden states to disk, with the same results; float16 spilling stays close", async () => {
    const small = options({ models: [join(FIX, "pythia-tiny-step300")], estimators: ["soft"], layers: [0, 2] });
    const whole = await runExperiment(small, { out: tmp(), log: quiet });
    const logged: string[] = [];
    const spilled = await runExperiment(
      { ...small, streamBlocks: true, memoryLimit: 220_000 },
      { out: tmp(), log: (m) => logged.push(m) },
    );
    expect(logged.some((m) => /spilling them to/.test(m))).toBe(true);
    expectSameRows(spilled.rows, whole.rows, 1e-5);
    const half = await runExperiment(
      { ...small, streamBlocks: true, memoryLimit: 220_000, spillPrecision: "float16" },
      { out: tmp(), log: quiet },
    );
    // Rounded states move the soft assignments a little: close (in bits), not equal.
    expect(half.rows.length).toBe(whole.rows.length);
    let worst = 0;
    half.rows.forEach((r, i) => {
      expect([r.layer, r.labelSet, r.measure, r.correction]).toEqual([
        whole.rows[i]!.layer,
        whole.rows[i]!.labelSet,
        whole.rows[i]!.measure,
        whole.rows[i]!.correction,
      ]);
      // Null and corrected rows draw their shadow permutations from the states themselves (so that
      // merged shards equal one pass), and rounded states draw other ones: compare raw values only.
      if (r.correction === undefined || r.correction === "raw")
        worst = Math.max(worst, Math.abs((r.value as number) - (whole.rows[i]!.value as number)));
    });
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(0.05);
  });

  it("streamed shards (--shard i/3) merge into the whole-graph run's results", async () => {
    const one = options({ models: [join(FIX, "pythia-tiny-step0")], estimators: ["soft"], layers: [0, 1, 2] });
    const whole = await runExperiment(one, { out: tmp(), log: quiet });
    const shards: string[] = [];
    for (let index = 0; index < 3; index++) {
      const dir = join(tmp(), `shard${index}`);
      await runExperiment({ ...one, streamBlocks: true }, { out: dir, log: quiet, shard: { index, count: 3 } });
      shards.push(dir);
    }
    const merged = join(tmp(), "merged");
    await mergeShards(shards, { out: merged, log: quiet });
    expectSameRows(readRunFolder(merged).rows, whole.rows, 1e-5);
  });

  it("a memory limit below one block's weights is an input error naming the block", async () => {
    await expect(
      runExperiment(options({ models: [join(FIX, "gpt2-tiny")], streamBlocks: true, memoryLimit: 1000 }), {
        out: tmp(),
        log: quiet,
      }),
    ).rejects.toThrow(InputError);
    await expect(
      runExperiment(options({ models: [join(FIX, "gpt2-tiny")], streamBlocks: true, memoryLimit: 1000 }), {
        out: tmp(),
        log: quiet,
      }),
    ).rejects.toThrow(/below the weights of block 1 alone/);
  });

  it("--memory-limit: sizes parse, bad values and a limit without --stream-blocks are usage errors", async () => {
    expect(parseByteSize("8GB", "memory-limit")).toBe(8e9);
    expect(parseByteSize("512 MB", "memory-limit")).toBe(512e6);
    expect(parseByteSize("4GiB", "memory-limit")).toBe(4 * 2 ** 30);
    expect(parseByteSize("1e6", "memory-limit")).toBe(1e6);
    expect(parseByteSize("0.5kb", "memory-limit")).toBe(500);
    for (const bad of ["", "lots", "-1GB", "0", "8XB", "GB", "8 G B"])
      expect(() => parseByteSize(bad, "memory-limit"), bad).toThrow(UsageError);
    const base = ["--model", join(FIX, "gpt2-tiny"), "--corpus", join(FIX, "corpus.txt"), "--out", join(tmp(), "r")];
    await expect(run([...base, "--stream-blocks", "--memory-limit", "eight"])).rejects.toThrow(
      /--memory-limit must be a positive size/,
    );
    await expect(run([...base, "--memory-limit", "8GB"])).rejects.toThrow(/--memory-limit needs --stream-blocks/);
    await expect(run([...base, "--stream-blocks", "--spill-precision", "float8"])).rejects.toThrow(UsageError);
  });

  it("runs from the command line and writes the usual run folder", async () => {
    const out = join(tmp(), "run");
    const code = await run([
      "--model",
      join(FIX, "gpt2-tiny"),
      "--corpus",
      join(FIX, "corpus.txt"),
      "--max-tokens",
      "150",
      "--anchors",
      "16",
      "--kernel",
      "ts",
      "--stream-blocks",
      "--memory-limit",
      "2MB",
      "--out",
      out,
      "--json",
    ]);
    expect(code).toBe(0);
    const rows = readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n");
    expect(rows.length).toBeGreaterThan(10);
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).parameters).toMatchObject({
      streamBlocks: true,
      memoryLimit: 2e6,
    });
  });
});

/**
 * LM bench: what streaming every layer's hidden states into accumulators costs on top of
 * the bare forward pass of the same model and batch.
 *
 * Model: a randomly initialised GPT-2-small-shaped transformer (12 layers, width 768,
 * vocab 50257, 124M parameters) made by `scripts/fixtures/make_lm_fixtures.py --gpt2-small
 * .bench-tmp/gpt2-small-random` (not committed; the bench skips with that command when it is
 * missing). Batch: 8 windows × 128 tokens of the fixture corpus.
 * Timed, interleaved, median of several rounds:
 *   bare      the original graph (logits only);
 *   exposed   the edited graph returning all 13 layers (embeddings + 12 blocks), states copied out;
 *   measured  exposed + label codes + one soft-entropy accumulator per layer (100 anchors,
 *             onnxruntime anchor kernel) with token, flat and nested bigram/trigram and position labels.
 * Figures: exposed/bare and measured/bare time ratios; tokens/s of each.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LanguageModel, padBatch } from "../sources/onnxModel.js";
import { LabelVocabulary, realPositions } from "../labels/ngrams.js";
import { lmLabelSets, tokenizeCorpus, type LmLabelSet } from "../labels/lmLabels.js";
import { gatherRows } from "../experiments/lm/sweep.js";
import { createAccumulator } from "../vector/create.js";
import { makeAnchors } from "../vector/anchors.js";
import { onnxBackend } from "../compute/onnx.js";
import type { EntropyAccumulator } from "../vector/accumulator.js";

const MODEL_DIR = ".bench-tmp/gpt2-small-random";
const CORPUS = "test/fixtures/lm/corpus.txt";
const ROWS = 8;
const LENGTH = 128;
const ROUNDS = 3;
const LABELS: LmLabelSet[] = ["token", "bigram", "trigram", "bigram-nested", "trigram-nested", "position"];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<void> {
  if (!existsSync(join(MODEL_DIR, "model.onnx"))) {
    console.log(`skipped: no ${MODEL_DIR}/model.onnx — make it with\n  /usr/bin/python3 scripts/fixtures/make_lm_fixtures.py --gpt2-small ${MODEL_DIR}\n(needs python3-torch; about 650 MB, not committed)`);
    return;
  }
  const bare = await LanguageModel.load(MODEL_DIR, { bare: true });
  const full = await LanguageModel.load(MODEL_DIR);
  // One long token stream from the corpus, cut into ROWS windows of LENGTH tokens.
  const docs = readFileSync(CORPUS, "utf8").split("\n").filter((l) => l.trim());
  const stream = tokenizeCorpus([docs.join(" ")], full.tokenizer, { maxLength: 1 << 20 }).sequences[0]!.ids;
  const windows = Array.from({ length: ROWS }, (_, r) => Int32Array.from({ length: LENGTH }, (_, t) => stream[(r * LENGTH + t) % stream.length]!));
  const batch = padBatch(windows, full.tokenizer.padId);
  const seqs = windows.map((ids, document) => ({ ids, document, offset: 0 }));
  const tokens = ROWS * LENGTH;
  const layers = full.layers.tensors.map((_, i) => i);
  const backend = onnxBackend();
  const accumulators = new Map<number, EntropyAccumulator>();
  const vocabularies = new Map<string, LabelVocabulary>();

  const timeBare = async () => {
    const t = performance.now();
    await bare.forward(batch);
    return performance.now() - t;
  };
  const timeExposed = async () => {
    const t = performance.now();
    await full.forward(batch, layers);
    return performance.now() - t;
  };
  const timeMeasured = async () => {
    const t = performance.now();
    const positions = realPositions(batch);
    const labelSets = lmLabelSets(batch, seqs, LABELS, vocabularies);
    const { width, states } = await full.forward(batch, layers);
    await Promise.all(layers.map((layer, i) => {
      let acc = accumulators.get(layer);
      if (!acc) accumulators.set(layer, (acc = createAccumulator({ estimator: "soft", d: width, anchors: makeAnchors({ n: 100, d: width, seed: 0 }), backend })));
      return acc.update(gatherRows(states[i]!, positions, width), labelSets);
    }));
    return performance.now() - t;
  };

  // Warm up each path once (session initialisation, anchor kernel creation).
  await timeBare();
  await timeExposed();
  await timeMeasured();
  const times = { bare: [] as number[], exposed: [] as number[], measured: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    times.bare.push(await timeBare());
    times.exposed.push(await timeExposed());
    times.measured.push(await timeMeasured());
  }
  const b = median(times.bare);
  const e = median(times.exposed);
  const m = median(times.measured);
  const info = accumulators.get(layers.length - 1)!.result();
  console.log(`model: ${MODEL_DIR} (${full.parameters.toLocaleString("en")} parameters, ${layers.length} layers exposed), batch ${ROWS} × ${LENGTH} = ${tokens} tokens, median of ${ROUNDS} interleaved rounds`);
  console.log(`bare forward:                        ${b.toFixed(0)} ms/batch  ${(tokens / (b / 1000)).toFixed(0)} tokens/s  (baseline 1.00)`);
  console.log(`forward + all layers out:            ${e.toFixed(0)} ms/batch  ${(tokens / (e / 1000)).toFixed(0)} tokens/s  ratio ${(e / b).toFixed(3)}`);
  console.log(`forward + layers + 13 accumulators:  ${m.toFixed(0)} ms/batch  ${(tokens / (m / 1000)).toFixed(0)} tokens/s  ratio ${(m / b).toFixed(3)}  (overhead ${(100 * (m / b - 1)).toFixed(1)}%, target ≤ 25%)`);
  console.log(`sanity: last layer information ${(info.entropy / info.maxEntropy!).toFixed(4)} over ${info.rows} rows`);
  await bare.dispose();
  await full.dispose();
}

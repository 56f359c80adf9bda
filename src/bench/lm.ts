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
 *   exposed   the edited graph returning all 13 layers (embeddings + 12 blocks) AND the logits,
 *             states copied out (the same computation as bare, plus the extra outputs);
 *   measured  exposed + label codes + one soft-entropy accumulator per layer (100 anchors,
 *             onnxruntime anchor kernel) with token, flat and nested bigram/trigram and position labels;
 *   sweep     what `glossa lm` does: layers only (logits not fetched) + accumulators.
 * Figures: ratios against bare of process CPU time (all threads; the figure least disturbed
 * on a shared machine, and the one the 25% budget is judged on) and of wall time (median and
 * best of the rounds); tokens/s of each.
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { LanguageModel, padBatch } from "../sources/onnxModel.js";
import { type LabelVocabulary, realPositions } from "../labels/ngrams.js";
import { lmLabelSets, tokenizeCorpus, type LmLabelSet } from "../labels/lmLabels.js";
import { gatherRows } from "../experiments/lm/passes.js";
import { createAccumulator } from "../vector/create.js";
import { makeAnchors } from "../vector/anchors.js";
import { onnxBackend } from "../compute/onnx.js";
import type { EntropyAccumulator } from "../vector/accumulator.js";

const MODEL_DIR = ".bench-tmp/gpt2-small-random";
const CORPUS = "test/fixtures/lm/corpus.txt";
const ROWS = 8;
const LENGTH = 128;
const ROUNDS = 5;
const LABELS: LmLabelSet[] = ["token", "bigram", "trigram", "bigram-nested", "trigram-nested", "position"];

/** [wall ms, process CPU ms (all threads)] of one call. */
async function timed(body: () => Promise<unknown>): Promise<[number, number]> {
  const c = process.cpuUsage();
  const t = performance.now();
  await body();
  const used = process.cpuUsage(c);
  return [performance.now() - t, (used.user + used.system) / 1000];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<void> {
  if (!existsSync(join(MODEL_DIR, "model.onnx"))) {
    console.log(
      `skipped: no ${MODEL_DIR}/model.onnx — make it with\n  /usr/bin/python3 scripts/fixtures/make_lm_fixtures.py --gpt2-small ${MODEL_DIR}\n(needs python3-torch; about 650 MB, not committed)`,
    );
    return;
  }
  const bare = await LanguageModel.load(MODEL_DIR, { bare: true });
  const full = await LanguageModel.load(MODEL_DIR);
  // One long token stream from the corpus, cut into ROWS windows of LENGTH tokens.
  const docs = readFileSync(CORPUS, "utf8")
    .split("\n")
    .filter((l) => l.trim());
  const stream = tokenizeCorpus([docs.join(" ")], full.tokenizer, { maxLength: 1 << 20 }).sequences[0]!.ids;
  const windows = Array.from({ length: ROWS }, (_, r) =>
    Int32Array.from({ length: LENGTH }, (_, t) => stream[(r * LENGTH + t) % stream.length]!),
  );
  const batch = padBatch(windows, full.tokenizer.padId);
  const seqs = windows.map((ids, document) => ({ ids, document, offset: 0 }));
  const tokens = ROWS * LENGTH;
  const layers = full.layers.tensors.map((_, i) => i);
  const backend = onnxBackend();
  const accumulators = new Map<number, EntropyAccumulator>();
  const vocabularies = new Map<string, LabelVocabulary>();

  const timeBare = () => timed(() => bare.forward(batch));
  const timeExposed = () => timed(() => full.forward(batch, layers, { includeGraphOutputs: true }));
  const accumulate = async ({ width, states }: { width: number; states: Float32Array[] }) => {
    const positions = realPositions(batch);
    const labelSets = lmLabelSets(batch, seqs, LABELS, vocabularies);
    await Promise.all(
      layers.map((layer, i) => {
        let acc = accumulators.get(layer);
        if (!acc)
          accumulators.set(
            layer,
            (acc = createAccumulator({
              estimator: "soft",
              d: width,
              anchors: makeAnchors({ n: 100, d: width, seed: 0 }),
              backend,
            })),
          );
        return acc.update(gatherRows(states[i]!, positions, width), labelSets);
      }),
    );
  };
  const timeMeasured = (includeGraphOutputs: boolean) =>
    timed(async () => accumulate(await full.forward(batch, layers, { includeGraphOutputs })));
  const kept = await full.forward(batch, layers);
  const timeAccumulateOnly = () => timed(() => accumulate(kept));

  // Warm up each path once (session initialisation, anchor kernel creation).
  await timeBare();
  await timeExposed();
  await timeMeasured(true);
  await timeMeasured(false);
  const times: Record<string, number[]> = { bare: [], exposed: [], measured: [], sweep: [], accumulate: [] };
  const cpu: Record<string, number[]> = { bare: [], exposed: [], measured: [], sweep: [], accumulate: [] };
  const record = (k: string, [w, c]: [number, number]) => {
    times[k]!.push(w);
    cpu[k]!.push(c);
  };
  for (let r = 0; r < ROUNDS; r++) {
    record("bare", await timeBare());
    record("exposed", await timeExposed());
    record("measured", await timeMeasured(true));
    record("sweep", await timeMeasured(false));
    record("accumulate", await timeAccumulateOnly());
  }
  const info = accumulators.get(layers.length - 1)!.result();
  console.log(
    `model: ${MODEL_DIR} (${full.parameters.toLocaleString("en")} parameters, ${layers.length} layers exposed), batch ${ROWS} × ${LENGTH} = ${tokens} tokens, ${ROUNDS} interleaved rounds, load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
  );
  const labels: Record<string, string> = {
    bare: "bare forward (logits)",
    exposed: "+ all 13 layers fetched",
    measured: "+ 13 soft accumulators, 6 label sets",
    sweep: "glossa lm path (layers only, no logits)",
    accumulate: "accumulation alone (labels, gather, 13 updates)",
  };
  const best = (k: string) => Math.min(...times[k]!);
  const cpuMedian = (k: string) => median(cpu[k]!);
  for (const k of Object.keys(times)) {
    const med = median(times[k]!);
    console.log(
      `${labels[k]!.padEnd(42)} CPU ${cpuMedian(k).toFixed(0).padStart(6)} ms (ratio ${(cpuMedian(k) / cpuMedian("bare")).toFixed(3)})` +
        `  wall median ${med.toFixed(0).padStart(6)} ms (${(tokens / (med / 1000)).toFixed(0)} tokens/s, ratio ${(med / median(times.bare!)).toFixed(3)})` +
        `  wall best ${best(k).toFixed(0).padStart(6)} ms (${(tokens / (best(k) / 1000)).toFixed(0)} tokens/s, ratio ${(best(k) / best("bare")).toFixed(3)})`,
    );
  }
  const overhead = cpuMedian("measured") / cpuMedian("bare") - 1;
  console.log(
    `accumulating every layer costs ${(100 * overhead).toFixed(1)}% CPU time on top of the bare forward (median; target ≤ 25%);`,
  );
  console.log(
    `timed alone, the accumulation is ${((100 * cpuMedian("accumulate")) / cpuMedian("bare")).toFixed(1)}% of the bare forward's CPU time (${((100 * median(times.accumulate!)) / median(times.bare!)).toFixed(1)}% of its wall time)`,
  );
  console.log(`sanity: last layer information ${(info.entropy / info.maxEntropy!).toFixed(4)} over ${info.rows} rows`);
  await bare.dispose();
  await full.dispose();
}

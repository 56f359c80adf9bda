/**
 * One `glossa lm` sweep in its own process for the lm-stream bench (src/bench/lmStream.ts):
 * argv[2] is a JSON object { model, out, streamBlocks, memoryLimit?, documents, maxTokens }.
 * Prints one JSON line: seconds, CPU seconds (all threads), peak resident memory (process.resourceUsage().maxRSS, KiB),
 * tokens, spill messages seen.
 */
import { readFileSync } from "node:fs";
import { onnxBackend } from "../compute/onnx.js";
import { runExperiment } from "../experiments/lm/experiment.js";

interface ChildSettings {
  model: string;
  out: string;
  corpus: string;
  copies: number;
  maxTokens: number;
  streamBlocks: boolean;
  memoryLimit?: number;
  layers?: number[];
}

const settings = JSON.parse(process.argv[2]!) as ChildSettings;
const lines = readFileSync(settings.corpus, "utf8")
  .split("\n")
  .filter((l) => l.trim());
const documents = Array.from({ length: settings.copies }, () => lines).flat();
const messages: string[] = [];
const start = performance.now();
const result = await runExperiment(
  {
    models: [settings.model],
    documents,
    layers: settings.layers ?? "all",
    labels: ["token", "bigram", "trigram", "position"],
    estimators: ["soft"],
    maxTokens: settings.maxTokens,
    batchSize: 8,
    maxLength: 256,
    anchors: { n: 100, seed: 0 },
    calibration: "exact",
    bins: 20,
    nullShadows: 0,
    backend: onnxBackend(),
    ...(settings.streamBlocks ? { streamBlocks: true, memoryLimit: settings.memoryLimit } : {}),
  },
  { out: settings.out, log: (m) => messages.push(m) },
);
const seconds = (performance.now() - start) / 1000;
const usage = process.resourceUsage();
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    maxRssKiB: usage.maxRSS,
    tokens: result.summary.tokens,
    spilled: messages.some((m) => m.includes("spilling")),
  }),
);

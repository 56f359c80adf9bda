/**
 * The LM section of `glossa demo`: the committed fixture models (a tiny GPT-2, and a tiny
 * Pythia-layout model at step 0 and step 300 of training) measured on the fixture corpus
 * (20 short English sentences, about 250 tokens), soft entropy, every layer and label set.
 * Runs in a few seconds.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { paragraphHtml, escapeHtml } from "../../report/html.js";
import { tsBackend } from "../../compute/ts.js";
import { runExperiment } from "./experiment.js";
import { summaryTable } from "./report.js";
import { DEFAULT_LM_LABEL_SETS } from "../../labels/lmLabels.js";

/** test/fixtures/lm, found from this module (src/… or dist/…, both three levels below the package root). */
export function lmFixtureDir(): string {
  return resolve(fileURLToPath(new URL("../../../test/fixtures/lm", import.meta.url)));
}

export const DEMO_MODELS = ["gpt2-tiny", "pythia-tiny-step0", "pythia-tiny-step300"];

/** Null shadows in the demo: 2 (the bias correction's p-values and spread need ≥ 2; more costs demo time). */
export const LM_DEMO_NULL_SHADOWS = 2;

export async function lmDemoSection(
  outDir: string,
  log: (message: string) => void,
): Promise<{ title: string; html: string; results: unknown }> {
  const title = "Language models: structure of every layer";
  const fixtures = lmFixtureDir();
  if (!existsSync(join(fixtures, DEMO_MODELS[0]!, "model.onnx"))) {
    return {
      title,
      html: paragraphHtml(`Skipped: the fixture models are not in ${escapeHtml(fixtures)}.`),
      results: { skipped: true },
    };
  }
  const dir = join(outDir, "lm");
  rmSync(dir, { recursive: true, force: true }); // a few seconds: always a fresh run
  const documents = readFileSync(join(fixtures, "corpus.txt"), "utf8")
    .split("\n")
    .filter((l) => l.trim());
  const result = await runExperiment(
    {
      models: DEMO_MODELS.map((m) => join(fixtures, m)),
      documents,
      layers: "all",
      // the defaults plus the joint windows, whose residual decomposition nests exactly
      labels: [...DEFAULT_LM_LABEL_SETS, "bigram-window", "trigram-window"],
      estimators: ["soft"],
      batchSize: 8,
      anchors: { n: 100, seed: 0 },
      calibration: "exact",
      bins: 20,
      nullShadows: LM_DEMO_NULL_SHADOWS,
      backend: tsBackend,
      corpusName: "test/fixtures/lm/corpus.txt",
    },
    { out: dir, log, command: "glossa demo (lm section)" },
  );
  const { summary, rows } = result;
  const html = [
    paragraphHtml(
      `Three tiny transformers exported to ONNX (committed fixtures: a GPT-2-layout model and a Pythia-layout model at training steps 0 and 300), ` +
        `run on ${documents.length} sentences (${summary.tokens} tokens in all); hidden states streamed into soft-entropy accumulators (100 anchors, exact temperature).`,
    ),
    result.html,
    paragraphHtml(`Rows: ${escapeHtml(join(dir, "results.csv"))}; plots: ${result.plots.map(escapeHtml).join(", ")}.`),
  ].join("\n");
  return { title, html, results: { summary, table: summaryTable(rows) } };
}

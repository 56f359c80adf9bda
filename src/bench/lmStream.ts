/**
 * `npm run bench -- lmStream`: block streaming (`glossa lm --stream-blocks`) against the whole
 * graph, on the random GPT-2-small graph of the lm bench (124M parameters, 500 MB of float32
 * weights), each sweep in its own process (src/bench/lmStreamChild.ts): every layer, soft
 * estimator, 100 anchors, labels token / bigram / trigram / position, about 4,000 tokens of the
 * fixture corpus (repeated) in windows of 256.
 *
 * Rows: whole graph; streamed (states in memory); streamed under a memory limit just above the
 * largest segment's weights, so the hidden states spill to disk. Figures: wall time and peak
 * resident memory (maxRSS of the child) as ratios against the whole graph, and the largest
 * relative difference of any result value against the whole graph (the streamed results
 * must agree to 1e-5).
 *
 * Model folder: GLOSSA_BENCH_GPT2_SMALL, default .bench-tmp/gpt2-small-random; made by
 * `/usr/bin/python3 scripts/fixtures/make_lm_fixtures.py --gpt2-small DIR` (skipped when missing).
 * Then a 1.31B-parameter float16 model (GLOSSA_BENCH_LARGE, default .bench-tmp/random-1.3b, made
 * by `node dist/bench/randomTransformer.js DIR`), streamed under --memory-limit 4GB over 512
 * tokens: its peak RSS against its 2.6 GB of weights.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readRunFolder, type ResultRow } from "../io/runFolder.js";

const MODEL_DIR = process.env.GLOSSA_BENCH_GPT2_SMALL ?? ".bench-tmp/gpt2-small-random";
const CORPUS = "test/fixtures/lm/corpus.txt";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(HERE, "lmStreamChild.js");
const MAX_TOKENS = Number(process.env.GLOSSA_BENCH_STREAM_TOKENS ?? 4096);
const LARGE_DIR = process.env.GLOSSA_BENCH_LARGE ?? ".bench-tmp/random-1.3b";
const LARGE_LIMIT = 4e9;
const LARGE_TOKENS = 512;
/** Above the embeddings segment (wte + wpe, 157 MB) and below it plus two layers of states. */
const SPILL_LIMIT = 170e6;

interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  maxRssKiB: number;
  tokens: number;
  spilled: boolean;
}

function child(
  out: string,
  streamBlocks: boolean,
  memoryLimit?: number,
  model = MODEL_DIR,
  maxTokens = MAX_TOKENS,
): ChildResult & { wall: number } {
  const settings = {
    model,
    out,
    corpus: CORPUS,
    copies: 20,
    maxTokens,
    streamBlocks,
    memoryLimit,
  };
  const start = performance.now();
  const r = spawnSync(process.execPath, [CHILD, JSON.stringify(settings)], { encoding: "utf8", maxBuffer: 1 << 26 });
  const wall = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr.slice(-2000)}`);
  const last = r.stdout.trim().split("\n").pop()!;
  return { ...(JSON.parse(last) as ChildResult), wall };
}

/** Largest relative difference of any value between two runs' rows (matched in order). */
function worstDifference(a: readonly ResultRow[], b: readonly ResultRow[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  a.forEach((r, i) => {
    const x = r.value as number;
    const y = b[i]!.value as number;
    if (r.measure !== b[i]!.measure || r.layer !== b[i]!.layer) worst = Number.POSITIVE_INFINITY;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(y), 1e-12));
  });
  return worst;
}

export async function run(): Promise<void> {
  if (!existsSync(path.join(MODEL_DIR, "model.onnx"))) {
    console.log(
      `skipped: no ${MODEL_DIR}/model.onnx — make it with\n  /usr/bin/python3 scripts/fixtures/make_lm_fixtures.py --gpt2-small ${MODEL_DIR}\n(or point GLOSSA_BENCH_GPT2_SMALL at one; needs python3-torch; about 500 MB, not committed)`,
    );
    return;
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), "glossa-bench-stream-"));
  try {
    const runs = [
      { label: "whole graph", out: path.join(scratch, "whole"), stream: false, limit: undefined },
      {
        label: "--stream-blocks (states in memory)",
        out: path.join(scratch, "stream"),
        stream: true,
        limit: undefined,
      },
      {
        label: `--stream-blocks --memory-limit ${SPILL_LIMIT / 1e6}MB (spills)`,
        out: path.join(scratch, "spill"),
        stream: true,
        limit: SPILL_LIMIT,
      },
    ];
    const results = runs.map((r) => child(r.out, r.stream, r.limit));
    const base = results[0]!;
    const baseRows = readRunFolder(runs[0]!.out).rows;
    console.log(
      `model: ${MODEL_DIR}, ${base.tokens} tokens, every layer (13), soft estimator, 4 label sets; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
    );
    runs.forEach((r, i) => {
      const x = results[i]!;
      const rows = readRunFolder(r.out).rows;
      const worst = i === 0 ? 0 : worstDifference(rows, baseRows);
      console.log(
        `${r.label.padEnd(46)} wall ${x.wall.toFixed(1).padStart(6)} s (ratio ${(x.wall / base.wall).toFixed(2)})` +
          `  CPU ${x.cpuSeconds.toFixed(1).padStart(6)} s (ratio ${(x.cpuSeconds / base.cpuSeconds).toFixed(2)})` +
          `  peak RSS ${(x.maxRssKiB / 1024).toFixed(0).padStart(5)} MiB (ratio ${(x.maxRssKiB / base.maxRssKiB).toFixed(2)})` +
          (i === 0
            ? ""
            : `  spilled ${x.spilled ? "yes" : "no"}, largest relative difference ${worst.toExponential(1)}`),
      );
    });
    large(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The ≥ 1.3B-parameter float16 model, streamed under a 4 GB limit (its whole graph would not be run here). */
function large(scratch: string): void {
  if (!existsSync(path.join(LARGE_DIR, "model.onnx"))) {
    console.log(
      `large model skipped: no ${LARGE_DIR}/model.onnx — make it with\n  node dist/bench/randomTransformer.js ${LARGE_DIR}\n(1.31B parameters, 2.6 GB of float16 weights; or point GLOSSA_BENCH_LARGE at one)`,
    );
    return;
  }
  const out = path.join(scratch, "large");
  const x = child(out, true, LARGE_LIMIT, LARGE_DIR, LARGE_TOKENS);
  const rows = readRunFolder(out).rows;
  const params = rows.find((r) => typeof r.params === "number")?.params as number;
  const layers = new Set(rows.map((r) => r.layer)).size;
  console.log(
    `${LARGE_DIR}: ${params.toLocaleString("en")} parameters, ${layers} layers, ${x.tokens} tokens, --stream-blocks --memory-limit ${LARGE_LIMIT / 1e9}GB:` +
      ` wall ${x.wall.toFixed(1)} s, CPU ${x.cpuSeconds.toFixed(1)} s, peak RSS ${(x.maxRssKiB / 1024).toFixed(0)} MiB` +
      ` (${((x.maxRssKiB * 1024) / (2 * params)).toFixed(2)} × the float16 weights)`,
  );
}

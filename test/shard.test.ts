/**
 * `--shard i/N` + `glossa merge` (issue 14 part 1): the N slices of a sweep, each in its own
 * folder, merge into one run folder equal to the unsharded run (rows in the same order, values
 * to 1e-9 relative, the same commits and parameters); merge refuses shards of different sweeps,
 * missing, duplicated or unfinished shards, naming them, and takes the merged folder's lock.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mergeShards, unshardedCommand } from "../src/distributed/merge.js";
import { parseShard } from "../src/distributed/shard.js";
import { QUICK_PRESET, resolveConfig } from "../src/experiments/emergent/config.js";
import { runExperiment as runEmergent } from "../src/experiments/emergent/experiment.js";
import { runExperiment as runLm, type LmSweepOptions } from "../src/experiments/lm/experiment.js";
import { presetConfig } from "../src/experiments/seq2seq/config.js";
import { runExperiment as runSeq2seq } from "../src/experiments/seq2seq/experiment.js";
import { tsBackend } from "../src/compute/ts.js";
import { InputError } from "../src/io/errors.js";
import { readRunFolder, readRunInfo } from "../src/io/runFolder.js";
import { acquireLock } from "../src/io/runLock.js";
import type { ShardSpec } from "../src/experiments/runner.js";
import { runCli } from "./helpers/runCli.js";
import { expectSameRows } from "./helpers/sameRows.js";

const quiet = () => {};
const root = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-shard-"));
let folders = 0;
const tmp = (name: string) => path.join(root, `${name}-${folders++}`);

const commitsOf = (dir: string) => fs.readFileSync(path.join(dir, "commits.jsonl"), "utf8");

/** Runs every shard of N, merges them, and checks the merged folder equals the unsharded one. */
async function shardsEqualWhole(
  run: (out: string, shard?: ShardSpec) => Promise<unknown>,
  count: number,
): Promise<string[]> {
  const whole = tmp("whole");
  await run(whole);
  const shards: string[] = [];
  for (let index = 0; index < count; index++) {
    const dir = tmp(`shard${index}`);
    await run(dir, { index, count });
    shards.push(dir);
  }
  // Given in any order.
  const merged = tmp("merged");
  const result = await mergeShards([...shards].reverse(), { out: merged, log: quiet });
  const a = readRunFolder(merged);
  const b = readRunFolder(whole);
  expectSameRows(a.rows, b.rows);
  expect(result.rows).toBe(b.rows.length);
  expect(commitsOf(merged)).toBe(commitsOf(whole));
  expect(a.info!.parameters).toEqual(b.info!.parameters);
  expect(a.info!.status).toBe("done");
  expect(fs.existsSync(path.join(merged, ".lock"))).toBe(false);
  expect(fs.readFileSync(path.join(merged, "results.csv"), "utf8")).toBe(
    fs.readFileSync(path.join(whole, "results.csv"), "utf8"),
  );
  // Each shard ran only its slice: together exactly the whole's commits.
  const perShard = shards.map((d) => commitsOf(d).trim().split("\n").filter(Boolean).length);
  expect(perShard.reduce((s, n) => s + n, 0)).toBe(commitsOf(whole).trim().split("\n").length);
  return shards;
}

const TINY_EMERGENT = resolveConfig(QUICK_PRESET, {
  atoms: 4,
  signalLength: 3,
  alphabetSize: 5,
  hiddenSizes: [8],
  seeds: [3, 4, 5],
  embeddingSize: 4,
  batchSize: 16,
  passesPerEpoch: 2,
  epochs: 2,
  compositionalFraction: 0.25,
});
const emergent =
  (config = TINY_EMERGENT) =>
  (out: string, shard?: ShardSpec) =>
    runEmergent(config, { out, log: quiet, plots: false, ...(shard ? { shard } : {}) });

const FIX = "test/fixtures/lm";
const CORPUS = fs
  .readFileSync(path.join(FIX, "corpus.txt"), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .slice(0, 6);
const LM: LmSweepOptions = {
  models: [path.join(FIX, "pythia-tiny-step0"), path.join(FIX, "pythia-tiny-step300")],
  documents: CORPUS,
  layers: [0, 1, 2],
  labels: ["token", "bigram"],
  estimators: ["soft", "binned"],
  batchSize: 4,
  nullShadows: 2,
  anchors: { n: 16, seed: 7 },
  calibration: "exact",
  bins: 6,
  backend: tsBackend,
};
const lm = (out: string, shard?: ShardSpec) => runLm(LM, { out, log: quiet, ...(shard ? { shard } : {}) });

describe("--shard i/N and glossa merge", () => {
  it("parses i/N and refuses anything else", () => {
    expect(parseShard("2/5")).toEqual({ index: 2, count: 5 });
    for (const bad of ["5/5", "1/0", "-1/3", "a/b", "1", "1/2/3"])
      expect(() => parseShard(bad), bad).toThrow(/--shard expects i\/N/);
    expect(unshardedCommand("glossa lm --model m --shard 1/4 --out x")).toBe("glossa lm --model m --out x");
    expect(unshardedCommand("glossa lm --shard=1/4 --out x")).toBe("glossa lm --out x");
  });

  it("emergent: 3 runs in 2 shards merge into the unsharded run folder", async () => {
    await shardsEqualWhole(emergent(), 2);
  }, 120_000);

  it("lm: 2 models × 3 layers × 2 estimators in 5 shards merge into the unsharded run folder", async () => {
    await shardsEqualWhole(lm, 5);
  }, 120_000);

  it("seq2seq: 2 runs in 2 shards merge into the unsharded run folder", async () => {
    const config = presetConfig("quick", {
      task: "reverse",
      split: "random",
      seeds: [1, 2],
      steps: 4,
      measurePoints: 2,
      batchSize: 16,
      toyTrain: 32,
      toyTest: 16,
      evalExamples: 8,
      probeInputs: 8,
    });
    const shards = await shardsEqualWhole(
      (out, shard) => runSeq2seq(config, { out, log: quiet, ...(shard ? { shard } : {}) }),
      2,
    );
    // Checkpoints (the partial states) travel into the merged folder.
    expect(fs.readdirSync(path.join(shards[0]!, "checkpoints")).length).toBe(1);
  }, 120_000);

  it("refuses missing, duplicated, foreign and unfinished shards, naming them, and a locked --out", async () => {
    const run = emergent();
    const [a, b, c] = [tmp("s0"), tmp("s1"), tmp("s2")];
    await run(a, { index: 0, count: 3 });
    await run(b, { index: 1, count: 3 });
    await run(c, { index: 2, count: 3 });
    const merge = (dirs: string[]) => mergeShards(dirs, { out: tmp("m"), log: quiet });
    await expect(merge([a, c])).rejects.toThrow(/shard\(s\) 1\/3 missing/);
    await expect(merge([a, b, c, b])).rejects.toThrow(/both shard 1\/3/);
    // Another sweep (other epochs): named with the parameter that differs.
    const other = tmp("other");
    await emergent({ ...TINY_EMERGENT, epochs: 1 })(other, { index: 1, count: 3 });
    await expect(merge([a, other, c])).rejects.toThrow(/different sweeps: parameter "config.epochs" differs/);
    // Another shard count.
    const half = tmp("half");
    await run(half, { index: 1, count: 2 });
    await expect(merge([a, half, c])).rejects.toThrow(/shard 1\/2 but .* shard 0\/3/);
    // Not a shard; not finished.
    const whole = tmp("whole");
    await run(whole);
    await expect(merge([a, b, whole])).rejects.toThrow(InputError);
    const info = readRunInfo(b)!;
    fs.writeFileSync(path.join(b, "run.json"), JSON.stringify({ ...info, status: "running" }));
    await expect(merge([a, b, c])).rejects.toThrow(new RegExp(`${b}: this part has not finished`));
    fs.writeFileSync(path.join(b, "run.json"), JSON.stringify(info));
    // The merged folder's lock: another live writer is refused.
    const out = tmp("locked");
    fs.mkdirSync(out);
    const lock = acquireLock(out, "someone else", quiet);
    try {
      await expect(mergeShards([a, b, c], { out, log: quiet })).rejects.toThrow(/someone else/);
    } finally {
      lock.release();
    }
    const done = await mergeShards([a, b, c], { out, log: quiet });
    expect(done.shards).toBe(3);
    // The unsharded command with --resume on the merged folder computes nothing and draws the summary.
    const redraw = await runEmergent(TINY_EMERGENT, { out, resume: true, log: quiet, plots: false });
    expect(redraw.epochsTrained).toBe(0);
    expect(fs.existsSync(path.join(out, "summary.json"))).toBe(true);
    // The command: usage mistakes exit 2, bad shards 1 (one line, naming them), success 0.
    expect((await runCli(["merge", a, b, c])).code).toBe(2);
    expect((await runCli(["merge", "--out", tmp("cli")])).code).toBe(2);
    const missing = await runCli(["merge", a, c, "--out", tmp("cli")]);
    expect(missing.code).toBe(1);
    expect(missing.err.join("")).toMatch(/shard\(s\) 1\/3 missing/);
    const ok = await runCli(["merge", a, b, c, "--out", tmp("cli"), "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out.join("\n"))).toMatchObject({ experiment: "emergent", shards: 3 });
    expect((await runCli(["emergent", "--shard", "3/3", "--out", tmp("cli")])).code).toBe(1);
  }, 180_000);
});

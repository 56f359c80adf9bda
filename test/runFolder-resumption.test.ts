/**
 * The resumption suite (issue 10): every experiment runs as a child process (the CLI bundled
 * from src/ with rolldown, so no prior `npm run build` is needed), is killed with SIGKILL at
 * seeded random points, has its journal truncated at seeded random byte offsets, and is
 * resumed until it finishes. The final rows must equal an uninterrupted run's: the same
 * values bit for bit, no duplicates, no gaps. Plus the lock: a second writer is refused.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bundleCli } from "./helpers/bundleCli.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../src/experiments/training/checkpoint.js";
import { readJournal } from "../src/io/runFolder.js";
import { Random } from "../src/util/random.js";
import { rowsByKey, TINY_SEQ2SEQ } from "./helpers/runRows.js";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
// Inside the repository (glossa-out/ is git-ignored) so the bundle resolves node_modules.
const CLI = path.join(ROOT, "glossa-out", ".resumption-cli", `glossa-${process.pid}.mjs`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-resume-"));
const FIX = path.join(ROOT, "test", "fixtures", "lm");

beforeAll(async () => {
  await bundleCli(CLI);
}, 60_000);
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(CLI, { force: true });
});

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<Finished>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

const commitsIn = (dir: string): number => {
  const file = path.join(dir, "commits.jsonl");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").length - 1 : 0;
};

/** Runs to completion; the exit code must be 0. */
async function runToEnd(args: string[]): Promise<string> {
  const { stderr, code } = await start(args).done;
  expect(code, stderr).toBe(0);
  return stderr;
}

/** Starts a run and SIGKILLs it once `commits` commits are journaled (plus `delayMs`); false if it finished first. */
async function killAfter(args: string[], dir: string, commits: number, delayMs: number): Promise<boolean> {
  const { child, done } = start(args);
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  while (!finished && commitsIn(dir) < commits) await new Promise((r) => setTimeout(r, 10));
  if (!finished) await new Promise((r) => setTimeout(r, delayMs));
  const killed = !finished && child.kill("SIGKILL");
  const result = await done;
  if (!killed) expect(result.code, result.stderr).toBe(0);
  return killed;
}

const rowsOf = (dir: string) => readJournal(path.join(dir, "results.jsonl")).rows;

interface Case {
  name: string;
  args: (out: string) => string[];
  /** Commits of a whole run. */
  commits: number;
}

const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file, "utf8"));

function writeJson(name: string, value: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

const CASES: Case[] = [
  {
    name: "emergent",
    args: (out) => [
      "emergent",
      "--config",
      writeJson("emergent.json", {
        atoms: 4,
        signalLength: 3,
        alphabetSize: 5,
        hiddenSizes: [8],
        seeds: [3, 4],
        embeddingSize: 4,
        batchSize: 16,
        passesPerEpoch: 2,
        epochs: 4,
        compositionalFraction: 0.25,
      }),
      "--out",
      out,
    ],
    commits: 2 * 5,
  },
  {
    name: "seq2seq",
    args: (out) => ["seq2seq", "--config", writeJson("seq2seq.json", { ...TINY_SEQ2SEQ, seeds: [1, 2] }), "--out", out],
    commits: 2 * 4,
  },
  {
    name: "lm",
    args: (out) => [
      "lm",
      "--model",
      path.join(FIX, "pythia-tiny-step0"),
      "--model",
      path.join(FIX, "pythia-tiny-step300"),
      "--corpus",
      path.join(FIX, "corpus.txt"),
      "--layers",
      "0,1,2",
      "--estimator",
      "soft,hard",
      "--labels",
      "token,bigram,trigram,bigram-nested,trigram-nested",
      "--max-tokens",
      "120",
      "--anchors",
      "16",
      "--out",
      out,
    ],
    commits: 2 * 3 * 2,
  },
];

describe.each(CASES)("resumption: $name", (c) => {
  it("killed with SIGKILL at random points and its journal truncated at random offsets, resumes to the uninterrupted rows", async () => {
    const reference = path.join(tmp, `${c.name}-reference`);
    await runToEnd(c.args(reference));
    const expected = rowsByKey(rowsOf(reference));
    expect(commitsIn(reference)).toBe(c.commits);
    const rng = new Random(c.name.length * 7919 + 1);
    for (let scenario = 0; scenario < 2; scenario++) {
      const out = path.join(tmp, `${c.name}-${scenario}`);
      let kills = 0;
      let staleLock = false;
      // Up to two kills, each followed by a seeded truncation of the journal (or none).
      for (let k = 0; k < 2; k++) {
        const args = kills || k ? [...c.args(out), "--resume"] : c.args(out);
        const killed = await killAfter(args, out, 1 + rng.int(c.commits - 1), rng.int(50));
        if (!killed) break;
        kills++;
        staleLock = fs.existsSync(path.join(out, ".lock"));
        const journal = path.join(out, "results.jsonl");
        const size = fs.existsSync(journal) ? fs.statSync(journal).size : 0;
        const mode = rng.int(3); // 0: as killed; 1: cut at a random byte; 2: drop the last newline
        if (size > 0 && mode === 1) fs.truncateSync(journal, rng.int(size));
        if (size > 0 && mode === 2) fs.truncateSync(journal, size - 1);
      }
      const log = await runToEnd([...c.args(out), "--resume"]);
      if (staleLock) expect(log).toMatch(/taking over the stale lock/);
      const rows = rowsOf(out);
      expect(rows.length, `${c.name} scenario ${scenario} (${kills} kills)`).toBe(expected.size);
      expect(rowsByKey(rows)).toEqual(expected);
      expect(fs.existsSync(path.join(out, ".lock"))).toBe(false);
      const csvLines = fs.readFileSync(path.join(out, "results.csv"), "utf8").trim().split("\n").length;
      expect(csvLines).toBe(expected.size + 1);
    }
  }, 240_000);
});

describe("resumption: refusals", () => {
  it("a second writer on a running folder exits 1 naming the owner; resuming with another parameter is refused", async () => {
    // A long run (200 epochs) holds the folder while a second writer tries it.
    const out = path.join(tmp, "locked");
    const long = (dir: string) =>
      CASES[0]!
        .args(dir)
        .map((a) => (a.endsWith("emergent.json") ? writeJson("long.json", { ...readJson(a), epochs: 200 }) : a));
    const first = start(long(out));
    while (commitsIn(out) < 1) await new Promise((r) => setTimeout(r, 10));
    const second = await start([...long(out), "--resume"]).done;
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`in use by process ${first.child.pid} on ${os.hostname()}`));
    expect(second.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Ctrl-C: the lock goes with the process (exit 130); the folder stays resumable.
    first.child.kill("SIGINT");
    expect((await first.done).code).toBe(130);
    expect(fs.existsSync(path.join(out, ".lock"))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(out, "run.json"), "utf8")).status).toBe("running");
    const lm = path.join(tmp, "lm-params");
    await runToEnd(CASES[2]!.args(lm));
    const other = await start([...CASES[2]!.args(lm), "--resume", "--seed", "5"]).done;
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/cannot resume: parameter "anchors\.seed" differs \(the run used 0, now 5\)/);
    const file = path.join(tmp, "a-file");
    fs.writeFileSync(file, "");
    const onFile = await start(["lm", ...CASES[2]!.args(file).slice(1)]).done;
    expect(onFile.code).toBe(1);
    expect(onFile.stderr.trim()).toBe(`glossa lm: ${file}: is a file, not a folder; choose another --out`);
  }, 120_000);
});

describe("resumption: stopping while training", () => {
  it("SIGTERM between two measurements stops a seq2seq run at once (exit 143, lock released), not at the next measurement", async () => {
    // Measurements at steps 0, 1 and 100,000 only: without a turn of the event loop per step,
    // the signal handler would wait for the ~100,000 steps in between.
    const out = path.join(tmp, "sigterm");
    const config = writeJson("sigterm.json", { ...TINY_SEQ2SEQ, seeds: [1], steps: 100_000, measurePoints: 2 });
    const { child, done } = start(["seq2seq", "--config", config, "--out", out]);
    // TINY_SEQ2SEQ checkpoints every 2 steps: once one is past step 0, the run is in its steps.
    const checkpoint = path.join(out, "checkpoints", "standard-small-seed1.json");
    const checkpointStep = () => loadCheckpoint<{ step: number }>(checkpoint, "seq2seq")?.data.step ?? 0;
    while (checkpointStep() < 2) await new Promise((r) => setTimeout(r, 10));
    const sent = performance.now();
    child.kill("SIGTERM");
    const { code, stderr } = await done;
    expect(code, stderr).toBe(143);
    expect(performance.now() - sent).toBeLessThan(10_000);
    expect(fs.existsSync(path.join(out, ".lock"))).toBe(false);
    // Measured: steps 0 and 1 (the log-spaced schedule's first two), not the last step.
    expect(rowsOf(out).some((r) => r.step === 100_000)).toBe(false);
    expect(commitsIn(out)).toBe(2);
  }, 120_000);
});

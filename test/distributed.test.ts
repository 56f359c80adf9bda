/**
 * Queue mode (issue 14 part 2) against a real redis-server started here on a free port in a
 * temporary folder: a sweep run through `--queue` with workers equals the single-process run
 * (same rows in the same order, to 1e-9, same commits and parameters) with 2 worker processes
 * and with one; a worker killed with SIGKILL mid-job loses nothing (the job is retried through
 * BullMQ's stalled-job recovery and resumes its cell; no cell counted twice); a coordinator
 * killed with SIGKILL is re-run with --resume against the same queue; a job failing on every
 * try is reported and the sweep exits 1 naming it. Every process is the CLI, bundled from src/.
 * Without redis-server on PATH the suite is skipped, except where GLOSSA_REQUIRE_REDIS=1 (.ci/run) makes it fail.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { bundleCli } from "./helpers/bundleCli.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunFolder } from "../src/io/runFolder.js";
import { jobArguments, jobsOf, parseQueueUrl } from "../src/distributed/queue.js";
import { expectSameRows } from "./helpers/sameRows.js";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const CLI = path.join(ROOT, "glossa-out", ".distributed-cli", `glossa-${process.pid}.mjs`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-queue-"));
const FIX = path.join(ROOT, "test", "fixtures", "lm");
const HAVE_REDIS = spawnSync("redis-server", ["--version"]).status === 0;
if (!HAVE_REDIS && process.env.GLOSSA_REQUIRE_REDIS)
  throw new Error("GLOSSA_REQUIRE_REDIS is set but redis-server is not installed (.ci/run installs it with apt)");

let redis: ChildProcess | undefined;
let port = 0;
const children = new Set<ChildProcess>();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function redisReady(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
      socket.on("data", (d) => {
        socket.destroy();
        resolve(String(d).startsWith("+PONG"));
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("redis-server did not start");
}

beforeAll(async () => {
  if (!HAVE_REDIS) return;
  port = await freePort();
  const dir = path.join(tmp, "redis");
  fs.mkdirSync(dir);
  redis = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  await bundleCli(CLI);
  await redisReady();
}, 60_000);

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  redis?.kill("SIGTERM");
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(CLI, { force: true });
});

interface Finished {
  code: number | null;
  stderr: string;
}

function start(args: string[], cwd = ROOT): { child: ChildProcess; done: Promise<Finished>; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<Finished>((resolve) =>
    child.on("close", (code) => {
      children.delete(child);
      resolve({ code, stderr });
    }),
  );
  return { child, done, stderr: () => stderr };
}

/** Each test its own Redis database, so no test sees another's jobs. */
const url = (db: number) => `redis://127.0.0.1:${port}/${db}`;
const worker = (db: number, extra: string[] = [], cwd = ROOT) =>
  start(["worker", "--queue", url(db), "--lock-seconds", "2", ...extra], cwd);

async function stopWorker(w: ReturnType<typeof start>): Promise<void> {
  w.child.kill("SIGTERM");
  await w.done;
}

async function waitFor(test: () => boolean, what: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function writeJson(name: string, value: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

const emergentConfig = (epochs: number, seeds: number[]) => ({
  atoms: 4,
  signalLength: 3,
  alphabetSize: 5,
  hiddenSizes: [8],
  seeds,
  embeddingSize: 4,
  batchSize: 16,
  passesPerEpoch: 2,
  epochs,
  compositionalFraction: 0.25,
});

const commitsOf = (dir: string) => fs.readFileSync(path.join(dir, "commits.jsonl"), "utf8");

/** The queued run folder equals the single-process one: rows in order, commits, parameters. */
function expectSameFolder(queued: string, reference: string): void {
  const a = readRunFolder(queued);
  const b = readRunFolder(reference);
  expectSameRows(a.rows, b.rows);
  expect(commitsOf(queued)).toBe(commitsOf(reference));
  expect(a.info!.parameters).toEqual(b.info!.parameters);
  expect(a.info!.status).toBe("done");
  expect(fs.existsSync(path.join(queued, ".lock"))).toBe(false);
}

const filesEnding = (dir: string, end: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(end))
    .sort();

/**
 * Jobs only journal rows (no plots or report: the coordinator draws them once), and the
 * coordinator's report files equal the single-process run's.
 */
function expectReportOnlyFromCoordinator(queued: string, reference: string, reportFiles: string[]): void {
  const store = path.join(queued, "queue-store");
  const jobDirs = fs
    .readdirSync(store)
    .flatMap((sweep) => fs.readdirSync(path.join(store, sweep)).map((d) => path.join(store, sweep, d)));
  expect(jobDirs.length).toBeGreaterThan(0);
  for (const dir of jobDirs) {
    expect(fs.existsSync(path.join(dir, "results.jsonl"))).toBe(true);
    expect(filesEnding(dir, ".svg")).toEqual([]);
    expect(fs.existsSync(path.join(dir, "report.html"))).toBe(false);
  }
  const svgs = filesEnding(reference, ".svg");
  expect(svgs.length).toBeGreaterThan(0);
  expect(filesEnding(queued, ".svg")).toEqual(svgs);
  for (const file of [...svgs, ...reportFiles])
    expect(fs.readFileSync(path.join(queued, file), "utf8"), file).toBe(
      fs.readFileSync(path.join(reference, file), "utf8"),
    );
}

async function reference(args: string[], name: string): Promise<string> {
  const out = path.join(tmp, name);
  const { code, stderr } = await start([...args, "--out", out]).done;
  expect(code, stderr).toBe(0);
  return out;
}

describe("queue arguments", () => {
  it("parses redis URLs and strips the options that name where a process writes", () => {
    expect(parseQueueUrl("redis://10.0.0.5:6380/2")).toMatchObject({ host: "10.0.0.5", port: 6380, db: 2 });
    expect(parseQueueUrl("redis://localhost")).toMatchObject({ host: "localhost", port: 6379, db: 0 });
    expect(() => parseQueueUrl("http://x:1")).toThrow(/redis:\/\/HOST:PORT/);
    expect(
      jobArguments(["--config", "c.json", "--out", "o", "--resume", "--queue=redis://h:1", "--store", "s", "--json"]),
    ).toEqual(["--config", "c.json", "--json"]);
    const cells = [
      { id: "a", ordinal: 0 },
      { id: "m1/0", ordinal: 1, group: "m1" },
      { id: "m1/1", ordinal: 2, group: "m1" },
      { id: "m2/0", ordinal: 3, group: "m2" },
      { id: "b", ordinal: 4 },
      { id: "c", ordinal: 5 },
    ];
    expect(jobsOf(cells).map((job) => job.map((c) => c.ordinal))).toEqual([[0], [1, 2], [3], [4], [5]]);
  });
});

describe.skipIf(!HAVE_REDIS)("queue mode on a real redis-server", () => {
  it("emergent on 2 worker processes and lm on 1 equal the single-process runs", async () => {
    const config = writeJson("exact.json", emergentConfig(2, [3, 4, 5, 6]));
    const args = ["emergent", "--config", config];
    const ref = await reference(args, "exact-ref");
    const w = worker(1, ["--concurrency", "2"]);
    const out = path.join(tmp, "exact-queued");
    const run = await start([...args, "--out", out, "--queue", url(1)]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/queue: done 4\/4, running 0, waiting 0, failed 0/);
    expectSameFolder(out, ref);
    expect(fs.existsSync(path.join(out, "summary.json"))).toBe(true);
    expect(fs.readdirSync(path.join(out, "checkpoints")).length).toBe(4);
    expectReportOnlyFromCoordinator(out, ref, ["summary.json"]);
    await stopWorker(w);
    // Both worker processes took jobs.
    const pids = new Set([...w.stderr().matchAll(/\[worker (\d+)\] job \S+: cell \S+ done/g)].map((m) => m[1]));
    expect(pids.size).toBe(2);
    const lmArgs = [
      "lm",
      ...["--model", path.join(FIX, "pythia-tiny-step0"), "--model", path.join(FIX, "pythia-tiny-step300")],
      ...["--corpus", path.join(FIX, "corpus.txt"), "--layers", "0,2", "--estimator", "soft,hard"],
      ...["--labels", "token,bigram", "--max-tokens", "120", "--anchors", "16"],
    ];
    const lmRef = await reference(lmArgs, "lm-ref");
    const w1 = worker(2);
    const lmOut = path.join(tmp, "lm-queued");
    const lmRun = await start([...lmArgs, "--out", lmOut, "--queue", url(2)]).done;
    expect(lmRun.code, lmRun.stderr).toBe(0);
    // One job per model: its cells share the model's forward passes.
    expect(lmRun.stderr).toMatch(/8 cells \(2 jobs to run, 0 cells already in/);
    expectSameFolder(lmOut, lmRef);
    expectReportOnlyFromCoordinator(lmOut, lmRef, []);
    expect(fs.existsSync(path.join(lmOut, "report.html"))).toBe(true);
    await stopWorker(w1);
  }, 240_000);

  it("a worker killed with SIGKILL mid-job: the job is retried on another worker and no cell is counted twice", async () => {
    const config = writeJson("kill.json", emergentConfig(12, [7, 8]));
    const args = ["emergent", "--config", config];
    const ref = await reference(args, "kill-ref");
    const out = path.join(tmp, "kill-queued");
    const store = path.join(tmp, "kill-store");
    const victim = worker(3);
    const coordinator = start([...args, "--out", out, "--queue", url(3), "--store", store]);
    // Kill the worker once its first job has committed a few epochs into the job's folder.
    const jobCommits = () => {
      if (!fs.existsSync(store)) return 0;
      let n = 0;
      for (const sweep of fs.readdirSync(store))
        for (const cell of fs.readdirSync(path.join(store, sweep))) {
          const file = path.join(store, sweep, cell, "commits.jsonl");
          if (fs.existsSync(file)) n += fs.readFileSync(file, "utf8").split("\n").length - 1;
        }
      return n;
    };
    await waitFor(() => jobCommits() >= 3, "the first job's commits");
    victim.child.kill("SIGKILL");
    await victim.done;
    const rescuer = worker(3);
    const run = await coordinator.done;
    expect(run.code, run.stderr).toBe(0);
    expect(rescuer.stderr()).toMatch(/resuming an interrupted try/);
    expectSameFolder(out, ref);
    await stopWorker(rescuer);
  }, 240_000);

  it("a coordinator killed with SIGKILL is re-run with --resume against the same queue", async () => {
    const config = writeJson("coord.json", emergentConfig(3, [1, 2, 3]));
    const args = ["emergent", "--config", config];
    const ref = await reference(args, "coord-ref");
    const out = path.join(tmp, "coord-queued");
    const w = worker(4);
    const first = start([...args, "--out", out, "--queue", url(4)]);
    await waitFor(() => fs.existsSync(path.join(out, "commits.jsonl")) && commitsOf(out).length > 0, "a commit");
    first.child.kill("SIGKILL");
    await first.done;
    const again = await start([...args, "--out", out, "--queue", url(4), "--resume"]).done;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/taking over the stale lock/);
    expectSameFolder(out, ref);
    await stopWorker(w);
  }, 240_000);

  it("a job failing on every try is reported with its error and the sweep exits 1 naming it", async () => {
    // The worker runs in another folder, where the sweep's relative --config path does not exist.
    const here = fs.mkdtempSync(path.join(tmp, "coordinator-"));
    fs.writeFileSync(path.join(here, "fail.json"), JSON.stringify(emergentConfig(1, [9])));
    const elsewhere = fs.mkdtempSync(path.join(tmp, "worker-"));
    const w = worker(5, [], elsewhere);
    const out = path.join(tmp, "fail-queued");
    const run = await start(
      ["emergent", "--config", "fail.json", "--out", out, "--queue", url(5), "--attempts", "2"],
      here,
    ).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/1 of 1 jobs failed on every try/);
    expect(run.stderr).toMatch(/cell h8-s9 \(job [0-9a-f]+-0, 2 tries\): .*fail\.json/);
    expect(readRunFolder(out).info!.status).toMatch(/^failed: /);
    await stopWorker(w);
  }, 120_000);
});

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  commandLine,
  differingParameter,
  RunFolder,
  readJournal,
  readRunFolder,
  rowsToCsv,
  shellQuote,
} from "../src/io/runFolder.js";
import { LOCK_FILE } from "../src/io/runLock.js";

const dirs: string[] = [];
const open: RunFolder[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-run-"));
  dirs.push(dir);
  return dir;
}
function openRun(dir: string, options: Partial<Parameters<typeof RunFolder.open>[1]> = {}): RunFolder {
  const run = RunFolder.open(dir, { experiment: "test", parameters: {}, log: () => {}, ...options });
  open.push(run);
  return run;
}
afterEach(() => {
  for (const run of open.splice(0)) run.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const row = (epoch: number, value = epoch) => ({ experiment: "test", epoch, measure: "m", value });

describe("RunFolder", () => {
  it("records parameters, commits rows and writes CSV on finish", () => {
    const dir = tempDir();
    const run = openRun(dir, { parameters: { n: 100, seed: 3 }, command: "glossa test" });
    run.commit("a", [
      { experiment: "test", seed: 3, epoch: 1, measure: "loss", value: 0.5 },
      { experiment: "test", seed: 3, epoch: 1, measure: 'note, "quoted"', value: 1, layer: undefined },
    ]);
    run.finish("done");
    const { info, rows } = readRunFolder(dir);
    expect(info?.status).toBe("done");
    expect(info?.parameters).toEqual({ n: 100, seed: 3 });
    expect(info?.rows).toBe(2);
    expect(info?.machine.cpus).toBeGreaterThan(0);
    expect(rows).toHaveLength(2);
    expect("layer" in rows[1]!).toBe(false);
    const csv = fs.readFileSync(path.join(dir, "results.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("experiment,seed,epoch,measure,value");
    expect(csv[2]).toBe('test,3,1,"note, ""quoted""",1');
    expect(fs.readFileSync(path.join(dir, "commits.jsonl"), "utf8")).toBe('{"id":"a","rows":2}\n');
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it("refuses to overwrite a journal without resume", () => {
    const dir = tempDir();
    const run = openRun(dir);
    run.commit("a", [row(1)]);
    run.finish("done");
    expect(() => openRun(dir)).toThrow(/--resume/);
  });

  it("drops a partly written last line on resume, with a message, and truncates it", () => {
    const dir = tempDir();
    const run = openRun(dir);
    run.commit("e1", [row(1)]);
    run.close();
    fs.appendFileSync(path.join(dir, "results.jsonl"), '{"experiment":"test","epoch":2,"meas');
    const messages: string[] = [];
    const resumed = openRun(dir, { resume: true, log: (m) => messages.push(m) });
    expect(resumed.existing).toHaveLength(1);
    expect(messages.join()).toMatch(/partly written last line/);
    resumed.commit("e2", [row(2)]);
    expect(readJournal(path.join(dir, "results.jsonl")).rows.map((r) => r.epoch)).toEqual([1, 2]);
    expect(resumed.info.resumedFrom).toHaveLength(1);
  });

  it("keeps whole commits only: rows of an unrecorded or cut-short commit are dropped, at any truncation point", () => {
    const dir = tempDir();
    const run = openRun(dir);
    run.commit("c1", [row(1), row(2)]);
    run.commit("c2", [row(3), row(4), row(5)]);
    run.commit("c3", [row(6)]);
    run.close();
    const journal = path.join(dir, "results.jsonl");
    const commits = path.join(dir, "commits.jsonl");
    const full = fs.readFileSync(journal, "utf8");
    const fullCommits = fs.readFileSync(commits, "utf8");
    const lineEnds = [...full.matchAll(/\n/g)].map((m) => m.index! + 1);
    // Every byte offset: the kept rows are exactly the commits wholly before the cut.
    for (let cut = 0; cut <= full.length; cut++) {
      fs.writeFileSync(journal, full.slice(0, cut));
      fs.writeFileSync(commits, fullCommits);
      const complete = lineEnds.filter((e) => e <= cut).length;
      const expected = complete >= 6 ? 6 : complete >= 5 ? 5 : complete >= 2 ? 2 : 0;
      if (cut === 0) {
        // An empty journal is a fresh start.
        const fresh = openRun(dir, { resume: true });
        expect(fresh.existing).toHaveLength(0);
        fresh.close();
        continue;
      }
      const resumed = openRun(dir, { resume: true });
      expect(
        resumed.existing.map((r) => r.epoch),
        `cut at ${cut}`,
      ).toEqual([1, 2, 3, 4, 5, 6].slice(0, expected));
      expect(resumed.isCommitted("c1")).toBe(expected >= 2);
      expect(resumed.isCommitted("c3")).toBe(expected === 6);
      // The journal on disk was rewritten to exactly the kept rows.
      expect(readJournal(journal)).toMatchObject({ droppedPartialLine: false });
      expect(readJournal(journal).rows).toHaveLength(expected);
      resumed.close();
    }
    // Rows journaled but never recorded as committed (killed between the two writes) are dropped.
    fs.writeFileSync(journal, full);
    fs.writeFileSync(commits, `${fullCommits.split("\n").slice(0, 2).join("\n")}\n`);
    const resumed = openRun(dir, { resume: true });
    expect(resumed.existing.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(resumed.isCommitted("c3")).toBe(false);
  });

  it("refuses to resume with other parameters, naming the first that differs; allowed ones may change", () => {
    const dir = tempDir();
    const run = openRun(dir, { parameters: { corpus: "a.txt", anchors: { n: 100, seed: 0 }, epochs: 3 } });
    run.commit("a", [row(1)]);
    run.finish("done");
    expect(() =>
      openRun(dir, { resume: true, parameters: { corpus: "a.txt", anchors: { n: 100, seed: 1 }, epochs: 3 } }),
    ).toThrow(/parameter "anchors.seed" differs \(the run used 0, now 1\)/);
    expect(() =>
      openRun(dir, { resume: true, parameters: { corpus: "b.txt", anchors: { n: 100, seed: 0 }, epochs: 3 } }),
    ).toThrow(/run\.json: cannot resume: parameter "corpus" differs/);
    expect(() => openRun(dir, { experiment: "other", resume: true })).toThrow(/holds a "test" run/);
    const grown = openRun(dir, {
      resume: true,
      parameters: { corpus: "a.txt", anchors: { n: 100, seed: 0 }, epochs: 9 },
      mayChange: ["epochs"],
    });
    expect(grown.existing).toHaveLength(1);
    expect(differingParameter({ a: [1, 2] }, { a: [1, 2] })).toBeUndefined();
    expect(differingParameter({ a: [1, 2] }, { a: [2, 1] })).toBe("a");
  });

  it("treats a corrupt line in the middle as an error naming the line", () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, "results.jsonl"),
      '{"measure":"a","value":1}\nnot json\n{"measure":"b","value":2}\n',
    );
    expect(() => readJournal(path.join(dir, "results.jsonl"))).toThrow(/line 2/);
  });

  it("writes non-finite values as null, never NaN", () => {
    expect(rowsToCsv([{ experiment: "e", measure: "m", value: null }])).toBe("experiment,measure,value\ne,m,\n");
    const dir = tempDir();
    const run = openRun(dir, { experiment: "e" });
    run.commit("a", [{ experiment: "e", measure: "m", value: NaN }]);
    expect(readRunFolder(dir).rows[0]!.value).toBeNull();
  });

  it("an --out that is a file or cannot be written is a one-line InputError", () => {
    const dir = tempDir();
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "x");
    expect(() => openRun(file)).toThrow(/a-file: is a file, not a folder/);
    expect(() => openRun(path.join(file, "below"))).toThrow(/below: cannot write a run folder here/);
    // Under /proc, mkdir answers ENOENT (Node's own recursive mkdir never returns there).
    if (process.platform === "linux" && fs.existsSync("/proc/self"))
      expect(() => openRun("/proc/glossa-run-test/x")).toThrow(
        /^\/proc\/glossa-run-test\/x: cannot write a run folder here \(this file system does not allow creating it\)/,
      );
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, "read-only");
      fs.mkdirSync(locked, { mode: 0o555 });
      expect(() => openRun(path.join(locked, "run"))).toThrow(/cannot write a run folder here \(permission denied\)/);
    }
  });

  it("quotes the recorded command for a shell", () => {
    expect(shellQuote(["glossa", "lm", "--corpus", "my file.txt", "--out", "it's"])).toBe(
      "glossa lm --corpus 'my file.txt' --out 'it'\\''s'",
    );
    expect(commandLine(["demo", "--out", "a b"])).toBe("glossa demo --out 'a b'");
  });
});

describe("run-folder lock", () => {
  it("a second writer is refused naming the owner; the lock goes with finish", () => {
    const dir = tempDir();
    const first = openRun(dir, { command: "glossa first" });
    const lock = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8"));
    expect(lock).toMatchObject({ pid: process.pid, host: os.hostname(), command: "glossa first" });
    expect(() => openRun(dir, { resume: true })).toThrow(
      new RegExp(`in use by process ${process.pid} on ${os.hostname()} .*glossa first`),
    );
    first.finish("done");
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    openRun(dir, { resume: true }).close();
  });

  it("a stale lock (same host, process gone) is taken over with a message; another host's lock is refused with how to clear it", () => {
    const dir = tempDir();
    // A PID that certainly ended: a child that has exited.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    const lockFile = path.join(dir, LOCK_FILE);
    fs.writeFileSync(
      lockFile,
      JSON.stringify({ pid: dead, host: os.hostname(), started: "2026-01-01", command: "glossa killed" }),
    );
    const messages: string[] = [];
    const run = openRun(dir, { log: (m) => messages.push(m) });
    expect(messages.join("\n")).toMatch(
      new RegExp(`taking over the stale lock of process ${dead} .*no longer running`),
    );
    expect(JSON.parse(fs.readFileSync(lockFile, "utf8")).pid).toBe(process.pid);
    run.close();
    fs.writeFileSync(
      lockFile,
      JSON.stringify({ pid: 1, host: "elsewhere.example", started: "2026-01-01", command: "glossa remote" }),
    );
    expect(() => openRun(dir)).toThrow(/locked by process 1 on elsewhere\.example .*delete .*\.lock and run again/);
    fs.writeFileSync(lockFile, "{ torn");
    expect(() => openRun(dir)).toThrow(/damaged lock file; .*delete .*\.lock/);
  });

  it("a lock held by another live process of this host is refused", () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid: process.ppid, host: os.hostname(), started: "now", command: "glossa parent" }),
    );
    expect(() => openRun(dir)).toThrow(new RegExp(`in use by process ${process.ppid}`));
  });
});

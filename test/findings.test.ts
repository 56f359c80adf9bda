import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EmergentConfig } from "../src/experiments/emergent/config.js";
import type { Claim, Scale } from "../src/experiments/findings/claim.js";
import { E1 } from "../src/experiments/findings/e1.js";
import { E2 } from "../src/experiments/findings/e2.js";
import { E3 } from "../src/experiments/findings/e3.js";
import { claimDir, runFindings } from "../src/experiments/findings/experiment.js";
import { CLAIMS, selectClaims } from "../src/experiments/findings/registry.js";
import { settingsHash } from "../src/experiments/findings/sharedRuns.js";
import { InputError } from "../src/io/errors.js";
import { readRunFolder } from "../src/io/runFolder.js";
import { runCli } from "./helpers/runCli.js";

const TINY: EmergentConfig = {
  roles: ["subject", "verb", "object"],
  atoms: 3,
  signalLength: 3,
  alphabetSize: 4,
  hiddenSizes: [8],
  seeds: [1, 2, 3, 4, 5],
  embeddingSize: 4,
  batchSize: 21,
  passesPerEpoch: 2,
  learningRate: 1e-2,
  entropyCoefficient: 0.5,
  epochs: 3,
  iidTestFraction: 0.1,
  compositionalRoles: ["subject", "object"],
  compositionalFraction: 0.34,
  splitSeed: 0,
};

/** A claim with its scales replaced by a tiny configuration (real training, seconds). */
function tiny(claim: Claim, config: Partial<EmergentConfig> = {}): Claim {
  const c = { ...TINY, ...config };
  return { ...claim, configurations: { quick: c, full: c } as Record<Scale, unknown> };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("claim registry", () => {
  it("lists E1, E2, E3 with definitions and both scales", () => {
    expect(CLAIMS.map((c) => c.name)).toEqual(["E1", "E2", "E3", "S1", "S2", "S3", "M1", "L1"]);
    for (const c of CLAIMS) {
      expect(c.definition.length).toBeGreaterThan(100);
      expect(Object.keys(c.configurations).sort()).toEqual(["full", "quick"]);
    }
  });

  it("selects by name in registry order; an unknown name is an InputError naming --only", () => {
    expect(selectClaims(["E3", "E1"]).map((c) => c.name)).toEqual(["E1", "E3"]);
    expect(selectClaims(undefined)).toHaveLength(CLAIMS.length);
    expect(() => selectClaims(["E9"])).toThrow(InputError);
    expect(() => selectClaims(["E9"])).toThrow(/--only: unknown claim E9/);
  });

  it("full scale meets the issue's sizes: E2 ≥ 3 sizes × ≥ 5 seeds, E3 ≥ 10 seeds at one size", () => {
    const e2 = E2.configurations.full;
    const e3 = E3.configurations.full;
    expect(e2.hiddenSizes.length).toBeGreaterThanOrEqual(3);
    expect(e2.seeds.length).toBeGreaterThanOrEqual(5);
    expect(e3.hiddenSizes).toHaveLength(1);
    expect(e3.seeds.length).toBeGreaterThanOrEqual(10);
    expect(E3.configurations.quick.seeds.length).toBeGreaterThanOrEqual(10);
  });
});

describe("glossa findings on a reduced configuration (real training)", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-findings-"));
  dirs.push(out);
  const claims = [tiny(E1), tiny(E2, { hiddenSizes: [4, 8], seeds: [1, 2, 3] }), tiny(E3)];
  const lines: string[] = [];

  it("runs every claim into its own folder and writes verdicts, FINDINGS.md, figures and report", async () => {
    const result = await runFindings({
      out,
      scale: "quick",
      claims,
      log: (m) => lines.push(m),
      command: "glossa findings --scale quick",
    });
    expect(result.records.map((r) => r.result.claim)).toEqual(["E1", "E2", "E3"]);
    for (const r of result.records) {
      expect(["supported", "not supported", "inconclusive"]).toContain(r.result.verdict);
      expect(fs.existsSync(path.join(claimDir(out, r.result.claim), "results.jsonl"))).toBe(true);
      expect(fs.readFileSync(path.join(out, `${r.result.claim}.svg`), "utf8")).toMatch(/^<svg/);
    }
    const e2 = result.records[1]!.result;
    expect(e2.n).toBe(6);
    expect(e2.estimate).not.toBeNull();
    const e3 = result.records[2]!.result;
    expect(e3.n).toBe(5);
    const md = fs.readFileSync(path.join(out, "FINDINGS.md"), "utf8");
    expect(md).toContain("| claim | statistic | estimate | 95% interval | verdict | n | scale | command |");
    expect(md).toContain("**Quick scale**");
    expect(md).toContain("`glossa findings --scale quick`");
    expect(md.match(/^\| E\d /gm)).toHaveLength(3);
    expect(fs.readFileSync(path.join(out, "report.html"), "utf8")).toContain("E3: variation relates");
  }, 240_000);

  it("claims share training runs: one folder per distinct run, each trained once", () => {
    const pools = fs.readdirSync(path.join(out, "runs"));
    expect(pools).toHaveLength(1); // E1, E2 and E3 differ only in sizes and seeds
    const runs = fs.readdirSync(path.join(out, "runs", pools[0]!)).sort();
    // E1 and E3: h8 seeds 1-5; E2: h4 and h8 seeds 1-3 — eight distinct runs, not 5 + 6 + 5.
    expect(runs).toEqual(["h4-s1", "h4-s2", "h4-s3", "h8-s1", "h8-s2", "h8-s3", "h8-s4", "h8-s5"]);
    expect(lines.filter((m) => m.startsWith("[h8-s1] epoch 3/"))).toHaveLength(1);
    const rowsOf = (claim: string) =>
      fs
        .readFileSync(path.join(claimDir(out, claim), "results.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l.includes('"run":"h8-s2"'));
    expect(rowsOf("E3").length).toBeGreaterThan(0);
    expect(rowsOf("E3")).toEqual(rowsOf("E1"));
  });

  it("E1 with fewer than 5 generalising runs is inconclusive and says so", async () => {
    const records = JSON.parse(fs.readFileSync(path.join(out, "findings.json"), "utf8"));
    const e1 = records[0].result;
    if (e1.n < 5) {
      expect(e1.verdict).toBe("inconclusive");
      expect(e1.reason).toMatch(/5 are needed/);
    } else expect(e1.estimate).not.toBeNull();
  });

  it("a resume keeps decided claims and does not retrain them", async () => {
    const before = fs.readFileSync(path.join(claimDir(out, "E1"), "results.jsonl"), "utf8");
    const again: string[] = [];
    const result = await runFindings({ out, resume: true, scale: "quick", claims, log: (m) => again.push(m) });
    expect(result.records).toHaveLength(3);
    expect(again.filter((m) => m.includes("already decided"))).toHaveLength(3);
    expect(fs.readFileSync(path.join(claimDir(out, "E1"), "results.jsonl"), "utf8")).toBe(before);
  }, 120_000);

  it("--with: claims decided in another folder join the report, figures and FINDINGS.md, never committed here", async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-findings-with-"));
    const here = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-findings-here-"));
    dirs.push(other, here);
    await runFindings({ out: other, scale: "quick", claims: [claims[2]!], log: () => {} });
    const result = await runFindings({
      out: here,
      scale: "quick",
      claims: [claims[0]!],
      withFolders: [other],
      knownClaims: claims,
      log: () => {},
    });
    expect(result.records.map((r) => r.result.claim)).toEqual(["E1", "E3"]);
    const theirs = JSON.parse(fs.readFileSync(path.join(other, "findings.json"), "utf8"));
    expect(result.records[1]).toEqual(theirs[0]);
    expect(fs.readFileSync(path.join(here, "E3.svg"), "utf8")).toMatch(/^<svg/);
    expect(fs.readFileSync(path.join(here, "FINDINGS.md"), "utf8").match(/^\| E\d /gm)).toHaveLength(2);
    expect(readRunFolder(here).rows.filter((r) => r.claim === "E3")).toHaveLength(0);
    await expect(
      runFindings({
        out: here,
        resume: true,
        scale: "quick",
        claims: [claims[0]!],
        withFolders: [claimDir(other, "E3")],
        log: () => {},
      }),
    ).rejects.toThrow(/not a findings run folder/);
  }, 120_000);

  it("--parallel: runs trained by other processes (here: --train-run calls) give the verdict one process gives", async () => {
    const claim = tiny(E1, { seeds: [1, 2, 3, 4, 5] });
    const one = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-findings-one-"));
    const many = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-findings-many-"));
    dirs.push(one, many);
    const sequential = await runFindings({ out: one, scale: "quick", claims: [claim], log: () => {} });
    const started: string[] = [];
    let running = 0;
    let most = 0;
    const parallel = await runFindings({
      out: many,
      scale: "quick",
      claims: [claim],
      log: () => {},
      parallel: {
        processes: 2,
        async startRun(name, runId) {
          started.push(`${name}/${runId}`);
          most = Math.max(most, ++running);
          const r = await runFindings({ out: many, scale: "quick", claims: [claim], trainRun: runId, log: () => {} });
          running--;
          expect(r.records).toEqual([]);
        },
      },
    });
    expect(started.sort()).toEqual(["1", "2", "3", "4", "5"].map((seed) => `E1/h8-s${seed}`));
    expect(most).toBe(2);
    const strip = (r: (typeof parallel.records)[number]) => ({ ...r, finished: "", seconds: 0 });
    expect(parallel.records.map(strip)).toEqual(sequential.records.map(strip));
    await expect(
      runFindings({ out: many, scale: "quick", claims: [claim], trainRun: "h8-s9", log: () => {} }),
    ).rejects.toThrow(/--train-run: no run "h8-s9" in this claim \(its runs: h8-s1, /);
    await expect(
      runFindings({ out: many, scale: "quick", claims: [claim, tiny(E3)], trainRun: "h8-s1", log: () => {} }),
    ).rejects.toThrow(/one claim; 2 were named/);
  }, 180_000);

  it("a run held by another live process is waited for, then read, not refused", async () => {
    const claim = tiny(E1, { seeds: [1, 2] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-findings-wait-"));
    dirs.push(dir);
    const { seeds: _s, hiddenSizes: _h, ...shared } = claim.configurations.quick as EmergentConfig;
    const run = path.join(dir, "runs", `emergent-${settingsHash(shared)}`, "h8-s2");
    fs.mkdirSync(run, { recursive: true });
    // a lock owned by a live process on this host (this one), released a moment later
    const lock = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command: "test" };
    fs.writeFileSync(path.join(run, ".lock"), JSON.stringify(lock));
    const messages: string[] = [];
    let released = 0;
    setTimeout(() => {
      released = Date.now();
      fs.rmSync(path.join(run, ".lock"));
    }, 1500);
    const result = await runFindings({ out: dir, scale: "quick", claims: [claim], log: (m) => messages.push(m) });
    expect(messages.filter((m) => /run h8-s2 is being trained by process \d+; waiting for it/.test(m))).toHaveLength(1);
    expect(released).toBeGreaterThan(0);
    expect(result.records).toHaveLength(1);
    expect(fs.existsSync(path.join(run, "run.json"))).toBe(true);
  }, 120_000);

  it("an existing folder without --resume is refused", async () => {
    await expect(runFindings({ out, scale: "quick", claims, log: () => {} })).rejects.toThrow(/--resume/);
  });
});

describe("glossa findings command line", () => {
  it("--help names every claim and the scales", async () => {
    const r = await runCli(["findings", "--help"]);
    expect(r.code).toBe(0);
    const text = r.out.join("\n");
    for (const c of CLAIMS) expect(text).toContain(`${c.name} `);
    expect(text).toContain("--scale quick|full");
  });

  it("--parallel and --train-run: a bad count, --train-run without exactly one claim or with --parallel are usage errors (exit 2)", async () => {
    const out = path.join(os.tmpdir(), "never-made");
    for (const [argv, message] of [
      [["--only", "E1", "--parallel", "0"], /--parallel/],
      [["--only", "E1,E2", "--train-run", "h64-s1"], /--train-run trains a run of one claim/],
      [["--train-run", "h64-s1"], /--train-run trains a run of one claim/],
      [["--only", "E1", "--train-run", "h64-s1", "--parallel", "2"], /takes no --parallel/],
    ] as const) {
      const r = await runCli(["findings", ...argv, "--out", out]);
      expect(r.code).toBe(2);
      expect(r.err.join("")).toMatch(message);
    }
    expect(fs.existsSync(out)).toBe(false);
  });

  it("an unknown claim is bad input (exit 1) naming --only; a bad scale is a usage error (exit 2)", async () => {
    const unknown = await runCli(["findings", "--only", "E1,X7", "--out", path.join(os.tmpdir(), "never-made")]);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join("")).toMatch(/--only: unknown claim X7/);
    const scale = await runCli(["findings", "--scale", "huge"]);
    expect(scale.code).toBe(2);
    expect(scale.err.join("")).toMatch(/--scale/);
  });
});

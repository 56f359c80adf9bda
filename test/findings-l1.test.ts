import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Claim, Scale } from "../src/experiments/findings/claim.js";
import { runFindings } from "../src/experiments/findings/experiment.js";
import { L1, L1_MIN_RUNS } from "../src/experiments/findings/l1.js";
import { CLAIMS } from "../src/experiments/findings/registry.js";
import type { ResultRow } from "../src/io/runFolder.js";
import type { LmTrainingConfig } from "../src/experiments/lmtrain/config.js";

/** L1 with both scales replaced by a tiny configuration (real training, seconds). */
function tiny(over: Partial<LmTrainingConfig>): Claim {
  const c: LmTrainingConfig = {
    ...L1.configurations.quick,
    vocabSize: 200,
    context: 16,
    steps: 6,
    batchSize: 4,
    measurePoints: 3,
    probeTokens: 300,
    nullShadows: 2,
    bootstrapGroups: 5,
    bootstrapResamples: 20,
    ...over,
  };
  return { ...L1, configurations: { quick: c, full: c } as Record<Scale, unknown> } as Claim;
}

const STEPS = [0, 1, 10, 100];

/** Journal rows of one trained run whose every layer follows `information` (one value per step). */
function syntheticRun(run: string, information: number[]): ResultRow[] {
  const rows: ResultRow[] = [];
  const base = { experiment: "lmtrain", run, model: run.split("-")[0], seed: 1, estimator: "soft" };
  STEPS.forEach((step, i) => {
    if (step > 0) rows.push({ ...base, step, measure: "loss", value: 6 - i });
    for (const layer of [0, 1, 2]) {
      rows.push({ ...base, step, layer, measure: "information", value: information[i]!, correction: "raw" });
      for (let replicate = 0; replicate < 20; replicate++)
        rows.push({
          ...base,
          step,
          layer,
          measure: "information-bootstrap",
          replicate,
          value: information[i]! + ((replicate % 5) - 2) * 0.002,
        });
      for (const labelSet of ["token", "bigram", "pos"])
        for (const measure of ["regularity-ln-n", "disentanglement"])
          rows.push({ ...base, step, layer, labelSet, measure, correction: "corrected", value: information[i]! / 2 });
    }
  });
  return rows;
}

const RISE_FALL = [0.5, 0.4, 0.8, 0.6];
const RISE_ONLY = [0.4, 0.5, 0.6, 0.7];

describe("L1's decision rule on synthetic journals", () => {
  const config = L1.configurations.quick;
  const runs = (pattern: number[][]) => pattern.flatMap((info, i) => syntheticRun(`w32-seed${i + 1}`, info));

  it("supported when every run rises then falls at the last layer and the mean compression's interval is above 0", () => {
    const r = L1.analyse(runs([RISE_FALL, RISE_FALL, RISE_FALL]), config);
    expect(r.n).toBe(3);
    expect(r.estimate).toBeCloseTo(0.2, 10);
    expect(r.verdict).toBe("supported");
    expect(r.reason).toBe("3 of 3 runs show both phases");
    expect(
      r.details.find((d) => d.statistic === "layer 1: corrected pos regularity rise (trough → peak)")!.estimate,
    ).toBeCloseTo(0.2, 10);
    expect(r.details.find((d) => d.statistic === "layer 0: peak step")!.estimate).toBe(10);
  });

  it("not supported when information never falls; inconclusive when runs disagree or are too few", () => {
    expect(L1.analyse(runs([RISE_ONLY, RISE_ONLY, RISE_ONLY]), config).verdict).toBe("not supported");
    const mixed = L1.analyse(runs([RISE_FALL, RISE_ONLY, RISE_FALL]), config);
    expect(mixed.verdict).toBe("inconclusive");
    expect(mixed.reason).toBe("2 of 3 runs show both phases");
    const few = L1.analyse(runs([RISE_FALL, RISE_FALL]), config);
    expect(few.verdict).toBe("inconclusive");
    expect(few.reason).toBe("2 runs; 3 are needed");
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("claim L1: structure over an LM's training", () => {
  it("is registered; full scale trains ≥ 2 sizes and enough runs; the definition states statistic, rule and budget", () => {
    expect(CLAIMS.map((c) => c.name)).toContain("L1");
    const full = L1.configurations.full;
    expect(full.sizes.length).toBeGreaterThanOrEqual(2);
    expect(full.sizes.length * full.seeds.length).toBeGreaterThanOrEqual(L1_MIN_RUNS);
    expect(full.measurePoints).toBeGreaterThan(L1.configurations.quick.measurePoints);
    expect(L1.configurations.quick.sizes.length * L1.configurations.quick.seeds.length).toBeGreaterThanOrEqual(
      L1_MIN_RUNS,
    );
    expect(L1.definition).toMatch(/Verdict:/);
    expect(L1.definition).toMatch(/95% interval/);
    expect(L1.definition).toMatch(/CPU-s/);
  });

  it("runs on a reduced configuration through runFindings and decides by its rule", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-findings-l1-"));
    dirs.push(out);
    const claim = tiny({ sizes: ["w32", "w64"], seeds: [1, 2] });
    const result = await runFindings({ out, scale: "quick", claims: [claim], log: () => {}, command: "test" });
    expect(result.records).toHaveLength(1);
    const r = result.records[0]!.result;
    expect(r.claim).toBe("L1");
    expect(r.n).toBe(4);
    expect(r.statistic).toBe("mean compression (information at the peak − final), layer 2 (last block)");
    expect(r.estimate).not.toBeNull();
    // Compression is information at the peak minus at the end: never negative.
    expect(r.estimate!).toBeGreaterThanOrEqual(0);
    // The verdict follows the rule from the interval and the per-run details.
    const supportedPossible = r.interval95 !== null && r.interval95[0] > 0;
    if (!supportedPossible) expect(r.verdict).not.toBe("supported");
    if (r.interval95 && r.interval95[0] <= 0 && r.interval95[1] >= 0 && r.verdict !== "not supported")
      expect(r.verdict).toBe("inconclusive");
    // Every layer (embeddings and both blocks) and label set is summarised.
    for (const layer of [0, 1, 2]) {
      for (const labelSet of ["token", "bigram", "pos"])
        expect(
          r.details.some(
            (d) => d.statistic === `layer ${layer}: corrected ${labelSet} regularity rise (trough → peak)`,
          ),
        ).toBe(true);
      expect(r.details.find((d) => d.statistic === `layer ${layer}: compression`)!.n).toBe(4);
    }
    // Each run's compression carries a bootstrap interval over held-out windows.
    expect(r.details.filter((d) => /^w(32|64)-seed\d: compression$/.test(d.statistic))).toHaveLength(4);
    // Four runs in the shared pool, each with a checkpoint per log-spaced step (0, 2 or 3, 6).
    const pools = fs.readdirSync(path.join(out, "runs")).filter((p) => p.startsWith("lmtrain-"));
    expect(pools).toHaveLength(1);
    const runs = fs.readdirSync(path.join(out, "runs", pools[0]!)).sort();
    expect(runs).toEqual(["w32-seed1", "w32-seed2", "w64-seed1", "w64-seed2"]);
    const checkpoints = fs.readdirSync(path.join(out, "runs", pools[0]!, "w32-seed1", "checkpoints", "w32-seed1"));
    expect(checkpoints).toHaveLength(3);
    expect(fs.readFileSync(path.join(out, "FINDINGS.md"), "utf8")).toMatch(/^\| L1 /m);
  }, 300_000);

  it("with fewer runs than the rule needs is inconclusive", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-findings-l1-"));
    dirs.push(out);
    const claim = tiny({ sizes: ["w32"], seeds: [1] });
    const result = await runFindings({ out, scale: "quick", claims: [claim], log: () => {}, command: "test" });
    const r = result.records[0]!.result;
    expect(r.n).toBe(1);
    expect(r.verdict).toBe("inconclusive");
    expect(r.reason).toMatch(/1 runs; 3 are needed/);
  }, 300_000);
});

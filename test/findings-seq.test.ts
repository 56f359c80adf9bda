import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Claim, Scale } from "../src/experiments/findings/claim.js";
import { runFindings } from "../src/experiments/findings/experiment.js";
import { M1 } from "../src/experiments/findings/m1.js";
import { S1 } from "../src/experiments/findings/s1.js";
import { S2 } from "../src/experiments/findings/s2.js";
import { S3 } from "../src/experiments/findings/s3.js";
import type { Seq2seqConfig } from "../src/experiments/seq2seq/config.js";

/** A seq2seq claim with both scales replaced by a tiny configuration (real training, seconds). */
function tiny(claim: Claim<Seq2seqConfig>, over: Partial<Seq2seqConfig>): Claim {
  const c: Seq2seqConfig = {
    ...claim.configurations.quick,
    steps: 6,
    batchSize: 8,
    measurePoints: 3,
    evalExamples: 12,
    probeInputs: 30,
    bootstrapGroups: 5,
    bootstrapResamples: 20,
    nullShadows: 2,
    metaNeighbours: 4,
    ...over,
  };
  return { ...claim, configurations: { quick: c, full: c } as Record<Scale, unknown> } as Claim;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("seq2seq claims S1, S2, S3, M1", () => {
  it("full scales meet issue 13's sizes and every definition states its statistic, rule and budget", () => {
    expect(S1.configurations.full.seeds.length).toBeGreaterThanOrEqual(3);
    expect(S2.configurations.full.seeds.length).toBeGreaterThanOrEqual(10);
    expect(S2.configurations.full.split).not.toBe("jump");
    expect(S3.configurations.full.sizes).toHaveLength(3);
    expect(M1.configurations.full.regimes).toEqual(["standard", "meta"]);
    expect(M1.configurations.full.metaOrder).toBe("second");
    expect(M1.configurations.full.metaNeighbours).toBe(100);
    expect(M1.configurations.quick.metaNeighbours).toBe(100); // as in the paper, at both scales
    // S1's full runs are S2's seeds 1-5: same settings, so they train once for both.
    const { seeds: s1Seeds, ...s1 } = S1.configurations.full;
    const { seeds: s2Seeds, ...s2 } = S2.configurations.full;
    expect(s1).toEqual(s2);
    expect(s2Seeds.slice(0, s1Seeds.length)).toEqual(s1Seeds);
    for (const c of [S1, S2, S3, M1]) {
      expect(c.definition).toMatch(/Verdict:/);
      expect(c.definition).toMatch(/95% interval/);
      expect(c.definition).toMatch(/CPU-s/);
    }
  });

  it("run on reduced configurations into their folders and give verdicts with n from the runs", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-findings-seq-"));
    dirs.push(out);
    const claims = [
      tiny(S1 as Claim<Seq2seqConfig>, { seeds: [1, 2, 3] }),
      tiny(S2 as Claim<Seq2seqConfig>, { seeds: [1, 2, 3, 4, 5] }),
      tiny(S3 as Claim<Seq2seqConfig>, { sizes: ["small", "medium"], seeds: [1, 2, 3] }),
      tiny(M1 as Claim<Seq2seqConfig>, { seeds: [1, 2, 3, 4, 5], batchSize: 4 }),
    ];
    const result = await runFindings({ out, scale: "quick", claims, log: () => {}, command: "test" });
    const byName = new Map(result.records.map((r) => [r.result.claim, r.result]));
    expect([...byName.keys()]).toEqual(["S1", "S2", "S3", "M1"]);
    for (const r of byName.values()) expect(["supported", "not supported", "inconclusive"]).toContain(r.verdict);
    expect(byName.get("S1")!.n).toBe(3);
    expect(byName.get("S1")!.details.some((d) => /peak step/.test(d.statistic))).toBe(true);
    expect(byName.get("S2")!.n).toBe(5);
    expect(byName.get("S2")!.statistic).toBe("spearman(compression, final OOD accuracy)");
    expect(byName.get("S3")!.n).toBe(6);
    expect(byName.get("S3")!.statistic).toBe("spearman(log parameters, compression)");
    expect(byName.get("M1")!.n).toBe(5);
    // Six steps cannot decide M1's paired OOD difference away from the rule: the verdict follows the interval.
    const m1 = byName.get("M1")!;
    if (m1.interval95 && m1.interval95[0] <= 0 && m1.interval95[1] >= 0) expect(m1.verdict).toBe("inconclusive");
    const md = fs.readFileSync(path.join(out, "FINDINGS.md"), "utf8");
    expect(md.match(/^\| (S\d|M1) /gm)).toHaveLength(4);
    // S1 (small, seeds 1-3), S2 (small, 1-5) and S3 (small and medium, 1-3) differ only in sizes and
    // seeds: one pool of 5 + 3 runs, not 3 + 5 + 6; M1 (other meta settings) its own 2 × 5.
    const pools = fs.readdirSync(path.join(out, "runs")).filter((p) => p.startsWith("seq2seq-"));
    const counts = pools.map((p) => fs.readdirSync(path.join(out, "runs", p)).length).sort((a, b) => a - b);
    expect(counts).toEqual([8, 10]);
  }, 300_000);
});

import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { run } from "../src/cli/commands/lm.js";
import { lmDemoSection } from "../src/experiments/lm/demo.js";
import { UsageError } from "../src/cli/args.js";

const FIX = "test/fixtures/lm";

describe("glossa lm", () => {
  it("runs a sweep, writes results, plots and report, and resumes without recomputing", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "glossa-lmcli-")), "run");
    const argv = [
      "--model",
      join(FIX, "pythia-tiny-step0"),
      "--model",
      join(FIX, "pythia-tiny-step300"),
      "--corpus",
      join(FIX, "corpus.txt"),
      "--layers",
      "0,2",
      "--labels",
      "token,bigram,trigram",
      "--max-tokens",
      "120",
      "--batch",
      "4",
      "--anchors",
      "32",
      "--out",
      out,
      "--json",
    ];
    const logs: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void logs.push(a.join(" "));
    try {
      expect(await run(argv)).toBe(0);
      expect(await run([...argv, "--resume"])).toBe(0);
    } finally {
      console.log = log;
    }
    const first = JSON.parse(logs[0]!);
    const second = JSON.parse(logs[1]!);
    expect(first.summary).toMatchObject({ cellsComputed: 4, cellsSkipped: 0, tokens: 240 });
    expect(second.summary).toMatchObject({ cellsComputed: 0, cellsSkipped: 4 });
    for (const f of [
      "results.jsonl",
      "results.csv",
      "run.json",
      "report.html",
      "lm-by-layer-soft.svg",
      "lm-by-step-soft.svg",
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).status).toBe("done");
    const csv = readFileSync(join(out, "results.csv"), "utf8");
    expect(csv.split("\n")[0]).toMatch(/model.*layer.*labelSet.*measure.*value|measure/);
    expect(first.table.find((r: { step: number; layer: number }) => r.step === 300 && r.layer === 2).tokens).toBe(120);
  });

  it("refuses usage mistakes", async () => {
    await expect(run(["--corpus", "x"])).rejects.toThrow(UsageError);
    await expect(run(["--model", "m"])).rejects.toThrow(/--corpus/);
    await expect(run(["--model", "a", "--model", "b", "--step", "1", "--corpus", "c"])).rejects.toThrow(
      /one --step per --model/,
    );
    await expect(run(["--model", "a", "--corpus", join(FIX, "corpus.txt"), "--labels", "token,verbs"])).rejects.toThrow(
      /"verbs" is not one of/,
    );
  });
});

describe("lmDemoSection", () => {
  it("measures the fixture models on the fixture corpus in a few seconds", async () => {
    const out = mkdtempSync(join(tmpdir(), "glossa-lmdemo-"));
    const t = Date.now();
    const section = await lmDemoSection(out, () => {});
    expect(Date.now() - t).toBeLessThan(30000);
    expect(section.title).toMatch(/Language models/);
    expect(section.html).toContain("<svg");
    const results = section.results as {
      summary: { cellsComputed: number; tokens: number };
      table: { model: string }[];
    };
    expect(results.summary.cellsComputed).toBe(9);
    expect(results.summary.tokens).toBeGreaterThan(3 * 400);
    expect(new Set(results.table.map((r) => r.model))).toEqual(
      new Set(["gpt2-tiny", "pythia-tiny-step0", "pythia-tiny-step300"]),
    );
  });
});

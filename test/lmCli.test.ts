import { describe, expect, it } from "vitest";
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, truncateSync } from "node:fs";
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
    const header = csv.split("\n")[0]!.split(",");
    expect(header.slice(0, 9)).toEqual([
      "experiment",
      "model",
      "params",
      "step",
      "layer",
      "labelSet",
      "estimator",
      "measure",
      "value",
    ]);
    expect(header).toContain("component");
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).command).toBe(
      `glossa lm ${[...argv, "--resume"].map((a) => (/^[\w\-./=:,@%+]+$/.test(a) ? a : `'${a}'`)).join(" ")}`,
    );
    expect(first.table.find((r: { step: number; layer: number }) => r.step === 300 && r.layer === 2).tokens).toBe(120);
  });

  it("a resume after a cut journal (40 bytes, or only the last newline) recomputes the cut cell once; other parameters are refused", async () => {
    const root = mkdtempSync(join(tmpdir(), "glossa-lmcli-"));
    const out = join(root, "run");
    const corpus = join(root, "corpus.txt");
    copyFileSync(join(FIX, "corpus.txt"), corpus);
    const argv = [
      "--model",
      join(FIX, "pythia-tiny-step0"),
      "--corpus",
      corpus,
      "--layers",
      "0,1,2",
      "--estimator",
      "soft,hard",
      "--max-tokens",
      "80",
      "--anchors",
      "16",
      "--out",
      out,
      "--json",
    ];
    const log = console.log;
    console.log = () => {};
    const journal = join(out, "results.jsonl");
    const rowKeys = () =>
      readFileSync(journal, "utf8")
        .trim()
        .split("\n")
        .map((l) => {
          const { value: _v, ...rest } = JSON.parse(l);
          return JSON.stringify(rest);
        });
    try {
      expect(await run(argv)).toBe(0);
      const full = rowKeys();
      expect(new Set(full).size).toBe(full.length);
      for (const cut of [40, 1]) {
        const size = statSync(journal).size;
        truncateSync(journal, size - cut);
        expect(await run([...argv, "--resume"])).toBe(0);
        const after = rowKeys();
        expect(after.length, `cut ${cut}`).toBe(full.length);
        expect(new Set(after)).toEqual(new Set(full));
        const csvRows = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n").length - 1;
        expect(csvRows).toBe(full.length);
      }
      await expect(run([...argv, "--resume", "--seed", "1"])).rejects.toThrow(/parameter "anchors.seed" differs/);
      // Another text under the same file name is caught by the corpus hash.
      appendFileSync(corpus, "One more sentence for the corpus.\n");
      await expect(run([...argv, "--resume"])).rejects.toThrow(/parameter "(documents|corpusSha256)" differs/);
    } finally {
      console.log = log;
    }
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
  it("measures the fixture models on the fixture corpus", async () => {
    const out = mkdtempSync(join(tmpdir(), "glossa-lmdemo-"));
    const section = await lmDemoSection(out, () => {});
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

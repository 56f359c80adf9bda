import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./helpers/runCli.js";

let dir = "";
let out: string[] = [];
let err: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "glossa-cli-mapping-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

async function glossa(...argv: string[]): Promise<number> {
  const run = await runCli(argv);
  out = run.out;
  err = run.err;
  return run.code;
}

describe("glossa generate", () => {
  it("writes a synthetic language file", async () => {
    const file = join(dir, "comp.tsv");
    expect(
      await glossa(
        "generate",
        "compositional",
        "--atoms",
        "5",
        "--length",
        "6",
        "--alphabet",
        "26",
        "--seed",
        "2",
        "--out",
        file,
      ),
    ).toBe(0);
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines[0]).toBe("subject\tverb\tobject\tsignal");
    expect(lines).toHaveLength(126);
    expect(lines[1]).toMatch(/^subject0\tverb0\tobject0\t[a-z]{6}$/);
    expect(err.join("")).toMatch(/wrote 125 compositional examples/);
  });
  it("takes per-role sizes and JSONL", async () => {
    const file = join(dir, "syn.jsonl");
    expect(
      await glossa("generate", "synonyms", "--atoms", "3,4", "--length", "4", "--synonyms", "3", "--out", file),
    ).toBe(0);
    const first = JSON.parse((await readFile(file, "utf8")).split("\n")[0]!);
    expect(first).toEqual({
      meaning: { role1: "role10", role2: "role20" },
      signal: expect.stringMatching(/^[a-z]{4}$/),
    });
  });
  it("rejects bad usage (exit 2) and impossible languages (exit 1)", async () => {
    expect(await glossa("generate", "nonsense", "--out", join(dir, "x.tsv"))).toBe(2);
    expect(err.join("")).toMatch(/unknown kind "nonsense"/);
    expect(await glossa("generate", "compositional")).toBe(2);
    expect(
      await glossa("generate", "compositional", "--atoms", "5", "--roles", "2", "--atoms", "4", "--out", "x.tsv"),
    ).toBe(2);
    expect(await glossa("generate", "compositional", "--alphabet", "4", "--out", join(dir, "y.tsv"))).toBe(1);
    expect(err.join("")).toMatch(/need an alphabet of at least 5 symbols, got 4/);
    expect(await glossa("generate", "--help")).toBe(0);
    expect(out.join("")).toMatch(/holistic-homonyms/);
  });
});

describe("glossa mapping", () => {
  it("prints every measure in a table", async () => {
    const file = join(dir, "comp2.tsv");
    await glossa("generate", "compositional", "--atoms", "5", "--out", file);
    expect(await glossa("mapping", file)).toBe(0);
    const text = out.join("\n");
    for (const label of [
      "synonymy",
      "homonymy",
      "word-order freedom",
      "entanglement",
      "topographic similarity",
      "posdis",
      "bosdis",
      "residual entropy",
      "context independence",
    ]) {
      expect(text).toContain(label);
    }
    expect(text).toMatch(/synonymy\s+0\n/);
    expect(text).toMatch(/inferred word order: subject subject verb verb object object/);
    expect(text).toMatch(/alphabet \|C\| = \d+ \(observed/);
    expect(text).not.toMatch(/NaN/);
  });
  it("says when topsim is over a sample of pairs, with its size and seed (--topsim-pairs)", async () => {
    const file = join(dir, "sampled.tsv");
    expect(await glossa("generate", "compositional", "--atoms", "6", "--seed", "3", "--out", file)).toBe(0);
    expect(await glossa("mapping", file, "--topsim-pairs", "5000", "--seed", "4")).toBe(0);
    expect(out.join("\n")).toContain(
      "topsim: Spearman over 5,000 random pairs of 23,220 (sampled with seed 4; --topsim-pairs all for every pair)",
    );
    expect(await glossa("mapping", file, "--topsim-pairs", "5000", "--json")).toBe(0);
    const json = JSON.parse(out.join("\n"));
    expect(json.details.topsim.sample).toEqual({ pairs: 5000, of: 23220, seed: 0 });
    expect(json.parameters.topsimSample).toEqual({ pairs: 5000, of: 23220, seed: 0 });
    expect(await glossa("mapping", file, "--topsim-pairs", "all")).toBe(0);
    expect(out.join("\n")).toContain("topsim: Spearman over all 23,220 pairs");
  });
  it("--json prints the measures and the parameters used", async () => {
    const file = join(dir, "ragged.tsv");
    await writeFile(file, "a\tb\tsignal\nx\tp\tab\nx\tq\taab\ny\tp\tb\ny\tq\tbba\n");
    expect(
      await glossa(
        "mapping",
        file,
        "--json",
        "--alphabet-size",
        "10",
        "--pad",
        "#",
        "--topsim-permutations",
        "2",
        "--seed",
        "9",
      ),
    ).toBe(0);
    const json = JSON.parse(out.join("\n"));
    expect(json.file.padding).toEqual({
      symbol: "#",
      paddedRows: 2,
      shortestSignal: 1,
      longestSignal: 3,
      occursInData: false,
    });
    expect(json.file.alphabet).toEqual({ source: "declared size", size: 10, used: 3 });
    expect(json.parameters).toMatchObject({
      alphabetSize: 10,
      padSymbol: "#",
      seed: 9,
      topsimPermutations: 2,
      signalDistance: "levenshtein",
      meaningDistance: "hamming",
    });
    expect(Object.keys(json.values)).toContain("contextIndependence");
    expect(json.details.topsim.permutation.permutations).toBe(2);
  });
  it("bad input: a clear message and exit 1, no stack trace", async () => {
    const file = join(dir, "bad.tsv");
    await writeFile(file, "a\tb\nx\ty\n");
    expect(await glossa("mapping", file)).toBe(1);
    expect(err.join("\n")).toBe(
      `glossa mapping: ${file}, line 1: missing column "signal" (the header has: a, b); name the signal column with --signal-column`,
    );
    expect(await glossa("mapping", join(dir, "missing.tsv"))).toBe(1);
    expect(err.join("")).toMatch(/cannot read the file \(ENOENT\)/);
    expect(await glossa("mapping", join(dir, "data.xlsx"))).toBe(1);
    expect(err.join("")).toMatch(/unknown format ".xlsx"/);
    expect(err.join("")).not.toMatch(/\n\s+at /);
  });
  it("bad usage: exit 2", async () => {
    expect(await glossa("mapping")).toBe(2);
    expect(await glossa("mapping", "x.tsv", "--nope")).toBe(2);
    expect(await glossa("mapping", "x.tsv", "--alphabet-size", "3", "--alphabet", "a b")).toBe(2);
    expect(await glossa("mapping", "x.tsv", "--signal-distance", "cosine")).toBe(2);
    expect(await glossa("mapping", "--help")).toBe(0);
  });
});

import { afterAll, describe, expect, it, vi } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeNpy } from "../src/io/npy.js";
import { run } from "../src/cli/commands/entropy.js";
import { UsageError } from "../src/cli/args.js";
import { clusteredRows } from "./vector-helpers.js";
import { ESTIMATORS, makeAnchors, type MeasureRow } from "../src/vector/index.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-entropy-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  const write = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  try {
    // main() resolves commands by a variable dynamic import that vite cannot follow; mirror its exit codes here.
    let code: number;
    try {
      code = await run(argv.slice(1));
    } catch (e) {
      if (e instanceof UsageError) code = 2;
      else if (e instanceof RangeError || (e as Error).name === "InputError") code = 1;
      else throw e;
      err.push((e as Error).message);
    }
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

describe("glossa entropy", () => {
  const d = 24;
  const { rows, labels } = clusteredRows(500, d, 6, 3);
  const reps = path.join(dir, "reps.npy");
  const tok = path.join(dir, "tok.npy");
  const noise = path.join(dir, "noise.npy");
  writeNpy(reps, rows, [500, d]);
  writeNpy(tok, labels, [500]);
  writeNpy(
    noise,
    BigInt64Array.from({ length: 500 }, (_, i) => BigInt((i * 7) % 5)),
    [500],
  );

  it("prints a table with every measure per label set, both back ends agreeing", async () => {
    const ts = await capture([
      "entropy",
      reps,
      "--labels",
      `token=${tok}`,
      "--labels",
      `noise=${noise}`,
      "--backend",
      "ts",
      "--json",
      "--batch",
      "128",
    ]);
    const onnx = await capture([
      "entropy",
      reps,
      "--labels",
      `token=${tok}`,
      "--labels",
      `noise=${noise}`,
      "--json",
      "--batch",
      "100",
    ]);
    expect(ts.code).toBe(0);
    const a = JSON.parse(ts.out);
    const b = JSON.parse(onnx.out);
    expect(a.parameters).toMatchObject({
      rows: 500,
      d,
      estimator: "soft",
      n: 100,
      calibration: "exact",
      backend: "ts",
      batch: 128,
    });
    expect(a.parameters.anchorFingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(b.parameters.backend).toBe("onnx");
    const perLabelSet = [
      "conditional-entropy",
      "mutual-information",
      "variation",
      "regularity-ln-n",
      "regularity-h",
      "disentanglement",
      "disentanglement-generalised",
    ];
    const expectedRows = [
      [null, "entropy", "raw"],
      [null, "information", "raw"],
      ...["token", "noise"].flatMap((set) =>
        perLabelSet.flatMap((m) => ["raw", "null", "corrected"].map((c) => [set, m, c])),
      ),
    ];
    for (const printed of [a, b])
      expect(printed.measures.map((m: MeasureRow) => [m.labelSet ?? null, m.measure, m.correction])).toEqual(
        expectedRows,
      );
    expect(a.parameters).toMatchObject({ nullShadows: 4, nullSeed: 0 });
    // raw values agree across back ends and batch sizes; null shadows permute within batches (128 vs 100 rows), so differ
    a.measures.forEach((m: MeasureRow, i: number) => {
      if (m.correction === "raw") expect(Math.abs(m.value - b.measures[i].value)).toBeLessThan(1e-5);
      else expect(Math.abs(m.value - b.measures[i].value)).toBeLessThan(0.02);
    });
    const reg = (set: string, correction: string) =>
      a.measures.find(
        (m: MeasureRow) => m.labelSet === set && m.measure === "regularity-h" && m.correction === correction,
      ).value;
    expect(reg("token", "corrected")).toBeGreaterThan(0.3);
    expect(reg("noise", "raw")).toBeGreaterThan(reg("noise", "corrected")); // 100 rows per value: some bias
    expect(Math.abs(reg("noise", "corrected"))).toBeLessThan(0.02);
    const rawOnly = await capture(["entropy", reps, "--labels", `token=${tok}`, "--null-shadows", "0", "--json"]);
    const plain = JSON.parse(rawOnly.out);
    expect(plain.measures).toHaveLength(2 + perLabelSet.length);
    expect(plain.measures.every((m: MeasureRow) => m.correction === undefined)).toBe(true);
    expect(plain.parameters.nullShadows).toBeUndefined();
    const table = await capture([
      "entropy",
      reps,
      "--labels",
      `token=${tok}`,
      "--null",
      "20",
      "--bootstrap",
      "20",
      "--batch",
      "50",
    ]);
    expect(table.code).toBe(0);
    expect(table.out).toContain("95% lower");
    expect(table.out).toContain(
      "value: bias-corrected in two stages: a within-value estimate of H(Z|X)'s bias, then 4 null shadows",
    );
    const tokenLines = table.out.split("\n").filter((line) => /^\s*token\s/.test(line));
    const shown = [...perLabelSet, "I null mean", "I null sd", "I null p (20 shuffles)"];
    expect(tokenLines).toHaveLength(shown.length);
    shown.forEach((measure, i) => expect(tokenLines[i]).toContain(measure));
  });

  it("every registered estimator runs from the same file", async () => {
    const ran: string[] = [];
    for (const estimator of ESTIMATORS) {
      const r = await capture(["entropy", reps, "--labels", `token=${tok}`, "--estimator", estimator, "--json"]);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out).result.estimator).toBe(estimator);
      ran.push(estimator);
    }
    expect(ran).toEqual(["soft", "hard", "binned", "gaussian", "knn"]);
  });

  it("bad input: clear errors and non-zero exits", async () => {
    const bad = path.join(dir, "bad.npy");
    const copy = Float32Array.from(rows);
    copy[7 * d + 1] = NaN;
    writeNpy(bad, copy, [500, d]);
    const r = await capture(["entropy", bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}, row 7: contains NaN (column 1); pass --skip-invalid to skip such rows`);
    expect(r.err).not.toMatch(/skipInvalid/);
    const binnedBad = await capture(["entropy", bad, "--estimator", "binned"]);
    expect(binnedBad.code).toBe(1);
    expect(binnedBad.err).toContain(`${bad}, row 7: contains NaN`);
    const skipped = await capture(["entropy", bad, "--skip-invalid", "--json"]);
    expect(JSON.parse(skipped.out).result.skippedRows).toBe(1);
    const short = path.join(dir, "short.npy");
    writeNpy(short, new Int32Array(10), [10]);
    expect((await capture(["entropy", reps, "--labels", `x=${short}`])).err).toMatch(
      /has 10 labels, but the representations have 500 rows/,
    );
    expect((await capture(["entropy", reps, "--labels", `x=${reps}`])).err).toMatch(/labels must be integers/);
    expect((await capture(["entropy", reps, "--estimator", "nope"])).code).toBe(2);
    expect((await capture(["entropy", path.join(dir, "missing.npy")])).code).toBe(1);
  });

  it("bad input named by file: no rows, only negative labels; usage errors say what is expected", async () => {
    const empty = path.join(dir, "empty.npy");
    writeNpy(empty, new Float32Array(0), [0, d]);
    for (const estimator of ["soft", "hard"]) {
      const r = await capture(["entropy", empty, "--estimator", estimator]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`${empty}: has 0 rows`);
    }
    const negative = path.join(dir, "negative.npy");
    writeNpy(negative, new Int32Array(500).fill(-1), [500]);
    const neg = await capture(["entropy", reps, "--labels", `x=${negative}`]);
    expect(neg.code).toBe(1);
    expect(neg.err).toContain(`${negative}: every label is negative`);

    const twice = await capture(["entropy", reps, "--labels", `x=${tok}`, "--labels", `x=${noise}`]);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain(`--labels x is given twice (${tok} and ${noise})`);

    const eps = await capture(["entropy", reps, "--epsilon", "0"]);
    expect(eps.code).toBe(2);
    expect(eps.err).toMatch(/--epsilon must be greater than 0 \(explicit temperature ε > 0, e\.g\. 0\.05/);
    expect(eps.err).not.toMatch(/5e-324/);

    const flag = await capture(["entropy", reps, "--json", "yes"]);
    expect(flag.code).toBe(2);
    expect(flag.err).toBe("--json is a flag and takes no value: give --json alone, not --json yes");

    const wrongEstimator = await capture(["entropy", reps, "--bins", "10"]);
    expect(wrongEstimator.code).toBe(2);
    expect(wrongEstimator.err).toBe("--bins is an option of the binned estimator, not of soft");
    const noCorrection = await capture(["entropy", reps, "--estimator", "gaussian", "--null-shadows", "2"]);
    expect(noCorrection.code).toBe(2);
    expect(noCorrection.err).toBe("--null-shadows needs a counting estimator (soft, hard, binned), not gaussian");
  });

  it("n comes from the --anchors file unless --n is given", async () => {
    const anchorsFile = path.join(dir, "anchors.npy");
    writeNpy(anchorsFile, makeAnchors({ n: 30, d, seed: 4 }).data, [30, d]);
    const r = await capture(["entropy", reps, "--anchors", anchorsFile, "--json"]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).parameters.n).toBe(30);
    const clash = await capture(["entropy", reps, "--anchors", anchorsFile, "--n", "100"]);
    expect(clash.code).toBe(1);
    expect(clash.err).toMatch(/n = 100 disagrees with the 30 anchors given/);
  });
});

/**
 * The dashboard's "Analyse a file" computations (src/web/analysis.ts, run in the page's worker)
 * against the CLI's --json output on the same files: equal to 1e-9, and the same error messages.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeNpy } from "../src/io/npy.js";
import { analyseMapping, analyseVectors, labelSetName, prefersOnnxWeb } from "../src/web/analysis.js";
import { runCli, jsonDifferences } from "./helpers/runCli.js";
import { clusteredRows } from "./vector-helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-web-analysis-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const MAPPING = "test/fixtures/mapping/random-ragged.tsv";

/** Drops the fields that name paths (the CLI's full path vs the browser's file name). */
function withoutPaths(json: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(json) as Record<string, Record<string, unknown>>;
  if (copy.file) delete copy.file.file;
  if (copy.parameters) {
    delete copy.parameters.file;
    delete copy.parameters.labels;
  }
  return copy;
}

describe("analyse a mapping in the browser's code path", () => {
  it("equals `glossa mapping FILE --json`", async () => {
    const cli = await runCli(["mapping", MAPPING, "--json"]);
    expect(cli.code).toBe(0);
    const expected = JSON.parse(cli.out.join("\n")) as Record<string, unknown>;
    const progress: number[] = [];
    const actual = await analyseMapping(
      { fileName: "random-ragged.tsv", bytes: fs.readFileSync(MAPPING) },
      (fraction) => progress.push(fraction),
    );
    expect(jsonDifferences(withoutPaths(JSON.parse(JSON.stringify(actual))), withoutPaths(expected), 1e-9)).toEqual([]);
    expect((actual.values.topsim as number) !== null).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThanOrEqual(3);
  });

  it("gives the CLI's message for a bad file", async () => {
    const bad = path.join(dir, "bad.tsv");
    fs.writeFileSync(bad, "colour\tshape\twrong\nred\tsquare\tab\n");
    const cli = await runCli(["mapping", bad, "--json"]);
    expect(cli.code).toBe(1);
    const message = cli.err
      .join("\n")
      .replace(/^glossa mapping: /, "")
      .replace(bad, "bad.tsv");
    await expect(analyseMapping({ fileName: "bad.tsv", bytes: fs.readFileSync(bad) })).rejects.toThrow(message);
    expect(message).toMatch(/signal/);
  });
});

describe("analyse vectors in the browser's code path", () => {
  const d = 12;
  const { rows, labels } = clusteredRows(700, d, 5, 11);
  const reps = path.join(dir, "reps.npy");
  const cluster = path.join(dir, "cluster.npy");
  const parity = path.join(dir, "parity.npy");
  writeNpy(reps, rows, [700, d]);
  writeNpy(cluster, labels, [700]);
  writeNpy(
    parity,
    BigInt64Array.from({ length: 700 }, (_, i) => BigInt(i % 2)),
    [700],
  );

  it("equals `glossa entropy REPS --labels … --backend ts --json`", async () => {
    const cli = await runCli([
      "entropy",
      reps,
      "--labels",
      `cluster=${cluster}`,
      "--labels",
      `parity=${parity}`,
      "--backend",
      "ts",
      "--batch",
      "256",
      "--json",
    ]);
    expect(cli.code).toBe(0);
    const expected = JSON.parse(cli.out.join("\n")) as Record<string, unknown>;
    const actual = await analyseVectors({
      vectors: { fileName: "reps.npy", bytes: fs.readFileSync(reps) },
      labels: [cluster, parity].map((file) => ({
        name: labelSetName(path.basename(file)),
        fileName: path.basename(file),
        bytes: fs.readFileSync(file),
      })),
      batch: 256,
    });
    const normalise = (json: Record<string, unknown>) => withoutPaths(JSON.parse(JSON.stringify(json)));
    // The CLI's default: bias-corrected by 4 null shadows (raw, null and corrected rows per measure).
    const measures = expected.measures as { correction?: string; shadows?: number }[];
    expect(measures.filter((m) => m.correction === "corrected").length).toBeGreaterThanOrEqual(12);
    expect(measures.find((m) => m.correction === "null")?.shadows).toBe(4);
    expect(jsonDifferences(normalise(actual), normalise(expected), 1e-9)).toEqual([]);
  });

  it("equals the CLI for the other estimators and for raw values only (--null-shadows 0)", async () => {
    const cases: { argv: string[]; request: { estimator?: string; nullShadows?: number } }[] = [
      { argv: ["--estimator", "binned"], request: { estimator: "binned" } },
      { argv: ["--estimator", "gaussian"], request: { estimator: "gaussian" } },
      { argv: ["--null-shadows", "0", "--backend", "ts"], request: { nullShadows: 0 } },
    ];
    for (const { argv, request } of cases) {
      const cli = await runCli([
        "entropy",
        reps,
        "--labels",
        `cluster=${cluster}`,
        "--batch",
        "256",
        ...argv,
        "--json",
      ]);
      expect(cli.code, argv.join(" ")).toBe(0);
      const expected = JSON.parse(cli.out.join("\n")) as { measures: { correction?: string }[] };
      const actual = await analyseVectors({
        vectors: { fileName: "reps.npy", bytes: fs.readFileSync(reps) },
        labels: [{ name: "cluster", fileName: "cluster.npy", bytes: fs.readFileSync(cluster) }],
        batch: 256,
        ...request,
      });
      const normalise = (json: object) => withoutPaths(JSON.parse(JSON.stringify(json)));
      expect(jsonDifferences(normalise(actual), normalise(expected), 1e-9), argv.join(" ")).toEqual([]);
      const corrected = expected.measures.some((m) => m.correction === "corrected");
      expect(corrected, argv.join(" ")).toBe(request.estimator === "binned");
    }
  });

  it("refuses a NaN row with the CLI's message, and skips it (counted) as --skip-invalid does", async () => {
    const withNan = rows.slice();
    withNan[5 * d + 3] = Number.NaN;
    const bad = path.join(dir, "nan.npy");
    writeNpy(bad, withNan, [700, d]);
    const refused = await runCli(["entropy", bad, "--labels", `cluster=${cluster}`, "--backend", "ts"]);
    expect(refused.code).toBe(1);
    const message = refused.err
      .join("\n")
      .replace(/^glossa entropy: /, "")
      .replace(bad, "nan.npy");
    expect(message).toMatch(/row 5.*--skip-invalid/);
    const request = {
      vectors: { fileName: "nan.npy", bytes: fs.readFileSync(bad) },
      labels: [{ name: "cluster", fileName: "cluster.npy", bytes: fs.readFileSync(cluster) }],
    };
    await expect(analyseVectors(request)).rejects.toThrow(message);
    const cli = await runCli([
      "entropy",
      bad,
      "--labels",
      `cluster=${cluster}`,
      "--backend",
      "ts",
      "--skip-invalid",
      "--json",
    ]);
    expect(cli.code).toBe(0);
    const expected = JSON.parse(cli.out.join("\n")) as { warnings: string[]; result: { skippedRows: number } };
    const actual = await analyseVectors({ ...request, skipInvalid: true });
    expect(expected.result.skippedRows).toBe(1);
    expect(expected.warnings).toContain("skipped 1 invalid rows (--skip-invalid)");
    const normalise = (json: object) => withoutPaths(JSON.parse(JSON.stringify(json)));
    expect(jsonDifferences(normalise(actual), normalise(expected), 1e-9)).toEqual([]);
  });

  it("gives the CLI's messages for float labels and a wrong row count", async () => {
    const floats = path.join(dir, "floats.npy");
    writeNpy(floats, new Float32Array(700), [700]);
    const short = path.join(dir, "short.npy");
    writeNpy(short, new Int32Array(5), [5]);
    for (const file of [floats, short]) {
      const cli = await runCli(["entropy", reps, "--labels", `x=${file}`, "--backend", "ts"]);
      expect(cli.code).toBe(1);
      const message = cli.err
        .join("\n")
        .replace(/^glossa entropy: /, "")
        .replace(file, path.basename(file));
      await expect(
        analyseVectors({
          vectors: { fileName: "reps.npy", bytes: fs.readFileSync(reps) },
          labels: [{ name: "x", fileName: path.basename(file), bytes: fs.readFileSync(file) }],
        }),
      ).rejects.toThrow(message);
    }
  });
});

describe("choosing the browser's anchor kernel", () => {
  it("takes onnxruntime-web only for large n·d and enough rows", () => {
    expect(prefersOnnxWeb({ rows: 20_000, d: 64, n: 1000 })).toBe(true);
    expect(prefersOnnxWeb({ rows: 40_000, d: 256, n: 100 })).toBe(false);
    expect(prefersOnnxWeb({ rows: 500, d: 256, n: 1000 })).toBe(false);
  });
});

/**
 * `npm run bench -- vector` part (p): the whole `glossa entropy` process against the published
 * numpy accumulator (soft-entropy's SoftEntropyAccumulator, batches of 4,096) on one workload:
 * 200,000 × 768 float32 rows in an .npy, labels token (Zipf over 5,000 values) and bigram
 * (Zipf over 50,000 values), n = 100; both read the same files, each as its own process.
 *
 * The numpy row needs `GLOSSA_SOFT_H` (a local checkout of github.com/hcoxec/soft_h) and a
 * Python with numpy and scipy (`GLOSSA_PYTHON`, default python3); it is skipped otherwise.
 * scripts/bench/soft_h_entropy.py drives it. glossa never needs Python.
 *
 * glossa's default computes bias-corrected values with 4 null shadows per label set (5 tables
 * per set); numpy computes no correction, so `--null-shadows 0` is the like-for-like row.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NpyRowWriter, writeNpy } from "../io/npy.js";
import { benchRows, zipfLabels } from "./vectorData.js";
import { recordTarget } from "./vectorTargets.js";

const ROWS = Number(process.env.GLOSSA_BENCH_PROCESS_ROWS ?? 200_000);
const D = 768;
const REPEATS = 3;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(HERE, "..", "cli", "bin.js");
const NUMPY_SCRIPT = path.join(HERE, "..", "..", "scripts", "bench", "soft_h_entropy.py");

function line(name: string, value: string): void {
  console.log(`${name.padEnd(58)} ${value}`);
}

const TIME = "/usr/bin/time"; // GNU time: the child's CPU seconds (all threads), steadier than wall on a shared machine

interface Timing {
  wall: number;
  /** user + system CPU seconds of the child, NaN without GNU time */
  cpu: number;
}

/** Wall and CPU seconds of a child process (throws with its stderr when it fails). */
function timed(command: string, args: string[]): Timing {
  const withTime = fs.existsSync(TIME);
  const start = performance.now();
  const result = withTime
    ? spawnSync(TIME, ["-f", "cpu %U %S", command, ...args], { encoding: "utf8", maxBuffer: 1 << 26 })
    : spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  const wall = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr.slice(-2000)}`);
  const match = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr);
  return { wall, cpu: match ? Number(match[1]) + Number(match[2]) : Number.NaN };
}

/** Why the numpy row cannot run here, or null when it can. */
function numpyMissing(python: string, softH: string | undefined): string | null {
  if (!softH) return "GLOSSA_SOFT_H (a checkout of hcoxec/soft_h) is not set";
  if (!fs.existsSync(path.join(softH, "soft_entropy", "accumulator.py")))
    return `${softH} has no soft_entropy/accumulator.py`;
  const probe = spawnSync(python, ["-c", "import numpy, scipy"], { encoding: "utf8" });
  if (probe.status !== 0) return `${python} cannot import numpy and scipy`;
  return null;
}

export async function benchProcess(): Promise<void> {
  console.log(
    `\n### (p) whole process: ${ROWS.toLocaleString("en")} × ${D} float32 .npy, labels token (Zipf 5,000) and bigram (Zipf 50,000), n = 100 (best of ${REPEATS}, interleaved)`,
  );
  const python = process.env.GLOSSA_PYTHON ?? "python3";
  const softH = process.env.GLOSSA_SOFT_H;
  const missing = numpyMissing(python, softH);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-bench-process-"));
  try {
    const rowsFile = path.join(dir, "rows.npy");
    const writer = NpyRowWriter.create(rowsFile, { width: D });
    for (let start = 0, b = 0; start < ROWS; start += 4096, b++)
      writer.append(benchRows(Math.min(4096, ROWS - start), D, 900 + b));
    writer.close();
    const token = path.join(dir, "token.npy");
    const bigram = path.join(dir, "bigram.npy");
    writeNpy(token, zipfLabels(ROWS, 5000, 11), [ROWS], { dtype: "int32" });
    writeNpy(bigram, zipfLabels(ROWS, 50000, 12), [ROWS], { dtype: "int32" });
    const glossa = (extra: string[]) => () =>
      timed(process.execPath, [
        CLI,
        "entropy",
        rowsFile,
        "--labels",
        `token=${token}`,
        "--labels",
        `bigram=${bigram}`,
        "--json",
        ...extra,
      ]);
    const runs: [string, () => Timing][] = [
      ["glossa entropy --json (default: 4 null shadows per set)", glossa([])],
      ["glossa entropy --json --null-shadows 0 (like numpy)", glossa(["--null-shadows", "0"])],
      ["glossa entropy, no label sets", () => timed(process.execPath, [CLI, "entropy", rowsFile, "--json"])],
    ];
    if (missing === null)
      runs.push([
        "numpy SoftEntropyAccumulator (soft_h), batches of 4,096",
        () => timed(python, [NUMPY_SCRIPT, softH!, rowsFile, `token=${token}`, `bigram=${bigram}`]),
      ]);
    const wall = runs.map(() => Infinity);
    const cpu = runs.map(() => Infinity);
    for (let r = 0; r < REPEATS; r++)
      runs.forEach(([, run], i) => {
        const t = run();
        wall[i] = Math.min(wall[i]!, t.wall);
        cpu[i] = Math.min(cpu[i]!, t.cpu);
      });
    const last = runs.length - 1;
    runs.forEach(([name], i) =>
      line(
        name,
        `${wall[i]!.toFixed(2)} s wall, ${cpu[i]!.toFixed(2)} s CPU${
          missing === null && i < last
            ? `  (${(wall[last]! / wall[i]!).toFixed(2)}× numpy's speed by wall, ${(cpu[last]! / cpu[i]!).toFixed(2)}× by CPU)`
            : ""
        }`,
      ),
    );
    if (missing !== null) line("numpy SoftEntropyAccumulator", `skipped: ${missing}`);
    else
      recordTarget(
        "1. whole glossa entropy (--null-shadows 0) ÷ numpy, ≥ 4×",
        `${(wall[last]! / wall[1]!).toFixed(2)}× by wall, ${(cpu[last]! / cpu[1]!).toFixed(2)}× by CPU`,
        wall[last]! / wall[1]! >= 4,
      );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

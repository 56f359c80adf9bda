/**
 * `npm run bench -- mapping`: every discrete-mapping measure on the 15,625-meaning
 * subject–verb–object space (25 atoms per role), signals of length 6 over 26 symbols, for a
 * compositional language with variation (2 synonymous codes per atom). Topographic
 * similarity runs over all ~122 million pairs; its speed is reported against a naive
 * all-pairs baseline (plain DP Levenshtein into pair arrays, sort-based Spearman) measured on
 * a sample of pairs in the same run. Target: the whole table in under 10 s.
 *
 * Then reading a mapping file of 1 million rows (TSV, 3 roles of 100 atoms, signals of 6
 * characters), in a child process so its peak RSS is the reader's alone: time and peak RSS,
 * against the RSS of a child that only starts Node; and topsim over the default sample of
 * 10 million pairs of those rows (what `glossa mapping` does above 50,000 rows).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bosdis, posdis } from "../mapping/disentanglement.js";
import { contextIndependence } from "../mapping/contextIndependence.js";
import { svoMeaningSpace } from "../mapping/meaningSpace.js";
import { measureMapping } from "../mapping/measureAll.js";
import { levenshteinDp } from "../mapping/pairKernel.js";
import { residualEntropy } from "../mapping/residualEntropy.js";
import { spearman } from "../mapping/spearman.js";
import { compositionalLanguage } from "../mapping/synthetic.js";
import { topographicSimilarity } from "../mapping/topsim.js";
import { topographicSimilarityParallel } from "../mapping/topsimParallel.js";
import type { DiscreteMapping } from "../mapping/types.js";
import { Random } from "../util/random.js";

const TARGET_SECONDS = 10;
const FILE_ROWS = 1_000_000;
const BASELINE_PAIRS = 400_000;

/**
 * Wall-clock seconds and CPU seconds of this process (all threads). The machine is shared,
 * so wall time includes waiting for a core; CPU time is the steadier measure of work.
 */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; seconds: number; cpu: number }> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const value = await fn();
  const cpu = process.cpuUsage(cpuStart);
  return { value, seconds: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** The naive method on a random sample of pairs: distances into arrays, then sort-based ρ. */
function naiveTopsimSample(m: DiscreteMapping, pairs: number, seed: number): number {
  const random = new Random(seed);
  const R = m.roles.length;
  const L = m.length;
  const dm: number[] = [];
  const ds: number[] = [];
  const scratch = new Int32Array(L + 1);
  while (dm.length < pairs) {
    const i = random.int(m.size);
    const j = random.int(m.size);
    if (i === j) continue;
    let d = 0;
    for (let r = 0; r < R; r++) if (m.meanings[i * R + r] !== m.meanings[j * R + r]) d++;
    dm.push(d);
    ds.push(levenshteinDp(m.signals, i * L, L, m.signals, j * L, L, scratch));
  }
  return spearman(dm, ds).rho;
}

function fmt(seconds: number): string {
  return seconds < 1 ? `${(seconds * 1000).toFixed(0)} ms` : `${seconds.toFixed(2)} s`;
}

function wallCpu(t: { seconds: number; cpu: number }): string {
  return `${fmt(t.seconds)} wall, ${fmt(t.cpu)} cpu`;
}

export async function run(): Promise<void> {
  const space = svoMeaningSpace(25);
  const m = compositionalLanguage(space, { length: 6, alphabetSize: 26, synonyms: 2, seed: 1 });
  const pairs = (m.size * (m.size - 1)) / 2;
  console.log(
    `language: compositional with 2 synonyms per atom; ${m.size} meanings × ${m.roles.length} roles, signals of ${m.length} over ${m.alphabet.length} symbols; ${pairs.toLocaleString("en")} pairs`,
  );

  const naive = await timed(() => naiveTopsimSample(m, BASELINE_PAIRS, 7));
  const single = await timed(() => topographicSimilarity(m));
  const parallel = await timed(() => topographicSimilarityParallel(m, { threads: 2 }));
  const hamming = await timed(() => topographicSimilarity(m, { signalDistance: "hamming" }));
  if (parallel.value.topsim !== single.value.topsim)
    throw new Error("parallel topsim differs from the single-thread reference");

  // rates per wall second and per CPU second; speed-ups against the naive baseline on each
  const rate = (n: number, t: { seconds: number; cpu: number }) =>
    `${(n / t.seconds / 1e6).toFixed(1)} M pairs/s wall, ${(n / t.cpu / 1e6).toFixed(1)} M/s cpu`;
  const speedup = (n: number, t: { seconds: number; cpu: number }) =>
    `×${(n / t.seconds / (BASELINE_PAIRS / naive.seconds)).toFixed(0)} wall, ×${(n / t.cpu / (BASELINE_PAIRS / naive.cpu)).toFixed(0)} cpu vs naive`;
  console.log("\nTopographic similarity (meaning Hamming over roles)");
  console.log(
    `  naive baseline, Levenshtein DP + sort Spearman (sample of ${BASELINE_PAIRS.toLocaleString("en")} pairs): ${wallCpu(naive)}; ${rate(BASELINE_PAIRS, naive)} → all pairs would take ${fmt((pairs / BASELINE_PAIRS) * naive.seconds)} (sample ρ ${naive.value.toFixed(4)})`,
  );
  console.log(
    `  Levenshtein, 1 thread : ${wallCpu(single)}; ${rate(pairs, single)}; ${speedup(pairs, single)} (ρ ${single.value.topsim.toFixed(6)})`,
  );
  console.log(
    `  Levenshtein, 2 threads: ${wallCpu(parallel)}; ${rate(pairs, parallel)}; ${speedup(pairs, parallel)}; wall ×${(single.seconds / parallel.seconds).toFixed(2)} vs 1 thread`,
  );
  console.log(
    `  Hamming, 1 thread    : ${wallCpu(hamming)}; ${rate(pairs, hamming)} (ρ ${hamming.value.topsim.toFixed(6)})`,
  );

  console.log("\nOther measures (1 thread)");
  for (const [name, fn] of [
    ["posdis", () => posdis(m).value],
    ["bosdis", () => bosdis(m).value],
    ["residual entropy", () => residualEntropy(m).value],
    ["context independence", () => contextIndependence(m).value],
  ] as const) {
    const t = await timed(fn);
    console.log(`  ${name.padEnd(21)}: ${wallCpu(t)} (value ${t.value.toFixed(4)})`);
  }

  const whole = await timed(() =>
    measureMapping(m, { topsimRunner: (mm, o) => topographicSimilarityParallel(mm, { ...o, threads: 2 }) }),
  );
  const wholeSingle = await timed(() => measureMapping(m));
  console.log(
    "\nWhole table (measureMapping: variation measures, word order, topsim, posdis, bosdis, residual entropy, CI)",
  );
  console.log(
    `  topsim on 2 threads: ${wallCpu(whole)} — ${(whole.seconds / TARGET_SECONDS).toFixed(2)} of the ${TARGET_SECONDS} s target`,
  );
  console.log(
    `  all in 1 thread    : ${wallCpu(wholeSingle)} — ${(wholeSingle.seconds / TARGET_SECONDS).toFixed(2)} of the target`,
  );
  console.log(
    `  (load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} on ${availableParallelism()} cores — other work on the machine inflates wall times)`,
  );
  readLargeFile();
}

/** Writes a FILE_ROWS-row TSV mapping file; returns its path. */
function writeLargeFile(dir: string): string {
  const random = new Random(3);
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const file = path.join(dir, "large.tsv");
  const lines = ["subject\tverb\tobject\tsignal"];
  for (let i = 0; i < FILE_ROWS; i++) {
    let signal = "";
    for (let p = 0; p < 6; p++) signal += letters[random.int(26)];
    lines.push(`s${random.int(100)}\tv${random.int(100)}\to${random.int(100)}\t${signal}`);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

function readLargeFile(): void {
  const dir = mkdtempSync(path.join(tmpdir(), "glossa-bench-mapping-"));
  try {
    const file = writeLargeFile(dir);
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "mappingReadChild.js");
    const run = (args: string[]) => {
      const result = spawnSync(process.execPath, args, { encoding: "utf8" });
      if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
      return result.stdout;
    };
    const read = JSON.parse(run([child, file]).trim()) as {
      rows: number;
      seconds: number;
      maxRssMB: number;
      topsimPairs: number;
      topsimSeconds: number;
    };
    const idle = Number(run(["-e", "console.log(process.resourceUsage().maxRSS / 1024)"]).trim());
    const mb = statSync(file).size / 2 ** 20;
    console.log(`\nReading a mapping file (readMappingFile, child process)`);
    console.log(
      `  ${read.rows.toLocaleString("en")} rows, ${mb.toFixed(1)} MiB TSV: ${fmt(read.seconds)} (${(read.rows / read.seconds / 1e6).toFixed(2)} M rows/s); peak RSS ${read.maxRssMB.toFixed(0)} MB (Node alone ${idle.toFixed(0)} MB)`,
    );
    console.log(
      `  topsim over ${read.topsimPairs.toLocaleString("en")} sampled pairs of those rows (Levenshtein, 1 thread): ${fmt(read.topsimSeconds)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- vector` parts (o) and (k): the soft `update` path and its anchor kernel
 * against baselines measured in the same run (d = 768, n = 100, two Zipf label sets).
 * (o) `update` with the kernel on a worker thread (counting batch k while the kernel computes
 *     batch k + 1) vs in the calling thread, against a bare onnxruntime MatMul (target ≥ 0.8);
 * (k) the anchor kernel under onnxruntime settings (threads, batch size, spinning, graph
 *     optimisation) against numpy's sgemm on the same shapes (target ≥ 0.7; numpy row needs
 *     `GLOSSA_PYTHON` or python3 with numpy, skipped otherwise).
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import ort from "onnxruntime-node";
import { buildAnchorModel, buildMatMulModel } from "../compute/onnxGraph.js";
import { onnxBackend, onnxSessionOptions } from "../compute/onnx.js";
import { tsBackend, tsScalarBackend } from "../compute/ts.js";
import type { ComputeBackend } from "../compute/types.js";
import { createAccumulator, makeAnchors, type AnchorAccumulator } from "../vector/index.js";
import { Random } from "../util/random.js";
import { floatToHalf } from "../io/npyFormat.js";
import { benchRows, zipfLabels } from "./vectorData.js";
import { recordTarget } from "./vectorTargets.js";

const D = 768;
const N = 100;
const BATCH = 4096;
const COUNT = 10;
const REPEATS = 3;
const THREADS = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

function line(name: string, value: string): void {
  console.log(`${name.padEnd(64)} ${value}`);
}

const rate = (rows: number, seconds: number) => Math.round(rows / seconds).toLocaleString("en");

/** Least wall seconds over rounds × REPEATS runs of each runner, interleaved so all see the same load. */
async function interleaved(runners: (() => Promise<void>)[], rounds = REPEATS): Promise<number[]> {
  return (await interleavedWithCpu(runners, rounds)).wall;
}

/**
 * interleaved(), also returning each runner's least CPU seconds (user + system of the whole process,
 * onnxruntime's pool threads included): on a shared machine the steadier measure of the work done.
 */
async function interleavedWithCpu(
  runners: (() => Promise<void>)[],
  rounds = REPEATS,
): Promise<{ wall: number[]; cpu: number[] }> {
  for (const runOnce of runners) await runOnce(); // warm up
  const wall = runners.map(() => Infinity);
  const cpu = runners.map(() => Infinity);
  for (let r = 0; r < rounds * REPEATS; r++)
    for (let i = 0; i < runners.length; i++) {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await runners[i]!();
      wall[i] = Math.min(wall[i]!, (performance.now() - start) / 1000);
      const used = process.cpuUsage(cpuStart);
      cpu[i] = Math.min(cpu[i]!, (used.user + used.system) / 1e6);
    }
  return { wall, cpu };
}

function weights(): Float32Array {
  const w = new Float32Array(D * N);
  const r = new Random(1);
  for (let i = 0; i < w.length; i++) w[i] = r.uniform() - 0.5;
  return w;
}

type Session = ort.InferenceSession;

function sessionRunner(session: Session, batches: (Float32Array | Uint16Array)[]): () => Promise<void> {
  return async () => {
    for (const rows of batches) {
      const type = rows instanceof Uint16Array ? "float16" : "float32";
      const out = await session.run({ rows: new ort.Tensor(type, rows, [rows.length / D, D]) });
      for (const name of Object.keys(out)) out[name]!.dispose?.();
    }
  };
}

function onSharedMemory(rows: Float32Array): Float32Array {
  const shared = new Float32Array(new SharedArrayBuffer(rows.byteLength));
  shared.set(rows);
  return shared;
}

function updateRunner(
  batches: Float32Array[],
  labels: Int32Array[][],
  options: { worker: boolean; threads: number; chunkRows?: number } | ComputeBackend,
): () => Promise<void> {
  const template = createAccumulator({
    d: D,
    n: N,
    seed: 0,
    calibration: "bound",
    backend: "createAnchorKernel" in options ? options : onnxBackend(options),
  }) as AnchorAccumulator;
  return async () => {
    const acc = template.emptyCopy();
    // as accumulateBatches does: hand batch k + 1 over before waiting for batch k
    let inFlight: Promise<void> | null = null;
    for (let b = 0; b < batches.length; b++) {
      const next = acc.update(batches[b]!, { token: labels[b]![0]!, bigram: labels[b]![1]! });
      if (inFlight) await inFlight;
      inFlight = next;
    }
    await inFlight;
    if (!(acc.state.tables.get("bigram")!.size > 1000)) throw new Error("bench (o): label sets were not counted");
  };
}

export async function benchOverlap(): Promise<void> {
  console.log(
    `\n### (o) soft update with two label sets (Zipf 5,000 / 50,000), ${COUNT} batches of ${BATCH}: kernel on a worker thread vs in the calling thread (best of ${REPEATS * REPEATS}, interleaved)`,
  );
  const batches = Array.from({ length: COUNT }, (_, b) => benchRows(BATCH, D, 100 + b));
  const shared = batches.map(onSharedMemory);
  const labels = batches.map((_, b) => [zipfLabels(BATCH, 5000, 200 + b), zipfLabels(BATCH, 50000, 300 + b)]);
  const rows = COUNT * BATCH;
  const bare = await ort.InferenceSession.create(buildMatMulModel(D, N, weights()), onnxSessionOptions(THREADS));
  const pieces = batches.flatMap((rows) =>
    Array.from({ length: BATCH / 1024 }, (_, p) => rows.subarray(p * 1024 * D, (p + 1) * 1024 * D)),
  );
  const names = [
    `bare onnxruntime MatMul, ${THREADS} threads, runs of 4,096 (baseline)`,
    `bare onnxruntime MatMul, ${THREADS} threads, runs of 1,024 (baseline)`,
    `update, kernel in the calling thread, whole batches, ${THREADS} threads (before)`,
    `update, kernel in the calling thread, pieces of 1,024 rows (new default)`,
    `update, kernel on a worker, ${THREADS} threads`,
    "update, kernel on a worker, 1 thread",
    `update, kernel on a worker, ${THREADS} threads, rows on SharedArrayBuffer`,
  ];
  const times = await interleaved([
    sessionRunner(bare, batches),
    sessionRunner(bare, pieces),
    updateRunner(batches, labels, { worker: false, threads: THREADS, chunkRows: Infinity }),
    updateRunner(batches, labels, { worker: false, threads: THREADS }),
    updateRunner(batches, labels, { worker: true, threads: THREADS }),
    updateRunner(batches, labels, { worker: true, threads: 1 }),
    updateRunner(shared, labels, { worker: true, threads: THREADS }),
  ]);
  await bare.release();
  // the ratio is to the faster of the two bare baselines
  const baseline = Math.min(times[0]!, times[1]!);
  names.forEach((name, i) =>
    line(
      name,
      `${rate(rows, times[i]!)} rows/s${i > 1 ? `  (ratio ${(baseline / times[i]!).toFixed(2)}; target ≥ 0.80)` : ""}`,
    ),
  );
  const ratio = baseline / times[3]!;
  recordTarget("3. update (default) ÷ bare onnxruntime MatMul, ≥ 0.8", `${ratio.toFixed(2)}`, ratio >= 0.8);
}

/**
 * numpy's sgemm on [batch, d] × [d, n]: rows per wall second and per CPU second (best of 20 samples of ~40,960 rows each),
 * or null when numpy is missing.
 */
/** Rows per numpy timing sample: as many products of `batch` rows as make ~40,960 (a 1 ms product alone times too coarsely by CPU). */
const NUMPY_ROWS = 40_960;

function numpyMatMulRate(batch: number): { wall: number; cpu: number } | null {
  const python = process.env.GLOSSA_PYTHON ?? "python3";
  const code = `
import time, numpy as np
rng = np.random.default_rng(0)
z = rng.standard_normal((${batch}, ${D}), dtype=np.float32); w = rng.standard_normal((${D}, ${N}), dtype=np.float32)
z @ w
reps = max(1, ${NUMPY_ROWS} // ${batch})
best = cpu = 1e9
for _ in range(20):
    t = time.perf_counter(); c = time.process_time()
    for _ in range(reps): z @ w
    best = min(best, time.perf_counter() - t); cpu = min(cpu, time.process_time() - c)
print(reps * ${batch} / best, reps * ${batch} / max(cpu, 1e-9))`;
  const result = spawnSync(python, ["-c", code], { encoding: "utf8" });
  if (result.status !== 0) return null;
  const [wall, cpu] = result.stdout.trim().split(/\s+/).map(Number);
  return { wall: wall!, cpu: cpu! };
}

export async function benchKernelOptions(): Promise<void> {
  console.log(
    `\n### (k) anchor kernel (norms, MatMul, softmax in one ONNX graph) under onnxruntime settings vs numpy sgemm [batch, ${D}] × [${D}, ${N}]`,
  );
  const spec = {
    anchors: makeAnchors({ n: N, d: D, seed: 0 }).data,
    n: N,
    d: D,
    mode: "soft" as const,
    inverseTemperature: 80,
  };
  const anchorModel = buildAnchorModel(spec);
  const halfModel = buildAnchorModel(spec, { inputType: "float16" });
  const matmulModel = buildMatMulModel(D, N, weights());
  const total = 40_960;
  const data = benchRows(total, D, 5);
  const halfData = Uint16Array.from(data, floatToHalf);
  const split = <T extends Float32Array | Uint16Array>(batch: number, rows: T): T[] =>
    Array.from(
      { length: Math.ceil(total / batch) },
      (_, b) => rows.subarray(b * batch * D, Math.min(total, (b + 1) * batch) * D) as T,
    );
  const base = onnxSessionOptions(THREADS);
  const variants: [string, Uint8Array, ort.InferenceSession.SessionOptions, number, boolean?][] = [
    [`bare MatMul, ${THREADS} threads, batch 4096`, matmulModel, base, 4096],
    [`kernel, ${THREADS} threads, one run of 4096 rows (before)`, anchorModel, base, 4096],
    ["kernel, 1 thread, batch 4096", anchorModel, onnxSessionOptions(1), 4096],
    [`kernel, ${THREADS} threads, batch 1024`, anchorModel, base, 1024],
    [`kernel, ${THREADS} threads, batch 16384`, anchorModel, base, 16384],
    [`kernel, ${THREADS} threads, spinning allowed`, anchorModel, { ...base, extra: {} }, 4096],
    [
      `kernel, ${THREADS} threads, graph optimisation "basic"`,
      anchorModel,
      { ...base, graphOptimizationLevel: "basic" },
      4096,
    ],
    [
      `kernel, ${THREADS} threads, graph optimisation "disabled"`,
      anchorModel,
      { ...base, graphOptimizationLevel: "disabled" },
      4096,
    ],
    [`bare MatMul, ${THREADS} threads, batch 1024`, matmulModel, base, 1024],
    ["kernel, batch 1024, float16 input (Cast to float32 in the graph)", halfModel, base, 1024, true],
    ["kernel, batch 1024, 1 thread", anchorModel, onnxSessionOptions(1), 1024],
    ["kernel, batch 1024, CPU memory arena off", anchorModel, { ...base, enableCpuMemArena: false }, 1024],
    ['kernel, batch 1024, graph optimisation "basic"', anchorModel, { ...base, graphOptimizationLevel: "basic" }, 1024],
    ["kernel, batch 512", anchorModel, base, 512],
    ["kernel, batch 2048", anchorModel, base, 2048],
  ];
  const sessions: Session[] = [];
  const runners: (() => Promise<void>)[] = [];
  for (const [, model, options, batch, half] of variants) {
    const session = await ort.InferenceSession.create(model, options);
    sessions.push(session);
    runners.push(sessionRunner(session, split(batch, half ? halfData : data)));
  }
  const kernels = [
    await onnxBackend({ threads: THREADS, worker: false }).createAnchorKernel(spec),
    await onnxBackend({ threads: THREADS, worker: true }).createAnchorKernel(spec),
  ];
  for (const kernel of kernels)
    runners.push(async () => {
      for (const rows of split(4096, data)) await kernel.run(rows, rows.length / D);
    });
  const times = await interleavedWithCpu(runners, 2);
  for (const session of sessions) await session.release();
  for (const kernel of kernels) await kernel.dispose();
  variants.push(
    ["glossa's onnx kernel: batch 4096 run as 4 × 1024 (new default)", anchorModel, base, 4096],
    ["glossa's onnx kernel: the same on its worker thread", anchorModel, base, 4096],
  );
  // numpy at both batch sizes; the kernel is compared with numpy's better one
  const numpyRates = [4096, 1024].map((batch) => ({ batch, rate: numpyMatMulRate(batch) }));
  for (const { batch, rate: r } of numpyRates)
    line(
      `numpy sgemm (z @ w), batch ${batch}, its default threads`,
      r ? `${rate(r.wall, 1)} rows/s wall, ${rate(r.cpu, 1)} rows per CPU s` : "skipped: no python3 with numpy",
    );
  const numpy = numpyRates.every((n) => n.rate)
    ? {
        wall: Math.max(...numpyRates.map((n) => n.rate!.wall)),
        cpu: Math.max(...numpyRates.map((n) => n.rate!.cpu)),
      }
    : null;
  variants.forEach(([name], i) => {
    const wall = total / times.wall[i]!;
    const cpu = total / times.cpu[i]!;
    if (numpy && i === variants.length - 2)
      recordTarget(
        "4. anchor kernel (default) ÷ numpy sgemm, ≥ 0.7",
        `${(wall / numpy.wall).toFixed(2)} by wall, ${(cpu / numpy.cpu).toFixed(2)} by CPU`,
        wall / numpy.wall >= 0.7,
      );
    line(
      name,
      `${rate(wall, 1)} rows/s wall, ${rate(cpu, 1)} per CPU s${
        numpy ? `  (${(wall / numpy.wall).toFixed(2)} / ${(cpu / numpy.cpu).toFixed(2)} of numpy; target ≥ 0.70)` : ""
      }`,
    );
  });
}

export async function benchTypeScript(): Promise<void> {
  console.log(
    "\n### (t) TypeScript back end (the browser path): soft update with two label sets, 2 batches of 4,096, JavaScript loops vs WebAssembly SIMD dot products (best of 3)",
  );
  const batches = Array.from({ length: 2 }, (_, b) => benchRows(BATCH, D, 100 + b));
  const labels = batches.map((_, b) => [zipfLabels(BATCH, 5000, 200 + b), zipfLabels(BATCH, 50000, 300 + b)]);
  const times = await interleaved(
    [updateRunner(batches, labels, tsScalarBackend), updateRunner(batches, labels, tsBackend)],
    1,
  );
  const rows = batches.length * BATCH;
  line("JavaScript loops (before)", `${rate(rows, times[0]!)} rows/s`);
  line(
    "WebAssembly SIMD dot products",
    `${rate(rows, times[1]!)} rows/s  (${(times[0]! / times[1]!).toFixed(2)}×; target ≥ 2)`,
  );
  recordTarget(
    "5. TypeScript back end ÷ its JavaScript loops, ≥ 2×",
    `${(times[0]! / times[1]!).toFixed(2)}×`,
    times[0]! / times[1]! >= 2,
  );
}

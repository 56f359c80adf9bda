/**
 * `npm run bench -- seq2seq`: one training step (forward, backward, Adam) of the SCAN
 * transformer per model size on the wasm back end, a meta-learning step, and the plain cpu
 * back end for the ratio. Figures are milliseconds per step and ratios against the wasm
 * small-model step measured in the same run.
 */
import { useTfBackend, type TfBackend } from "../experiments/tfSetup.js";
import { presetConfig } from "../experiments/seq2seq/config.js";
import { prepareTask } from "../experiments/seq2seq/task.js";
import { modelConfigFor } from "../experiments/seq2seq/run.js";
import { Seq2seqTrainer } from "../experiments/seq2seq/trainer.js";
import type { ModelSize } from "../experiments/seq2seq/model.js";
import { exactMatchAccuracy } from "../experiments/seq2seq/decode.js";

const BATCH = 64;

interface Timing {
  wall: number;
  cpu: number;
}

/** Wall and CPU milliseconds (all threads) per call of `fn`: the machine may be shared, CPU time is the steadier figure. */
function time(repeats: number, fn: () => void): Timing {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < repeats; i++) fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / repeats, cpu: (c.user + c.system) / 1000 / repeats };
}

async function stepMs(backend: TfBackend, size: ModelSize, meta: boolean, repeats: number): Promise<Timing> {
  const tf = await useTfBackend(backend);
  const config = presetConfig("quick", { batchSize: BATCH, regimes: meta ? ["meta"] : ["standard"] });
  const task = prepareTask(config, 0);
  const trainer = new Seq2seqTrainer(
    tf,
    modelConfigFor(task, size),
    {
      seed: 1,
      batchSize: BATCH,
      learningRate: 1e-3,
      ...(meta ? { meta: { innerLearningRate: 0.01, order: "first" as const, neighbours: 8 } } : {}),
    },
    task.train,
    task.neighbours,
  );
  trainer.trainStep(); // warm-up (kernel compilation, first allocations)
  const ms = time(repeats, () => trainer.trainStep());
  trainer.dispose();
  return ms;
}

async function decodeMs(size: ModelSize): Promise<Timing> {
  const tf = await useTfBackend("wasm");
  const config = presetConfig("quick", { evalExamples: 200 });
  const task = prepareTask(config, 0);
  const trainer = new Seq2seqTrainer(
    tf,
    modelConfigFor(task, size),
    { seed: 1, batchSize: BATCH, learningRate: 1e-3 },
    task.train,
  );
  const ms = time(1, () => exactMatchAccuracy(tf, trainer.params, trainer.model, task.oodEval));
  trainer.dispose();
  return ms;
}

export async function run(): Promise<void> {
  console.log(
    `SCAN add-jump, batch ${BATCH}, widths small 32 / medium 64 / large 128 (2 enc + 1 dec layers, 4 heads, FF 4×)`,
  );
  const base = await stepMs("wasm", "small", false, 5);
  const rows: [string, Timing][] = [["wasm small step (baseline)", base]];
  rows.push(["wasm medium step", await stepMs("wasm", "medium", false, 3)]);
  rows.push(["wasm large step", await stepMs("wasm", "large", false, 2)]);
  rows.push(["wasm small meta step (first order)", await stepMs("wasm", "small", true, 3)]);
  rows.push(["wasm small greedy decode, 200 OOD examples", await decodeMs("small")]);
  rows.push(["cpu small step", await stepMs("cpu", "small", false, 2)]);
  console.log(`${"".padEnd(46)} ${"wall ms".padStart(8)} ${"CPU ms".padStart(8)}   CPU vs baseline`);
  for (const [name, t] of rows)
    console.log(
      `${name.padEnd(46)} ${t.wall.toFixed(0).padStart(8)} ${t.cpu.toFixed(0).padStart(8)}   ×${(t.cpu / base.cpu).toFixed(2)}`,
    );
  await useTfBackend("wasm");
}

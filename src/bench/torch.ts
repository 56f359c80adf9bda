/**
 * `npm run bench -- torch` (issue 16, target 6; measure only): one training step of the emergent
 * thesis configuration (batch 5,000, L 6, |C| 26, hidden 128, embedding 32) and one seq2seq small
 * step (width 32, batch 64 SCAN add-jump), glossa (TensorFlow.js wasm) against the same
 * computation in PyTorch on CPU (scripts/bench/torch_steps.py, run by `GLOSSA_TORCH_PYTHON`,
 * default /usr/bin/python3 with Debian's python3-torch; the row is skipped when torch is missing).
 * Both use all cores; wall and process-CPU milliseconds per step.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { thesisStep } from "./emergent.js";
import { Trainer } from "../experiments/emergent/trainer.js";
import { presetConfig } from "../experiments/seq2seq/config.js";
import { modelConfigFor } from "../experiments/seq2seq/run.js";
import { prepareTask } from "../experiments/seq2seq/task.js";
import { Seq2seqTrainer } from "../experiments/seq2seq/trainer.js";
import { useTfBackend } from "../experiments/tfSetup.js";
import { Random } from "../util/random.js";

const SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "scripts",
  "bench",
  "torch_steps.py",
);

interface Timing {
  wall: number;
  cpu: number;
}

async function perStep(repeats: number, step: () => unknown): Promise<Timing> {
  step(); // warm-up
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < repeats; i++) await step();
  const cpu = process.cpuUsage(cpu0);
  return { wall: (performance.now() - wall0) / repeats, cpu: (cpu.user + cpu.system) / 1000 / repeats };
}

function torchStep(args: (string | number)[]): Timing | string {
  const python = process.env.GLOSSA_TORCH_PYTHON ?? "/usr/bin/python3";
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return `skipped: ${python} cannot import torch`;
  const result = spawnSync(python, [SCRIPT, ...args.map(String)], { encoding: "utf8" });
  if (result.status !== 0) return `failed: ${result.stderr.slice(-500)}`;
  const out = JSON.parse(result.stdout.trim().split("\n").pop()!) as { wall_ms: number; cpu_ms: number };
  return { wall: out.wall_ms, cpu: out.cpu_ms };
}

function report(name: string, glossa: Timing, torch: Timing | string): void {
  const ms = (t: Timing) => `${t.wall.toFixed(0)} ms wall, ${t.cpu.toFixed(0)} ms CPU`;
  console.log(`${name}: glossa (tfjs wasm) ${ms(glossa)}`);
  if (typeof torch === "string") console.log(`${name}: PyTorch ${torch}`);
  else
    console.log(
      `${name}: PyTorch (CPU) ${ms(torch)}; glossa / PyTorch = ${(glossa.wall / torch.wall).toFixed(2)} by wall, ${(glossa.cpu / torch.cpu).toFixed(2)} by CPU`,
    );
}

async function emergentStep(): Promise<void> {
  const { config, atoms, meanings, rows, options } = thesisStep(128);
  const tf = await useTfBackend("wasm");
  const trainer = new Trainer(tf, options, meanings);
  const rng = new Random(1);
  const glossa = await perStep(3, () => trainer.step(rows, rng));
  trainer.dispose();
  const torch = torchStep([
    "emergent",
    config.batchSize,
    config.signalLength,
    config.alphabetSize,
    128,
    config.embeddingSize,
    atoms[0]!,
    config.roles.length,
  ]);
  report("emergent thesis step (batch 5000, L 6, |C| 26, hidden 128)", glossa, torch);
}

async function seq2seqStep(): Promise<void> {
  const tf = await useTfBackend("wasm");
  const config = presetConfig("quick", { batchSize: 64, regimes: ["standard"] });
  const task = prepareTask(config, 0);
  const model = modelConfigFor(task, "small");
  const trainer = new Seq2seqTrainer(tf, model, { seed: 1, batchSize: 64, learningRate: 1e-3 }, task.train);
  const glossa = await perStep(5, () => trainer.trainStep());
  trainer.dispose();
  // PyTorch at the longest lengths (glossa trims each batch to its longest target: its figure is at most this work)
  const torch = torchStep([
    "seq2seq",
    64,
    model.maxSourceLength,
    model.maxTargetLength,
    model.sourceVocab,
    model.targetVocab,
    model.width,
  ]);
  report(
    `seq2seq small step (width ${model.width}, batch 64, source ≤ ${model.maxSourceLength}, target ≤ ${model.maxTargetLength})`,
    glossa,
    torch,
  );
}

export async function run(): Promise<void> {
  console.log(`${os.cpus().length} cores; load average ${os.loadavg()[0]!.toFixed(1)}`);
  await emergentStep();
  await seq2seqStep();
}

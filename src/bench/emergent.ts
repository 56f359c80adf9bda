/**
 * `npm run bench -- emergent`: one training step of the thesis configuration (15,625
 * subject–verb–object meanings, batch 5000, L = 6, |C| = 26, hidden 128, embedding 32) on
 * the wasm and the cpu back ends — the figure is the ratio cpu / wasm, both measured here —
 * plus the other per-epoch costs on wasm (greedy language of all meanings, every §3 measure)
 * and the thesis preset's runtime estimated from them.
 */
import { loadavg } from "node:os";
import { THESIS_PRESET, atomCounts, runSpecs } from "../experiments/emergent/config.js";
import { evaluateLanguage } from "../experiments/emergent/evaluate.js";
import { enumerateMeanings, makeSplits } from "../experiments/emergent/splits.js";
import { Trainer } from "../experiments/emergent/trainer.js";
import { useTfBackend, type TfBackend } from "../experiments/tfSetup.js";
import { Random } from "../util/random.js";

const HIDDEN = 128;

/** Mean wall and CPU seconds of `repeats` calls, and the last call's value (the machine is shared: CPU time is the steadier figure). */
async function meanTime<T>(
  repeats: number,
  fn: () => T | Promise<T>,
): Promise<{ value: T; seconds: number; cpu: number }> {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  let value!: T;
  for (let k = 0; k < repeats; k++) value = await fn();
  const used = process.cpuUsage(cpu0);
  return {
    value,
    seconds: (performance.now() - wall0) / 1000 / repeats,
    cpu: (used.user + used.system) / 1e6 / repeats,
  };
}

/** The thesis configuration's first training batch and trainer settings (shared with bench/torch.ts). */
export function thesisStep(hiddenSize = HIDDEN) {
  const config = THESIS_PRESET;
  const atoms = atomCounts(config);
  const meanings = enumerateMeanings(atoms);
  const splits = makeSplits({
    atoms,
    compositionalRoles: [0, 2],
    compositionalFraction: config.compositionalFraction,
    iidTestFraction: config.iidTestFraction,
    seed: config.splitSeed,
  });
  const rows = Array.from(splits.train.subarray(0, config.batchSize));
  const options = {
    atoms,
    signalLength: config.signalLength,
    alphabetSize: config.alphabetSize,
    hiddenSize,
    embeddingSize: config.embeddingSize,
    seed: 1,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    entropyCoefficient: config.entropyCoefficient,
  };
  return { config, atoms, meanings, splits, rows, options };
}

export async function run(): Promise<void> {
  const { config, atoms, meanings, splits, rows, options } = thesisStep();
  console.log(
    `thesis configuration: ${meanings.length / 3} meanings, batch ${config.batchSize}, L ${config.signalLength}, |C| ${config.alphabetSize}, hidden ${HIDDEN}, embedding ${config.embeddingSize}; load average ${loadavg()[0]!.toFixed(2)}`,
  );
  const step = {} as Record<TfBackend, { seconds: number; cpu: number }>;
  let language = { seconds: 0, cpu: 0 };
  let measures = { seconds: 0, cpu: 0 };
  for (const backend of ["wasm", "cpu"] as const) {
    const tf = await useTfBackend(backend);
    const trainer = new Trainer(tf, options, meanings);
    const rng = new Random(1);
    trainer.step(rows, rng); // warm-up: kernels, memory
    const repeats = backend === "wasm" ? 3 : 1;
    step[backend] = await meanTime(repeats, () => trainer.step(rows, rng));
    console.log(
      `${backend.padEnd(5)} one training step: ${(step[backend].seconds * 1000).toFixed(0)} ms wall, ${(step[backend].cpu * 1000).toFixed(0)} ms CPU (mean of ${repeats})`,
    );
    if (backend === "wasm") {
      const lang = await meanTime(1, () => trainer.language());
      language = lang;
      const space = {
        roleNames: config.roles,
        atoms,
        alphabetSize: config.alphabetSize,
        signalLength: config.signalLength,
        meanings,
        splits,
      };
      measures = await meanTime(1, () => evaluateLanguage(space, lang.value));
      console.log(
        `wasm  greedy language of all meanings: ${(lang.seconds * 1000).toFixed(0)} ms wall, ${(lang.cpu * 1000).toFixed(0)} ms CPU; all §3 measures + accuracies: ${(measures.seconds * 1000).toFixed(0)} ms wall, ${(measures.cpu * 1000).toFixed(0)} ms CPU (topsim over all ${((15625 * 15624) / 2 / 1e6).toFixed(0)}M pairs)`,
      );
    }
    trainer.dispose();
  }
  console.log(
    `ratio cpu/wasm, one step: ${(step.cpu.seconds / step.wasm.seconds).toFixed(1)}× by wall time, ${(step.cpu.cpu / step.wasm.cpu).toFixed(1)}× by CPU time (wasm/cpu time ratio ${(step.wasm.cpu / step.cpu.cpu).toFixed(3)})`,
  );
  const stepsPerEpoch = config.passesPerEpoch * Math.ceil(splits.train.length / config.batchSize);
  const runs = runSpecs(config).length;
  for (const kind of ["seconds", "cpu"] as const) {
    const epoch = stepsPerEpoch * step.wasm[kind] + language[kind] + measures[kind];
    const total = epoch * config.epochs * runs;
    console.log(
      `thesis preset estimate from ${kind === "cpu" ? "CPU time (an idle machine)" : "wall time (this load)"}, wasm, hidden ${HIDDEN}: ${stepsPerEpoch} steps + evaluation = ${epoch.toFixed(1)} s per epoch; ${config.epochs} epochs × ${runs} runs ≈ ${(total / 3600).toFixed(1)} h`,
    );
  }
}

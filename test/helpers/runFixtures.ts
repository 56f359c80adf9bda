/**
 * Run folders for the dashboard tests, written directly (run.json + results.jsonl) in the shape
 * src/io/runFolder.ts writes, plus the journal records a newer writer adds (cell-complete
 * markers without `measure`) and, optionally, a torn last line.
 */
import fs from "node:fs";
import path from "node:path";

export interface FixtureRunOptions {
  experiment?: string;
  status?: string;
  seeds?: number[];
  epochs?: number;
  /** Shifts every structure value (so runs differ). */
  offset?: number;
  tornLastLine?: boolean;
}

export function fixtureRows(options: FixtureRunOptions = {}): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const offset = options.offset ?? 0;
  for (const seed of options.seeds ?? [0, 1]) {
    for (let epoch = 1; epoch <= (options.epochs ?? 5); epoch++) {
      const e = epoch / (options.epochs ?? 5);
      // a fixed, seed-dependent wobble so replicates differ (bands have width)
      const noise = 0.03 * Math.sin(7 * seed + 3 * epoch);
      rows.push({
        experiment: "emergent",
        seed,
        epoch,
        split: "train",
        measure: "accuracy",
        value: 0.2 + 0.7 * e + offset + noise,
      });
      rows.push({
        experiment: "emergent",
        seed,
        epoch,
        split: "test",
        measure: "accuracy",
        value: 0.1 + 0.3 * e + offset + noise,
      });
      rows.push({
        experiment: "emergent",
        seed,
        epoch,
        measure: "topsim",
        value: 0.1 + 0.5 * e + offset + seed * 0.01,
      });
      for (const labelSet of ["role", "token"])
        for (const correction of ["raw", "corrected"])
          rows.push({
            experiment: "emergent",
            seed,
            epoch,
            labelSet,
            estimator: "soft",
            correction,
            measure: "regularity",
            value:
              0.3 +
              0.1 * e +
              (labelSet === "role" ? 0.2 : 0) -
              (correction === "corrected" ? 0.05 : 0) +
              offset +
              noise,
          });
      rows.push({
        experiment: "emergent",
        seed,
        epoch,
        measure: "residual",
        component: "lexical",
        value: 0.5 - 0.2 * e,
      });
      rows.push({ experiment: "emergent", seed, epoch, measure: "wordOrder", value: null, wordOrder: "agent patient" });
    }
  }
  return rows;
}

export function writeRunFolder(dir: string, options: FixtureRunOptions = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const rows = fixtureRows(options);
  const now = new Date().toISOString();
  const info = {
    experiment: options.experiment ?? "emergent",
    command: `glossa ${options.experiment ?? "emergent"} --preset quick --out ${dir}`,
    glossaVersion: "0.1.0",
    gitCommit: null,
    started: now,
    updated: now,
    machine: { platform: "linux", arch: "x64", cpus: 2, cpuModel: "test", memoryGiB: 4, node: "v20" },
    parameters: { preset: "quick", epochs: options.epochs ?? 5, seeds: options.seeds ?? [0, 1], hiddenSize: 64 },
    status: options.status ?? "done",
    rows: rows.length,
  };
  fs.writeFileSync(path.join(dir, "run.json"), `${JSON.stringify(info, null, 2)}\n`);
  const lines = rows.map((r) => JSON.stringify(r));
  lines.splice(3, 0, JSON.stringify({ type: "cell-complete", cell: "seed=0", rows: 3 }));
  let text = `${lines.join("\n")}\n`;
  if (options.tornLastLine) text += '{"experiment":"emergent","seed":0,"epoch":99,"measure":"accur';
  fs.writeFileSync(path.join(dir, "results.jsonl"), text);
  return dir;
}

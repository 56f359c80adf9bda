/**
 * `npm run bench [-- NAME ...]`: runs the named benchmark suites (all by default).
 * Each suite lives in src/bench/<name>.ts and exports `run(): Promise<void>`, printing
 * its figures as ratios against a baseline measured in the same run.
 */
import os from "node:os";

const SUITE_NAMES = ["mapping", "vector", "emergent", "seq2seq", "lm", "lmStream", "torch"];
const SUITES: Record<string, () => Promise<{ run(): Promise<void> }>> = Object.fromEntries(
  SUITE_NAMES.map((name) => [name, () => import(`./${name}.js`) as Promise<{ run(): Promise<void> }>]),
);

const requested = process.argv.slice(2);
const names = requested.length ? requested : Object.keys(SUITES);
console.log(
  `# glossa benchmarks — ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? "cpu"} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
for (const name of names) {
  const load = SUITES[name];
  if (!load) {
    console.error(`unknown benchmark suite "${name}" (known: ${Object.keys(SUITES).join(", ")})`);
    process.exitCode = 2;
    continue;
  }
  let suite: { run(): Promise<void> };
  try {
    suite = await load();
  } catch (error) {
    console.log(`\n## ${name}: not available (${(error as Error).message})`);
    continue;
  }
  console.log(`\n## ${name}`);
  await suite.run();
}

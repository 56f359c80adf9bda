/**
 * `glossa worker --queue redis://HOST:PORT[/DB] [--concurrency K]`: runs the cells of sweeps
 * started with `--queue` (src/distributed/worker.ts). K > 1 starts K worker processes (each
 * cell's training is CPU-bound and single-threaded). Stops on Ctrl-C or SIGTERM. Wiring only.
 */
import { spawn } from "node:child_process";
import { describeOptions, flagOption, numberOption, parseArgs, stringOption, UsageError } from "../args.js";
import { parseQueueUrl } from "../../distributed/queue.js";
import { startWorker } from "../../distributed/worker.js";

export const summary = "run the cells of sweeps started with --queue (BullMQ on Redis) until stopped";

const OPTIONS = {
  queue: { type: "string", description: "redis://HOST:PORT[/DB], the same as the sweep's --queue" },
  concurrency: { type: "string", description: "worker processes on this machine (default 1)" },
  "lock-seconds": {
    type: "string",
    description:
      "how long a job's lock lasts unrenewed: a killed worker's job is retried after about twice this (default 30)",
  },
  help: { type: "boolean" },
} as const;

/** The sweep commands a job may name. */
const SWEEPS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  emergent: () => import("./emergent.js"),
  seq2seq: () => import("./seq2seq.js"),
  lm: () => import("./lm.js"),
};

async function runCommand(name: string, argv: string[]): Promise<number> {
  const load = SWEEPS[name];
  if (!load) throw new Error(`a job names "${name}", which is not a sweep command (${Object.keys(SWEEPS).join(", ")})`);
  return (await load()).run(argv);
}

const log = (message: string) => void process.stderr.write(`[worker ${process.pid}] ${message}\n`);

/** K worker processes, each with concurrency 1; signals are passed on; resolves when all have exited. */
function runProcesses(k: number, url: string, lockSeconds: number): Promise<number> {
  const children = Array.from({ length: k }, () =>
    spawn(
      process.execPath,
      [...process.execArgv, process.argv[1]!, "worker", "--queue", url, "--lock-seconds", String(lockSeconds)],
      { stdio: ["ignore", "inherit", "inherit"] },
    ),
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      for (const child of children) child.kill(signal);
    });
  return Promise.all(children.map((c) => new Promise<number>((r) => c.on("close", (code) => r(code ?? 1))))).then(
    (codes) => Math.max(0, ...codes),
  );
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(`usage: glossa worker --queue redis://HOST:PORT[/DB] [--concurrency K] [--lock-seconds S]
${summary}

options:
${describeOptions(OPTIONS)}

Workers need the glossa package and the same paths to models, corpora and --config files as the
command that started the sweep, and read/write access to its --store folder.`);
    return 0;
  }
  const url = stringOption(args, "queue");
  if (!url) throw new UsageError("glossa worker needs --queue redis://HOST:PORT[/DB]");
  parseQueueUrl(url);
  const concurrency = numberOption(args, "concurrency", 1, { integer: true, min: 1 });
  const lockSeconds = numberOption(args, "lock-seconds", 30, { min: 1 });
  if (concurrency > 1) return runProcesses(concurrency, url, lockSeconds);
  const { stop } = startWorker({ url, lockSeconds, runCommand, log });
  log(`waiting for jobs on ${url}`);
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  log("stopping after the current job (signal again to stop now)");
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
  await stop();
  return 0;
}

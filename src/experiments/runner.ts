/**
 * NODE ONLY: the one shape every experiment runs in. An experiment exports
 * `runExperiment(config, options)` with `options: ExperimentOptions` (plus its own extras)
 * and does its work inside `withRunFolder`, which opens the run folder — where the
 * integrity checks live (writable `--out`, the lock, same parameters on resume, unfinished
 * commits dropped) — marks it done or failed at the end and always releases the lock.
 *
 * Words, the same in every experiment:
 * - sweep: everything one call runs (one run folder);
 * - cell: the unit that could run anywhere (emergent and seq2seq: one training run, i.e.
 *   a seed × size × regime; lm: one model × layer × estimator);
 * - commit: the unit of resumption inside a cell, journaled whole or not at all (emergent:
 *   one epoch of a run; seq2seq: one measurement step of a run; lm: the whole cell).
 */
import type { RunFolder } from "../io/runFolder.js";
import { RunFolder as Folder } from "../io/runFolder.js";

export interface ExperimentOptions {
  /** The run folder. */
  out: string;
  /** Continue the run in `out` (same parameters; finished commits are not recomputed). */
  resume?: boolean;
  /** Progress lines (default: stderr). */
  log?: (message: string) => void;
  /** Recorded in run.json (default: this process's command line, shell-quoted). */
  command?: string;
}

export interface ExperimentIdentity {
  experiment: string;
  /** Everything the results depend on; recorded in run.json and compared on resume. */
  parameters: Record<string, unknown>;
  /** Parameters a resume may change (dotted paths), e.g. "config.epochs". */
  mayChange?: readonly string[];
}

/**
 * Lets the event loop run (signal handlers included: Ctrl-C releases the lock). A sweep made of
 * synchronous work and already-resolved promises would otherwise never give it a turn; call it
 * after each commit.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export const stderrLog = (message: string): void => void process.stderr.write(`${message}\n`);

/** Opens the run folder, runs `body` in it, and finishes the folder (done or failed) whatever happens. */
export async function withRunFolder<T>(
  identity: ExperimentIdentity,
  options: ExperimentOptions,
  body: (folder: RunFolder, log: (message: string) => void) => Promise<T>,
): Promise<T> {
  const log = options.log ?? stderrLog;
  const folder = Folder.open(options.out, {
    experiment: identity.experiment,
    parameters: identity.parameters,
    resume: options.resume ?? false,
    ...(identity.mayChange ? { mayChange: identity.mayChange } : {}),
    ...(options.command ? { command: options.command } : {}),
    log,
  });
  let result: T;
  try {
    result = await body(folder, log);
  } catch (error) {
    folder.finish(`failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`);
    throw error;
  }
  folder.finish("done");
  return result;
}

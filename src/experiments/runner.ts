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
import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RunFolder } from "../io/runFolder.js";
import { RunFolder as Folder, writeAtomically } from "../io/runFolder.js";

export interface ExperimentOptions {
  /** The run folder. */
  out: string;
  /** Continue the run in `out` (same parameters; finished commits are not recomputed). */
  resume?: boolean;
  /** Progress lines (default: stderr). */
  log?: (message: string) => void;
  /** Recorded in run.json (default: this process's command line, shell-quoted). */
  command?: string;
  // --- scale-out hooks (src/distributed/): which of the sweep's cells this process runs ---
  /** Run only the index-th of count deterministic slices of the cells (`--shard i/N`). */
  shard?: ShardSpec;
  /** Run the cells elsewhere (`--queue`): the dispatcher fills the run folder, then the body only reports. */
  dispatcher?: CellDispatcher;
}

/** A cell of a sweep: its commit-id prefix and its position in the sweep's order. */
export interface PlannedCell {
  id: string;
  ordinal: number;
  /** Cells of one group share costly work (lm: one model's forward passes); a queue job runs a whole group. */
  group?: string;
}

/** Runs a sweep's cells elsewhere and commits each cell's commits into `folder`, in cell order. */
export interface CellDispatcher {
  dispatch(
    plan: { identity: ExperimentIdentity; cells: PlannedCell[] },
    folder: RunFolder,
    log: (message: string) => void,
  ): Promise<void>;
}

/** Which cells a process runs: a name (recorded in cells.json) and a test on (id, ordinal). */
export interface CellFilter {
  name: string;
  accept: (id: string, ordinal: number) => boolean;
  /**
   * Only the rows are wanted (a queue job: the coordinator reports once over every cell), so
   * the body skips its plots and report (see CellSelection.reportWanted).
   */
  rowsOnly?: boolean;
}

const ambientFilter = new AsyncLocalStorage<CellFilter>();

/** Runs `fn` (e.g. a command) so that every sweep started inside it runs only the cells `filter` accepts. */
export function withCellFilter<T>(filter: CellFilter, fn: () => Promise<T>): Promise<T> {
  return ambientFilter.run(filter, fn);
}

/** `--shard i/N`: cell k of the sweep (in its fixed order) belongs to shard k mod count. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Where a shard or a worker records which cells it ran (read by `glossa merge`). */
export const CELLS_FILE = "cells.json";

export interface CellsRecord {
  /** "i/N", or the selection's name. */
  selection: string;
  /** Cells the whole sweep has, in its order. */
  total: number;
  /** The cells this folder ran: id and position in the sweep's order. */
  cells: { id: string; ordinal: number }[];
}

/**
 * Every experiment asks `take(id)` for each of its cells, always in the sweep's order and
 * whether or not the cell is already done; the answer says whether this process runs it.
 */
export class CellSelection {
  private seen = 0;
  private readonly taken: PlannedCell[] = [];
  /** Every cell asked about, in order. */
  readonly asked: PlannedCell[] = [];
  /**
   * @param reportWanted false where another process reports on these rows (queue jobs) or
   *   nothing is run (planning): the body then skips its plots and report.
   */
  constructor(
    private readonly accept?: (id: string, ordinal: number) => boolean,
    readonly reportWanted = true,
  ) {}
  take(id: string, group?: string): boolean {
    const ordinal = this.seen++;
    this.asked.push({ id, ordinal, ...(group !== undefined ? { group } : {}) });
    if (this.accept && !this.accept(id, ordinal)) return false;
    this.taken.push({ id, ordinal });
    return true;
  }
  record(selection: string): CellsRecord {
    return { selection, total: this.seen, cells: [...this.taken] };
  }
}

function selectionOf(options: ExperimentOptions): CellFilter | undefined {
  const { shard } = options;
  if (shard) return { name: `${shard.index}/${shard.count}`, accept: (_id, k) => k % shard.count === shard.index };
  return ambientFilter.getStore();
}

/** The sweep's cells, found by running its body in a scratch folder with every cell declined. */
async function planCells<T>(
  identity: ExperimentIdentity,
  body: (folder: RunFolder, log: (message: string) => void, cells: CellSelection) => Promise<T>,
): Promise<PlannedCell[]> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-plan-"));
  try {
    const quiet = () => {};
    const folder = Folder.open(scratch, { ...identity, resume: false, log: quiet });
    const cells = new CellSelection(() => false, false);
    try {
      await body(folder, quiet, cells);
    } finally {
      folder.close();
    }
    return cells.asked;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** `--queue`: plan the cells, let the dispatcher fill the run folder, then run the body over the finished folder. */
async function dispatchSweep<T>(
  identity: ExperimentIdentity,
  options: ExperimentOptions & { dispatcher: CellDispatcher },
  body: (folder: RunFolder, log: (message: string) => void, cells: CellSelection) => Promise<T>,
): Promise<T> {
  const log = options.log ?? stderrLog;
  const cells = await planCells(identity, body);
  const folder = Folder.open(options.out, {
    ...identity,
    resume: options.resume ?? false,
    ...(options.command ? { command: options.command } : {}),
    log,
  });
  try {
    await options.dispatcher.dispatch({ identity, cells }, folder, log);
  } catch (error) {
    folder.finish(`failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`);
    throw error;
  }
  folder.close();
  // Every commit is in the journal now: the body skips them all and writes summaries and plots.
  const { dispatcher: _d, ...rest } = options;
  return withRunFolder(identity, { ...rest, resume: true }, body);
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
 * after each commit and each training step (hours of steps can lie between two commits).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export const stderrLog = (message: string): void => void process.stderr.write(`${message}\n`);

/** Opens the run folder, runs `body` in it, and finishes the folder (done or failed) whatever happens. */
export async function withRunFolder<T>(
  identity: ExperimentIdentity,
  options: ExperimentOptions,
  body: (folder: RunFolder, log: (message: string) => void, cells: CellSelection) => Promise<T>,
): Promise<T> {
  if (options.dispatcher) return dispatchSweep(identity, { ...options, dispatcher: options.dispatcher }, body);
  const log = options.log ?? stderrLog;
  const selection = selectionOf(options);
  const folder = Folder.open(options.out, {
    experiment: identity.experiment,
    // A shard's folder records its slice, so merge can check the slices and a resume keeps it.
    parameters: options.shard ? { ...identity.parameters, shard: selection!.name } : identity.parameters,
    resume: options.resume ?? false,
    ...(identity.mayChange ? { mayChange: identity.mayChange } : {}),
    ...(options.command ? { command: options.command } : {}),
    log,
  });
  const cells = new CellSelection(selection?.accept, !selection?.rowsOnly);
  let result: T;
  try {
    result = await body(folder, log, cells);
    if (selection)
      writeAtomically(folder.file(CELLS_FILE), `${JSON.stringify(cells.record(selection.name), null, 1)}\n`);
  } catch (error) {
    folder.finish(`failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`);
    throw error;
  }
  folder.finish("done");
  return result;
}

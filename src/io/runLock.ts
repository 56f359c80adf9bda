/**
 * One writer per run folder: `<dir>/.lock` holds the owner's PID, host, start time and
 * command. It is created atomically (written under a temporary name, then hard-linked to
 * `.lock`, which fails if a lock exists) and removed when the owner finishes, fails, exits
 * or is stopped with SIGINT/SIGTERM.
 *
 * A second writer is refused with an InputError naming the owner. A stale lock (same host,
 * its process no longer running: a run killed with SIGKILL or a crash) is taken over with a
 * message, so `--resume` after a kill needs no manual step. A lock from another host cannot
 * be checked from here; the message says how to clear it. Node-only.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { InputError } from "./errors.js";

export const LOCK_FILE = ".lock";

/** The run folder is held by another process (or its lock cannot be read): nothing was touched. */
export class RunFolderLockedError extends InputError {
  override name = "RunFolderLockedError";
}

export interface LockOwner {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

const held = new Set<string>();
let hooksInstalled = false;

function releaseAll(): void {
  for (const file of held) removeIfOurs(file);
  held.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  releaseAll();
  process.exit(signal === "SIGINT" ? 130 : 143);
}

/** Exit and signal hooks exist only while this process holds a lock. */
function updateHooks(): void {
  if (held.size > 0 && !hooksInstalled) {
    process.on("exit", releaseAll);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    hooksInstalled = true;
  } else if (held.size === 0 && hooksInstalled) {
    process.off("exit", releaseAll);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    hooksInstalled = false;
  }
}

function removeIfOurs(file: string): void {
  try {
    const owner = JSON.parse(fs.readFileSync(file, "utf8")) as LockOwner;
    if (owner.pid === process.pid && owner.host === os.hostname()) fs.rmSync(file, { force: true });
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}

/** Whether a process with this PID runs on this host (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, "utf8")) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === "string" ? owner : undefined;
  } catch {
    return undefined;
  }
}

function describe(owner: LockOwner): string {
  return `process ${owner.pid} on ${owner.host} (started ${owner.started}: ${owner.command})`;
}

/** The owner of `dir`'s lock when it is a live process on this host (one that is writing the folder now). */
export function liveLockOwner(dir: string): LockOwner | undefined {
  const owner = readOwner(path.join(dir, LOCK_FILE));
  return owner && owner.host === os.hostname() && processAlive(owner.pid) ? owner : undefined;
}

/** Takes the lock of run folder `dir` (which must exist) or throws an InputError naming its owner. */
export function acquireLock(dir: string, command: string, log: (message: string) => void): RunLock {
  const file = path.join(dir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command };
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(owner)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(temp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      }
      const current = readOwner(file);
      if (!current)
        throw new RunFolderLockedError(
          `damaged lock file; if no glossa process writes this folder, delete ${file} and run again`,
          { file },
        );
      if (current.host !== owner.host)
        throw new RunFolderLockedError(
          `run folder is locked by ${describe(current)}; if that process is gone, delete ${file} and run again`,
          { file: dir },
        );
      if (processAlive(current.pid))
        throw new RunFolderLockedError(
          `run folder is in use by ${describe(current)}; wait for it or choose another --out`,
          {
            file: dir,
          },
        );
      log(`${dir}: taking over the stale lock of ${describe(current)}, which is no longer running`);
      fs.rmSync(file, { force: true });
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
  held.add(file);
  updateHooks();
  return {
    file,
    release() {
      if (!held.delete(file)) return;
      removeIfOurs(file);
      updateHooks();
    },
  };
}

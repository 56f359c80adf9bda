/**
 * Finds run folders (a folder holding run.json and results.jsonl) under the served roots and
 * resolves a run id or file path back to a place inside them. Every resolution goes through
 * `insideRoot`, which compares real paths, so `..` segments and symlinks that lead out of a
 * root are refused. Read-only.
 */
import fs from "node:fs";
import path from "node:path";

export const RUN_FILE = "run.json";
export const JOURNAL_FILE = "results.jsonl";

export interface ServedRoot {
  /** As given on the command line (shown in the UI). */
  given: string;
  /** Its real path (symlinks resolved). */
  real: string;
}

export interface RunLocation {
  /** `<root index>/<path inside the root>` ("." for the root itself). */
  id: string;
  /** Real path of the run folder. */
  dir: string;
  /** For display: the root as given joined with the relative path. */
  display: string;
}

/** Roots as real paths; a missing root is kept (it may appear later) but resolves to nothing. */
export function servedRoots(dirs: readonly string[]): ServedRoot[] {
  return dirs.map((given) => {
    const absolute = path.resolve(given);
    let real = absolute;
    try {
      real = fs.realpathSync(absolute);
    } catch {
      // not there (yet)
    }
    return { given, real };
  });
}

/** True when `candidate` (a real path) is `root` or lies below it. */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Resolves `relative` under a root to a real path that exists and stays inside the root, or
 * null (missing, traversal, or a symlink leading out).
 */
export function insideRoot(root: ServedRoot, relative: string): string | null {
  if (relative.includes("\0")) return null;
  const joined = path.resolve(root.real, relative);
  if (!isInside(root.real, joined)) return null;
  let real: string;
  try {
    real = fs.realpathSync(joined);
  } catch {
    return null;
  }
  return isInside(root.real, real) ? real : null;
}

function isRunFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILE)) && fs.existsSync(path.join(dir, JOURNAL_FILE));
}

const SKIPPED_FOLDERS = new Set(["node_modules", ".git"]);

/** Every run folder under the roots, depth-first in name order; symlinks out of a root are not followed. */
export function findRuns(roots: readonly ServedRoot[], maxDepth = 8): RunLocation[] {
  const found: RunLocation[] = [];
  roots.forEach((root, index) => {
    const seen = new Set<string>();
    const visit = (dir: string, depth: number) => {
      if (seen.has(dir)) return;
      seen.add(dir);
      if (isRunFolder(dir)) {
        const rel = path.relative(root.real, dir) || ".";
        found.push({
          id: `${index}/${rel.split(path.sep).join("/")}`,
          dir,
          display: rel === "." ? root.given : path.join(root.given, rel),
        });
      }
      if (depth >= maxDepth) return;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (SKIPPED_FOLDERS.has(entry.name) || entry.name.startsWith(".")) continue;
        if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
        const child = insideRoot(root, path.relative(root.real, path.join(dir, entry.name)));
        if (child && fs.statSync(child).isDirectory()) visit(child, depth + 1);
      }
    };
    if (fs.existsSync(root.real) && fs.statSync(root.real).isDirectory()) visit(root.real, 0);
  });
  return found;
}

/** The run folder a run id names, or null (unknown root, traversal, not a run folder). */
export function locateRun(roots: readonly ServedRoot[], id: string): RunLocation | null {
  const slash = id.indexOf("/");
  if (slash <= 0) return null;
  const index = Number(id.slice(0, slash));
  const root = Number.isInteger(index) ? roots[index] : undefined;
  if (!root) return null;
  const rel = id.slice(slash + 1);
  const dir = insideRoot(root, rel);
  if (!dir || !fs.statSync(dir).isDirectory() || !isRunFolder(dir)) return null;
  const relReal = path.relative(root.real, dir) || ".";
  return {
    id: `${index}/${relReal.split(path.sep).join("/")}`,
    dir,
    display: relReal === "." ? root.given : path.join(root.given, relReal),
  };
}

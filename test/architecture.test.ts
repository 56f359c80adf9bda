/**
 * The layer rules of docs/ARCHITECTURE.md, checked on the source: every relative import from one
 * folder of src/ into another must be allowed by the table below (the same table the document
 * shows). A new folder must be added here, which is the point: nothing grows unlisted.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../src");

/** folder → folders of ours it may import. */
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  info: [],
  compute: ["util"],
  mapping: ["info", "util"],
  stats: ["mapping", "info", "util"],
  vector: ["info", "compute", "util"],
  labels: ["info", "util"],
  io: ["mapping", "util", "info"],
  sources: ["io", "labels", "compute", "util"],
  report: ["io", "stats", "util"],
  experiments: ["info", "mapping", "stats", "vector", "compute", "labels", "io", "sources", "report", "util"],
  server: ["io", "report", "stats", "util"],
  web: ["info", "mapping", "vector", "compute", "labels", "stats", "util", "report", "io"],
  bench: ["info", "mapping", "stats", "vector", "compute", "labels", "io", "sources", "report", "util", "experiments"],
  distributed: ["experiments", "io", "util"],
  cli: [
    "info",
    "mapping",
    "stats",
    "vector",
    "compute",
    "labels",
    "io",
    "sources",
    "report",
    "util",
    "experiments",
    "server",
    "bench",
    "distributed",
  ],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

/** Relative module specifiers imported or re-exported by a file (static and dynamic). */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  // Type-only imports are erased at build time, so they do not tie layers together.
  const pattern =
    /(?:^import\s+type\s[^;]*?from\s+["'](\.[^"']+)["'])|(?:from\s+|import\s*\(\s*|import\s+)["'](\.[^"']+)["']/gm;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) if (m[2]) found.push(m[2]);
  return found;
}

function topFolder(file: string): string | undefined {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0] : undefined;
}

describe("layer rules (docs/ARCHITECTURE.md)", () => {
  const files = sourceFiles(SRC);

  it("finds the source tree", () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it("every folder under src/ is in the table", () => {
    const folders = fs
      .readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const unlisted = folders.filter((f) => !(f in ALLOWED));
    expect(unlisted).toEqual([]);
  });

  it("no folder imports a folder it may not", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = topFolder(file);
      if (from === undefined) continue; // src/index.ts and src/browser.ts re-export the layers
      for (const spec of relativeImports(fs.readFileSync(file, "utf8"))) {
        const to = topFolder(path.resolve(path.dirname(file), spec));
        if (to === undefined || to === from) continue;
        if (!ALLOWED[from]?.includes(to)) violations.push(`${path.relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("the checker sees a violation when there is one", () => {
    // A guard that the pattern matches the import forms used in the tree.
    expect(
      relativeImports(`import { a } from "../io/x.js";\nexport * from "./y.js";\nawait import("../cli/z.js");`),
    ).toEqual(["../io/x.js", "./y.js", "../cli/z.js"]);
  });
});

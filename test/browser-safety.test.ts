/**
 * The maths folders must run unchanged in a browser (ARCHITECTURE): no Node built-ins,
 * no Node-only packages, no file I/O — checked by reading their import statements.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const MATHS_FOLDERS = ["src/info", "src/mapping", "src/vector", "src/util"];
const NODE_ONLY = [
  /^node:/,
  /^(fs|path|os|child_process|worker_threads|url|crypto|stream|zlib)$/,
  /^onnxruntime-node$/,
  // our own Node-side folders
  /(^|\/)(io|sources|cli|experiments|bench)\//,
];
/** Files in maths folders that are explicitly Node-only layers (documented in each file). */
const NODE_LAYER = /\.node\.ts$|Parallel\.ts$/;

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function importsOf(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(
    /(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm,
  )) {
    specs.push((m[1] ?? m[2] ?? m[3])!);
  }
  return specs;
}

describe("browser safety of the maths modules", () => {
  const files = MATHS_FOLDERS.flatMap(tsFiles).filter((f) => !NODE_LAYER.test(f));
  it("recognises the import forms it checks", () => {
    const sample =
      'import fs from "node:fs";\nimport { x } from "../io/npy.js";\nexport * from "./a.js";\nconst m = await import("os");\nimport "./side.js";';
    expect(importsOf(sample)).toEqual(["node:fs", "../io/npy.js", "./a.js", "os", "./side.js"]);
  });
  it("finds the maths modules", () => {
    expect(files.length).toBeGreaterThan(2);
  });
  it.each(files)("%s imports nothing Node-only", (file) => {
    const bad = importsOf(fs.readFileSync(file, "utf8")).filter((spec) => NODE_ONLY.some((re) => re.test(spec)));
    expect(bad).toEqual([]);
  });
});

/** Every module reachable from an entry through relative imports. */
function importClosure(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [path.resolve(entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importsOf(fs.readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      queue.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")));
    }
  }
  return [...seen];
}

describe("the browser entry (glossa/browser)", () => {
  const closure = importClosure("src/browser.ts");
  it("reaches the maths, the TypeScript back end and nothing Node-only", () => {
    expect(closure.length).toBeGreaterThan(20);
    expect(closure.some((f) => f.endsWith(path.join("compute", "ts.ts")))).toBe(true);
    const bad = closure.flatMap((file) =>
      importsOf(fs.readFileSync(file, "utf8"))
        .filter((spec) => NODE_ONLY.slice(0, 3).some((re) => re.test(spec)))
        .map((spec) => `${path.relative(".", file)} imports ${spec}`),
    );
    expect(bad).toEqual([]);
  });
});

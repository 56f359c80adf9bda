import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../src/cli/commands/anchors.js";
import { UsageError } from "../src/cli/args.js";
import { InputError } from "../src/io/errors.js";
import { readNpy, encodeNpy } from "../src/io/npy.js";
import { anchorFingerprint, makeAnchors } from "../src/vector/anchors.js";

let dir = "";
let out: string[] = [];
let err: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "glossa-cli-anchors-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

/**
 * Runs the command module as src/cli/main.ts does (UsageError → exit 2, InputError → exit 1).
 * The module is called directly: vitest cannot resolve main.ts's variable dynamic import.
 */
async function glossa(command: string, ...argv: string[]): Promise<number> {
  expect(command).toBe("anchors");
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  try {
    return await run(argv);
  } catch (error) {
    if (error instanceof UsageError) return (err.push(error.message), 2);
    if (error instanceof InputError) return (err.push(error.message), 1);
    throw error;
  } finally {
    vi.restoreAllMocks();
  }
}

describe("glossa anchors", () => {
  it("writes the anchors to .npy and prints the fingerprint that the file reproduces", async () => {
    const file = join(dir, "a.npy");
    expect(await glossa("anchors", "--d", "768", "--n", "100", "--seed", "0", "--out", file)).toBe(0);
    expect(out.join("\n")).toMatch(/fingerprint: 4ab03df34e347b0a/);
    const saved = readNpy(file);
    expect(saved.shape).toEqual([100, 768]);
    expect(saved.data).toEqual(makeAnchors({ n: 100, d: 768, seed: 0 }).data);
    expect(await glossa("anchors", "--in", file, "--json")).toBe(0);
    expect(JSON.parse(out.join("\n"))).toMatchObject({ n: 100, d: 768, fingerprint: "4ab03df34e347b0a", seed: null });
  });

  it("--calibration prints all three ε with the small-d warning", async () => {
    expect(await glossa("anchors", "--d", "3", "--calibration")).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/bound\s+0\.00001353\n/);
    expect(text).toMatch(/exact\s+0\.007358\n/);
    expect(text).toMatch(/leading-order\s+0\.1902\n/);
    expect(text).toMatch(/warning: the bound calibration degenerates for small d/);
    expect(await glossa("anchors", "--d", "128", "--calibration", "--json")).toBe(0);
    const json = JSON.parse(out.join("\n"));
    const eps = Object.fromEntries(
      json.calibrations.map((c: { calibration: string; epsilon: number }) => [c.calibration, c.epsilon]),
    );
    expect(Math.abs(eps.bound - 0.0274)).toBeLessThan(1e-4); // METHODS value; ours is 0.027348
    expect(Math.abs(eps.exact - 0.0276)).toBeLessThan(1e-4);
    expect(await glossa("anchors", "--d", "2", "--calibration")).toBe(0);
    expect(out.join("\n")).toMatch(/bound\s+n\/a/);
  });

  it("usage and input mistakes exit 2 and 1 with a message", async () => {
    expect(await glossa("anchors")).toBe(2);
    expect(err.join("\n")).toMatch(/--d is required/);
    expect(await glossa("anchors", "--d", "0")).toBe(2);
    expect(await glossa("anchors", "--d", "8", "--in", "x.npy")).toBe(2);
    const bad = join(dir, "bad.npy");
    await writeFile(bad, encodeNpy(Float32Array.of(1, 0, 0, 0), [2, 2]));
    expect(await glossa("anchors", "--in", bad)).toBe(1);
    expect(err.join("\n")).toMatch(/bad\.npy: anchor row 1 is all zeros/);
    expect(await glossa("anchors", "--in", join(dir, "missing.npy"))).toBe(1);
    expect(await glossa("anchors", "--help")).toBe(0);
    expect(out.join("\n")).toMatch(/glossa-anchors-v1/);
    expect(anchorFingerprint(makeAnchors({ n: 2, d: 2, seed: 0 }))).toMatch(/^[0-9a-f]{16}$/);
  });
});

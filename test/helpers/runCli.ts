/**
 * Test helper: runs the `glossa` CLI in-process and captures its exit code, stdout and stderr
 * (one entry per console.log / stderr write), and compares its JSON with another's.
 */
import { vi } from "vitest";
import { main } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

export async function runCli(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  vi.spyOn(process.stderr, "write").mockImplementation(
    ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write,
  );
  try {
    return { code: await main(argv), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

/** Paths where two JSON values differ: numbers by more than `tolerance`, anything else at all. */
export function jsonDifferences(actual: unknown, expected: unknown, tolerance: number, at = "$"): string[] {
  if (typeof expected === "number" && typeof actual === "number")
    return Math.abs(actual - expected) <= tolerance || (Number.isNaN(actual) && Number.isNaN(expected))
      ? []
      : [`${at}: ${actual} vs ${expected}`];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${at}: length/shape differs`];
    return expected.flatMap((e, i) => jsonDifferences(actual[i], e, tolerance, `${at}[${i}]`));
  }
  if (expected && typeof expected === "object") {
    if (!actual || typeof actual !== "object" || Array.isArray(actual)) return [`${at}: not an object`];
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].flatMap((k) =>
      jsonDifferences(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        tolerance,
        `${at}.${k}`,
      ),
    );
  }
  return actual === expected ? [] : [`${at}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`];
}

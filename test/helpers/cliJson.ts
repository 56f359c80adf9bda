/** Runs `glossa …` in-process and returns its exit code, stdout and stderr (for comparing with the dashboard). */
import { vi } from "vitest";
import { main } from "../../src/cli/main.js";

export async function glossaCapture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  vi.spyOn(process.stderr, "write").mockImplementation(
    ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write,
  );
  try {
    const code = await main(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
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

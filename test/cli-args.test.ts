import { describe, expect, it } from "vitest";
import { flagOption, numberOption, parseArgs, UsageError } from "../src/cli/args.js";

const SPECS = { json: { type: "boolean" }, epsilon: { type: "string" }, n: { type: "string" } } as const;

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected a UsageError");
}

describe("command-line arguments", () => {
  it("a positive bound reads > 0, not ≥ 5e-324", () => {
    const args = parseArgs(["--epsilon", "0", "--n", "1"], SPECS);
    expect(usageMessage(() => numberOption(args, "epsilon", 1, { min: Number.MIN_VALUE }))).toBe(
      "--epsilon must be > 0, got 0",
    );
    expect(usageMessage(() => numberOption(args, "n", 5, { min: 2 }))).toBe("--n must be ≥ 2, got 1");
    expect(numberOption(parseArgs(["--epsilon", "1e-300"], SPECS), "epsilon", 1, { min: Number.MIN_VALUE })).toBe(
      1e-300,
    );
  });
  it("a yes/no word after a flag is a usage error, other positionals are kept", () => {
    expect(usageMessage(() => parseArgs(["reps.npy", "--json", "yes"], SPECS))).toBe(
      "--json is a flag and takes no value: give --json alone, not --json yes",
    );
    expect(usageMessage(() => parseArgs(["--json", "FALSE"], SPECS))).toMatch(/not --json FALSE/);
    const args = parseArgs(["--json", "reps.npy"], SPECS);
    expect(flagOption(args, "json")).toBe(true);
    expect(args.positionals).toEqual(["reps.npy"]);
  });
  it("keeps every positional after --, however many", () => {
    const many = Array.from({ length: 300_000 }, (_, i) => `f${i}`);
    expect(parseArgs(["--", ...many], SPECS).positionals).toHaveLength(300_000);
  });
});

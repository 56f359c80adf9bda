/**
 * A small, strict command-line parser: `--name value`, `--name=value`, boolean flags,
 * repeatable options, positionals. Unknown options are errors (UsageError), never ignored.
 */

export class UsageError extends Error {
  override name = "UsageError";
}

export interface OptionSpec {
  /** Takes a value (`--n 100`) or is a flag (`--json`). */
  type: "string" | "boolean";
  /** May be given more than once; values are collected in order. */
  repeat?: boolean;
  description?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
  positionals: string[];
  /** string for a value option, string[] for a repeatable one, true for a flag given. */
  options: Record<string, string | string[] | boolean | undefined>;
}

/** Words that, right after a flag, are a mistaken value ("--json yes") rather than a positional. */
const FLAG_WORDS = new Set(["yes", "no", "true", "false", "on", "off"]);

export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const positionals: string[] = [];
  const options: ParsedArgs["options"] = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      for (const rest of argv.slice(i + 1)) positionals.push(rest);
      break;
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs)
        .map((k) => `--${k}`)
        .join(", ");
      throw new UsageError(`unknown option --${name}${known ? ` (known: ${known})` : ""}`);
    }
    if (spec.type === "boolean") {
      if (eq >= 0) throw new UsageError(`--${name} is a flag and takes no value`);
      const next = argv[i + 1];
      if (next !== undefined && FLAG_WORDS.has(next.toLowerCase()))
        throw new UsageError(`--${name} is a flag and takes no value: give --${name} alone, not --${name} ${next}`);
      options[name] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      value = next;
      i++;
    }
    if (spec.repeat) {
      const prev = options[name];
      options[name] = [...(Array.isArray(prev) ? prev : []), value];
    } else {
      if (options[name] !== undefined) throw new UsageError(`--${name} given more than once`);
      options[name] = value;
    }
  }
  return { positionals, options };
}

/** Reads a string option (or undefined). */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new UsageError(`--${name} expects a single value`);
  return v;
}

/** Reads a repeatable option as a list (empty if absent). */
export function listOption(args: ParsedArgs, name: string): string[] {
  const v = args.options[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [String(v)];
}

export function flagOption(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

/** Parses a number option with bounds; `integer` rejects fractions. */
export function numberOption(
  args: ParsedArgs,
  name: string,
  fallback: number,
  constraints: { integer?: boolean; min?: number; max?: number } = {},
): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  if (constraints.integer && !Number.isInteger(value))
    throw new UsageError(`--${name} must be an integer, got "${raw}"`);
  if (constraints.min !== undefined && value < constraints.min) {
    // min: Number.MIN_VALUE means "positive": say "> 0", not "≥ 5e-324".
    const bound = constraints.min === Number.MIN_VALUE ? "> 0" : `≥ ${constraints.min}`;
    throw new UsageError(`--${name} must be ${bound}, got ${value}`);
  }
  if (constraints.max !== undefined && value > constraints.max)
    throw new UsageError(`--${name} must be ≤ ${constraints.max}, got ${value}`);
  return value;
}

/** Parses an option restricted to a set of choices. */
export function choiceOption<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}; got "${raw}"`);
  }
  return raw as T;
}

/** Renders option help lines from specs. */
export function describeOptions(specs: OptionSpecs): string {
  return Object.entries(specs)
    .map(
      ([name, s]) =>
        `  --${name}${s.type === "string" ? " VALUE" : ""}${s.repeat ? " (repeatable)" : ""}${s.description ? `  ${s.description}` : ""}`,
    )
    .join("\n");
}

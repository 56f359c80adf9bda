/**
 * The `glossa` command: dispatches to one module per subcommand (src/cli/commands/*.ts).
 * Each command module exports `run(argv): Promise<number>` (the exit code) and `summary`.
 * Wiring only: no maths here.
 *
 * Exit codes: 0 success; 1 bad input (InputError, VectorInputError, a file-system error on a
 * path the user gave, or an input too large for memory when an array cannot be allocated);
 * 2 bad usage (UsageError); 70 anything else, which is a bug in glossa: one line naming the
 * error, and a hint (GLOSSA_DEBUG=1 prints the stack trace). A stack overflow is a bug too.
 */
import { UsageError } from "./args.js";
import { InputError } from "../io/errors.js";
import { inputErrorFromSystemError } from "../io/systemError.js";
import { VectorInputError } from "../vector/errors.js";

interface CommandModule {
  run(argv: string[]): Promise<number>;
  summary: string;
}

/** Exit code of an internal error (EX_SOFTWARE in sysexits.h). */
export const INTERNAL_ERROR_EXIT = 70;

/**
 * Commands load lazily so that `glossa mapping` never pays for tfjs or onnxruntime.
 * (Literal import paths: bundlers and vitest resolve them; template paths they cannot.)
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  demo: () => import("./commands/demo.js"),
  mapping: () => import("./commands/mapping.js"),
  generate: () => import("./commands/generate.js"),
  entropy: () => import("./commands/entropy.js"),
  anchors: () => import("./commands/anchors.js"),
  emergent: () => import("./commands/emergent.js"),
  seq2seq: () => import("./commands/seq2seq.js"),
  lm: () => import("./commands/lm.js"),
  findings: () => import("./commands/findings.js"),
  serve: () => import("./commands/serve.js"),
  merge: () => import("./commands/merge.js"),
  worker: () => import("./commands/worker.js"),
};

async function usage(): Promise<string> {
  const lines = ["usage: glossa <command> [options]   (glossa <command> --help for its options)", "", "commands:"];
  for (const [name, load] of Object.entries(COMMANDS)) {
    let summary = "";
    try {
      summary = (await load()).summary;
    } catch {
      summary = "(not available in this build)";
    }
    lines.push(`  ${name.padEnd(10)} ${summary}`);
  }
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(await usage());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`glossa: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  try {
    const command = await load();
    return await command.run(rest);
  } catch (error) {
    return reportError(`glossa ${name}`, error);
  }
}

/** Prints one line for an error thrown by a command and returns the exit code. */
export function reportError(prefix: string, error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`${prefix}: ${error.message}`);
    return 2;
  }
  const input =
    error instanceof InputError || error instanceof VectorInputError ? error : inputErrorFromSystemError(error);
  if (input) {
    console.error(`${prefix}: ${input.message}`);
    return 1;
  }
  if (error instanceof RangeError && /allocation failed/i.test(error.message)) {
    console.error(`${prefix}: not enough memory for this input (${error.message}); try a smaller input or more memory`);
    return 1;
  }
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const debug = process.env.GLOSSA_DEBUG;
  const detail =
    debug && debug !== "0" && error instanceof Error && error.stack
      ? `\n${error.stack}`
      : "\n  (a bug in glossa, not in your input: please report it with the command line; GLOSSA_DEBUG=1 shows the stack trace)";
  console.error(`${prefix}: internal error: ${firstLine(what)}${detail}`);
  return INTERNAL_ERROR_EXIT;
}

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end < 0 ? text : `${text.slice(0, end)} …`;
}

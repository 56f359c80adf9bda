/**
 * The `glossa` command: dispatches to one module per subcommand (src/cli/commands/*.ts).
 * Each command module exports `run(argv): Promise<number>` (the exit code) and `summary`.
 * Wiring only: no maths here.
 */
import { UsageError } from "./args.js";
import { InputError } from "../io/errors.js";

interface CommandModule {
  run(argv: string[]): Promise<number>;
  summary: string;
}

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
  serve: () => import("./commands/serve.js"),
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
    if (error instanceof UsageError) {
      console.error(`glossa ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof InputError || error instanceof RangeError) {
      console.error(`glossa ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

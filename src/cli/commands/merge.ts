/**
 * `glossa merge DIR... --out DIR`: combines the folders of a sweep run as `--shard i/N`
 * slices into one run folder equal to the unsharded run. Wiring only (src/distributed/merge.ts).
 */
import { describeOptions, flagOption, parseArgs, stringOption, UsageError } from "../args.js";
import { mergeShards } from "../../distributed/merge.js";

export const summary = "combine the run folders of a sweep's --shard i/N slices into one run folder";

const OPTIONS = {
  out: { type: "string", description: "the merged run folder (new, or empty)" },
  json: { type: "boolean", description: "print what was merged as JSON" },
  help: { type: "boolean" },
} as const;

function help(): string {
  return `usage: glossa merge SHARD_DIR... --out DIR
${summary}

options:
${describeOptions(OPTIONS)}

Every shard 0/N … N-1/N of one sweep (same command and parameters) must be given, each
finished. The merged folder holds the rows of the unsharded run in its order; its plots and
summaries are drawn by re-running the unsharded command with --resume --out DIR (nothing is
recomputed).`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(help());
    return 0;
  }
  const out = stringOption(args, "out");
  if (!out) throw new UsageError("glossa merge needs --out DIR (the merged run folder)");
  if (args.positionals.length === 0) throw new UsageError("glossa merge needs the shard folders to merge");
  const result = await mergeShards(args.positionals, { out });
  if (flagOption(args, "json")) console.log(JSON.stringify(result, null, 2));
  else
    console.log(
      `merged ${result.shards} ${result.experiment} shards (${result.commits} commits, ${result.rows} rows) into ${result.dir}`,
    );
  return 0;
}

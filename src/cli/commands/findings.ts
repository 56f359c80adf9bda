/**
 * `glossa findings`: runs registered claims (src/experiments/findings/registry.ts) at one
 * scale and reports each one's estimate, 95% interval and verdict. Wiring only.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  choiceOption,
  describeOptions,
  flagOption,
  numberOption,
  parseArgs,
  stringOption,
  UsageError,
} from "../args.js";
import { commandLine } from "../../io/runFolder.js";
import { InputError } from "../../io/errors.js";
import { textTable } from "../../report/html.js";
import { SCALES, type Scale } from "../../experiments/findings/claim.js";
import { runFindings } from "../../experiments/findings/experiment.js";
import { findingsMarkdown, type FindingsNotes, parseFindingsNotes } from "../../experiments/findings/markdown.js";
import { CLAIMS, selectClaims } from "../../experiments/findings/registry.js";
import { overviewRow } from "../../experiments/findings/report.js";

export const summary = "test the thesis's claims: run each claim's experiment, report estimate, 95% interval, verdict";

const OPTIONS = {
  only: {
    type: "string",
    description: `comma-separated claims to run (default all: ${CLAIMS.map((c) => c.name).join(",")})`,
  },
  scale: {
    type: "string",
    description:
      "quick (each claim ≤ 10 min on 2 cores; may be inconclusive; default) or full (hours; what can decide the claims)",
  },
  splits: {
    type: "string",
    description:
      "run every claim on split files in the released format (see glossa emergent --splits) instead of glossa's own splits",
  },
  out: { type: "string", description: "run folder (default glossa-out/findings-SCALE)" },
  resume: { type: "boolean", description: "continue the run in --out: decided claims are kept, the others continue" },
  with: {
    type: "string",
    description:
      "comma-separated other findings folders whose decided claims join this folder's in the report and FINDINGS.md (read only; e.g. a run of other claims still going)",
  },
  markdown: {
    type: "string",
    description: "also write FINDINGS.md to this path, with the figures copied to findings-figures/ beside it",
  },
  parallel: {
    type: "string",
    description:
      "train each claim's pending runs in K processes at once (default 1: one run at a time in this process); each is this command with --train-run",
  },
  "train-run": {
    type: "string",
    description:
      "train just this run (e.g. meta-small-seed5) of the one claim named by --only into --out's shared runs, deciding nothing: what --parallel starts; also usable by hand on another core",
  },
  notes: {
    type: "string",
    description:
      "a markdown file of discussion written after the results, one '## NAME' section per claim; each section is shown under its claim in FINDINGS.md, marked as written by a person",
  },
  backend: { type: "string", description: "TensorFlow.js back end for training: wasm (default) or cpu" },
  json: { type: "boolean", description: "print the results as JSON on stdout" },
  help: { type: "boolean" },
} as const;

function help(): string {
  const claims = CLAIMS.map((c) => `  ${c.name.padEnd(4)} ${c.title}`).join("\n");
  return `usage: glossa findings [--only NAME,...] [--scale quick|full] [--splits DIR] [--out DIR] [--resume] [--with DIR,...] [--markdown FILE] [--notes FILE] [--parallel K]
${summary}

options:
${describeOptions(OPTIONS)}

claims:
${claims}

writes into the run folder: claims/<NAME>/ (each claim's own run, resumable), results.jsonl (one
verdict row per claim), findings.json, findings.csv, FINDINGS.md, <NAME>.svg and report.html.`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(help());
    return 0;
  }
  const scale = choiceOption(args, "scale", SCALES, "quick") as Scale;
  const backend = choiceOption(args, "backend", ["wasm", "cpu"] as const, "wasm");
  const onlyText = stringOption(args, "only");
  const only = onlyText
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (onlyText !== undefined && (only === undefined || only.length === 0))
    throw new UsageError("--only expects claim names, e.g. --only E1,E2");
  const claims = selectClaims(only);
  const out = stringOption(args, "out") ?? `glossa-out/findings-${scale}`;
  const markdown = stringOption(args, "markdown");
  const notesFile = stringOption(args, "notes");
  if (notesFile && !markdown)
    throw new UsageError("--notes needs --markdown FILE (the notes go into that FINDINGS.md)");
  const notes = notesFile ? readNotes(notesFile) : {};
  const unknown = Object.keys(notes).filter((claim) => !CLAIMS.some((c) => c.name === claim));
  if (unknown.length)
    throw new InputError(
      `${notesFile}: sections for ${unknown.join(", ")}, which are not claims (claims: ${CLAIMS.map((c) => c.name).join(", ")})`,
    );
  const splitsDir = stringOption(args, "splits");
  const withFolders = stringOption(args, "with")
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const trainRun = stringOption(args, "train-run");
  if (trainRun !== undefined && claims.length !== 1)
    throw new UsageError("--train-run trains a run of one claim: name it with --only");
  const processes = numberOption(args, "parallel", 1, { integer: true, min: 1 });
  if (trainRun !== undefined && processes > 1) throw new UsageError("--train-run is one run: it takes no --parallel");
  process.stderr.write(`glossa findings: ${claims.map((c) => c.name).join(", ")} at ${scale} scale, output ${out}\n`);
  const childArgs = (claim: string, runId: string) => [
    "findings",
    "--only",
    claim,
    "--scale",
    scale,
    "--out",
    out,
    "--train-run",
    runId,
    "--backend",
    backend,
    ...(splitsDir ? ["--splits", splitsDir] : []),
  ];
  const result = await runFindings({
    out,
    resume: flagOption(args, "resume"),
    scale,
    claims,
    backend,
    ...(splitsDir ? { splitsDir } : {}),
    ...(withFolders?.length ? { withFolders, knownClaims: CLAIMS } : {}),
    ...(trainRun !== undefined ? { trainRun } : {}),
    ...(processes > 1
      ? { parallel: { processes, startRun: (claim: string, runId: string) => runChild(childArgs(claim, runId)) } }
      : {}),
    command: commandLine(["findings", ...argv]),
  });
  if (trainRun !== undefined) {
    process.stderr.write(`findings: run ${trainRun} of ${claims[0]!.name} trained (${result.seconds.toFixed(0)} s)\n`);
    return 0;
  }
  if (markdown) {
    const known = new Set(result.records.map((r) => r.result.claim));
    const stray = Object.keys(notes).filter((claim) => !known.has(claim));
    if (stray.length)
      throw new InputError(
        `${notesFile}: notes for ${stray.join(", ")}, which this report does not hold (it holds ${[...known].join(", ")})`,
      );
    writeMarkdownCopy(markdown, result.dir, result.records, notes);
  }
  if (flagOption(args, "json")) {
    console.log(JSON.stringify({ dir: result.dir, seconds: result.seconds, findings: result.records }, null, 2));
    return 0;
  }
  console.log(
    textTable(["claim", "verdict", "estimate", "low", "high", "n", "statistic"], result.records.map(overviewRow)),
  );
  console.log(`\nresults in ${result.dir} (FINDINGS.md, report.html; ${result.seconds.toFixed(0)} s)`);
  return 0;
}

/** FINDINGS.md at `file`, its figures copied to findings-figures/ beside it. */
function writeMarkdownCopy(
  file: string,
  dir: string,
  records: Parameters<typeof findingsMarkdown>[0],
  notes: FindingsNotes,
): void {
  const figureDir = path.join(path.dirname(file), "findings-figures");
  fs.mkdirSync(figureDir, { recursive: true });
  const figures: Record<string, string> = {};
  for (const r of records) {
    const svg = path.join(dir, `${r.result.claim}.svg`);
    if (!fs.existsSync(svg)) continue;
    const name = `${r.scale}-${r.result.claim}.svg`;
    fs.copyFileSync(svg, path.join(figureDir, name));
    figures[r.result.claim] = `findings-figures/${name}`;
  }
  fs.writeFileSync(file, findingsMarkdown(records, figures, notes));
}

/** This CLI again as a child process (stderr shared, so its progress shows); rejects unless it exits 0. */
function runChild(argv: string[]): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`glossa ${argv.join(" ")} exited with ${code ?? "a signal"}`)),
    );
  });
}

/** The --notes file, parsed; a missing file or a repeated claim section is an InputError. */
function readNotes(file: string): FindingsNotes {
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such notes file`);
  try {
    return parseFindingsNotes(fs.readFileSync(file, "utf8"), file);
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(`${file}: ${error.message}`);
    throw error;
  }
}

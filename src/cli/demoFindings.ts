/**
 * NODE ONLY: the findings section of `glossa demo`. The demo does not decide the thesis's
 * claims itself (that takes `glossa findings`, minutes to hours); it links to where they are
 * decided: FINDINGS.md and the `glossa findings` command, and shows the table of every
 * findings run folder it finds beside the demo (OUT/findings-quick, OUT/findings-full), read
 * from its findings.json. Without one it says how to make it.
 */
import fs from "node:fs";
import path from "node:path";
import type { FindingRecord } from "../experiments/findings/markdown.js";
import { overviewRow } from "../experiments/findings/report.js";
import { escapeHtml, tableHtml, textTable } from "../report/html.js";
import type { DemoSectionFn } from "./demoSections.js";

/** The folders `glossa findings --scale S` writes by default, relative to the output root. */
export const FINDINGS_FOLDERS = ["findings-quick", "findings-full"] as const;

/** One findings run folder as the demo sees it: its claims, or why they cannot be shown. */
export interface FindingsFolderView {
  dir: string;
  claims?: Record<string, unknown>[];
  problem?: string;
}

const TABLE_COLUMNS = ["claim", "title", "estimate", "low", "high", "verdict", "n", "scale"];

/** A paragraph whose `quoted` parts are code (commands, file names). */
const paragraphHtml = (text: string) =>
  `<p>${escapeHtml(text).replace(/`([^`]+)`/g, (_m, code: string) => `<code>${code}</code>`)}</p>`;

/** Why `value` is not a findings.json record, or undefined when it is one. */
function recordProblem(value: unknown): string | undefined {
  const r = value as Partial<FindingRecord> | null;
  const result = r?.result;
  if (!result || typeof result !== "object") return "has no result object";
  if (typeof result.claim !== "string") return "has no result.claim (a claim name)";
  if (typeof result.verdict !== "string") return "has no result.verdict";
  if (typeof result.n !== "number") return "has no result.n (a number)";
  if (result.estimate !== null && typeof result.estimate !== "number")
    return "has a result.estimate that is not a number";
  if (result.interval95 != null && !(Array.isArray(result.interval95) && result.interval95.length === 2))
    return "has a result.interval95 that is not [low, high]";
  return undefined;
}

/** What run.json says of a findings folder without findings.json: its status and command. */
function unfinishedRun(dir: string): string {
  let info: { status?: unknown; command?: unknown } = {};
  try {
    info = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8")) as typeof info;
  } catch {
    // no or unreadable run.json: say what is generally true
  }
  const status = typeof info.status === "string" ? ` (run.json: ${info.status})` : "";
  const command =
    typeof info.command === "string"
      ? `\`${info.command}\`${info.command.includes("--resume") ? "" : " with --resume"}`
      : "the same `glossa findings` command with --resume";
  return `the run is in progress or was interrupted${status}; ${command} continues it`;
}

/** Reads `dir/findings.json`; undefined when the folder does not exist. */
export function readFindingsFolder(dir: string): FindingsFolderView | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const file = path.join(dir, "findings.json");
  if (!fs.existsSync(file)) return { dir, problem: `${file} does not exist yet: ${unfinishedRun(dir)}` };
  let records: unknown;
  try {
    records = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    return { dir, problem: `${file} is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!Array.isArray(records)) return { dir, problem: `${file}: expected an array of claim records` };
  for (const [i, record] of records.entries()) {
    const problem = recordProblem(record);
    if (problem) return { dir, problem: `${file}: record ${i + 1} ${problem}` };
  }
  return { dir, claims: (records as FindingRecord[]).map(overviewRow) };
}

function folderHtml(view: FindingsFolderView, demoDir: string): string {
  const link = (file: string) => {
    const target = path.join(view.dir, file);
    return fs.existsSync(target)
      ? ` <a href="${escapeHtml(path.relative(demoDir, target).split(path.sep).join("/"))}">${escapeHtml(file)}</a>`
      : "";
  };
  const heading = `<h3>${escapeHtml(view.dir)}</h3>`;
  if (!view.claims) return `${heading}${paragraphHtml(view.problem ?? "")}`;
  const links = `${link("report.html")}${link("FINDINGS.md")}`;
  return [
    heading,
    `<p>${view.claims.length} claim(s) decided; each row: the claim's statistic, its 95% interval and the verdict that interval gives by the rule fixed before the run.${links ? ` Full write-up:${links}.` : ""}</p>`,
    tableHtml(TABLE_COLUMNS, view.claims),
  ].join("\n");
}

/**
 * The section. Its folder is OUT/demo/findings (glossa demo), so the demo's report.html is in
 * its parent and OUT (the demo's --out, where `glossa findings` writes by default) above that.
 */
export const findingsDemoSection: DemoSectionFn = async (outDir, log) => {
  const demoDir = path.dirname(outDir);
  const outRoot = path.dirname(demoDir);
  const folders = FINDINGS_FOLDERS.map((name) => readFindingsFolder(path.join(outRoot, name))).filter(
    (v): v is FindingsFolderView => v !== undefined,
  );
  const intro = paragraphHtml(
    "Does glossa reproduce the thesis's findings? `glossa findings` runs each registered claim (emergent communication E1–E3, sequence models S1–S3, meta-learning M1) and decides it by a 95% interval, with the decision rule fixed in the claim's definition before any run; a claim that comes out not supported or inconclusive is reported as such. FINDINGS.md in the glossa repository holds the results, written by the command (not by hand); `glossa findings --help` lists the claims and options.",
  );
  const make = `glossa findings --scale quick --out ${path.join(outRoot, "findings-quick")}`;
  for (const f of folders)
    log(f.claims ? `${f.dir}/findings.json:\n${textTable(TABLE_COLUMNS, f.claims)}` : `${f.dir}: ${f.problem}`);
  if (!folders.length) log(`no findings run in ${outRoot}; make one with: ${make}`);
  const body = folders.length
    ? folders.map((f) => folderHtml(f, demoDir)).join("\n")
    : paragraphHtml(
        `No findings run folder in ${outRoot} (looked for ${FINDINGS_FOLDERS.join(", ")}). Make one with \`${make}\` (each claim ≤ 10 minutes on two cores; quick verdicts may be inconclusive and say so; --scale full is what can decide them, hours), then run the demo again: this section shows its table.`,
      );
  return {
    title: "Findings: the thesis's claims, decided by glossa findings",
    html: `${intro}\n${body}`,
    results: {
      folders: folders.map((f) => (f.claims ? { dir: f.dir, claims: f.claims } : { dir: f.dir, problem: f.problem })),
      ...(folders.length ? {} : { howToMake: make }),
    },
  };
};

/**
 * FINDINGS.md from the findings' records: the table of claims (estimate, interval, verdict,
 * n, the exact command, date, machine, wall time), then per claim the thesis's statement,
 * the definition fixed before the run, the verdict's reason, the secondary summaries and the
 * figure. Pure: written by the command from its results, never by hand.
 */
import { describeSummary } from "../../stats/summary.js";
import type { ClaimResult, Scale } from "./claim.js";

export interface FindingRecord {
  result: ClaimResult;
  title: string;
  thesis: string;
  definition: string;
  scale: Scale;
  command: string;
  machine: string;
  /** ISO time the verdict was committed. */
  finished: string;
  /** Wall time of the call that finished the claim (earlier interrupted calls not counted). */
  seconds: number;
}

const fmt = (v: number | null | undefined) => (typeof v === "number" ? v.toFixed(3) : "–");

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The markdown; `figures` maps a claim to its SVG's path relative to the markdown file. */
/**
 * Discussion a person wrote after seeing results (`glossa findings --notes FILE`): the text under
 * each `## NAME` heading, keyed by claim name (the heading's first word). Lines before the first
 * such heading are the file's own preamble and are not used.
 */
export type FindingsNotes = Record<string, { text: string; source: string }>;

/** Parses a notes file; `source` names it in errors and in FINDINGS.md. Throws RangeError naming the line. */
export function parseFindingsNotes(text: string, source: string): FindingsNotes {
  const notes: FindingsNotes = {};
  let current: string | null = null;
  const bodies: Record<string, string[]> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const heading = /^##\s+(\S+?)(?::|\s|$)/.exec(line);
    if (heading) {
      current = heading[1]!;
      if (bodies[current]) throw new RangeError(`line ${i + 1}: a second section for claim ${current}`);
      bodies[current] = [];
    } else if (current) bodies[current]!.push(line);
  });
  for (const [claim, lines] of Object.entries(bodies)) {
    const body = lines.join("\n").trim();
    if (body) notes[claim] = { text: body, source };
  }
  return notes;
}

export function findingsMarkdown(
  records: readonly FindingRecord[],
  figures: Record<string, string>,
  notes: FindingsNotes = {},
): string {
  const scales = [...new Set(records.map((r) => r.scale))];
  const lines = [
    "# Findings",
    "",
    "Written by `glossa findings` from its results (not typed in). Each claim's statistic and decision rule were fixed before any run (src/experiments/findings/); a claim that comes out not supported or inconclusive is reported as such. Wall time is that of the call that finished the claim: runs trained by earlier, interrupted calls or shared with another claim are not counted.",
    "",
  ];
  if (scales.includes("quick"))
    lines.push(
      "**Quick scale**: small runs that finish in minutes on two cores. Their verdicts may be inconclusive, and they are not the test the claims deserve: `--scale full` is.",
      "",
    );
  lines.push(
    "| claim | statistic | estimate | 95% interval | verdict | n | scale | command | date | machine | wall time |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of records) {
    const res = r.result;
    const interval = res.interval95 ? `[${fmt(res.interval95[0])}, ${fmt(res.interval95[1])}]` : "–";
    lines.push(
      `| ${res.claim} ${cell(r.title)} | ${cell(res.statistic)} | ${fmt(res.estimate)} | ${interval} | **${res.verdict}** | ${res.n} | ${r.scale} | \`${cell(r.command)}\` | ${r.finished.slice(0, 10)} | ${cell(r.machine)} | ${formatDuration(r.seconds)} |`,
    );
  }
  for (const r of records) {
    const res = r.result;
    lines.push(
      "",
      `## ${res.claim}: ${r.title}`,
      "",
      `- **Thesis**: ${r.thesis}`,
      `- **Definition (fixed before the run)**: ${r.definition}`,
      `- **Result**: ${res.verdict} (${res.reason}).`,
      `- **Secondary summaries** (reported, not deciding):`,
      ...res.details.map((d) => `  - ${describeSummary(d)}`),
    );
    if (r.result.verdict !== "supported")
      lines.push(
        `- **Differs from the thesis**: the thesis reports this finding; here it is ${res.verdict} at ${r.scale} scale.`,
      );
    const note = notes[res.claim];
    if (note)
      lines.push(
        `- **Discussion** (written by a person after the result, from ${note.source}; not part of the decision):`,
        "",
        ...note.text.split("\n").map((line) => (line ? `  ${line}` : "")),
      );
    const figure = figures[res.claim];
    if (figure) lines.push("", `![${res.claim}](${figure})`);
  }
  return `${lines.join("\n")}\n`;
}

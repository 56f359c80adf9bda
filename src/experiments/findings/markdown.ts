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
export function findingsMarkdown(records: readonly FindingRecord[], figures: Record<string, string>): string {
  const scales = [...new Set(records.map((r) => r.scale))];
  const lines = [
    "# Findings",
    "",
    "Written by `glossa findings` from its results (not typed in). Each claim's statistic and decision rule were fixed before any run (src/experiments/findings/); a claim that comes out not supported or inconclusive is reported as such.",
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
    const figure = figures[res.claim];
    if (figure) lines.push("", `![${res.claim}](${figure})`);
  }
  return `${lines.join("\n")}\n`;
}

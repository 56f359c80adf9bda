/**
 * The findings section of a report: an overview table of claims and, per claim, its
 * definition, verdict, secondary summaries and figure. Pure (figures are SVG strings).
 */
import { figureHtml, paragraphHtml, renderReport, type ReportSection, tableHtml } from "../../report/html.js";
import { describeSummary } from "../../stats/summary.js";
import type { FindingRecord } from "./markdown.js";

/** One claim as a flat table row (report and terminal). */
export function overviewRow(r: FindingRecord): Record<string, unknown> {
  return {
    claim: r.result.claim,
    title: r.title,
    statistic: r.result.statistic,
    estimate: r.result.estimate,
    low: r.result.interval95?.[0] ?? null,
    high: r.result.interval95?.[1] ?? null,
    verdict: r.result.verdict,
    n: r.result.n,
    scale: r.scale,
  };
}

export function findingsSections(records: readonly FindingRecord[], svgs: Record<string, string>): ReportSection[] {
  const overview: ReportSection = {
    title: "Findings",
    html: tableHtml(
      ["claim", "title", "statistic", "estimate", "low", "high", "verdict", "n", "scale"],
      records.map(overviewRow),
    ),
  };
  return [
    overview,
    ...records.map((r) => ({
      title: `${r.result.claim}: ${r.title} — ${r.result.verdict}`,
      html: [
        paragraphHtml(`Thesis: ${r.thesis}`),
        paragraphHtml(`Definition (fixed before the run): ${r.definition}`),
        paragraphHtml(`Result: ${r.result.verdict} (${r.result.reason}).`),
        ...r.result.details.map((d) => paragraphHtml(describeSummary(d))),
        svgs[r.result.claim] ? figureHtml(svgs[r.result.claim]!, `${r.result.claim}: ${r.title}`) : "",
      ].join("\n"),
    })),
  ];
}

export function findingsReportHtml(
  records: readonly FindingRecord[],
  svgs: Record<string, string>,
  subtitle: string,
): string {
  return renderReport({ title: "glossa findings", subtitle, sections: findingsSections(records, svgs) });
}

/**
 * Plots and report of a seq2seq sweep, from its journal rows. Pure: returns SVGs and HTML;
 * the experiment writes them into the run folder.
 */
import { figureHtml, paragraphHtml, renderReport, tableHtml } from "../../report/html.js";
import { lineChartSvg } from "../../report/plot.js";
import type { Seq2seqConfig } from "./config.js";
import { defaultView } from "../correctedRows.js";
import { correlationText, describeRun, type JournalRow, type Seq2seqSummary } from "./summary.js";

/** Mean over seeds per (line, step, panel): one line per size (and regime when both ran). */
function averageOverSeeds(rows: readonly JournalRow[], panel: (r: JournalRow) => string): Record<string, unknown>[] {
  const regimes = new Set(rows.map((r) => r.regime));
  const groups = new Map<string, { line: string; step: number; panel: string; sum: number; count: number }>();
  for (const r of rows) {
    if (typeof r.value !== "number" || typeof r.step !== "number") continue;
    const line = regimes.size > 1 ? `${r.regime}/${r.model}` : String(r.model);
    const p = panel(r);
    const key = `${line}|${r.step}|${p}`;
    const g = groups.get(key) ?? { line, step: r.step, panel: p, sum: 0, count: 0 };
    g.sum += r.value;
    g.count++;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ size: g.line, step: g.step, panel: g.panel, value: g.sum / g.count }));
}

const LABEL_MEASURES = [
  "variation",
  "regularity-ln-n",
  "regularity-h",
  "disentanglement",
  "disentanglement-generalised",
];

/** One line under a plot of `seq2seqPlots` (by its file name): what it shows. */
export function seq2seqCaption(file: string): string {
  const name = file.replace(/\.svg$/, "");
  if (name === "accuracy")
    return "Loss and exact-match accuracy (iid and out-of-distribution test) against training step (log axis), one line per model, mean over seeds.";
  if (name === "information")
    return "Information (H(Z) / ln n) of each encoder layer's token states against step; a dip then a rise marks the compression and expansion phases.";
  if (name.startsWith("residual-"))
    return `The residual decomposition of the ${name.slice("residual-".length)} n-gram labels into their components (last encoder layer) against step, mean over seeds.`;
  return `The ${name} of the last encoder layer's states for each label set (token, n-grams) against step, one line per model, mean over seeds.`;
}

/** The plots (file name → SVG): accuracy, information, each label measure and the residual decomposition. */
export async function seq2seqPlots(allRows: readonly JournalRow[]): Promise<Record<string, string>> {
  // Label-dependent measures are plotted bias-corrected when the rows hold the correction.
  const rows = defaultView(allRows);
  const lastLayer = Math.max(0, ...rows.map((r) => (typeof r.layer === "number" ? r.layer : 0)));
  const charts: { file: string; rows: JournalRow[]; panel: (r: JournalRow) => string; title: string }[] = [
    {
      file: "accuracy.svg",
      rows: rows.filter((r) => ["loss", "metaTestLoss", "iidAccuracy", "oodAccuracy"].includes(r.measure)),
      panel: (r) => r.measure,
      title: "Loss and exact-match accuracy",
    },
    {
      file: "information.svg",
      rows: rows.filter((r) => r.measure === "information"),
      panel: (r) => `encoder layer ${r.layer}`,
      title: "Information (efficiency of H(Z))",
    },
    ...LABEL_MEASURES.map((m) => ({
      file: `${m}.svg`,
      rows: rows.filter((r) => r.measure === m && r.layer === lastLayer),
      panel: (r: JournalRow) => String(r.labelSet),
      title: `${m} (encoder layer ${lastLayer}) by label set`,
    })),
    ...["window", "nested", "flat"].map((scheme) => ({
      file: `residual-${scheme}.svg`,
      rows: rows.filter((r) => r.measure === "residual" && r.labelSet === scheme && r.layer === lastLayer),
      panel: (r: JournalRow) => String(r.component),
      title: `Residual decomposition, ${scheme} n-grams (encoder layer ${lastLayer})`,
    })),
  ];
  const written: Record<string, string> = {};
  for (const chart of charts) {
    if (!chart.rows.length) continue;
    const svg = await lineChartSvg(averageOverSeeds(chart.rows, chart.panel), {
      x: "step",
      y: "value",
      color: "size",
      facet: "panel",
      logX: true,
      title: chart.title,
      independentY: true,
    });
    written[chart.file] = svg;
  }
  return written;
}

/** report.html: split sizes, phases per run and across runs, and the plots. */
export function seq2seqReportHtml(
  config: Seq2seqConfig,
  summary: Seq2seqSummary,
  sizes: Record<string, number>,
  plots: Record<string, string>,
): string {
  const runColumns = [
    "run",
    "troughStep",
    "peakStep",
    "informationStart",
    "informationTrough",
    "informationPeak",
    "informationFinal",
    "compression",
    "regularityRise",
    "disentanglementRise",
    "lossFinal",
    "iidFinal",
    "oodAtPeak",
    "oodFinal",
    "rhoInformationOodAfterPeak",
    "phaseOne",
    "phaseTwo",
  ];
  return renderReport({
    title: `glossa seq2seq — ${config.task}${config.task === "scan" ? ` ${config.split} split` : ""}`,
    sections: [
      { title: "Split sizes", html: tableHtml(Object.keys(sizes), [sizes]) },
      {
        title: "Phases",
        html:
          summary.runs.map((r) => paragraphHtml(describeRun(r))).join("\n") +
          tableHtml(runColumns, summary.runs as unknown as Record<string, unknown>[]) +
          paragraphHtml("Means over seeds by regime and model size:") +
          tableHtml(
            ["regime", "model", "runs", "peakStep", "compression", "iidFinal", "oodFinal"],
            summary.groups as unknown as Record<string, unknown>[],
          ) +
          paragraphHtml(correlationText(summary)),
      },
      ...Object.entries(plots).map(([file, svg]) => ({
        title: file.replace(/\.svg$/, ""),
        html: figureHtml(svg, seq2seqCaption(file)),
      })),
    ],
  });
}

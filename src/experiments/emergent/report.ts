/**
 * Plots (SVG strings) and the HTML report section of an emergent-communication sweep, built
 * from its journal rows and summary. No file I/O here: the caller writes the files.
 */
import type { ResultRow } from "../../io/runFolder.js";
import { figureHtml, paragraphHtml, tableHtml } from "../../report/html.js";
import { heatmapSvg, lineChartSvg } from "../../report/plot.js";
import { type IntervalSummary, MIN_RUNS_FOR_CORRELATION, TOO_FEW_RUNS } from "../../stats/summary.js";
import type { Splits } from "./splits.js";
import { type CorrelationRow, LANGUAGE_MEASURES, type EmergentSummary } from "./summary.js";

export interface EmergentPlots {
  /** File name → SVG. */
  [file: string]: string;
}

const LANGUAGE_PLOT_MEASURES = [
  "synonymy",
  "homonymy",
  "wordOrderFreedom",
  "entanglement",
  "topsim",
  "posdis",
  "distinctSignals",
  "residualEntropy",
  "contextIndependence",
];

export async function emergentPlots(rows: readonly ResultRow[], summary: EmergentSummary): Promise<EmergentPlots> {
  const runRows = rows.filter((r) => typeof r.run === "string" && r.run !== "summary" && typeof r.epoch === "number");
  const measures = runRows.filter((r) => r.split === undefined && LANGUAGE_PLOT_MEASURES.includes(r.measure));
  const accuracy = runRows
    .filter((r) => (r.measure === "accuracy" || r.measure === "meanRoleAccuracy") && typeof r.split === "string")
    .map((r) => ({
      ...r,
      panel: `${r.split} ${r.measure === "accuracy" ? "accuracy (all roles)" : "mean role accuracy"}`,
    }));
  const losses = runRows.filter((r) => ["receiverLoss", "senderEntropy"].includes(r.measure));
  const capacity = Object.entries(summary.finalByRun).flatMap(([run, v]) =>
    ["synonymy", "homonymy", "topsim", "posdis", "compositional.accuracy", "iid.accuracy"].map((m) => ({
      run,
      seed: `seed ${v.seed}`,
      hiddenSize: v.hiddenSize,
      measure: m,
      value: v[m],
    })),
  );
  // Too-few-runs rows have rho null: heatmapSvg skips them, so their cells stay blank.
  const correlation = summary.correlations
    .filter((c) => c.target === "compositional.meanRoleAccuracy")
    .map((c) => ({ epoch: c.epoch, languageMeasure: c.languageMeasure, rho: c.rho }));
  const tooFew = correlation.length > 0 && correlation.every((c) => c.rho === null);
  return {
    "emergent-measures.svg": await lineChartSvg(measures, {
      x: "epoch",
      y: "value",
      color: "run",
      facet: "measure",
      independentY: true,
      points: false,
      title: "Language measures over training (greedy signals, full meaning space)",
    }),
    "emergent-accuracy.svg": await lineChartSvg([...accuracy, ...losses.map((r) => ({ ...r, panel: r.measure }))], {
      x: "epoch",
      y: "value",
      color: "run",
      facet: "panel",
      independentY: true,
      points: false,
      title: "Accuracy per split (all roles; mean over roles), receiver loss, sender entropy",
    }),
    "emergent-capacity.svg": await lineChartSvg(capacity, {
      x: "hiddenSize",
      y: "value",
      color: "seed",
      facet: "measure",
      logX: true,
      independentY: true,
      title: "Capacity sweep: last epoch against hidden size",
    }),
    "emergent-correlation.svg": await heatmapSvg(correlation, {
      x: "epoch",
      y: "languageMeasure",
      value: "rho",
      domain: [-1, 1],
      mid: 0,
      xTitle: "epoch",
      yTitle: "measure",
      valueTitle: "ρ",
      title: tooFew
        ? `Spearman ρ across runs: ${TOO_FEW_RUNS} (fewer than ${MIN_RUNS_FOR_CORRELATION}), no cell shown`
        : "Spearman ρ across runs: measure vs compositional mean role accuracy",
    }),
  };
}

/** One line under each figure of the report: what it shows. */
export const EMERGENT_CAPTIONS: Record<string, string> = {
  "emergent-measures.svg":
    "Each language measure of the agents' greedy signals over training, one line per run; falling synonymy and homonymy and rising topsim and posdis mean a more compositional language.",
  "emergent-accuracy.svg":
    "Accuracy on each split (every role right; mean over roles), receiver loss and sender entropy over training, one line per run; the gap between the iid and compositional panels is the generalisation gap.",
  "emergent-capacity.svg":
    "Each measure at the last epoch against the agents' hidden size (log axis), one line per seed: how capacity changes the language and its generalisation.",
  "emergent-correlation.svg":
    "What this shows: Spearman ρ across runs between each measure and compositional mean role accuracy, per epoch; blue: runs with more of the measure generalise better, red: worse, white: no relation. Blank cells: fewer than 5 runs reached that epoch (too few runs for a correlation).",
};

/** Columns of a per-epoch correlation table (report and CLI), filled by correlationCells. */
export const CORRELATION_COLUMNS = ["measure", "runs", "ρ [95% interval]", "excludes 0", "p", "p adjusted"] as const;

/** One per-epoch correlation as table cells: n, ρ [95%] or "too few runs", excludes 0, p, corrected p. */
export function correlationCells(c: CorrelationRow): Record<(typeof CORRELATION_COLUMNS)[number], string | number> {
  return {
    measure: c.languageMeasure,
    runs: c.n,
    "ρ [95% interval]": rhoWithInterval(c.interval),
    "excludes 0": c.interval.excludesZero === null ? "–" : c.interval.excludesZero ? "yes" : "no",
    p: c.p ?? "–",
    "p adjusted": c.pAdjusted ?? "–",
  };
}

/** "0.412 [0.010, 0.700]" or the summary's note ("too few runs"). */
export function rhoWithInterval(s: IntervalSummary, digits = 3): string {
  if (s.estimate === null || s.interval95 === null) return s.note ?? "–";
  return `${s.estimate.toFixed(digits)} [${s.interval95.map((v) => v.toFixed(digits)).join(", ")}]`;
}

const fmt = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 1e4) / 1e4);

export function emergentSectionHtml(options: {
  description: string;
  splits: Splits;
  summary: EmergentSummary;
  plots: EmergentPlots;
  elapsedSeconds?: number;
}): string {
  const { splits, summary, plots } = options;
  const parts: string[] = [paragraphHtml(options.description)];
  parts.push(
    tableHtml(
      ["split", "meanings", "unseen role-pair combination rate"],
      [
        { split: "train", meanings: splits.train.length, "unseen role-pair combination rate": "—" },
        {
          split: "iid test",
          meanings: splits.iid.length,
          "unseen role-pair combination rate": splits.unseenCombinationRate.iid,
        },
        {
          split: "compositional test",
          meanings: splits.compositional.length,
          "unseen role-pair combination rate": splits.unseenCombinationRate.compositional,
        },
      ],
    ),
  );
  const finalCols = [
    "run",
    "epoch",
    "train acc",
    "iid acc",
    "comp acc",
    "comp role acc",
    "synonymy",
    "homonymy",
    "freedom",
    "entanglement",
    "topsim",
    "posdis",
    "distinct signals",
  ];
  const finalRows = Object.entries(summary.finalByRun).map(([run, v]) => ({
    run,
    epoch: v.epoch,
    "train acc": fmt(v["train.accuracy"]),
    "iid acc": fmt(v["iid.accuracy"]),
    "comp acc": fmt(v["compositional.accuracy"]),
    "comp role acc": fmt(v["compositional.meanRoleAccuracy"]),
    synonymy: fmt(v.synonymy),
    homonymy: fmt(v.homonymy),
    freedom: fmt(v.wordOrderFreedom),
    entanglement: fmt(v.entanglement),
    topsim: fmt(v.topsim),
    posdis: fmt(v.posdis),
    "distinct signals": fmt(v.distinctSignals),
  }));
  parts.push("<h3>Last epoch per run</h3>", tableHtml(finalCols, finalRows));
  parts.push(
    "<h3>Capacity sweep</h3>",
    tableHtml(
      ["reading", "hidden size", "mean", "sd", "runs"],
      summary.capacity.map((c) => ({
        reading: c.reading,
        "hidden size": c.hiddenSize,
        mean: c.mean,
        sd: c.sd,
        runs: c.runs,
      })),
    ),
    tableHtml(
      ["reading", "Spearman ρ with hidden size", "95% interval", "p", "runs"],
      summary.capacityTrend.map((t) => ({
        reading: t.reading,
        "Spearman ρ with hidden size": t.rho ?? t.interval.note ?? "–",
        "95% interval": t.interval.interval95
          ? `[${t.interval.interval95.map((v) => v.toFixed(3)).join(", ")}]`
          : (t.interval.note ?? "–"),
        p: t.p ?? t.interval.note ?? "–",
        runs: t.n,
      })),
    ),
  );
  const epochs = [...new Set(summary.correlations.map((c) => c.epoch))].sort((a, b) => a - b);
  const shown = [
    ...new Set([
      epochs[Math.min(1, epochs.length - 1)],
      epochs[Math.floor(epochs.length / 2)],
      epochs[epochs.length - 1],
    ]),
  ].filter((e) => e !== undefined);
  const corr = summary.correlations.filter(
    (c) =>
      c.target === "compositional.meanRoleAccuracy" &&
      shown.includes(c.epoch) &&
      (LANGUAGE_MEASURES as readonly string[]).includes(c.languageMeasure),
  );
  parts.push(
    `<h3>Measures vs compositional generalisation (Spearman across runs, ${summary.correction} correction)</h3>`,
    tableHtml(
      ["epoch", ...CORRELATION_COLUMNS],
      corr.map((c) => ({ epoch: c.epoch, ...correlationCells(c) })),
    ),
  );
  for (const [file, svg] of Object.entries(plots)) parts.push(figureHtml(svg, EMERGENT_CAPTIONS[file] ?? file));
  if (options.elapsedSeconds !== undefined) parts.push(paragraphHtml(`Ran in ${options.elapsedSeconds.toFixed(0)} s.`));
  return parts.join("\n");
}

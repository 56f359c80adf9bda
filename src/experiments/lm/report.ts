/**
 * Plots and the HTML section of an LM sweep, drawn from its tidy rows:
 * - measures against layer, one line per model/checkpoint, one panel per measure;
 * - measures against training step (log axis, plotted at step + 1 so step 0 shows), one
 *   line per layer, when the run holds two or more steps.
 * The summary table lists, per model and layer, information and the token-label
 * regularity, variation and disentanglement. Pure: returns the SVGs and HTML; the
 * experiment writes them.
 */
import type { ResultRow } from "../../io/runFolder.js";
import { lineChartSvg } from "../../report/plot.js";
import { figureHtml, paragraphHtml, tableHtml } from "../../report/html.js";
import { defaultView } from "../correctedRows.js";
import { describeSummaryWithP, lmSizeTrends } from "./sizeTrends.js";

/** The panels drawn: measure, label set (null = no label set) and residual component (if any). */
export const PLOTTED: [string, string | null, string?][] = [
  ["information", null],
  ["variation", "token"],
  ["regularity-ln-n", "token"],
  ["regularity-ln-n", "trigram-contexts-2024"],
  ["disentanglement", "token"],
  ["residual", "flat", "unexplained"],
];

function panelName(measure: string, labelSet: string | null, component?: string): string {
  if (component) return `${measure} ${component} (${labelSet})`;
  return labelSet ? `${measure} (${labelSet})` : measure;
}

/** Datums {model, layer, step, panel, value} for the plotted panels of one estimator. */
export function plotData(rows: readonly ResultRow[], estimator: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const r of defaultView(rows)) {
    if (r.estimator !== estimator || typeof r.value !== "number") continue;
    const hit = PLOTTED.find(([m, l, c]) => m === r.measure && (l ?? undefined) === r.labelSet && c === r.component);
    if (!hit) continue;
    out.push({
      model: r.model,
      layer: r.layer,
      ...(typeof r.step === "number" ? { step: r.step, "step + 1": r.step + 1 } : {}),
      layerName: `layer ${r.layer}`,
      panel: panelName(hit[0], hit[1], hit[2]),
      value: r.value,
    });
  }
  return out;
}

export interface LmFigures {
  /** File name → SVG. */
  files: Record<string, string>;
  html: string;
}

/** The SVG plots and the section HTML (figures and table). */
export async function lmFigures(rows: readonly ResultRow[]): Promise<LmFigures> {
  const files: Record<string, string> = {};
  const parts: string[] = [];
  const estimators = [...new Set(rows.map((r) => r.estimator).filter((e): e is string => typeof e === "string"))];
  for (const estimator of estimators) {
    const data = plotData(rows, estimator);
    if (data.length === 0) continue;
    const byLayer = await lineChartSvg(data, {
      x: "layer",
      y: "value",
      color: "model",
      facet: "panel",
      independentY: true,
      title: `${estimator} estimator: measures by layer (0 = embeddings)`,
      width: 220,
      height: 140,
    });
    const name = `lm-by-layer-${estimator}.svg`;
    files[name] = byLayer;
    parts.push(figureHtml(byLayer, `Measures by layer, one line per model or checkpoint (${estimator} estimator).`));
    const steps = new Set(data.map((d) => d.step).filter((s) => s !== undefined));
    if (steps.size >= 2) {
      const byStep = await lineChartSvg(
        data.filter((d) => d.step !== undefined),
        {
          x: "step + 1",
          y: "value",
          color: "layerName",
          facet: "panel",
          logX: true,
          independentY: true,
          title: `${estimator} estimator: measures over training (log axis, step + 1)`,
          width: 220,
          height: 140,
        },
      );
      const stepName = `lm-by-step-${estimator}.svg`;
      files[stepName] = byStep;
      parts.push(
        figureHtml(
          byStep,
          `Measures against training step (log axis; plotted at step + 1 so that step 0 appears), one line per layer (${estimator} estimator).`,
        ),
      );
    }
  }
  parts.push(tableHtml(SUMMARY_COLUMNS, summaryTable(rows)));
  parts.push(
    paragraphHtml(
      `Size trends across models (last layer, last step of each): ${lmSizeTrends(rows).map(describeSummaryWithP).join("; ")}.`,
    ),
  );
  return { files, html: parts.join("\n") };
}

export const SUMMARY_COLUMNS = [
  "model",
  "params",
  "step",
  "layer",
  "estimator",
  "information",
  "variation (token)",
  "regularity (token)",
  "disentanglement (token)",
  "tokens",
];

/** One row per (model, layer, estimator) with the headline measures. */
export function summaryTable(rows: readonly ResultRow[]): Record<string, unknown>[] {
  const cells = new Map<string, Record<string, unknown>>();
  for (const r of defaultView(rows)) {
    const key = `${r.model}|${r.layer}|${r.estimator}`;
    let cell = cells.get(key);
    if (!cell)
      cells.set(
        key,
        (cell = { model: r.model, params: r.params, step: r.step ?? "", layer: r.layer, estimator: r.estimator }),
      );
    const v = typeof r.value === "number" ? Number(r.value.toFixed(4)) : r.value;
    if (r.measure === "information" && !r.labelSet) cell.information = v;
    else if (r.measure === "tokens") cell.tokens = v;
    else if (r.labelSet === "token" && r.measure === "variation") cell["variation (token)"] = v;
    else if (r.labelSet === "token" && r.measure === "regularity-ln-n") cell["regularity (token)"] = v;
    else if (r.labelSet === "token" && r.measure === "disentanglement") cell["disentanglement (token)"] = v;
  }
  return [...cells.values()];
}

export function lmMethodNote(): string {
  return paragraphHtml(
    "Each layer's residual stream (layer 0 = embeddings, layer k = output of block k, before any final norm) is measured " +
      "against token, n-gram, part-of-speech and position labels; padding is excluded. Information = H(Z)/ln n; " +
      "variation = H(Z|X)/ln n; regularity = I(X;Z)/ln n; disentanglement = mean one-vs-rest JSD (METHODS §5). " +
      "Label-dependent measures are shown bias-corrected when the sweep had null shadows (METHODS §5.1; raw and null values stay in results.jsonl).",
  );
}

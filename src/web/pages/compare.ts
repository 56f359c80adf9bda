/**
 * Compare: one measure across the selected runs (each run's seeds and other replicates
 * averaged: mean line with a 95% t-band), and a scatter of a final measure against a final
 * accuracy with one point per run replicate and Spearman's ρ — which structure predicts
 * generalisation.
 */
import type { Result } from "vega-embed";
import { spearmanTest } from "../../stats/correlation.js";
import { getJson, h, select, table } from "../dom.js";
import { renderPlot } from "../plot.js";
import { checkboxToggle, coordinatePickers } from "../pickers.js";
import {
  ALL,
  averageOverReplicates,
  distinctValues,
  finalPerReplicate,
  measuresOf,
  PRIMARY_PICKERS,
  replicateLevelFields,
  selectRows,
  variantsOf,
  xFieldOf,
  type Row,
} from "../rows.js";
import { compareBandSpec, finalScatterSpec, type BandPoint, type ScatterPoint } from "../specs.js";
import type { RunAnswer, RunsAnswer } from "../types.js";

/** Measures shown first when present: the structure measures the thesis relates to generalisation. */
const STRUCTURE_MEASURES = [
  "topsim",
  "regularity",
  "posdis",
  "bosdis",
  "disentanglement",
  "synonymy",
  "residualEntropy",
];

interface LoadedRun {
  id: string;
  label: string;
  rows: Row[];
}

function runChooser(all: RunsAnswer, chosen: readonly string[]): HTMLElement {
  const boxes = all.runs.map((run) => {
    const box = h("input", { type: "checkbox", value: run.id, checked: chosen.includes(run.id) });
    return h("label", { class: "choice" }, box, ` ${run.path} (${run.experiment}, ${run.status})`);
  });
  const button = h("button", { type: "button", "data-testid": "compare-apply" }, "Compare these runs");
  button.addEventListener("click", () => {
    const ids = boxes
      .map((b) => b.querySelector("input")!)
      .filter((b) => b.checked)
      .map((b) => b.value);
    location.hash = `#/compare?runs=${ids.map(encodeURIComponent).join(",")}`;
  });
  return h(
    "details",
    { open: chosen.length === 0 },
    h("summary", {}, "Runs to compare"),
    ...boxes,
    h("div", {}, button),
  );
}

export async function comparePage(root: HTMLElement, ids: readonly string[]): Promise<() => void> {
  const all = await getJson<RunsAnswer>("/api/runs");
  const runs: LoadedRun[] = await Promise.all(
    ids.map(async (id) => {
      const answer = await getJson<RunAnswer>(`/api/run?id=${encodeURIComponent(id)}`);
      return { id, label: answer.summary.path, rows: answer.rows };
    }),
  );
  const union = runs.flatMap((r) => r.rows);
  const measures = measuresOf(union);
  const leaveOut = replicateLevelFields(union);
  const variants = variantsOf(union, leaveOut);
  const accuracies = variants.filter((v) => /acc/i.test(v));
  let measure =
    STRUCTURE_MEASURES.find((m) => measures.includes(m)) ??
    measures.find((m) => !/acc|loss/i.test(m)) ??
    measures[0] ??
    "";
  let xMeasure = variants.find((v) => v.startsWith(measure)) ?? variants[0] ?? "";
  let yMeasure = accuracies.find((v) => /test|ood|generali/i.test(v)) ?? accuracies[0] ?? variants[0] ?? "";
  let picked: Record<string, string> = {};
  let logX = false;
  let bandPlot: Result | undefined;
  let scatterPlot: Result | undefined;

  const bandBar = h("div", { class: "toolbar" });
  const bandBox = h("div", { class: "plot", "data-testid": "compare-plot" });
  const scatterBar = h("div", { class: "toolbar" });
  const scatterBox = h("div", { class: "plot", "data-testid": "scatter-plot" });
  const scatterNote = h("p", { "data-testid": "scatter-note" });
  const bandTable = h("div");

  const FOLDER = "(run folder)";
  let groupBy = FOLDER;

  /** Lines: one per run folder, or per folder × value of the grouping coordinate; the rest is averaged. */
  const bandPoints = (xField: string | null): BandPoint[] =>
    runs.flatMap((run) => {
      const selected = selectRows(run.rows, measure, picked);
      const groups =
        groupBy === FOLDER
          ? [{ label: run.label, rows: selected }]
          : distinctValues(selected, groupBy).map((value) => ({
              label: `${runs.length > 1 ? `${run.label} · ` : ""}${groupBy}=${value}`,
              rows: selected.filter((r) => r[groupBy] === value),
            }));
      return groups.flatMap((group) =>
        averageOverReplicates(group.rows, xField).map((b) => ({
          run: group.label,
          x: (b.x as number) ?? 0,
          mean: b.mean,
          lower: b.lower,
          upper: b.upper,
          n: b.n,
        })),
      );
    });

  const renderBand = async () => {
    const measureRows = union.filter((r) => r.measure === measure);
    const xField = xFieldOf(measureRows);
    const pickers = coordinatePickers(
      measureRows,
      xField,
      picked,
      (field, value) => ((picked[field] = value), void renderBand()),
      "compare",
      true,
    );
    picked = pickers.picked;
    const groupFields = Object.keys(picked);
    if (!groupFields.includes(groupBy))
      groupBy = runs.length === 1 ? (groupFields.find((f) => !PRIMARY_PICKERS.includes(f as never)) ?? FOLDER) : FOLDER;
    if (groupBy !== FOLDER) picked[groupBy] = ALL;
    bandBar.replaceChildren(
      select("measure", measures, measure, (v) => ((measure = v), (picked = {}), void renderBand()), "compare-measure"),
      select(
        "lines per",
        [FOLDER, ...groupFields],
        groupBy,
        (v) => ((groupBy = v), void renderBand()),
        "compare-group",
      ),
      ...pickers.controls.filter((_, i) => groupFields[i] !== groupBy),
      checkboxToggle("log x", logX, (on) => ((logX = on), void renderBand())),
    );
    const points = bandPoints(xField);
    bandBox.dataset.points = String(points.length);
    bandPlot = await renderPlot(
      bandBox,
      compareBandSpec(points, { measure, xField: xField ?? "(none)", log: logX }),
      bandPlot,
    );
    const lines = [...new Set(points.map((p) => p.run))];
    const lastPerLine = lines.map((line) => {
      const last = points.filter((p) => p.run === line).at(-1)!;
      return { line, x: last.x, mean: last.mean, lower: last.lower, upper: last.upper, replicates: last.n };
    });
    bandTable.replaceChildren(
      h("h2", {}, `Last ${measure} per line (mean, 95% interval)`),
      table(["line", "x", "mean", "lower", "upper", "replicates"], lastPerLine, "compare-table"),
    );
  };

  const renderScatter = async () => {
    scatterBar.replaceChildren(
      select("final measure", variants, xMeasure, (v) => ((xMeasure = v), void renderScatter()), "scatter-x"),
      select(
        "against",
        accuracies.length ? accuracies : variants,
        yMeasure,
        (v) => ((yMeasure = v), void renderScatter()),
        "scatter-y",
      ),
    );
    const points: ScatterPoint[] = [];
    for (const run of runs) {
      const xs = finalPerReplicate(run.rows, xMeasure, leaveOut);
      const ys = finalPerReplicate(run.rows, yMeasure, leaveOut);
      for (const [replicate, x] of xs) {
        const y = ys.get(replicate);
        if (y !== undefined) points.push({ run: run.label, replicate, x, y });
      }
    }
    scatterBox.dataset.points = String(points.length);
    scatterPlot = await renderPlot(
      scatterBox,
      finalScatterSpec(points, { xMeasure, yMeasure, colorBy: runs.length === 1 ? "replicate" : "run" }),
      scatterPlot,
    );
    if (points.length >= 3) {
      const test = spearmanTest(
        points.map((p) => p.x),
        points.map((p) => p.y),
      );
      scatterNote.textContent = `Spearman ρ = ${test.value.toFixed(3)} (p = ${test.p.toPrecision(3)}, ${points.length} points)`;
    } else
      scatterNote.textContent = `${points.length} point${points.length === 1 ? "" : "s"}: Spearman ρ needs at least 3`;
  };

  root.replaceChildren(
    h("h1", {}, `Compare ${runs.length} run folder${runs.length === 1 ? "" : "s"}`),
    runChooser(all, ids),
    ...(runs.length === 0
      ? [h("p", {}, "Choose runs above (or select them on the Runs page).")]
      : [
          h("section", {}, h("h2", {}, "One measure across runs"), bandBar, bandBox, bandTable),
          h("section", {}, h("h2", {}, "Final measure against accuracy"), scatterBar, scatterBox, scatterNote),
        ]),
  );
  if (runs.length > 0) {
    await renderBand();
    await renderScatter();
  }
  return () => {
    bandPlot?.finalize();
    scatterPlot?.finalize();
  };
}

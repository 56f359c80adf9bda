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
  averageOverReplicates,
  finalPerReplicate,
  measuresOf,
  selectRows,
  variantsOf,
  xFieldOf,
  type Row,
} from "../rows.js";
import { compareBandSpec, finalScatterSpec, type BandPoint, type ScatterPoint } from "../specs.js";
import type { RunAnswer, RunsAnswer } from "../types.js";

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
  const variants = variantsOf(union);
  const accuracies = variants.filter((v) => /acc/i.test(v));
  let measure = measures.find((m) => !/acc|loss/i.test(m)) ?? measures[0] ?? "";
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

  const renderBand = async () => {
    const measureRows = union.filter((r) => r.measure === measure);
    const xField = xFieldOf(measureRows);
    const pickers = coordinatePickers(
      measureRows,
      xField,
      picked,
      (field, value) => ((picked[field] = value), void renderBand()),
      "compare",
    );
    picked = pickers.picked;
    bandBar.replaceChildren(
      select("measure", measures, measure, (v) => ((measure = v), (picked = {}), void renderBand()), "compare-measure"),
      ...pickers.controls,
      checkboxToggle("log x", logX, (on) => ((logX = on), void renderBand())),
    );
    const points: BandPoint[] = runs.flatMap((run) =>
      averageOverReplicates(selectRows(run.rows, measure, picked), xField).map((b) => ({
        run: run.label,
        x: (b.x as number) ?? 0,
        mean: b.mean,
        lower: b.lower,
        upper: b.upper,
        n: b.n,
      })),
    );
    bandBox.dataset.points = String(points.length);
    bandPlot = await renderPlot(
      bandBox,
      compareBandSpec(points, { measure, xField: xField ?? "(none)", log: logX }),
      bandPlot,
    );
    const lastPerRun = runs.map((run) => {
      const mine = points.filter((p) => p.run === run.label);
      const last = mine.at(-1);
      return {
        run: run.label,
        x: last?.x,
        mean: last?.mean,
        lower: last?.lower,
        upper: last?.upper,
        replicates: last?.n,
      };
    });
    bandTable.replaceChildren(
      h("h2", {}, `Last ${measure} per run (mean, 95% interval)`),
      table(["run", "x", "mean", "lower", "upper", "replicates"], lastPerRun, "compare-table"),
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
      const xs = finalPerReplicate(run.rows, xMeasure);
      const ys = finalPerReplicate(run.rows, yMeasure);
      for (const [replicate, x] of xs) {
        const y = ys.get(replicate);
        if (y !== undefined) points.push({ run: run.label, replicate, x, y });
      }
    }
    scatterBox.dataset.points = String(points.length);
    scatterPlot = await renderPlot(scatterBox, finalScatterSpec(points, { xMeasure, yMeasure }), scatterPlot);
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
    h("h1", {}, `Compare ${runs.length} run${runs.length === 1 ? "" : "s"}`),
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

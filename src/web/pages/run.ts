/**
 * Run: one run's plots (a measure over step/epoch/layer with pickers for every coordinate that
 * varies), its final values and latest rows, its parameters and files, and the tables of its
 * report.html when it has one. While the run is live the page follows its journal through
 * server-sent events (no polling in the browser).
 */
import type { Result } from "vega-embed";
import { formatValue, getJson, h, select, statusBadge, table } from "../dom.js";
import { renderPlot } from "../plot.js";
import { checkboxToggle, coordinatePickers } from "../pickers.js";
import { finalValues, measuresOf, plotRows, selectRows, xCandidates, xFieldOf, type Row } from "../rows.js";
import { reportTables, reportTablesSection } from "../reportTables.js";
import { measureLineSpec } from "../specs.js";
import type { RunAnswer, RunSummary } from "../types.js";
import { progressText } from "./runs.js";

const LATEST_ROWS = 30;

export function fileUrl(runId: string, name: string): string {
  return `/files/${[...runId.split("/"), name].map(encodeURIComponent).join("/")}`;
}

/** Columns that differ among rows, and "name=value" for those that do not (shown once). */
function splitColumns(rows: readonly Row[]): { varying: string[]; constant: string[] } {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const same = (c: string) => rows.every((r) => formatValue(r[c]) === formatValue(rows[0]![c]));
  return {
    varying: columns.filter((c) => c === "measure" || c === "value" || !same(c)),
    constant: columns
      .filter((c) => c !== "measure" && c !== "value" && same(c))
      .map((c) => `${c}=${formatValue(rows[0]![c])}`),
  };
}

function preferredMeasure(measures: readonly string[]): string {
  return measures.find((m) => /accuracy/i.test(m)) ?? measures[0] ?? "";
}

const REPORT_FILE = "report.html";

/** The static report's tables (summaries the rows alone do not give), under the run's files. */
async function showReportTables(box: HTMLElement, url: string): Promise<void> {
  try {
    const response = await fetch(url);
    if (!response.ok) return;
    const tables = reportTables(await response.text());
    if (tables.length) box.replaceChildren(reportTablesSection(tables, url));
  } catch {
    // The file went away or is unreadable: its link in Files says as much when followed.
  }
}

export async function runPage(root: HTMLElement, id: string): Promise<() => void> {
  const answer = await getJson<RunAnswer>(`/api/run?id=${encodeURIComponent(id)}`);
  const rows: Row[] = answer.rows;
  let summary: RunSummary = answer.summary;
  let measure = preferredMeasure(measuresOf(rows));
  let picked: Record<string, string> = {};
  let logX = false;
  let xChoice: string | null = null;
  let plot: Result | undefined;

  const heading = h("div", { class: "run-heading" });
  const pickerBar = h("div", { class: "toolbar", "data-testid": "pickers" });
  const plotBox = h("div", { class: "plot", "data-testid": "run-plot" });
  const finalBox = h("div");
  const latestBox = h("div");
  const liveNote = h("p", { class: "live", "data-testid": "live-note" });

  const renderHeading = () => {
    heading.replaceChildren(
      h("h1", {}, summary.path, " ", statusBadge(summary.status, summary.statusText)),
      h(
        "p",
        {},
        h("b", {}, summary.experiment),
        " · ",
        progressText(summary, `${rows.length} rows`),
        " · started ",
        summary.started ?? "–",
      ),
      h("p", { class: "command" }, summary.command),
      ...(summary.problem ? [h("p", { class: "error" }, summary.problem)] : []),
    );
  };

  const renderPickers = (measureRows: Row[], xField: string | null) => {
    const pickers = coordinatePickers(
      measureRows,
      xField,
      picked,
      (field, value) => ((picked[field] = value), void render()),
      "picker",
    );
    picked = pickers.picked;
    pickerBar.replaceChildren(
      select(
        "measure",
        measuresOf(rows),
        measure,
        (v) => ((measure = v), (picked = {}), void render()),
        "measure-picker",
      ),
      ...(xCandidates(measureRows).length > 1
        ? [select("x", xCandidates(measureRows), xField!, (v) => ((xChoice = v), void render()), "x-picker")]
        : []),
      ...pickers.controls,
      ...(xField === "step" || xField === "epoch"
        ? [checkboxToggle(`log ${xField}`, logX, (on) => ((logX = on), void render()), "log-x")]
        : []),
    );
  };

  let rendering = Promise.resolve();
  const render = () => {
    rendering = rendering.then(async () => {
      const measureRows = rows.filter((r) => r.measure === measure);
      const xField = xFieldOf(measureRows, xChoice);
      renderPickers(measureRows, xField);
      const selected = selectRows(rows, measure, picked);
      const values = plotRows(selected, xField);
      plotBox.dataset.points = String(values.length);
      plot = await renderPlot(plotBox, measureLineSpec(values, { measure, xField, log: logX }), plot);
      const finals = finalValues(selected, xField);
      finalBox.replaceChildren(
        h("h2", {}, `Final values of ${measure}`),
        table(
          ["series", xField ?? "x", "value"],
          finals.map((f) => ({ ...f, [xField ?? "x"]: f.x })),
          "final-table",
        ),
      );
      const latest = rows.slice(-LATEST_ROWS).reverse();
      const { varying, constant } = splitColumns(latest);
      latestBox.replaceChildren(
        h("h2", {}, `Latest rows (${rows.length} in all)`),
        constant.length ? h("p", { class: "constant" }, `all: ${constant.join(", ")}`) : "",
        h("div", { class: "scroll" }, table(varying, latest, "latest-table")),
      );
    });
    return rendering;
  };

  const parameters = Object.entries(summary.parameters).map(([name, value]) => ({ name, value: formatValue(value) }));
  const files = h(
    "ul",
    { class: "files" },
    ...answer.files.map((name) => h("li", {}, h("a", { href: fileUrl(summary.id, name), target: "_blank" }, name))),
  );
  const reportBox = h("div");
  renderHeading();
  root.replaceChildren(
    heading,
    liveNote,
    h("section", {}, h("h2", {}, "Plot"), pickerBar, plotBox),
    h("section", { class: "two" }, finalBox, latestBox),
    h("section", {}, h("h2", {}, "Parameters"), table(["name", "value"], parameters, "parameters-table")),
    h("section", {}, h("h2", {}, "Files"), files),
    reportBox,
  );
  if (answer.files.includes(REPORT_FILE)) void showReportTables(reportBox, fileUrl(summary.id, REPORT_FILE));
  if (rows.length === 0) plotBox.textContent = "no measurement rows yet";
  else await render();

  // Live: follow the journal from where the answer ended.
  const events = new EventSource(`/api/events?id=${encodeURIComponent(id)}&from=${answer.end}`);
  let pending: number | undefined;
  const schedule = () => {
    if (pending !== undefined) return;
    pending = window.setTimeout(() => {
      pending = undefined;
      if (!measure) measure = preferredMeasure(measuresOf(rows));
      void render();
    }, 150);
  };
  events.addEventListener("rows", (event) => {
    const added = JSON.parse((event as MessageEvent<string>).data) as Row[];
    rows.push(...added);
    liveNote.textContent = `live: ${added.length} new row${added.length === 1 ? "" : "s"} at ${new Date().toLocaleTimeString()} (${rows.length} in all)`;
    liveNote.dataset.rows = String(rows.length);
    renderHeading();
    schedule();
  });
  events.addEventListener("reset", () => {
    rows.length = 0;
    schedule();
  });
  events.addEventListener("run", (event) => {
    summary = JSON.parse((event as MessageEvent<string>).data) as RunSummary;
    renderHeading();
  });
  return () => {
    events.close();
    if (pending !== undefined) clearTimeout(pending);
    plot?.finalize();
  };
}

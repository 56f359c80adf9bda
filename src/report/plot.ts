/**
 * Plots as SVG strings, drawn with Vega-Lite (compiled to Vega, rendered headless).
 * Works in Node and in the browser; no canvas needed.
 */
import * as vega from "vega";
import * as vegaLite from "vega-lite";

export interface LineChartOptions {
  /** Field on the x axis. */
  x: string;
  /** Field on the y axis. */
  y: string;
  /** Field that splits the data into coloured lines. */
  color?: string;
  /** Field that splits the chart into small multiples (one panel per value). */
  facet?: string;
  /** Columns of small multiples before wrapping (default 3). */
  facetColumns?: number;
  logX?: boolean;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
  /** Independent y scales per facet panel (default: shared). */
  independentY?: boolean;
  /** Draw points on the lines (default true). */
  points?: boolean;
}

type Datum = Record<string, unknown>;

/** A line chart of tidy rows: one line per `color` value, optionally faceted. */
export async function lineChartSvg(rows: readonly Datum[], options: LineChartOptions): Promise<string> {
  const values = rows.filter((row) => {
    const x = row[options.x];
    const y = row[options.y];
    return (
      typeof x === "number" &&
      Number.isFinite(x) &&
      typeof y === "number" &&
      Number.isFinite(y) &&
      (!options.logX || x > 0)
    );
  });
  const encoding: Record<string, unknown> = {
    x: {
      field: options.x,
      type: "quantitative",
      title: options.xTitle ?? options.x,
      ...(options.logX ? { scale: { type: "log" } } : {}),
    },
    y: { field: options.y, type: "quantitative", title: options.yTitle ?? options.y, scale: { zero: false } },
  };
  if (options.color) encoding.color = { field: options.color, type: "nominal", title: options.color };
  const unit = {
    mark: { type: "line", point: options.points ?? true, strokeWidth: 1.5 },
    encoding,
    width: options.width ?? 260,
    height: options.height ?? 170,
  };
  const spec: Record<string, unknown> = options.facet
    ? {
        data: { values },
        facet: { field: options.facet, type: "nominal", title: null },
        columns: options.facetColumns ?? 3,
        spec: unit,
        ...(options.independentY ? { resolve: { scale: { y: "independent" } } } : {}),
      }
    : { data: { values }, ...unit };
  if (options.title) spec.title = options.title;
  return renderSvg(spec);
}

/** Renders any Vega-Lite spec to an SVG string. */
export async function renderSvg(vegaLiteSpec: Record<string, unknown>): Promise<string> {
  const compiled = vegaLite.compile({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...vegaLiteSpec,
  } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

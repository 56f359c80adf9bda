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
  let spec: Record<string, unknown> = { data: { values }, ...unit };
  if (options.facet) {
    const panels = new Set(values.map((row) => String(row[options.facet!]))).size;
    const columns = facetColumns(panels, options.facetColumns ?? 3);
    // A grid that ends in empty cells would draw the shared x axis under them: give each panel its own.
    const ragged = panels % columns !== 0;
    const resolve = {
      ...(options.independentY ? { scale: { y: "independent" } } : {}),
      ...(ragged ? { axis: { x: "independent" } } : {}),
    };
    spec = {
      data: { values },
      facet: { field: options.facet, type: "nominal", title: null },
      columns,
      spec: unit,
      ...(Object.keys(resolve).length ? { resolve } : {}),
    };
  }
  if (options.title) spec.title = options.title;
  return renderSvg(spec);
}

/**
 * Columns of a grid of `panels` small multiples, at most `max`: one row when they fit, else the
 * widest column count that fills every row (4 panels → 2 × 2, not 3 + 1), else `max`.
 */
export function facetColumns(panels: number, max: number): number {
  if (panels <= max) return Math.max(1, panels);
  for (let columns = max; columns >= 2; columns--) if (panels % columns === 0) return columns;
  return max;
}

export interface HeatmapOptions {
  /** Field on the x axis (ordinal: e.g. epoch), on the y axis (nominal: e.g. measure), and coloured. */
  x: string;
  y: string;
  value: string;
  /** Colour domain (default: the data's extent); with `mid`, a diverging red (low) to blue (high) scheme centred there. */
  domain?: [number, number];
  mid?: number;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  valueTitle?: string;
  width?: number;
  /** Height of one row of cells (default 18). */
  rowHeight?: number;
  /** Print each cell's value in it (default: when there are at most 12 columns). */
  labels?: boolean;
}

/** A heatmap of tidy rows: one cell per (x, y), coloured by `value` (non-finite values skipped). */
export async function heatmapSvg(rows: readonly Datum[], options: HeatmapOptions): Promise<string> {
  const values = rows.filter((row) => typeof row[options.value] === "number" && Number.isFinite(row[options.value]));
  const xs = new Set(values.map((row) => row[options.x]));
  const ys = new Set(values.map((row) => row[options.y]));
  const color = {
    field: options.value,
    type: "quantitative",
    title: options.valueTitle ?? options.value,
    scale: {
      ...(options.domain ? { domain: options.domain } : {}),
      ...(options.mid !== undefined ? { scheme: "redblue", domainMid: options.mid } : {}),
    },
  };
  const base = {
    x: {
      field: options.x,
      type: "ordinal",
      title: options.xTitle ?? options.x,
      axis: { labelOverlap: true, labelAngle: 0 },
    },
    // Rows in the order the data first names them (e.g. the report's measure order), not sorted.
    y: { field: options.y, type: "nominal", title: options.yTitle ?? options.y, sort: null },
  };
  const layers: Record<string, unknown>[] = [{ mark: "rect", encoding: { ...base, color } }];
  if (options.labels ?? xs.size <= 12)
    layers.push({
      mark: { type: "text", fontSize: 9 },
      encoding: { ...base, text: { field: options.value, type: "quantitative", format: ".2f" } },
    });
  return renderSvg({
    data: { values },
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? Math.min(720, Math.max(200, 34 * xs.size)),
    height: (options.rowHeight ?? 18) * Math.max(1, ys.size),
    layer: layers,
  });
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

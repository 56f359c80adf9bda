/**
 * Vega-Lite specifications for the dashboard's plots (pure: data in, spec out). Rendered with
 * vega-embed as SVG, with tooltips and legend selection (click a legend entry to pick a series).
 */
import type { TopLevelSpec } from "vega-lite";

const HEIGHT = 280;

/** Integer coordinates (step, epoch, layer) get whole-number ticks. */
const X_AXIS = { tickMinStep: 1, grid: false } as const;

function xScale(values: readonly Record<string, unknown>[], log: boolean) {
  if (!log) return { zero: false };
  const xs = values.map((v) => v.x as number);
  return { type: xs.some((x) => x <= 0) ? "symlog" : "log" } as const;
}

function tooltipFields(values: readonly Record<string, unknown>[]) {
  const fields = new Set<string>();
  for (const v of values) for (const k of Object.keys(v)) if (k !== "x" && k !== "series") fields.add(k);
  return [...fields].map((field) => ({ field, type: field === "value" ? "quantitative" : "nominal" }) as const);
}

function legendPick(field: string) {
  return { name: "pick", select: { type: "point" as const, fields: [field] }, bind: "legend" as const };
}

/** One measure over step/epoch/layer, a line (with points) per series. */
export function measureLineSpec(
  values: Record<string, unknown>[],
  options: { measure: string; xField: string | null; log: boolean },
): TopLevelSpec {
  const series = new Set(values.map((v) => v.series)).size;
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    legend: series > 24 ? null : { orient: "bottom", columns: 2, labelLimit: 420 },
  } as const;
  if (options.xField === null) {
    return {
      width: "container",
      height: HEIGHT,
      data: { values },
      params: [legendPick("series")],
      mark: { type: "point", filled: true, size: 80, tooltip: true },
      encoding: {
        y: { field: "series", type: "nominal", title: null },
        x: { field: "value", type: "quantitative", title: options.measure, scale: { zero: false } },
        color,
        opacity: { condition: { param: "pick", value: 1 }, value: 0.15 },
        tooltip: tooltipFields(values),
      },
    };
  }
  return {
    width: "container",
    height: HEIGHT,
    data: { values },
    params: [legendPick("series")],
    mark: { type: "line", point: true, tooltip: true, interpolate: "linear" },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xField, scale: xScale(values, options.log), axis: X_AXIS },
      y: { field: "value", type: "quantitative", title: options.measure, scale: { zero: false } },
      color,
      opacity: { condition: { param: "pick", value: 1 }, value: 0.15 },
      tooltip: tooltipFields(values),
    },
  };
}

export interface BandPoint {
  run: string;
  x: number;
  mean: number;
  lower: number;
  upper: number;
  n: number;
}

/** Compare: a measure per run, replicates averaged, mean line with a 95% band. */
export function compareBandSpec(
  values: BandPoint[],
  options: { measure: string; xField: string; log: boolean },
): TopLevelSpec {
  const x = {
    field: "x",
    type: "quantitative",
    title: options.xField,
    scale: xScale(values as unknown as Record<string, unknown>[], options.log),
    axis: X_AXIS,
  } as const;
  const color = {
    field: "run",
    type: "nominal",
    title: null,
    legend: { orient: "bottom", columns: 2, labelLimit: 420, symbolOpacity: 1, symbolType: "circle" },
  } as const;
  return {
    width: "container",
    height: HEIGHT,
    data: { values },
    layer: [
      {
        mark: { type: "area", opacity: 0.18 },
        encoding: {
          x,
          y: { field: "lower", type: "quantitative" },
          y2: { field: "upper" },
          color,
        },
      },
      {
        params: [legendPick("run")],
        mark: { type: "line", point: true, tooltip: true },
        encoding: {
          x,
          y: { field: "mean", type: "quantitative", title: `${options.measure} (mean ± 95%)`, scale: { zero: false } },
          color,
          opacity: { condition: { param: "pick", value: 1 }, value: 0.15 },
          tooltip: [
            { field: "run", type: "nominal" },
            { field: "x", type: "quantitative", title: options.xField },
            { field: "mean", type: "quantitative", format: ".4g" },
            { field: "lower", type: "quantitative", format: ".4g" },
            { field: "upper", type: "quantitative", format: ".4g" },
            { field: "n", type: "quantitative", title: "replicates" },
          ],
        },
      },
    ],
  };
}

export interface ScatterPoint {
  run: string;
  replicate: string;
  x: number;
  y: number;
}

/** Compare: a final measure against an accuracy, one point per run replicate. */
export function finalScatterSpec(
  values: ScatterPoint[],
  options: { xMeasure: string; yMeasure: string; colorBy?: "run" | "replicate" },
): TopLevelSpec {
  const colorBy = options.colorBy ?? "run";
  return {
    width: "container",
    height: HEIGHT,
    data: { values },
    params: [legendPick(colorBy)],
    mark: { type: "point", filled: true, size: 90, tooltip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: `final ${options.xMeasure}`, scale: { zero: false } },
      y: { field: "y", type: "quantitative", title: `final ${options.yMeasure}`, scale: { zero: false } },
      color: {
        field: colorBy,
        type: "nominal",
        title: null,
        legend: { orient: "bottom", columns: 2, labelLimit: 420 },
      },
      opacity: { condition: { param: "pick", value: 1 }, value: 0.15 },
      tooltip: [
        { field: "run", type: "nominal" },
        { field: "replicate", type: "nominal" },
        { field: "x", type: "quantitative", title: options.xMeasure, format: ".4g" },
        { field: "y", type: "quantitative", title: options.yMeasure, format: ".4g" },
      ],
    },
  };
}

/**
 * Pure helpers over a run's tidy rows for the dashboard: which coordinates a measure has,
 * the pickers they imply, filtering, series names, final values, and seed averages with a
 * 95% t-interval. No DOM, no I/O: tested in Node (test/web-rows.test.ts).
 */
import { studentTwoSidedP } from "../stats/correlation.js";

export interface Row {
  measure: string;
  value: number | null;
  [coordinate: string]: unknown;
}

/** Fields that are never coordinates to pick or group by. */
const NOT_COORDINATES = new Set(["measure", "value", "experiment"]);
/** Coordinates that order rows along the x axis, in order of preference. */
export const X_FIELDS = ["step", "epoch"] as const;
/** Pickers offered first, defaulting to their first value (the brief's measure/label set/layer/estimator/correction). */
export const PRIMARY_PICKERS = ["labelSet", "layer", "estimator", "correction"] as const;
/** Coordinates that are replicates: averaged in Compare, series in Run. */
export const REPLICATE_FIELDS = ["seed", "run"] as const;
export const ALL = "(all)";

export function measuresOf(rows: readonly Row[]): string[] {
  return [...new Set(rows.filter(hasValue).map((r) => r.measure))].sort();
}

export function hasValue(row: Row): row is Row & { value: number } {
  return typeof row.value === "number" && Number.isFinite(row.value);
}

/** Numeric coordinates that can be the x axis, the one with most distinct values first. */
export function xCandidates(rows: readonly Row[]): string[] {
  const fields = [...X_FIELDS, "layer"];
  const counts = fields.map((field) => {
    const values = distinctValues(rows, field);
    return { field, count: values.length > 0 && values.every((v) => typeof v === "number") ? values.length : 0 };
  });
  // stable sort: ties keep step, epoch, layer order
  return counts
    .filter((c) => c.count > 1)
    .sort((a, b) => b.count - a.count)
    .map((c) => c.field);
}

/**
 * The x coordinate for a set of rows: the numeric coordinate (step, epoch, layer) with most
 * values, else a step/epoch present once, else none. `preferred` wins when it can be x.
 */
export function xFieldOf(rows: readonly Row[], preferred?: string | null): string | null {
  const candidates = xCandidates(rows);
  if (preferred && candidates.includes(preferred)) return preferred;
  if (candidates.length > 0) return candidates[0]!;
  for (const field of X_FIELDS) if (rows.some((r) => typeof r[field] === "number")) return field;
  return null;
}

function scalarKey(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

export function distinctValues(rows: readonly Row[], field: string): unknown[] {
  const seen = new Map<string, unknown>();
  for (const row of rows) if (row[field] !== undefined) seen.set(scalarKey(row[field]), row[field]);
  return [...seen.values()].sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : scalarKey(a).localeCompare(scalarKey(b)),
  );
}

export interface Picker {
  field: string;
  /** Values as strings (what the <select> holds), ALL first unless the picker is primary. */
  options: string[];
  initial: string;
}

/** Categorical coordinates (other than x and the replicates) with more than one value. */
export function pickersFor(rows: readonly Row[], xField: string | null): Picker[] {
  const fields = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) if (!NOT_COORDINATES.has(k)) fields.add(k);
  const pickers: Picker[] = [];
  const ordered = [
    ...PRIMARY_PICKERS.filter((f) => fields.has(f)),
    ...[...fields].filter((f) => !(PRIMARY_PICKERS as readonly string[]).includes(f)).sort(),
  ];
  for (const field of ordered) {
    if (field === xField || (REPLICATE_FIELDS as readonly string[]).includes(field)) continue;
    const values = distinctValues(rows, field).map(scalarKey);
    if (values.length < 2) continue;
    const primary = (PRIMARY_PICKERS as readonly string[]).includes(field);
    pickers.push({ field, options: [ALL, ...values], initial: primary ? values[0]! : ALL });
  }
  return pickers;
}

/** Rows of one measure matching every picked value (ALL matches anything). */
export function selectRows(rows: readonly Row[], measure: string, picked: Record<string, string>): Row[] {
  return rows.filter(
    (r) =>
      r.measure === measure &&
      hasValue(r) &&
      Object.entries(picked).every(([field, value]) => value === ALL || scalarKey(r[field]) === value),
  );
}

/** Whether every value of `by` comes with one value of `field` (e.g. a run fixes its seed). */
function determinedBy(rows: readonly Row[], field: string, by: string): boolean {
  const seen = new Map<string, string>();
  for (const row of rows) {
    const key = scalarKey(row[by]);
    const value = scalarKey(row[field]);
    if ((seen.get(key) ?? value) !== value) return false;
    seen.set(key, value);
  }
  return true;
}

/**
 * The fields that still vary among selected rows (besides x): they name the series. A field
 * that another named field already determines (a run's seed and hidden size) is left out.
 */
export function seriesFields(rows: readonly Row[], xField: string | null): string[] {
  const fields = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) if (!NOT_COORDINATES.has(k) && k !== xField) fields.add(k);
  const varying = [...fields].filter((f) => distinctValues(rows, f).length > 1).sort();
  const ordered = [...varying.filter((f) => f === "run"), ...varying.filter((f) => f !== "run")];
  const kept: string[] = [];
  for (const field of ordered) if (!kept.some((by) => determinedBy(rows, field, by))) kept.push(field);
  return kept.sort();
}

export function seriesName(row: Row, fields: readonly string[]): string {
  return fields.length === 0
    ? "all"
    : fields.map((f) => `${f}=${row[f] === undefined ? "–" : scalarKey(row[f])}`).join(" · ");
}

/** Rows for plotting: x, value, series and every original coordinate (for tooltips). */
export function plotRows(rows: readonly Row[], xField: string | null): Record<string, unknown>[] {
  const fields = seriesFields(rows, xField);
  return rows.map((r) => ({ ...r, series: seriesName(r, fields), ...(xField ? { x: r[xField] } : {}) }));
}

/** Each series' value at its largest x (or its last row when there is no x). */
export function finalValues(
  rows: readonly Row[],
  xField: string | null,
): { series: string; x: unknown; value: number }[] {
  const fields = seriesFields(rows, xField);
  const last = new Map<string, { series: string; x: unknown; value: number }>();
  for (const r of rows) {
    if (!hasValue(r)) continue;
    const series = seriesName(r, fields);
    const previous = last.get(series);
    const x = xField ? r[xField] : undefined;
    if (!previous || xField === null || (x as number) >= (previous.x as number))
      last.set(series, { series, x, value: r.value });
  }
  return [...last.values()];
}

/** Two-sided 95% critical value of Student's t with `df` degrees of freedom (bisection on the p-value). */
export function tCritical95(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  let lo = 0;
  let hi = 1000;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (studentTwoSidedP(mid, df) > 0.05) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface MeanBand {
  mean: number;
  lower: number;
  upper: number;
  n: number;
}

/** Mean with a 95% t-interval (lower = upper = mean for a single value). */
export function meanBand(values: readonly number[]): MeanBand {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, lower: mean, upper: mean, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = tCritical95(n - 1) * Math.sqrt(variance / n);
  return { mean, lower: mean - half, upper: mean + half, n };
}

/** Averages rows over everything but x: one mean ± 95% band per x (for one run in Compare). */
export function averageOverReplicates(rows: readonly Row[], xField: string | null): ({ x: unknown } & MeanBand)[] {
  const groups = new Map<string, { x: unknown; values: number[] }>();
  for (const r of rows) {
    if (!hasValue(r)) continue;
    const x = xField ? r[xField] : null;
    const key = scalarKey(x);
    const group = groups.get(key) ?? { x, values: [] };
    group.values.push(r.value);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g) => ({ x: g.x, ...meanBand(g.values) }))
    .sort((a, b) => (a.x as number) - (b.x as number));
}

function replicateKey(row: Row): string {
  return (
    REPLICATE_FIELDS.filter((f) => row[f] !== undefined)
      .map((f) => `${f}=${scalarKey(row[f])}`)
      .join(" · ") || "all"
  );
}

function isVariantField(k: string): boolean {
  return (
    !NOT_COORDINATES.has(k) &&
    !(X_FIELDS as readonly string[]).includes(k) &&
    !(REPLICATE_FIELDS as readonly string[]).includes(k)
  );
}

/**
 * Coordinates a replicate fixes (a run's hidden size): they describe the point, not the
 * measure, so variants leave them out.
 */
export function replicateLevelFields(rows: readonly Row[]): Set<string> {
  const values = new Map<string, Map<string, string>>();
  const varies = new Set<string>();
  for (const row of rows) {
    const key = replicateKey(row);
    for (const k of Object.keys(row)) {
      if (!isVariantField(k)) continue;
      const byReplicate = values.get(k) ?? new Map<string, string>();
      values.set(k, byReplicate);
      const value = scalarKey(row[k]);
      if ((byReplicate.get(key) ?? value) !== value) varies.add(k);
      byReplicate.set(key, value);
    }
  }
  const replicates = new Set(rows.map(replicateKey)).size;
  return new Set(replicates > 1 ? [...values.keys()].filter((k) => !varies.has(k)) : []);
}

/** A measure with every other categorical coordinate fixed, e.g. "accuracy · split=test". */
export function variantOf(row: Row, leaveOut: ReadonlySet<string> = new Set()): string {
  const coordinates = Object.keys(row)
    .filter((k) => isVariantField(k) && !leaveOut.has(k))
    .sort()
    .map((k) => `${k}=${scalarKey(row[k])}`);
  return [row.measure, ...coordinates].join(" · ");
}

/** Every variant with a numeric value, sorted. */
export function variantsOf(rows: readonly Row[], leaveOut: ReadonlySet<string> = new Set()): string[] {
  return [...new Set(rows.filter(hasValue).map((r) => variantOf(r, leaveOut)))].sort();
}

/**
 * The final value of a variant per replicate (seed/run) at its last x: the points of the
 * Compare scatter.
 */
export function finalPerReplicate(
  rows: readonly Row[],
  variant: string,
  leaveOut: ReadonlySet<string> = new Set(),
): Map<string, number> {
  const selected = rows.filter((r) => hasValue(r) && variantOf(r, leaveOut) === variant);
  const xField = xFieldOf(selected);
  const byReplicate = new Map<string, Row[]>();
  for (const r of selected) {
    const key = replicateKey(r);
    byReplicate.set(key, [...(byReplicate.get(key) ?? []), r]);
  }
  const out = new Map<string, number>();
  for (const [key, group] of byReplicate) {
    const lastX = xField ? Math.max(...group.map((r) => r[xField] as number)) : null;
    const atLast = group.filter((r) => xField === null || r[xField] === lastX);
    out.set(key, atLast.reduce((a, r) => a + (r.value as number), 0) / atLast.length);
  }
  return out;
}

/**
 * Across-run summary of an emergent-communication sweep (METHODS §6.1 findings), pure:
 * - per epoch, the Spearman correlation across runs between each language measure and
 *   compositional-test accuracy (all roles, and mean per-role) with its Fisher-z 95% interval,
 *   and p-values corrected for multiple comparisons over all epochs × measures of one target;
 *   below 5 runs a row has no ρ and no p ("too few runs") and is left out of the correction;
 * - the capacity sweep: at the last epoch, regularity (1 − synonymy, 1 − homonymy, topsim,
 *   posdis) and accuracy per hidden size (mean and standard deviation over seeds), and the
 *   Spearman correlation of each with hidden size across runs;
 * - windows (METHODS §7): for each language measure, the partial Spearman (controlling for
 *   hidden size) across runs of its early-window mean (first 10% of trained epochs) and its
 *   late-window mean (last 50%) with the same window's compositional accuracy, with Fisher-z
 *   intervals, the same per hidden size, and each window's mean over runs with a bootstrap
 *   interval. Fewer than 5 runs: "too few runs".
 */
import type { ResultRow } from "../../io/runFolder.js";
import { MEASURE_NAMES } from "../../mapping/measureAll.js";
import { spearmanTest } from "../../stats/correlation.js";
import { adjustPValues, type Correction } from "../../stats/multipleComparisons.js";
import { partialSpearmanWithInterval, spearmanPerGroup, spearmanWithInterval } from "../../stats/rankCorrelation.js";
import { type IntervalSummary, TOO_FEW_RUNS } from "../../stats/summary.js";
import { epochWindows, windowMean, windowSummary } from "../../stats/windows.js";

/** Language measures correlated with generalisation: every §3 measure of the language but accuracy. */
export const LANGUAGE_MEASURES = MEASURE_NAMES.filter((m) => m !== "accuracy");

/** Generalisation targets on the compositional split. */
export const TARGETS = ["accuracy", "meanRoleAccuracy"] as const;

/** Regularity readings of the capacity sweep: name → how to read it from a run's last epoch. */
export const REGULARITY = {
  "1-synonymy": (v: Record<string, number>) => 1 - v.synonymy!,
  "1-homonymy": (v: Record<string, number>) => 1 - v.homonymy!,
  topsim: (v: Record<string, number>) => v.topsim!,
  posdis: (v: Record<string, number>) => v.posdis!,
  compositionalAccuracy: (v: Record<string, number>) => v["compositional.accuracy"]!,
} as const;

export interface CorrelationRow {
  epoch: number;
  languageMeasure: string;
  target: string;
  /** Spearman ρ across runs; null below 5 runs ("too few runs", see `interval.note`). */
  rho: number | null;
  /** Exact-permutation (n ≤ 8) or t-approximation p; null below 5 runs. */
  p: number | null;
  /** p corrected over the target's epochs × measures; null below 5 runs. */
  pAdjusted: number | null;
  n: number;
  /** ρ with its Fisher-z 95% interval and whether it excludes 0 (no estimate below 5 runs). */
  interval: IntervalSummary;
  degenerate?: string;
}

export interface CapacityRow {
  hiddenSize: number;
  reading: string;
  mean: number;
  sd: number;
  runs: number;
}

export interface CapacityTrend {
  reading: string;
  /** Spearman ρ with hidden size and its p-value; null below 5 runs ("too few runs", see `interval.note`). */
  rho: number | null;
  p: number | null;
  n: number;
  degenerate?: string;
  /** ρ with its Fisher-z 95% interval ("too few runs" below 5). */
  interval: IntervalSummary;
}

export interface WindowRow {
  window: "early" | "late";
  /** Trained epochs in the window. */
  epochs: [number, number];
  languageMeasure: string;
  /** Partial Spearman with compositional accuracy, controlling for hidden size. */
  partial: IntervalSummary;
  /** Spearman with compositional accuracy within each hidden size. */
  perSize: { hiddenSize: number; summary: IntervalSummary }[];
  /** The measure's window mean over runs, bootstrap interval. */
  mean: IntervalSummary;
}

export interface EmergentSummary {
  correction: Correction;
  /** Early/late window statistics (empty before every run has trained an epoch). */
  windows: WindowRow[];
  correlations: CorrelationRow[];
  capacity: CapacityRow[];
  capacityTrend: CapacityTrend[];
  /** Last epoch per run with its headline numbers. */
  finalByRun: Record<string, Record<string, number>>;
}

export interface RunMeta {
  run: string;
  seed: number;
  hiddenSize: number;
}

/** Per run, per epoch: measure values (split-level accuracies as "split.measure"). */
export function indexRows(
  rows: readonly ResultRow[],
): Map<string, { meta: RunMeta; epochs: Map<number, Record<string, number>> }> {
  const runs = new Map<string, { meta: RunMeta; epochs: Map<number, Record<string, number>> }>();
  for (const row of rows) {
    if (
      typeof row.run !== "string" ||
      row.run === "summary" ||
      typeof row.epoch !== "number" ||
      typeof row.value !== "number"
    )
      continue;
    if (row.role !== undefined) continue;
    let entry = runs.get(row.run);
    if (!entry) {
      entry = {
        meta: { run: row.run, seed: row.seed as number, hiddenSize: row.hiddenSize as number },
        epochs: new Map(),
      };
      runs.set(row.run, entry);
    }
    let values = entry.epochs.get(row.epoch);
    if (!values) entry.epochs.set(row.epoch, (values = {}));
    values[typeof row.split === "string" ? `${row.split}.${row.measure}` : row.measure] = row.value;
  }
  return runs;
}

function meanSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}

export function summariseEmergent(
  rows: readonly ResultRow[],
  correction: Correction = "benjamini-hochberg",
): EmergentSummary {
  const runs = [...indexRows(rows).values()];
  const correlations: CorrelationRow[] = [];
  // Epochs every run has reached.
  const epochs = runs.length
    ? [...runs[0]!.epochs.keys()].filter((e) => runs.every((r) => r.epochs.has(e))).sort((a, b) => a - b)
    : [];
  for (const target of TARGETS) {
    const family: CorrelationRow[] = [];
    for (const epoch of epochs) {
      for (const m of LANGUAGE_MEASURES) {
        const xs: number[] = [];
        const ys: number[] = [];
        for (const r of runs) {
          const v = r.epochs.get(epoch)!;
          const x = v[m];
          const y = v[`compositional.${target}`];
          if (x !== undefined && y !== undefined) {
            xs.push(x);
            ys.push(y);
          }
        }
        if (xs.length === 0) continue;
        const interval = spearmanWithInterval(`spearman(${m}, compositional.${target}) at epoch ${epoch}`, xs, ys);
        const tooFew = interval.note === TOO_FEW_RUNS;
        const t = tooFew ? undefined : spearmanTest(xs, ys);
        family.push({
          epoch,
          languageMeasure: m,
          target: `compositional.${target}`,
          rho: t ? t.value : null,
          p: t ? t.p : null,
          pAdjusted: t ? t.p : null,
          n: xs.length,
          interval,
          ...(t?.degenerate ? { degenerate: t.degenerate } : {}),
        });
      }
    }
    // The correction runs over the rows that have a p (too-few-runs rows test nothing).
    const tested = family.filter((c) => c.p !== null);
    const adjusted = adjustPValues(
      tested.map((c) => c.p!),
      correction,
    );
    tested.forEach((c, i) => (c.pAdjusted = adjusted[i]!));
    correlations.push(...family);
  }

  const finalByRun: EmergentSummary["finalByRun"] = {};
  const finals: { meta: RunMeta; values: Record<string, number> }[] = [];
  for (const r of runs) {
    const last = Math.max(...r.epochs.keys());
    const values = { epoch: last, seed: r.meta.seed, hiddenSize: r.meta.hiddenSize, ...r.epochs.get(last)! };
    finalByRun[r.meta.run] = values;
    finals.push({ meta: r.meta, values });
  }
  const capacity: CapacityRow[] = [];
  const capacityTrend: CapacityTrend[] = [];
  const hiddenSizes = [...new Set(finals.map((f) => f.meta.hiddenSize))].sort((a, b) => a - b);
  for (const [reading, read] of Object.entries(REGULARITY)) {
    const usable = finals.filter((f) => Number.isFinite(read(f.values)));
    for (const h of hiddenSizes) {
      const vals = usable.filter((f) => f.meta.hiddenSize === h).map((f) => read(f.values));
      if (vals.length) capacity.push({ hiddenSize: h, reading, ...meanSd(vals), runs: vals.length });
    }
    if (usable.length) {
      const sizes = usable.map((f) => f.meta.hiddenSize);
      const values = usable.map((f) => read(f.values));
      const t = spearmanTest(sizes, values);
      const interval = spearmanWithInterval(`spearman(hiddenSize, ${reading})`, sizes, values);
      const tooFew = interval.note === TOO_FEW_RUNS;
      capacityTrend.push({
        reading,
        rho: tooFew ? null : t.value,
        p: tooFew ? null : t.p,
        n: t.n,
        ...(t.degenerate ? { degenerate: t.degenerate } : {}),
        interval,
      });
    }
  }
  return { correction, correlations, capacity, capacityTrend, finalByRun, windows: windowRows(runs) };
}

const TARGET = "compositional.accuracy";

/** One value of a run's epochs, as epoch → value (epochs without it left out). */
export function measureSeries(epochs: ReadonlyMap<number, Record<string, number>>, key: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const [e, v] of epochs) if (typeof v[key] === "number") out.set(e, v[key]!);
  return out;
}

/**
 * Per run with both series complete over the window: its window mean of `measure` (x) and of
 * `target` (y), and its hidden size (h).
 */
export function windowPairs(
  runs: readonly { meta: RunMeta; epochs: ReadonlyMap<number, Record<string, number>> }[],
  measure: string,
  target: string,
  epochs: readonly number[],
): { x: number[]; y: number[]; h: number[] } {
  const out = { x: [] as number[], y: [] as number[], h: [] as number[] };
  for (const r of runs) {
    const x = windowMean(measureSeries(r.epochs, measure), epochs);
    const y = windowMean(measureSeries(r.epochs, target), epochs);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    out.x.push(x);
    out.y.push(y);
    out.h.push(r.meta.hiddenSize);
  }
  return out;
}

function windowRows(runs: { meta: RunMeta; epochs: Map<number, Record<string, number>> }[]): WindowRow[] {
  const lastEpoch = runs.length ? Math.min(...runs.map((r) => Math.max(...r.epochs.keys()))) : 0;
  if (lastEpoch < 1) return [];
  const windows = epochWindows(lastEpoch);
  const series = (r: (typeof runs)[number], key: string) => measureSeries(r.epochs, key);
  const out: WindowRow[] = [];
  for (const window of ["early", "late"] as const) {
    const epochs = windows[window];
    for (const m of LANGUAGE_MEASURES) {
      const { x, y, h } = windowPairs(runs, m, TARGET, epochs);
      if (x.length === 0) continue;
      const name = `${m} vs ${TARGET}, ${window} epochs ${epochs[0]}-${epochs.at(-1)}`;
      out.push({
        window,
        epochs: [epochs[0]!, epochs.at(-1)!],
        languageMeasure: m,
        partial: partialSpearmanWithInterval(`partial spearman(${name} | hiddenSize)`, x, y, h),
        perSize: spearmanPerGroup(`spearman(${name})`, x, y, h).map((g) => ({
          hiddenSize: g.group,
          summary: g.summary,
        })),
        mean: windowSummary(
          `${window} mean ${m}`,
          runs.map((r) => series(r, m)),
          epochs,
        ),
      });
    }
  }
  return out;
}

/** Tidy rows of one interval summary (estimate, low, high; null without an estimate). */
function intervalRows(base: Record<string, unknown>, name: string, s: IntervalSummary): ResultRow[] {
  const common = {
    experiment: "emergent",
    run: "summary",
    ...base,
    runs: s.n,
    interval: s.method,
    ...(s.note ? { note: s.note } : {}),
    ...(s.excludesZero === null ? {} : { excludesZero: s.excludesZero }),
  };
  return [
    { ...common, measure: name, value: s.estimate },
    { ...common, measure: `${name}Low`, value: s.interval95?.[0] ?? null },
    { ...common, measure: `${name}High`, value: s.interval95?.[1] ?? null },
  ];
}

/** The summary as tidy rows (run "summary") for the results journal. */
export function summaryRows(summary: EmergentSummary): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const c of summary.correlations) {
    const base = {
      experiment: "emergent",
      run: "summary",
      epoch: c.epoch,
      languageMeasure: c.languageMeasure,
      target: c.target,
      runs: c.n,
      ...(c.degenerate ? { degenerate: c.degenerate } : {}),
      rhoLow: c.interval.interval95?.[0] ?? null,
      rhoHigh: c.interval.interval95?.[1] ?? null,
      excludesZero: c.interval.excludesZero,
      interval: c.interval.method,
      ...(c.interval.note ? { note: c.interval.note } : {}),
    };
    rows.push({ ...base, measure: "spearmanRho", value: c.rho });
    rows.push({ ...base, measure: "spearmanP", value: c.p });
    rows.push({ ...base, measure: "spearmanPAdjusted", correction: summary.correction, value: c.pAdjusted });
  }
  for (const c of summary.capacity) {
    rows.push({
      experiment: "emergent",
      run: "summary",
      hiddenSize: c.hiddenSize,
      reading: c.reading,
      runs: c.runs,
      measure: "capacityMean",
      value: c.mean,
    });
    rows.push({
      experiment: "emergent",
      run: "summary",
      hiddenSize: c.hiddenSize,
      reading: c.reading,
      runs: c.runs,
      measure: "capacitySd",
      value: c.sd,
    });
  }
  for (const t of summary.capacityTrend) {
    const base = {
      experiment: "emergent",
      run: "summary",
      reading: t.reading,
      runs: t.n,
      ...(t.degenerate ? { degenerate: t.degenerate } : {}),
      ...(t.rho === null ? { note: t.interval.note } : {}),
    };
    rows.push({ ...base, measure: "hiddenSizeSpearmanRho", value: t.rho });
    rows.push({ ...base, measure: "hiddenSizeSpearmanP", value: t.p });
    rows.push(...intervalRows({ reading: t.reading }, "hiddenSizeSpearman", t.interval));
  }
  for (const w of summary.windows) {
    const base = {
      window: w.window,
      firstEpoch: w.epochs[0],
      lastEpoch: w.epochs[1],
      languageMeasure: w.languageMeasure,
    };
    rows.push(...intervalRows({ ...base, target: TARGET }, "windowPartialSpearman", w.partial));
    for (const g of w.perSize)
      rows.push(...intervalRows({ ...base, target: TARGET, hiddenSize: g.hiddenSize }, "windowSpearman", g.summary));
    rows.push(...intervalRows(base, "windowMean", w.mean));
  }
  return rows;
}

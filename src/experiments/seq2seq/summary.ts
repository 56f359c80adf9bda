/**
 * Reading the two phases off a seq2seq run's journal (METHODS §6.2), per run:
 * - the phase change is placed at the step where information (the efficiency of H(Z) of
 *   the last encoder layer) peaks;
 * - phase 1 (up to the peak): does information, token regularity and token
 *   disentanglement rise while the loss falls? Measured from the trough — the step of
 *   least information before the peak — because the first few updates collapse the
 *   random-initialisation representation (information, regularity and disentanglement all
 *   drop) before the rise begins;
 * - phase 2 (after the peak): compression = information at the peak − at the last step,
 *   and the OOD accuracy gained meanwhile; within the run, Spearman's ρ between information
 *   and OOD accuracy over the steps from the peak on (negative: compression goes with
 *   generalisation).
 * Label-dependent measures are read bias-corrected when the journal has them (METHODS §5.1;
 * ../correctedRows.ts); information is a measure of Z alone and has no correction.
 * Intervals (METHODS §6.2): the peak step and compression of each run with a percentile
 * bootstrap over probe inputs (the `information-bootstrap` rows: the same resamples at every
 * step); across runs, Spearman's ρ of compression with final OOD (and iid) accuracy with a
 * Fisher-z interval, and the size trend (ρ of compression and of the peak step against the
 * model's parameter count, with p-value); fewer than 5 runs give "too few runs".
 * Pure (no I/O).
 */
import { spearman } from "../../mapping/spearman.js";
import { spearmanTest } from "../../stats/correlation.js";
import { percentileInterval95 } from "../../stats/bootstrap.js";
import { spearmanWithInterval } from "../../stats/rankCorrelation.js";
import { describeSummary, type IntervalSummary } from "../../stats/summary.js";
import { defaultView } from "../correctedRows.js";
import { BOOTSTRAP_MEASURE } from "./bootstrapInformation.js";

export interface JournalRow {
  run?: string;
  model?: string;
  seed?: number;
  regime?: string;
  step?: number;
  layer?: number | string;
  labelSet?: string;
  measure: string;
  value: number | null;
  [k: string]: unknown;
}

export interface RunSummary {
  run: string;
  model: string;
  regime: string;
  seed: number | null;
  layer: number | null;
  steps: number;
  peakStep: number | null;
  /** Step of least information at or before the peak (where phase 1 starts). */
  troughStep: number | null;
  informationStart: number | null;
  informationTrough: number | null;
  informationPeak: number | null;
  informationFinal: number | null;
  /** Information at the peak − at the last step (≥ 0). */
  compression: number | null;
  /** Percentile-bootstrap 95% intervals over probe inputs (null without bootstrap rows). */
  peakStepInterval: [number, number] | null;
  compressionInterval: [number, number] | null;
  /** Bootstrap resamples behind the intervals (0 without). */
  bootstrapResamples: number;
  /** Model width (the size coordinate) and parameter count, when the rows carry them. */
  width: number | null;
  parameters: number | null;
  lossStart: number | null;
  lossAtPeak: number | null;
  lossFinal: number | null;
  /** Token regularity and disentanglement (last layer) at the peak − at the trough. */
  regularityRise: number | null;
  disentanglementRise: number | null;
  iidFinal: number | null;
  oodAtPeak: number | null;
  oodFinal: number | null;
  /** Spearman ρ(information, OOD accuracy) over steps ≥ peak; null with fewer than 3 such steps. */
  rhoInformationOodAfterPeak: number | null;
  /** Phase 1 seen: information, token regularity and disentanglement rose from the trough to the peak while the loss fell. */
  phaseOne: boolean;
  /** Phase 2 seen: information fell by more than `minCompression` after its peak. */
  phaseTwo: boolean;
}

/** A correlation across runs: estimate with its 95% interval (stats/summary.ts) and the test's p-value. */
export type RunCorrelation = IntervalSummary & { p: number | null };

export interface Seq2seqSummary {
  runs: RunSummary[];
  /** Spearman ρ between compression and final OOD accuracy across runs ("too few runs" below 5). */
  compressionVsOod: RunCorrelation;
  /** The same against final iid accuracy (informative when OOD accuracy is flat, as on SCAN add-jump). */
  compressionVsIid: RunCorrelation;
  /** Size trends: Spearman ρ against log parameter count (rank-identical to width) of compression and peak step. */
  compressionVsSize: RunCorrelation;
  peakStepVsSize: RunCorrelation;
  /** Means over seeds per regime and model size ("larger models compress more"). */
  groups: GroupSummary[];
}

export interface GroupSummary {
  regime: string;
  model: string;
  runs: number;
  peakStep: number | null;
  compression: number | null;
  iidFinal: number | null;
  oodFinal: number | null;
}

function mean(values: (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function groupSummaries(runs: readonly RunSummary[]): GroupSummary[] {
  const groups = new Map<string, RunSummary[]>();
  for (const r of runs) {
    const key = `${r.regime}\u0000${r.model}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => ({
    regime: rs[0]!.regime,
    model: rs[0]!.model,
    runs: rs.length,
    peakStep: mean(rs.map((r) => r.peakStep)),
    compression: mean(rs.map((r) => r.compression)),
    iidFinal: mean(rs.map((r) => r.iidFinal)),
    oodFinal: mean(rs.map((r) => r.oodFinal)),
  }));
}

type Series = Map<number, number>;

function series(rows: readonly JournalRow[], pick: (r: JournalRow) => boolean): Series {
  const out: Series = new Map();
  for (const r of rows)
    if (pick(r) && typeof r.step === "number" && typeof r.value === "number" && Number.isFinite(r.value))
      out.set(r.step, r.value);
  return out;
}

const first = (s: Series): number | null => (s.size ? s.get(Math.min(...s.keys()))! : null);
const last = (s: Series): number | null => (s.size ? s.get(Math.max(...s.keys()))! : null);

/** The value at the measured step nearest to `step` from below (or null). */
function atOrBefore(s: Series, step: number): number | null {
  let best: number | null = null;
  let bestStep = -Infinity;
  for (const [k, v] of s) if (k <= step && k > bestStep) [best, bestStep] = [v, k];
  return best;
}

/** Peak step and compression of each bootstrap resample of the information trajectory. */
function bootstrapPhases(
  rows: readonly JournalRow[],
  layer: number | null,
): { peakSteps: number[]; compressions: number[] } {
  const byReplicate = new Map<number, Series>();
  for (const r of rows) {
    if (r.measure !== BOOTSTRAP_MEASURE || r.layer !== layer || typeof r.replicate !== "number") continue;
    if (typeof r.step !== "number" || typeof r.value !== "number") continue;
    const s = byReplicate.get(r.replicate) ?? new Map<number, number>();
    s.set(r.step, r.value);
    byReplicate.set(r.replicate, s);
  }
  const peakSteps: number[] = [];
  const compressions: number[] = [];
  for (const s of byReplicate.values()) {
    let peakStep = -1;
    for (const [step, v] of s) if (peakStep < 0 || v > s.get(peakStep)!) peakStep = step;
    peakSteps.push(peakStep);
    compressions.push(s.get(peakStep)! - last(s)!);
  }
  return { peakSteps, compressions };
}

function interval(values: number[]): [number, number] | null {
  return values.length >= 2 ? percentileInterval95(Float64Array.from(values).sort()) : null;
}

export function summariseRun(allRows: readonly JournalRow[], minCompression = 0.005): RunSummary {
  const rows = defaultView(allRows);
  const r0 = rows[0]!;
  const layers = rows
    .filter((r) => r.measure === "information" && typeof r.layer === "number")
    .map((r) => r.layer as number);
  const layer = layers.length ? Math.max(...layers) : null;
  const information = series(rows, (r) => r.measure === "information" && r.layer === layer);
  const loss = series(rows, (r) => r.measure === "loss");
  const regularity = series(
    rows,
    (r) => r.measure === "regularity-ln-n" && r.layer === layer && r.labelSet === "token",
  );
  const disentanglement = series(
    rows,
    (r) => r.measure === "disentanglement" && r.layer === layer && r.labelSet === "token",
  );
  const iid = series(rows, (r) => r.measure === "iidAccuracy");
  const ood = series(rows, (r) => r.measure === "oodAccuracy");
  let peakStep: number | null = null;
  for (const [step, v] of information) if (peakStep === null || v > information.get(peakStep)!) peakStep = step;
  const peak = peakStep === null ? null : information.get(peakStep)!;
  let troughStep: number | null = null;
  for (const [step, v] of information)
    if (step <= peakStep! && (troughStep === null || v < information.get(troughStep)!)) troughStep = step;
  const trough = troughStep === null ? null : information.get(troughStep)!;
  const final = last(information);
  const compression = peak !== null && final !== null ? peak - final : null;
  const rise = (s: Series): number | null => {
    if (peakStep === null || troughStep === null) return null;
    const atPeak = atOrBefore(s, peakStep);
    const atTrough = atOrBefore(s, troughStep);
    return atPeak === null || atTrough === null ? null : atPeak - atTrough;
  };
  let rho: number | null = null;
  if (peakStep !== null && ood.size) {
    const steps = [...information.keys()].filter((s) => s >= peakStep! && ood.has(s)).sort((a, b) => a - b);
    if (steps.length >= 3) {
      const result = spearman(
        steps.map((s) => information.get(s)!),
        steps.map((s) => ood.get(s)!),
      );
      rho = result.degenerate ? null : result.rho;
    }
  }
  const lossStart = first(loss);
  const lossAtPeak = peakStep === null ? null : atOrBefore(loss, peakStep);
  const lossAtTrough = troughStep === null ? null : (atOrBefore(loss, troughStep) ?? lossStart);
  const regularityRise = rise(regularity);
  const disentanglementRise = rise(disentanglement);
  const informationStart = first(information);
  const boot = bootstrapPhases(rows, layer);
  const numberOf = (key: string): number | null => {
    const found = rows.find((r) => typeof r[key] === "number");
    return found ? (found[key] as number) : null;
  };
  return {
    run: String(r0.run ?? ""),
    model: String(r0.model ?? ""),
    regime: String(r0.regime ?? ""),
    seed: typeof r0.seed === "number" ? r0.seed : null,
    layer,
    steps: Math.max(0, ...rows.map((r) => r.step ?? 0)),
    peakStep,
    troughStep,
    informationStart,
    informationTrough: trough,
    informationPeak: peak,
    informationFinal: final,
    compression,
    peakStepInterval: interval(boot.peakSteps),
    compressionInterval: interval(boot.compressions),
    bootstrapResamples: boot.peakSteps.length,
    width: numberOf("width"),
    parameters: rows.find((r) => r.measure === "parameters" && typeof r.value === "number")?.value ?? null,
    lossStart,
    lossAtPeak,
    lossFinal: last(loss),
    regularityRise,
    disentanglementRise,
    iidFinal: last(iid),
    oodAtPeak: peakStep === null ? null : atOrBefore(ood, peakStep),
    oodFinal: last(ood),
    rhoInformationOodAfterPeak: rho,
    phaseOne:
      peak !== null &&
      trough !== null &&
      peak > trough &&
      (regularityRise ?? 0) > 0 &&
      (disentanglementRise ?? 0) > 0 &&
      (lossAtTrough === null || lossAtPeak === null || lossAtPeak <= lossAtTrough),
    phaseTwo:
      compression !== null &&
      compression > minCompression &&
      peakStep !== null &&
      peakStep < Math.max(...information.keys()),
  };
}

/** The rows of each run (rows without a run are left out), runs in journal order. */
export function rowsByRun(rows: readonly JournalRow[]): Map<string, JournalRow[]> {
  const byRun = new Map<string, JournalRow[]>();
  for (const r of rows) {
    if (typeof r.run !== "string") continue;
    const list = byRun.get(r.run);
    if (list) list.push(r);
    else byRun.set(r.run, [r]);
  }
  return byRun;
}

/** Groups the journal by run and summarises each; then correlates compression with OOD accuracy across runs. */
export function summariseSeq2seq(rows: readonly JournalRow[]): Seq2seqSummary {
  const runs = [...rowsByRun(rows).values()].map((rs) => summariseRun(rs));
  // Spearman is rank-based: against log parameter count it equals against the parameter count or the width.
  const size = (r: RunSummary): number | null => r.parameters ?? r.width;
  return {
    runs,
    compressionVsOod: correlateRuns(
      runs,
      "compression",
      (r) => r.compression,
      "final OOD accuracy",
      (r) => r.oodFinal,
    ),
    compressionVsIid: correlateRuns(
      runs,
      "compression",
      (r) => r.compression,
      "final iid accuracy",
      (r) => r.iidFinal,
    ),
    compressionVsSize: correlateRuns(runs, "log parameters", size, "compression", (r) => r.compression),
    peakStepVsSize: correlateRuns(runs, "log parameters", size, "peak step", (r) => r.peakStep),
    groups: groupSummaries(runs),
  };
}

/** Spearman ρ of two per-run quantities over the runs that have both, with interval and p-value. */
export function correlateRuns(
  runs: readonly RunSummary[],
  xName: string,
  x: (r: RunSummary) => number | null,
  yName: string,
  y: (r: RunSummary) => number | null,
): RunCorrelation {
  const paired = runs.filter((r) => x(r) !== null && y(r) !== null);
  const xs = paired.map((r) => x(r)!);
  const ys = paired.map((r) => y(r)!);
  const summary = spearmanWithInterval(`spearman(${xName}, ${yName})`, xs, ys);
  return { ...summary, p: summary.estimate === null ? null : spearmanTest(xs, ys).p };
}

/** One plain-language line per run naming where the phases are. */
export function describeRun(s: RunSummary): string {
  const pct = (v: number | null): string => (v === null ? "n/a" : `${(100 * v).toFixed(1)}%`);
  const num = (v: number | null, digits = 3): string => (v === null ? "n/a" : v.toFixed(digits));
  const phases =
    s.phaseOne && s.phaseTwo
      ? "both phases"
      : s.phaseOne
        ? "phase 1 only (no compression after the peak)"
        : s.phaseTwo
          ? "compression without a clear phase 1"
          : "no clear phases";
  return (
    `${s.run}: information falls to its trough at step ${s.troughStep ?? "n/a"}, peaks at step ${s.peakStep ?? "n/a"}${s.peakStepInterval ? ` [95% ${s.peakStepInterval[0]}–${s.peakStepInterval[1]}]` : ""} (${num(s.informationStart)} → ${num(s.informationTrough)} → ${num(s.informationPeak)} → ${num(s.informationFinal)} at step ${s.steps}; ` +
    `token regularity ${s.regularityRise === null ? "n/a" : `${s.regularityRise >= 0 ? "+" : ""}${s.regularityRise.toFixed(3)}`}, disentanglement ${s.disentanglementRise === null ? "n/a" : `${s.disentanglementRise >= 0 ? "+" : ""}${s.disentanglementRise.toFixed(3)}`} trough→peak; ` +
    `compression ${num(s.compression)}${s.compressionInterval ? ` [${num(s.compressionInterval[0])}, ${num(s.compressionInterval[1])}]` : ""}); loss ${num(s.lossStart)} → ${num(s.lossFinal)}; iid ${pct(s.iidFinal)}, OOD ${pct(s.oodAtPeak)} at the peak → ${pct(s.oodFinal)}; ` +
    `ρ(information, OOD) after the peak ${num(s.rhoInformationOodAfterPeak, 2)}; ${phases}`
  );
}

/** Plain-language correlations across runs: compression with final accuracy, and the size trends. */
export function correlationText(summary: Seq2seqSummary): string {
  const part = (c: RunCorrelation): string =>
    `${describeSummary(c)}${c.p === null ? "" : `, p = ${c.p.toPrecision(2)}`}`;
  return [summary.compressionVsOod, summary.compressionVsIid, summary.compressionVsSize, summary.peakStepVsSize]
    .map(part)
    .join("; ");
}

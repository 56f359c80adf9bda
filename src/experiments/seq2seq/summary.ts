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
 * Across runs: Spearman's ρ between second-phase compression and final OOD accuracy.
 * Pure (no I/O).
 */
import { spearman } from "../../mapping/spearman.js";

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

export interface Seq2seqSummary {
  runs: RunSummary[];
  /** Spearman ρ between compression and final OOD accuracy across runs (null if < 3 runs with both, or a constant). */
  compressionVsOod: { rho: number; n: number } | null;
  /** The same against final iid accuracy (informative when OOD accuracy is flat, as on SCAN add-jump). */
  compressionVsIid: { rho: number; n: number } | null;
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

export function summariseRun(rows: readonly JournalRow[], minCompression = 0.005): RunSummary {
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

/** Groups the journal by run and summarises each; then correlates compression with OOD accuracy across runs. */
export function summariseSeq2seq(rows: readonly JournalRow[]): Seq2seqSummary {
  const byRun = new Map<string, JournalRow[]>();
  for (const r of rows) {
    if (typeof r.run !== "string") continue;
    const list = byRun.get(r.run);
    if (list) list.push(r);
    else byRun.set(r.run, [r]);
  }
  const runs = [...byRun.values()].map((rs) => summariseRun(rs));
  const correlate = (accuracy: (r: RunSummary) => number | null): { rho: number; n: number } | null => {
    const paired = runs.filter((r) => r.compression !== null && accuracy(r) !== null);
    if (paired.length < 3) return null;
    const result = spearman(
      paired.map((r) => r.compression!),
      paired.map((r) => accuracy(r)!),
    );
    return result.degenerate ? null : { rho: result.rho, n: result.n };
  };
  return {
    runs,
    compressionVsOod: correlate((r) => r.oodFinal),
    compressionVsIid: correlate((r) => r.iidFinal),
    groups: groupSummaries(runs),
  };
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
    `${s.run}: information falls to its trough at step ${s.troughStep ?? "n/a"}, peaks at step ${s.peakStep ?? "n/a"} (${num(s.informationStart)} → ${num(s.informationTrough)} → ${num(s.informationPeak)} → ${num(s.informationFinal)} at step ${s.steps}; ` +
    `token regularity ${s.regularityRise === null ? "n/a" : `${s.regularityRise >= 0 ? "+" : ""}${s.regularityRise.toFixed(3)}`}, disentanglement ${s.disentanglementRise === null ? "n/a" : `${s.disentanglementRise >= 0 ? "+" : ""}${s.disentanglementRise.toFixed(3)}`} trough→peak; ` +
    `compression ${num(s.compression)}); loss ${num(s.lossStart)} → ${num(s.lossFinal)}; iid ${pct(s.iidFinal)}, OOD ${pct(s.oodAtPeak)} at the peak → ${pct(s.oodFinal)}; ` +
    `ρ(information, OOD) after the peak ${num(s.rhoInformationOodAfterPeak, 2)}; ${phases}`
  );
}

/** Plain-language correlation of second-phase compression with final accuracy across runs. */
export function correlationText(summary: Seq2seqSummary): string {
  const part = (name: string, c: Seq2seqSummary["compressionVsOod"]): string =>
    c
      ? `Spearman ρ(second-phase compression, final ${name} accuracy) = ${c.rho.toFixed(3)} over ${c.n} runs`
      : `no ${name} correlation (fewer than 3 runs, or the accuracy or compression is constant across runs)`;
  return `${part("OOD", summary.compressionVsOod)}; ${part("iid", summary.compressionVsIid)}.`;
}

/**
 * Positional and bag-of-symbols disentanglement (Chaabouni et al. 2020; METHODS §3.3).
 *
 * Each "unit" of the signal — a position (posdis) or the count of one symbol in the signal
 * (bosdis) — with entropy h > 0 scores (I₁ − I₂) / h, where I₁ ≥ I₂ are the two largest
 * mutual informations between the unit and any role; the measure is the mean over such
 * units. Constant units (h = 0) are left out, as in the published code. With a single role,
 * I₂ = 0. When no unit varies the measure is undefined; it is reported as 0 with counted = 0
 * (the published code divides by zero there).
 */
import { contingencyTable, entropy, mutualInformation } from "../info/index.js";
import { type DiscreteMapping, validateMapping } from "./types.js";

export interface InformationGapResult {
  /** Mean gap over the units with h > 0 (0 when there are none). */
  value: number;
  /** Gap (I₁ − I₂) / h of each unit; 0 for constant units. */
  gaps: number[];
  /** Units with h > 0 (those averaged). */
  counted: number;
}

export interface BosdisOptions {
  /**
   * Symbol codes whose counts are not scored. Default none (every symbol of the alphabet,
   * pad included, METHODS §3.1); EGG's published bosdis leaves out its EOS symbol 0.
   */
  excludeSymbols?: readonly number[];
}

/** Column r of the meanings (atom codes of role r over the rows). */
export function roleColumn(m: DiscreteMapping, r: number): Int32Array {
  const R = m.roles.length;
  const out = new Int32Array(m.size);
  for (let i = 0; i < m.size; i++) out[i] = m.meanings[i * R + r]!;
  return out;
}

/** Column p of the signals (symbol codes at position p over the rows). */
export function positionColumn(m: DiscreteMapping, p: number): Int32Array {
  const out = new Int32Array(m.size);
  for (let i = 0; i < m.size; i++) out[i] = m.signals[i * m.length + p]!;
  return out;
}

/** I(role r; unit) for every role: a roles-long array, in nats. */
export function informationWithRoles(roleColumns: readonly Int32Array[], unit: Int32Array): number[] {
  return roleColumns.map((roleValues) => Math.max(0, mutualInformation(contingencyTable(unit, roleValues))));
}

/** Entropy (nats) of a column of integer codes. */
export function columnEntropy(values: Int32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  const counts = new Float64Array(max + 1);
  for (let i = 0; i < values.length; i++) counts[values[i]!]! += 1;
  return entropy(counts);
}

/** The information gap of Chaabouni et al. over a set of units (integer-coded columns). */
export function informationGap(roleColumns: readonly Int32Array[], units: readonly Int32Array[]): InformationGapResult {
  const gaps: number[] = [];
  let sum = 0;
  let counted = 0;
  for (const unit of units) {
    const h = columnEntropy(unit);
    if (!(h > 0)) {
      gaps.push(0);
      continue;
    }
    const info = informationWithRoles(roleColumns, unit).sort((a, b) => b - a);
    const gap = (info[0]! - (info[1] ?? 0)) / h;
    gaps.push(gap);
    sum += gap;
    counted++;
  }
  return { value: counted > 0 ? sum / counted : 0, gaps, counted };
}

function roleColumns(m: DiscreteMapping): Int32Array[] {
  return m.roles.map((_, r) => roleColumn(m, r));
}

/** Positional disentanglement: units are the L signal positions. */
export function posdis(m: DiscreteMapping): InformationGapResult {
  validateMapping(m);
  const positions = Array.from({ length: m.length }, (_, p) => positionColumn(m, p));
  return informationGap(roleColumns(m), positions);
}

/**
 * Bag-of-symbols disentanglement: units are, for each symbol c of the alphabet, the number of
 * times c occurs in the signal. `gaps` is indexed by symbol code (0 for excluded symbols).
 */
export function bosdis(m: DiscreteMapping, options: BosdisOptions = {}): InformationGapResult {
  validateMapping(m);
  const C = m.alphabet.length;
  const excluded = new Set(options.excludeSymbols ?? []);
  for (const c of excluded) {
    if (!Number.isInteger(c) || c < 0 || c >= C)
      throw new RangeError(`excluded symbol code ${c} is outside the alphabet of ${C}`);
  }
  const counts = Array.from({ length: C }, () => new Int32Array(m.size));
  for (let i = 0; i < m.size; i++) {
    for (let p = 0; p < m.length; p++) counts[m.signals[i * m.length + p]!]![i]! += 1;
  }
  const kept = counts.filter((_, c) => !excluded.has(c));
  const result = informationGap(roleColumns(m), kept);
  // re-index the gaps by symbol code
  const gaps = new Array<number>(C).fill(0);
  let k = 0;
  for (let c = 0; c < C; c++) if (!excluded.has(c)) gaps[c] = result.gaps[k++]!;
  return { ...result, gaps };
}

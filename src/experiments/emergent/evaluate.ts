/**
 * One epoch's evaluation of a trained pair: game accuracy on each split (all roles and per
 * role, receiver reading the sender's greedy signals) and every METHODS §3 measure of the
 * language — the greedy signals for the full meaning space — as tidy rows. Pure (no I/O).
 */
import { gameAccuracy } from "../../mapping/accuracy.js";
import { alphabetSymbols } from "../../mapping/meaningSpace.js";
import { MEASURE_NAMES, measureMapping, type MeasureOptions, type MeasureValues } from "../../mapping/measureAll.js";
import type { DiscreteMapping } from "../../mapping/types.js";
import type { Splits } from "./splits.js";
import type { Language } from "./trainer.js";

/** A row before the run's coordinates (experiment, run, seed, epoch, hidden size) are added. */
export interface MeasureRow {
  measure: string;
  value: number | null;
  split?: string;
  role?: string;
  [coordinate: string]: unknown;
}

export interface GameSpace {
  roleNames: string[];
  atoms: number[];
  alphabetSize: number;
  signalLength: number;
  /** All meanings, N × R. */
  meanings: Int32Array;
  splits: Splits;
  /** Atom names per role (from split files); default `${role}${code}`. */
  atomNames?: string[][];
}

export interface Evaluation {
  rows: MeasureRow[];
  /** All-roles accuracy per split. */
  accuracy: { train: number; iid: number; compositional: number };
  values: MeasureValues;
  wordOrder: string[];
  distinctSignals: number;
}

export const SPLIT_NAMES = ["train", "iid", "compositional"] as const;

/** The language as a DiscreteMapping over the full meaning space (no pad: fixed-length signals). */
export function languageMapping(space: GameSpace, signals: Int32Array): DiscreteMapping {
  return {
    roles: space.roleNames.map((name, r) => ({
      name,
      atoms: space.atomNames?.[r] ?? Array.from({ length: space.atoms[r]! }, (_, a) => `${name}${a}`),
    })),
    alphabet: alphabetSymbols(space.alphabetSize),
    length: space.signalLength,
    size: space.meanings.length / space.atoms.length,
    meanings: space.meanings,
    signals,
  };
}

/** Distinct signals divided by meanings (1: every meaning has a signal of its own). */
export function distinctSignalRate(signals: Int32Array, length: number): number {
  const n = signals.length / length;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(signals.subarray(i * length, (i + 1) * length).join(","));
  return n === 0 ? 0 : seen.size / n;
}

function subset(values: Int32Array, rows: Int32Array, width: number): Int32Array {
  const out = new Int32Array(rows.length * width);
  rows.forEach((i, k) => out.set(values.subarray(i * width, (i + 1) * width), k * width));
  return out;
}

export async function evaluateLanguage(
  space: GameSpace,
  language: Language,
  measureOptions: MeasureOptions = {},
): Promise<Evaluation> {
  const R = space.atoms.length;
  const rows: MeasureRow[] = [];
  const accuracy = { train: 0, iid: 0, compositional: 0 };
  for (const split of SPLIT_NAMES) {
    const idx = space.splits[split];
    if (idx.length === 0) continue;
    const acc = gameAccuracy(subset(language.predictions, idx, R), subset(space.meanings, idx, R), R);
    accuracy[split] = acc.allCorrect;
    rows.push({ split, measure: "accuracy", value: acc.allCorrect });
    rows.push({ split, measure: "meanRoleAccuracy", value: acc.meanRole });
    acc.perRole.forEach((value, r) => rows.push({ split, role: space.roleNames[r]!, measure: "roleAccuracy", value }));
  }
  const mapping = languageMapping(space, language.signals);
  const measured = await measureMapping(mapping, measureOptions);
  for (const name of MEASURE_NAMES) {
    const value = measured.values[name];
    if (name === "accuracy" || value === null) continue;
    rows.push({ measure: name, value });
  }
  const distinctSignals = distinctSignalRate(language.signals, space.signalLength);
  rows.push({ measure: "distinctSignals", value: distinctSignals });
  rows.push({ measure: "wordOrder", value: null, wordOrder: measured.wordOrder.join(" ") });
  return { rows, accuracy, values: measured.values, wordOrder: measured.wordOrder, distinctSignals };
}

/** Test helper: a DiscreteMapping from readable rows (atom codes, signal as one-char symbols). */
import type { DiscreteMapping } from "../../src/mapping/types.js";

export function mappingFromRows(
  roles: { name: string; atoms: string[] }[],
  alphabet: string,
  rows: [number[], string][],
  padSymbol?: string,
): DiscreteMapping {
  const length = rows[0]?.[1].length ?? 1;
  const symbols = alphabet.split("");
  const meanings = new Int32Array(rows.length * roles.length);
  const signals = new Int32Array(rows.length * length);
  rows.forEach(([atoms, signal], i) => {
    if (signal.length !== length) throw new Error(`row ${i}: signal length ${signal.length} ≠ ${length}`);
    meanings.set(atoms, i * roles.length);
    signal.split("").forEach((s, p) => {
      const c = symbols.indexOf(s);
      if (c < 0) throw new Error(`row ${i}: symbol ${s} not in alphabet`);
      signals[i * length + p] = c;
    });
  });
  return {
    roles,
    alphabet: symbols,
    length,
    size: rows.length,
    meanings,
    signals,
    ...(padSymbol !== undefined ? { padSymbol: symbols.indexOf(padSymbol) } : {}),
  };
}

/** Test helper: a DiscreteMapping from explicit code rows (small cases and fast-check). */
export function mappingOf(
  meanings: number[][],
  signals: number[][],
  atoms: number[],
  alphabetSize: number,
  padSymbol?: number,
): DiscreteMapping {
  return {
    roles: atoms.map((n, r) => ({ name: `r${r}`, atoms: Array.from({ length: n }, (_, a) => `a${a}`) })),
    alphabet: Array.from({ length: alphabetSize }, (_, c) => `s${c}`),
    length: signals[0]!.length,
    size: meanings.length,
    meanings: Int32Array.from(meanings.flat()),
    signals: Int32Array.from(signals.flat()),
    ...(padSymbol === undefined ? {} : { padSymbol }),
  };
}

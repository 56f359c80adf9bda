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

/**
 * A discrete mapping from meanings (tuples of role atoms) to fixed-length signals.
 * Everything is stored as integer codes in flat row-major arrays, so measures run over
 * typed arrays without per-row objects.
 */

export interface Role {
  name: string;
  /** Atom names; an atom's code is its index here. |A_r| = atoms.length. */
  atoms: string[];
}

export interface DiscreteMapping {
  roles: Role[];
  /**
   * The declared alphabet; a symbol's code is its index. |C| = alphabet.length counts every
   * declared symbol, used or not (the ln|C| normalisers depend on it). Pad, when present,
   * is an ordinary symbol of the alphabet (METHODS §3.1).
   */
  alphabet: string[];
  /** Signal length L (all signals padded to it). */
  length: number;
  /** Number of rows N. */
  size: number;
  /** N × R atom codes, row-major. */
  meanings: Int32Array;
  /** N × L symbol codes, row-major. */
  signals: Int32Array;
  /** The pad symbol's code, if signals were padded. */
  padSymbol?: number;
}

/** Atom code of role r in row i. */
export function atomAt(m: DiscreteMapping, i: number, r: number): number {
  return m.meanings[i * m.roles.length + r]!;
}

/** Symbol code at position p of row i. */
export function symbolAt(m: DiscreteMapping, i: number, p: number): number {
  return m.signals[i * m.length + p]!;
}

/** Checks shapes and code ranges; throws RangeError naming the first bad row. */
export function validateMapping(m: DiscreteMapping): void {
  const R = m.roles.length;
  if (R === 0) throw new RangeError("a mapping needs at least one role");
  if (m.length <= 0) throw new RangeError(`signal length must be positive, got ${m.length}`);
  if (m.meanings.length !== m.size * R)
    throw new RangeError(`meanings hold ${m.meanings.length} codes, expected ${m.size} × ${R}`);
  if (m.signals.length !== m.size * m.length)
    throw new RangeError(`signals hold ${m.signals.length} codes, expected ${m.size} × ${m.length}`);
  for (let i = 0; i < m.size; i++) {
    for (let r = 0; r < R; r++) {
      const a = m.meanings[i * R + r]!;
      if (a < 0 || a >= m.roles[r]!.atoms.length)
        throw new RangeError(
          `row ${i}: role "${m.roles[r]!.name}" has atom code ${a}, outside 0..${m.roles[r]!.atoms.length - 1}`,
        );
    }
    for (let p = 0; p < m.length; p++) {
      const c = m.signals[i * m.length + p]!;
      if (c < 0 || c >= m.alphabet.length)
        throw new RangeError(
          `row ${i}: symbol code ${c} at position ${p} is outside the alphabet of ${m.alphabet.length}`,
        );
    }
  }
}

/**
 * Residual entropy (Resnick et al. 2019, generalised to any meaning space and alphabet;
 * METHODS §3.3).
 *
 * 1. Each signal position p is assigned to the role it is most informative about,
 *    argmax_r I(role r; symbol at p); exact ties (within 1e-12 relative) go to the lowest role
 *    index — so a constant position (I = 0 with every role) goes to role 0, where it changes
 *    nothing.
 * 2. For each role r, with S_r the tuple of symbols at the positions assigned to r:
 *    H(role r's atom | S_r) / ln |A_r|, using the declared number of atoms |A_r|.
 * 3. The measure is the mean over roles.
 *
 * 0 when every role is determined by its own positions; 1 when they tell nothing about it
 * (for a uniformly distributed role). Plug-in counts only: no pseudo-counts, and no
 * hard-coded ln 25 (both are in the published code).
 *
 * A role with no assigned position is explained by nothing: its term is H(role r) / ln |A_r|
 * (the conditional entropy given the empty tuple). A role with a single declared atom has
 * nothing to explain: its term is 0 (ln 1 = 0 cannot normalise), and it still counts in the
 * mean.
 */
import { conditionalEntropy, contingencyTable, efficiency } from "../info/index.js";
import { informationWithRoles, positionColumn, roleColumn } from "./disentanglement.js";
import { type DiscreteMapping, validateMapping } from "./types.js";

export interface ResidualEntropyResult {
  value: number;
  /** Normalised H(role | its positions' symbols), per role. */
  perRole: number[];
  /** The role each position was assigned to. */
  assignment: number[];
}

const TIE_TOLERANCE = 1e-12;

/** argmax with ties (within a relative tolerance) to the lowest index. */
function firstArgmax(values: readonly number[]): number {
  let best = 0;
  for (let r = 1; r < values.length; r++) {
    if (values[r]! > values[best]! + TIE_TOLERANCE * Math.max(1, Math.abs(values[best]!))) best = r;
  }
  return best;
}

/**
 * Dense ids 0..k−1 of the rows' symbol tuples at the given positions (one id per distinct
 * tuple); all rows share id 0 when there are no positions.
 */
export function tupleIds(m: DiscreteMapping, positions: readonly number[]): Int32Array {
  const ids = new Int32Array(m.size);
  const C = m.alphabet.length;
  for (const p of positions) {
    // (id so far, symbol) → new dense id; id < size, so id·C + symbol is an exact integer
    const relabel = new Map<number, number>();
    for (let i = 0; i < m.size; i++) {
      const key = ids[i]! * C + m.signals[i * m.length + p]!;
      let next = relabel.get(key);
      if (next === undefined) {
        next = relabel.size;
        relabel.set(key, next);
      }
      ids[i] = next;
    }
  }
  return ids;
}

export function residualEntropy(m: DiscreteMapping): ResidualEntropyResult {
  validateMapping(m);
  const R = m.roles.length;
  const roles = m.roles.map((_, r) => roleColumn(m, r));
  const assignment: number[] = [];
  for (let p = 0; p < m.length; p++) assignment.push(firstArgmax(informationWithRoles(roles, positionColumn(m, p))));
  const perRole = roles.map((atoms, r) => {
    const positions = assignment.flatMap((role, p) => (role === r ? [p] : []));
    const h = conditionalEntropy(contingencyTable(tupleIds(m, positions), atoms));
    return efficiency(h, m.roles[r]!.atoms.length);
  });
  return { value: perRole.reduce((a, b) => a + b, 0) / R, perRole, assignment };
}

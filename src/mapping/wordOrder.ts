/**
 * Inferred word order (METHODS §3.2): M_r(p) = mean over observed atoms a of
 * max_c T_r[a, p, c]; each position is labelled with argmax_r M_r(p).
 */
import type { ProbabilityTable } from "./table.js";
import { isObserved, symbolCounts } from "./table.js";

export interface WordOrder {
  /** The role index labelling each position. */
  positions: number[];
  /** M_r(p): scores[r][p] (0 where no atom of r was observed at p). */
  scores: number[][];
}

/**
 * Ties go to the lowest role index, as in the published code. Scores within 1e-12 of each
 * other count as tied, so that a tie does not depend on the order of a floating-point sum
 * (and the result does not change when atoms are renamed).
 */
const TIE_TOLERANCE = 1e-12;

export function inferWordOrder(table: ProbabilityTable): WordOrder {
  const R = table.atomCounts.length;
  const scores: number[][] = [];
  for (let r = 0; r < R; r++) {
    const row: number[] = [];
    for (let p = 0; p < table.length; p++) {
      let sum = 0;
      let observed = 0;
      for (let a = 0; a < table.atomCounts[r]!; a++) {
        if (!isObserved(table, r, a, p)) continue;
        const n = symbolCounts(table, r, a, p);
        let max = 0;
        let total = 0;
        for (let c = 0; c < n.length; c++) {
          max = Math.max(max, n[c]!);
          total += n[c]!;
        }
        sum += max / total;
        observed++;
      }
      row.push(observed ? sum / observed : 0);
    }
    scores.push(row);
  }
  const positions: number[] = [];
  for (let p = 0; p < table.length; p++) {
    let best = 0;
    for (let r = 1; r < R; r++) if (scores[r]![p]! > scores[best]![p]! + TIE_TOLERANCE) best = r;
    positions.push(best);
  }
  return { positions, scores };
}

/** Labels positions with role names, e.g. "subject subject verb verb object object". */
export function wordOrderLabels(order: WordOrder, roleNames: readonly string[]): string[] {
  return order.positions.map((r) => roleNames[r]!);
}

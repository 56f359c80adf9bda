/**
 * Bootstrap of information (the efficiency of H(Z), METHODS §5) over groups of probe inputs
 * (METHODS §6.2, "Intervals"): each resample draws the groups with replacement and adds their
 * counts with their multiplicities. The draws come from a fixed seed and depend only on the
 * number of groups, so resample b is the same redraw of probe inputs at every measurement step
 * of a run: the summary can follow each resample's trajectory and read off its peak step and
 * compression. Pure.
 */
import { Random } from "../../util/random.js";
import type { CountingAccumulator } from "../../vector/counting.js";
import { blockEntropy } from "../../vector/countEstimate.js";

/** The row measure of one resample's information (with a `replicate` column). */
export const BOOTSTRAP_MEASURE = "information-bootstrap";

/** Multiplicities of `groups` groups in each of `resamples` draws with replacement (seeded). */
export function bootstrapDraws(groups: number, resamples: number, seed: number): Float64Array[] {
  const random = new Random(seed);
  return Array.from({ length: resamples }, () => {
    const m = new Float64Array(groups);
    for (let i = 0; i < groups; i++) m[random.int(groups)]! += 1;
    return m;
  });
}

/** Information H(Z) / ln(cells) of the parts added with multiplicities `m` (one per part). */
export function informationOfDraw(parts: readonly CountingAccumulator[], m: ArrayLike<number>): number {
  const { blocks, blockWidth } = parts[0]!.state;
  const total = new Float64Array(blocks * blockWidth);
  let rows = 0;
  parts.forEach((part, i) => {
    const w = m[i]!;
    if (w === 0) return;
    rows += w * part.state.rows;
    const t = part.state.total;
    for (let c = 0; c < t.length; c++) total[c]! += w * t[c]!;
  });
  if (rows === 0) return 0;
  for (let c = 0; c < total.length; c++) total[c]! /= rows;
  return blockEntropy(total, 0, blocks, blockWidth) / Math.log(blockWidth);
}

/** Information of each resample of the parts (empty when resamples is 0 or there is one part). */
export function bootstrapInformation(parts: readonly CountingAccumulator[], resamples: number, seed: number): number[] {
  if (resamples === 0 || parts.length < 2) return [];
  return bootstrapDraws(parts.length, resamples, seed).map((m) => informationOfDraw(parts, m));
}

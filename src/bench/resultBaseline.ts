/**
 * The label-set estimate as `result()` computed it before the one-pass rewrite (issue 16, target 2),
 * kept verbatim as the baseline that `npm run bench -- vector` times in the same run and that
 * test/vector-result.test.ts compares the new path with (1e-12 relative). Ungrouped sets only.
 */
import { entropy, generalizedJsdUnchecked, jsdUnchecked } from "../info/index.js";
import { LabelTable, type CountTable } from "../vector/labelTable.js";
import { Random } from "../util/random.js";
import type { CountEstimateOptions } from "../vector/countEstimate.js";

/** A table of `values` label values with Zipf-like row counts and soft (or one-hot) counts per row. */
export function syntheticTable(
  values: number,
  blocks: number,
  blockWidth: number,
  seed: number,
  hard = false,
): LabelTable {
  const width = blocks * blockWidth;
  const table = new LabelTable(width);
  const r = new Random(seed);
  const row = new Float64Array(blockWidth);
  for (let v = 0; v < values; v++) {
    const slot = table.slotOf(v * 7 + 3);
    const rows = 1 + Math.floor(20 / (1 + (v % 50)));
    table.rowCounts[slot] = rows;
    for (let i = 0; i < rows; i++)
      for (let b = 0; b < blocks; b++) {
        if (hard) table.counts[slot * width + b * blockWidth + Math.floor(r.uniform() * blockWidth)]! += 1;
        else {
          let sum = 0;
          for (let k = 0; k < blockWidth; k++) sum += row[k] = Math.exp(3 * r.uniform());
          for (let k = 0; k < blockWidth; k++) table.counts[slot * width + b * blockWidth + k]! += row[k]! / sum;
        }
      }
  }
  return table;
}

function blockEntropy(values: Float64Array, offset: number, blocks: number, blockWidth: number): number {
  let h = 0;
  for (let b = 0; b < blocks; b++) {
    const start = offset + b * blockWidth;
    h += entropy(values.subarray(start, start + blockWidth));
  }
  return h / blocks;
}

export function baselineTableEstimate(
  table: CountTable,
  blocks: number,
  blockWidth: number,
  excludedRows: number,
  options: CountEstimateOptions,
) {
  const width = blocks * blockWidth;
  const kept: number[] = [];
  let retainedRows = 0;
  let droppedRows = 0;
  for (let s = 0; s < table.size; s++) {
    const rows = table.rowCounts[s]!;
    if (rows > 0 && rows >= options.minCount) {
      kept.push(s);
      retainedRows += rows;
    } else droppedRows += rows;
  }
  const retained = new Float64Array(width);
  for (const s of kept) for (let k = 0; k < width; k++) retained[k]! += table.counts[s * width + k]!;
  const h =
    retainedRows > 0
      ? blockEntropy(
          Float64Array.from(retained, (c) => c / retainedRows),
          0,
          blocks,
          blockWidth,
        )
      : 0;

  let conditional = 0;
  for (const s of kept) {
    const rows = table.rowCounts[s]!;
    const hx = blockEntropy(table.counts, s * width, blocks, blockWidth);
    conditional += options.weighting === "weighted" ? (rows / retainedRows) * hx : hx / kept.length;
  }

  let disentanglement: number | null = null;
  let generalised: number | null = null;
  if (!options.skipDisentanglement) {
    ({ disentanglement, generalised } = divergences(table, kept, retained, retainedRows, blocks, blockWidth));
  }
  return {
    values: table.size,
    retainedValues: kept.length,
    retainedRows,
    droppedRows,
    excludedRows,
    entropy: h,
    conditionalEntropy: conditional,
    mutualInformation: h - conditional,
    disentanglement,
    generalisedJsd: generalised,
  };
}

/** Label-vs-complement JSD (mean over values) and the p(x)-weighted generalised JSD, averaged over blocks. */
function divergences(
  table: CountTable,
  kept: number[],
  retained: Float64Array,
  retainedRows: number,
  blocks: number,
  blockWidth: number,
) {
  const width = blocks * blockWidth;
  const complement = new Float64Array(blockWidth);
  const scratch = new Float64Array(3 * blockWidth);
  let jsdSum = 0;
  let jsdValues = 0;
  for (const s of kept) {
    if (retainedRows - table.rowCounts[s]! <= 0) continue; // no complement: a single kept value
    let perValue = 0;
    for (let b = 0; b < blocks; b++) {
      const start = s * width + b * blockWidth;
      for (let k = 0; k < blockWidth; k++)
        complement[k] = Math.max(0, retained[b * blockWidth + k]! - table.counts[start + k]!);
      const own = table.counts.subarray(start, start + blockWidth);
      if (sum(complement) === 0 || sum(own) === 0) continue;
      perValue += jsdUnchecked(own, complement, scratch); // = jsd(own, complement), without allocating
    }
    jsdSum += perValue / blocks;
    jsdValues++;
  }
  let generalised = 0;
  if (kept.length > 0) {
    const weights = Float64Array.from(kept, (s) => table.rowCounts[s]!);
    const mixScratch = new Float64Array(2 * blockWidth);
    for (let b = 0; b < blocks; b++) {
      const dists = kept.map((s) =>
        table.counts.subarray(s * width + b * blockWidth, s * width + (b + 1) * blockWidth),
      );
      generalised += generalizedJsdUnchecked(dists, weights, mixScratch); // = generalizedJsd(dists, weights)
    }
    generalised /= blocks;
  }
  return { disentanglement: jsdValues > 0 ? jsdSum / jsdValues : 0, generalised };
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

/**
 * Random label tables for the label-set estimate's tests (vector-result, vector-label-cells-split,
 * vector-label-cells-thread).
 */
import { LabelTable } from "../src/vector/labelTable.js";
import type { Random } from "../src/util/random.js";

/**
 * Values with 0 rows (no counts), 1 row, or up to 30; each row adds a soft vector (some cells 0)
 * or a one-hot one to every block. With `groups` > 0 a grouped set: each value gets a random parent
 * of that many.
 */
export function randomTable(r: Random, values: number, blocks: number, blockWidth: number, groups = 0): LabelTable {
  const width = blocks * blockWidth;
  const table = new LabelTable(width);
  if (groups > 0) table.setKind({ multi: true, grouped: true }, "test");
  const row = new Float64Array(blockWidth);
  for (let v = 0; v < values; v++) {
    const slot = groups > 0 ? table.groupedSlotOf(v, Math.floor(r.uniform() * groups)) : table.slotOf(v);
    const u = r.uniform();
    const rows = u < 0.15 ? 0 : u < 0.45 ? 1 : 1 + Math.floor(r.uniform() * 30);
    table.rowCounts[slot] = rows;
    for (let i = 0; i < rows; i++)
      for (let b = 0; b < blocks; b++) {
        const base = slot * width + b * blockWidth;
        if (r.uniform() < 0.3) {
          table.counts[base + Math.floor(r.uniform() * blockWidth)]! += 1;
          continue;
        }
        let sum = 0;
        for (let k = 0; k < blockWidth; k++) sum += row[k] = r.uniform() < 0.2 ? 0 : Math.exp(4 * r.uniform());
        if (sum === 0) {
          row[0] = 1; // every cell drew 0: put the row's mass in the first
          sum = 1;
        }
        for (let k = 0; k < blockWidth; k++) table.counts[base + k]! += row[k]! / sum;
      }
  }
  return table;
}

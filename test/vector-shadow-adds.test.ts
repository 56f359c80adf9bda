/**
 * CountState's batch adds (real and null-shadow tables, added two at a time with unrolled loops;
 * row entropies; the shadows' permutations) against a plain reference written from the definitions:
 * each row's vector summed, in row order, into its value's counts, and into the value that shadow j's
 * permutation of the batch's eligible rows deals it. Random soft rows with zero cells, masks,
 * excluded rows, multi-membership sets, several widths (unrolling remainders) and shadow counts.
 */
import { describe, expect, it } from "vitest";
import { Random } from "../src/util/random.js";
import type { LabelSets, MultiLabels } from "../src/vector/batch.js";
import { CountState } from "../src/vector/countState.js";
import { batchKey, shadowOrder } from "../src/vector/nullShadows.js";
import { rowEntropies } from "../src/vector/rowEntropy.js";

interface Batch {
  values: Float32Array;
  input: Float32Array;
  mask: Uint8Array | null;
  labels: { one: Int32Array; other: Int32Array; multi: MultiLabels };
}

/** Soft rows (a few zero cells), a mask, one-code labels with excluded rows, and multi-membership lists. */
function makeBatch(count: number, width: number, seed: number, masked: boolean): Batch {
  const r = new Random(seed);
  const values = new Float32Array(count * width);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let k = 0; k < width; k++) {
      const z = r.uniform() < 0.1 ? 0 : Math.exp(4 * r.uniform());
      values[i * width + k] = z;
      sum += z;
    }
    for (let k = 0; k < width; k++) values[i * width + k] = sum > 0 ? values[i * width + k]! / sum : 0;
  }
  const input = Float32Array.from({ length: count * 3 }, () => r.uniform());
  const mask = masked ? Uint8Array.from({ length: count }, () => (r.uniform() < 0.15 ? 0 : 1)) : null;
  const code = (values: number, excluded: number) => (r.uniform() < excluded ? -1 : r.int(values));
  const offsets = new Int32Array(count + 1);
  const lists: number[] = [];
  for (let i = 0; i < count; i++) {
    const n = r.int(4); // 0..3 values, a value may repeat (it counts once)
    for (let t = 0; t < n; t++) lists.push(r.int(12));
    offsets[i + 1] = lists.length;
  }
  return {
    values,
    input,
    mask,
    labels: {
      one: Int32Array.from({ length: count }, () => code(9, 0.1)),
      other: Int32Array.from({ length: count }, () => code(40, 0)),
      multi: { offsets, values: Int32Array.from(lists) },
    },
  };
}

/** Each row's distinct values in a set (none for a masked row or an excluded code), as the reference reads them. */
function rowValues(batch: Batch, name: keyof Batch["labels"], i: number): number[] {
  if (batch.mask && batch.mask[i] === 0) return [];
  if (name === "multi") {
    const { offsets, values } = batch.labels.multi;
    return [...new Set(values.subarray(offsets[i]!, offsets[i + 1]!))];
  }
  const code = batch.labels[name][i]!;
  return code < 0 ? [] : [code];
}

type Sums = Map<number, { counts: number[]; entropy: number }>;

/** The plain reference: value → summed counts and summed row entropies, for the table (shadow −1) or shadow j. */
function reference(batches: Batch[], name: keyof Batch["labels"], width: number, shadow: number, seed: number): Sums {
  const sums: Sums = new Map();
  for (const batch of batches) {
    const count = batch.values.length / width;
    const perRow = Array.from({ length: count }, (_, i) => rowValues(batch, name, i));
    const eligible = perRow.flatMap((list, i) => (list.length > 0 ? [i] : []));
    const dealt = new Map<number, number>(); // row → the row whose values it gets
    if (shadow >= 0) {
      const order = shadowOrder(eligible.length, shadow, batchKey(batch.input, count), seed);
      eligible.forEach((row, t) => dealt.set(row, eligible[order[t]!]!));
    }
    for (let i = 0; i < count; i++) {
      const from = shadow >= 0 ? dealt.get(i) : i;
      if (from === undefined) continue;
      let h = 0;
      for (let k = 0; k < width; k++) {
        const z = batch.values[i * width + k]!;
        if (z > 0) h -= z * Math.log(z);
      }
      for (const value of perRow[from]!) {
        if (!sums.has(value)) sums.set(value, { counts: new Array(width).fill(0), entropy: 0 });
        const entry = sums.get(value)!;
        for (let k = 0; k < width; k++) entry.counts[k]! += batch.values[i * width + k]!;
        entry.entropy += h;
      }
    }
  }
  return sums;
}

function relativeGap(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1e-300, Math.abs(a), Math.abs(b));
}

describe("CountState adds equal a plain reference add (real and shadow tables)", () => {
  const cases: [number, number, boolean][] = [
    [0, 7, true],
    [1, 100, true],
    [2, 8, false],
    [3, 5, true],
    [4, 100, false],
  ];
  it.each(cases)("%i shadows, width %i, masked %s: counts to 1e-12, row entropies to 1e-8", (k, width, masked) => {
    const seed = 11;
    const state = new CountState(1, width, null, { count: k, seed });
    const batches = [0, 1, 2].map((b) => makeBatch(300 + 37 * b, width, 50 + b, masked));
    for (const batch of batches) {
      const count = batch.values.length / width;
      state.setLabelSetNames(["one", "other", "multi"]);
      state.addDense(batch.values, count, batch.mask, batch.labels as LabelSets, batch.input);
    }
    let checked = 0;
    for (const name of ["one", "other", "multi"] as const) {
      const table = state.tables.get(name)!;
      for (let shadow = -1; shadow < k; shadow++) {
        const expected = reference(batches, name, width, shadow, seed);
        expect(table.size, `${name}: values`).toBe(expected.size);
        const counts = shadow < 0 ? table.counts : table.shadows[shadow]!;
        const entropies = shadow < 0 ? table.rowEntropy : table.shadowRowEntropy[shadow]!;
        for (const [value, sums] of expected) {
          const slot = table.find(value);
          expect(slot, `${name}: value ${value} has a slot`).toBeGreaterThanOrEqual(0);
          for (let c = 0; c < width; c++) {
            const gap = relativeGap(counts[slot * width + c]!, sums.counts[c]!);
            expect(gap, `${name} shadow ${shadow} value ${value} cell ${c}`).toBeLessThanOrEqual(1e-12);
          }
          if (k > 0) expect(Math.abs(entropies![slot]! - sums.entropy)).toBeLessThan(1e-8 * (1 + sums.entropy));
          checked++;
        }
      }
    }
    // every value of every table and shadow was compared: 9 + 40 + 12 values (all occur), k + 1 tables each
    expect(checked).toBe((9 + 40 + 12) * (k + 1));
    if (k === 0) for (const name of ["one", "other", "multi"]) expect(state.tables.get(name)!.rowEntropy).toBeNull();
  });

  it("row entropies equal the plain per-row sum (the adds' per-row input)", () => {
    const batch = makeBatch(64, 13, 3, false);
    const fast = rowEntropies(batch.values, 64, 13);
    for (let i = 0; i < 64; i++) {
      let h = 0;
      for (let c = 0; c < 13; c++) {
        const z = batch.values[i * 13 + c]!;
        if (z > 0) h -= z * Math.log(z);
      }
      expect(Math.abs(fast[i]! - h)).toBeLessThan(1e-8);
    }
  });
});

describe("shadowOrder deals the same permutation as Random.shuffle", () => {
  it("for batch sizes 1 to 5,000 and several shadows, keys and seeds", () => {
    let compared = 0;
    for (const m of [1, 2, 3, 7, 100, 4096, 5000])
      for (let shadow = 0; shadow < 4; shadow++) {
        const key = Math.imul(shadow + 3, 0x2545f491);
        const seed = shadow * 7 - 2;
        const mixed = (Math.imul(key ^ seed, 0x9e3779b1) + Math.imul(shadow + 1, 0x85ebca6b) + m) | 0;
        const expected = new Random(mixed).shuffle(Int32Array.from({ length: m }, (_, i) => i));
        expect(Array.from(shadowOrder(m, shadow, key, seed))).toEqual(Array.from(expected));
        compared++;
      }
    expect(compared).toBe(28);
  });
});

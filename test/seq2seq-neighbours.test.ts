/**
 * The exact top-k neighbour search (deletion index + Levenshtein) against a brute-force
 * reference that compares every pair: same neighbours, distances, tie order and lengths.
 */
import { describe, expect, it } from "vitest";
import { levenshteinDp } from "../src/mapping/pairKernel.js";
import { nearestNeighbours } from "../src/experiments/seq2seq/neighbours.js";
import { scanSplit } from "../src/experiments/seq2seq/splits.js";
import { Random } from "../src/util/random.js";

type Near = { j: number; d: number }[];

/** Per input: every other distinct text (its first index) within two edits, by distance then index. */
function bruteForce(inputs: readonly (readonly string[])[]): Near[] {
  const codes = new Map<string, number>();
  const encode = (words: readonly string[]): Int32Array =>
    Int32Array.from(words, (w) => codes.get(w) ?? (codes.set(w, codes.size), codes.size - 1));
  const firstOf = new Map<string, number>();
  inputs.forEach((x, i) => void (firstOf.has(x.join(" ")) || firstOf.set(x.join(" "), i)));
  const distinct = [...firstOf.entries()].map(([text, j]) => ({ text, j, seq: encode(inputs[j]!) }));
  const row = new Int32Array(1 + Math.max(0, ...inputs.map((x) => x.length)));
  const byText = new Map<string, Near>();
  for (const a of distinct) {
    const near = distinct
      .filter((b) => b.text !== a.text)
      .map((b) => ({ j: b.j, d: levenshteinDp(a.seq, 0, a.seq.length, b.seq, 0, b.seq.length, row) }))
      .filter((c) => c.d <= 2)
      .sort((p, q) => p.d - q.d || p.j - q.j);
    byText.set(a.text, near);
  }
  return inputs.map((x) => byText.get(x.join(" "))!);
}

function expectSameAsBruteForce(
  inputs: readonly (readonly string[])[],
  reference: readonly Near[],
  k: number,
  maxDistance: 1 | 2,
): void {
  const got = nearestNeighbours(inputs, { k, maxDistance });
  expect(got.length).toBe(inputs.length);
  got.forEach((list, i) => {
    const want = reference[i]!.filter((c) => c.d <= maxDistance).slice(0, k);
    expect([...list.indices]).toEqual(want.map((c) => c.j));
    expect([...list.distances]).toEqual(want.map((c) => c.d));
  });
}

describe("exact top-k edit-distance neighbours", () => {
  // A sizeable SCAN subset, drawn with repeats (the add-turn-left set repeats "turn left").
  const train = scanSplit("turn-left", { seed: 1 }).train;
  const rng = new Random(11);
  const scan = Array.from(rng.permutation(train.length).subarray(0, 2500), (i) => train[i]!.input);
  const scanReference = bruteForce(scan);

  it("equals brute force on 2,500 SCAN add-turn-left training inputs (k = 100, 20, 3; two edits)", () => {
    expect(new Set(scan.map((x) => x.join(" "))).size).toBeLessThan(scan.length);
    const lists = nearestNeighbours(scan, { k: 20 });
    // Lists cut at k, lists reaching the second ring and shorter lists all occur.
    expect(lists.some((l) => l.indices.length === 20)).toBe(true);
    expect(lists.some((l) => l.distances.includes(2) && l.distances.includes(1))).toBe(true);
    expect(lists.some((l) => l.indices.length < 20)).toBe(true);
    expectSameAsBruteForce(scan, scanReference, 100, 2);
    expectSameAsBruteForce(scan, scanReference, 20, 2);
    expectSameAsBruteForce(scan, scanReference, 3, 2);
  });

  it("equals brute force with one edit only", () => {
    expectSameAsBruteForce(scan, scanReference, 20, 1);
  });

  it("equals brute force on empty, short and long (> 32 token) sequences with near copies", () => {
    const random = new Random(7);
    const words = ["a", "b", "c", "d"];
    const bases = Array.from({ length: 12 }, (_, n) =>
      Array.from({ length: n < 4 ? n : 30 + random.int(10) }, () => words[random.int(4)]!),
    );
    const edit = (x: string[]): string[] => {
      const y = [...x];
      const at = random.int(y.length + 1);
      const op = random.int(3);
      if (op === 0 && y.length > 0) y.splice(Math.min(at, y.length - 1), 1);
      else if (op === 1 && y.length > 0) y[Math.min(at, y.length - 1)] = words[random.int(4)]!;
      else y.splice(at, 0, words[random.int(4)]!);
      return y;
    };
    const inputs = bases.flatMap((b) => [b, edit(b), edit(edit(b)), edit(edit(edit(b))), b]);
    expect(inputs.some((x) => x.length > 32)).toBe(true);
    const reference = bruteForce(inputs);
    expectSameAsBruteForce(inputs, reference, 3, 2);
    expectSameAsBruteForce(inputs, reference, 50, 2);
    expectSameAsBruteForce(inputs, reference, 50, 1);
  });

  it("gives repeated inputs the same list and refuses a bad k", () => {
    const lists = nearestNeighbours([["x"], ["y"], ["x"]], { k: 2 });
    expect([...lists[0]!.indices]).toEqual([1]);
    expect([...lists[2]!.indices]).toEqual([1]);
    expect([...lists[1]!.indices]).toEqual([0]);
    expect(() => nearestNeighbours([["x"]], { k: 0 })).toThrow(/positive integer/);
  });
});

/**
 * The generic estimator contract (like scikit-learn's estimator checks): every registered
 * estimator must pass these, built only from its registry entry. A new estimator is tested by
 * registering it and calling `describeEstimatorContract(name)`.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  RangeFinder,
  VectorInputError,
  accumulatorFromJSON,
  createAccumulator,
  estimatorSpec,
  registeredEstimators,
  structureMeasures,
  type CreateAccumulatorOptions,
  type EntropyAccumulator,
  type MeasureRow,
} from "../../src/vector/index.js";
import { clusteredRows } from "../vector-helpers.js";

const d = 8;
const N = 240;
const { rows, labels } = clusteredRows(N, d, 5, 2);
const other = Int32Array.from(labels, (l, i) => (l + i) % 3);
const ranges = (() => {
  const finder = new RangeFinder(d);
  finder.update(rows);
  return finder.ranges();
})();

/** Rows [from, to) with both label sets. */
function slice(from: number, to: number) {
  return {
    rows: rows.slice(from * d, to * d),
    labels: { x: labels.slice(from, to), y: other.slice(from, to) },
  };
}

/** Same rows, same measures, values equal to `tolerance` relative (exactly when 0). */
export function expectSameMeasures(actual: MeasureRow[], expected: MeasureRow[], tolerance: number): void {
  expect(actual.map((r) => [r.labelSet, r.measure])).toEqual(expected.map((r) => [r.labelSet, r.measure]));
  expect(actual.length).toBeGreaterThan(0);
  actual.forEach((row, i) => {
    const want = expected[i]!.value;
    if (tolerance === 0) expect(row.value).toBe(want);
    else expect(Math.abs(row.value - want)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(want)));
  });
}

export function describeEstimatorContract(name: string, extra: Partial<CreateAccumulatorOptions> = {}): void {
  const make = (options: Partial<CreateAccumulatorOptions> = {}): EntropyAccumulator =>
    createAccumulator({ estimator: name, d, seed: 1, ranges, ...extra, ...options });

  describe(`estimator contract: ${name}`, () => {
    it("is registered and builds an accumulator of its name", () => {
      expect(estimatorSpec(name).name).toBe(name);
      expect(make().estimator).toBe(name);
      expect(make().d).toBe(d);
    });

    it("merging two halves (either order) equals one pass, to 1e-9", async () => {
      const whole = make();
      const all = slice(0, N);
      await whole.update(all.rows, all.labels);
      const expected = structureMeasures(whole);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: N - 1 }), fc.boolean(), async (cut, reversed) => {
          const a = make();
          const b = make();
          const first = slice(0, cut);
          const second = slice(cut, N);
          await a.update(first.rows, first.labels);
          await b.update(second.rows, second.labels);
          const merged = reversed ? b.merge(a) : a.merge(b);
          expect(merged.result().rows).toBe(N);
          expectSameMeasures(structureMeasures(merged), expected, 1e-9);
        }),
        { numRuns: 4 },
      );
    });

    it("merging an empty accumulator changes nothing", async () => {
      const a = make();
      const all = slice(0, N);
      await a.update(all.rows, all.labels);
      const before = structureMeasures(a);
      expectSameMeasures(structureMeasures(a.merge(make())), before, 0);
      expectSameMeasures(structureMeasures(make().merge(a)), before, 1e-12);
    });

    it("JSON round trip: the same state, the same result, and it takes further rows alike", async () => {
      const a = make();
      const first = slice(0, 150);
      await a.update(first.rows, first.labels);
      const json = JSON.stringify(a.toJSON());
      const restored = accumulatorFromJSON(JSON.parse(json));
      expect(restored.estimator).toBe(name);
      expect(JSON.stringify(restored.toJSON())).toBe(json);
      expect(restored.result()).toEqual(a.result());
      const rest = slice(150, N);
      await a.update(rest.rows, rest.labels);
      await restored.update(rest.rows, rest.labels);
      expectSameMeasures(structureMeasures(restored), structureMeasures(a), 0);
    });

    it("invalid rows: NaN/Inf (and all-zero where rows are normalised) name the global row; skipInvalid counts them", async () => {
      const spec = estimatorSpec(name);
      const a = make();
      const first = slice(0, 100);
      await a.update(first.rows, first.labels);
      const next = slice(100, 200);
      const nan = Float32Array.from(next.rows);
      nan[3 * d + 2] = Number.NaN;
      await expect(a.update(nan, next.labels)).rejects.toThrow(VectorInputError);
      await expect(a.update(nan, next.labels)).rejects.toThrow(/row 103: contains NaN \(column 2\)/);
      const inf = Float32Array.from(next.rows);
      inf[5 * d] = Number.POSITIVE_INFINITY;
      await expect(a.update(inf, next.labels)).rejects.toThrow(/row 105: contains \+Inf/);
      expect(a.result().rows).toBe(100); // nothing of a refused batch was added

      const zero = Float32Array.from(next.rows);
      zero.fill(0, 7 * d, 8 * d);
      if (spec.rejectsZeroRows) {
        await expect(a.update(zero, next.labels)).rejects.toThrow(/row 107: is all zeros/);
        expect(a.result().rows).toBe(100);
      } else {
        await a.update(zero, next.labels);
        expect(a.result().rows).toBe(200);
      }

      const skipping = make({ skipInvalid: true });
      await skipping.update(nan, next.labels);
      await skipping.update(inf, next.labels);
      const r = skipping.result();
      expect(r.rows).toBe(198);
      expect(r.skippedRows).toBe(2);
      expect(skipping.parameters().skipInvalid).toBe(true);
    });

    it("refuses merges across label sets, estimators and parameters, naming what differs", async () => {
      const a = make();
      const b = make();
      const part = slice(0, 120);
      await a.update(part.rows, { x: part.labels.x });
      await b.update(part.rows, { y: part.labels.y });
      expect(() => a.merge(b)).toThrow(/label sets/);
      await expect(a.update(part.rows, { y: part.labels.y })).rejects.toThrow(
        /label sets \[y\], earlier batches had \[x\]/,
      );
      const another = registeredEstimators().find((s) => s.name !== name)!;
      const foreign = createAccumulator({ estimator: another.name, d, seed: 1, ranges });
      expect(() => a.merge(foreign)).toThrow(new RegExp(`cannot merge a ${another.name}`));
      const otherMinCount = make({ minCount: 37 });
      expect(() => a.merge(otherMinCount)).toThrow(/minCount differs/);
    });

    it("counting estimators: null shadows merge over disjoint batches and round-trip through JSON", async () => {
      if (!estimatorSpec(name).counting) {
        expect(() => make({ nullShadows: 2 })).toThrow(/counting estimator/);
        return;
      }
      const batches = [slice(0, 80), slice(80, 160), slice(160, N)];
      const whole = make({ nullShadows: 2, nullSeed: 5 });
      for (const b of batches) await whole.update(b.rows, b.labels);
      const a = make({ nullShadows: 2, nullSeed: 5 });
      const b = make({ nullShadows: 2, nullSeed: 5 });
      await a.update(batches[0]!.rows, batches[0]!.labels);
      for (const part of batches.slice(1)) await b.update(part.rows, part.labels);
      const merged = b.merge(a);
      const expected = structureMeasures(whole);
      expect(expected.filter((r) => r.correction === "corrected").length).toBeGreaterThan(0);
      expectSameMeasures(structureMeasures(merged), expected, 1e-9);
      const json = JSON.stringify(merged.toJSON());
      expect(JSON.stringify(accumulatorFromJSON(JSON.parse(json)).toJSON())).toBe(json);
      expect(() => merged.merge(make({ nullShadows: 3, nullSeed: 5 }))).toThrow(/null shadows/);
    });

    it("row order is irrelevant (where the estimator promises it), to 1e-9", async () => {
      if (!estimatorSpec(name).orderInvariant) return;
      const forward = make();
      const all = slice(0, N);
      await forward.update(all.rows, all.labels);
      const order = Array.from({ length: N }, (_, i) => (i * 97) % N); // 97 is coprime to 240: a permutation
      expect(new Set(order).size).toBe(N);
      const shuffledRows = new Float32Array(N * d);
      order.forEach((from, to) => shuffledRows.set(all.rows.subarray(from * d, (from + 1) * d), to * d));
      const shuffled = make();
      await shuffled.update(shuffledRows, {
        x: Int32Array.from(order, (i) => all.labels.x[i]!),
        y: Int32Array.from(order, (i) => all.labels.y[i]!),
      });
      expectSameMeasures(structureMeasures(shuffled), structureMeasures(forward), 1e-9);
    });
  });
}

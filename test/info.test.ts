import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  conditionalEntropy,
  contingencyTable,
  efficiency,
  entropy,
  generalizedJsd,
  jointEntropy,
  generalizedJsdUnchecked,
  jsd,
  jsdUnchecked,
  klDivergence,
  mutualInformation,
  mutualInformationOfLabels,
} from "../src/info/index.js";

const counts = fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 12 });
const positiveCounts = fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 12 });

describe("entropy", () => {
  it("matches hand-worked cases", () => {
    expect(entropy([1, 1])).toBeCloseTo(Math.LN2, 15);
    expect(entropy([1, 1, 1, 1])).toBeCloseTo(Math.log(4), 15);
    // p = (1/2, 1/4, 1/4): H = 1.5 ln 2
    expect(entropy([2, 1, 1])).toBeCloseTo(1.5 * Math.LN2, 15);
    expect(entropy([0.5, 0.25, 0.25])).toBeCloseTo(1.5 * Math.LN2, 15);
  });
  it("defines degenerate tables as 0, never NaN", () => {
    expect(entropy([])).toBe(0);
    expect(entropy([0, 0, 0])).toBe(0);
    expect(entropy([7])).toBe(0);
    expect(entropy([0, 3, 0])).toBe(0);
  });
  it("applies Miller–Madow: H + (m − 1)/(2N)", () => {
    expect(entropy([2, 1, 1], { correction: "miller-madow" })).toBeCloseTo(1.5 * Math.LN2 + 2 / 8, 15);
    expect(entropy([5, 0], { correction: "miller-madow" })).toBe(0);
  });
  it("rejects negative or non-finite counts", () => {
    expect(() => entropy([1, -1])).toThrow(/index 1/);
    expect(() => entropy([NaN])).toThrow(RangeError);
  });
  it("lies in [0, ln K]", () => {
    fc.assert(
      fc.property(counts, (c) => {
        const h = entropy(c);
        return h >= 0 && h <= Math.log(c.length) + 1e-12;
      }),
    );
  });
  it("is invariant to permuting cells", () => {
    fc.assert(fc.property(counts, (c) => Math.abs(entropy(c) - entropy([...c].reverse())) < 1e-12));
  });
  it("efficiency divides by ln K and is 0 for K ≤ 1", () => {
    expect(efficiency(Math.log(8), 8)).toBeCloseTo(1, 15);
    expect(efficiency(0, 1)).toBe(0);
  });
});

describe("conditional entropy and mutual information", () => {
  // rows x, columns y
  const joint = [
    [2, 2, 0],
    [0, 0, 4],
    [1, 0, 0],
  ];
  it("weighted: Σ p(x) H(Y|x)", () => {
    // H(Y|x0) = ln 2 with p = 4/9; the others are 0
    expect(conditionalEntropy(joint)).toBeCloseTo((4 / 9) * Math.LN2, 15);
  });
  it("uniform: plain mean over x", () => {
    expect(conditionalEntropy(joint, { weighting: "uniform" })).toBeCloseTo(Math.LN2 / 3, 15);
  });
  it("skips empty rows and handles empty tables", () => {
    expect(
      conditionalEntropy(
        [
          [0, 0],
          [1, 1],
        ],
        { weighting: "uniform" },
      ),
    ).toBeCloseTo(Math.LN2, 15);
    expect(conditionalEntropy([])).toBe(0);
    expect(mutualInformation([[0, 0]])).toBe(0);
  });
  it("satisfies the chain rule H(X,Y) = H(X) + H(Y|X)", () => {
    fc.assert(
      fc.property(
        fc.array(
          counts.map((r) => r.slice(0, 4).concat([0, 0, 0, 0]).slice(0, 4)),
          { minLength: 1, maxLength: 6 },
        ),
        (rows) => {
          const hx = entropy(rows.map((r) => r.reduce((a, b) => a + b, 0)));
          return Math.abs(jointEntropy(rows) - (hx + conditionalEntropy(rows))) < 1e-9;
        },
      ),
    );
  });
  it("plug-in I ≥ 0 and I ≤ min(H(X), H(Y))", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(4), fc.nat(4)), { minLength: 1, maxLength: 60 }), (pairs) => {
        const t = contingencyTable(
          pairs.map((p) => p[0]),
          pairs.map((p) => p[1]),
        );
        const i = mutualInformation(t);
        const hx = entropy(t.map((r) => r.reduce((a, b) => a + b, 0)));
        return i >= -1e-12 && i <= hx + 1e-9;
      }),
    );
  });
  it("I(X;X) = H(X) and independent labels give 0", () => {
    const xs = [0, 1, 2, 0, 1, 2, 3, 3];
    expect(mutualInformationOfLabels(xs, xs)).toBeCloseTo(entropy([2, 2, 2, 2]), 15);
    // a product distribution: x ∈ {0,1}, y ∈ {0,1}, all four combinations once
    expect(mutualInformationOfLabels([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(0, 15);
  });
});

describe("divergences", () => {
  it("KL matches a hand-worked case and is infinite off-support", () => {
    // p = (1/2, 1/2), q = (1/4, 3/4): ½ ln 2 + ½ ln(2/3)
    expect(klDivergence([1, 1], [1, 3])).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 15);
    expect(klDivergence([1, 1], [1, 0])).toBe(Infinity);
    expect(klDivergence([1, 0], [1, 1])).toBeCloseTo(Math.LN2, 15);
  });
  it("JSD of disjoint supports is ln 2; of equal distributions 0", () => {
    expect(jsd([1, 0], [0, 1])).toBeCloseTo(Math.LN2, 15);
    expect(jsd([3, 1], [6, 2])).toBeCloseTo(0, 15);
  });
  it("JSD is symmetric and bounded by ln 2", () => {
    fc.assert(
      fc.property(positiveCounts, positiveCounts, (a, b) => {
        const n = Math.min(a.length, b.length);
        const p = a.slice(0, n);
        const q = b.slice(0, n);
        const d = jsd(p, q);
        return Math.abs(d - jsd(q, p)) < 1e-12 && d >= 0 && d <= Math.LN2 + 1e-12;
      }),
    );
  });
  it("the allocation-free JSDs used in hot loops give exactly the checked functions' bits", () => {
    const fractional = fc.array(fc.double({ min: 0.001, max: 50, noNaN: true }), { minLength: 2, maxLength: 9 });
    fc.assert(
      fc.property(fc.array(fractional, { minLength: 1, maxLength: 6 }), (raw) => {
        const width = raw[0]!.length;
        const dists = raw.map((d) => Float64Array.from({ length: width }, (_, i) => d[i % d.length]!));
        const scratch = new Float64Array(3 * width).fill(Number.NaN); // stale scratch must not matter
        if (dists.length >= 2) expect(jsdUnchecked(dists[0]!, dists[1]!, scratch)).toBe(jsd(dists[0]!, dists[1]!));
        const weights = Float64Array.from(dists, (_, x) => x + 1);
        expect(generalizedJsdUnchecked(dists, weights, scratch)).toBe(generalizedJsd(dists, weights));
      }),
    );
  });
  it("generalised JSD equals the mutual information of the mixture", () => {
    const rows = [
      [3, 1, 0],
      [0, 2, 2],
      [1, 1, 1],
    ];
    const w = rows.map((r) => r.reduce((a, b) => a + b, 0));
    expect(generalizedJsd(rows, w)).toBeCloseTo(mutualInformation(rows), 12);
    expect(
      generalizedJsd([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
    ).toBeCloseTo(Math.log(3), 15);
    expect(generalizedJsd([])).toBe(0);
  });
  it("errors name the problem", () => {
    expect(() => jsd([1], [1, 2])).toThrow(/lengths differ/);
    expect(() => klDivergence([0, 0], [1, 1])).toThrow(/empty/);
  });
});

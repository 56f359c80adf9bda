import { describe, expect, it } from "vitest";
import {
  logGamma,
  pearson,
  pearsonTest,
  regularizedIncompleteBeta,
  spearmanTest,
  studentTwoSidedP,
} from "../src/stats/correlation.js";
import { adjustPValues, benjaminiHochberg, holm } from "../src/stats/multipleComparisons.js";

describe("special functions (scipy reference values)", () => {
  it("logGamma", () => {
    expect(logGamma(0.3)).toBeCloseTo(1.0957979948180756, 12);
    expect(logGamma(7.5)).toBeCloseTo(7.534364236758734, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
  });
  it("regularised incomplete beta", () => {
    expect(regularizedIncompleteBeta(0.3, 2.5, 0.5)).toBeCloseTo(0.018927124071945658, 12);
    // I_x(1, 1) = x; I_x(a, b) = 1 − I_{1−x}(b, a)
    expect(regularizedIncompleteBeta(0.37, 1, 1)).toBeCloseTo(0.37, 14);
    expect(regularizedIncompleteBeta(0.8, 3, 2) + regularizedIncompleteBeta(0.2, 2, 3)).toBeCloseTo(1, 14);
  });
  it("Student t: the 5% two-sided critical value at df = 10 is 2.228", () => {
    expect(studentTwoSidedP(2.228, 10)).toBeCloseTo(0.05001177181711132, 10);
    expect(studentTwoSidedP(0, 7)).toBeCloseTo(1, 14);
  });
});

describe("correlation tests", () => {
  const x = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.55, 0.6, 0.3, 0.45, 0.65];
  const y = [1, 3, 2, 7, 5, 2, 8, 4, 6, 1, 3, 5];
  it("matches scipy's spearmanr and pearsonr (t approximation, n = 12, ties in y)", () => {
    const s = spearmanTest(x, y);
    expect(s.method).toBe("t-approximation");
    expect(s.value).toBeCloseTo(0.9577702286774382, 12);
    expect(s.p).toBeCloseTo(9.852106611128908e-7, 15);
    const p = pearsonTest(x, y);
    expect(p.value).toBeCloseTo(0.9534024188885349, 12);
    expect(p.p / 1.5996924924086961e-6).toBeCloseTo(1, 8);
  });
  it("exact permutation p-value for small n (hand count: 16 of 120 orderings have |ρ| ≥ 0.8)", () => {
    const s = spearmanTest([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]);
    expect(s.method).toBe("exact-permutation");
    expect(s.value).toBeCloseTo(0.8, 12);
    expect(s.p).toBeCloseTo(16 / 120, 14);
    // A perfect monotone relation of 4 points: only the identity and the reversal reach |ρ| = 1.
    expect(spearmanTest([1, 2, 3, 4], [10, 20, 30, 40]).p).toBeCloseTo(2 / 24, 14);
  });
  it("degenerate inputs give ρ = 0, p = 1 and say why (never NaN)", () => {
    expect(spearmanTest([1, 2, 3], [5, 5, 5])).toMatchObject({ value: 0, p: 1, degenerate: "constant" });
    expect(spearmanTest([1, 2], [1, 2])).toMatchObject({ value: 0, p: 1, degenerate: "too-few" });
    expect(pearson([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(() => spearmanTest([1, 2, 3], [1, 2])).toThrow(/paired/);
    expect(() => spearmanTest([1, NaN, 3], [1, 2, 3])).toThrow(/finite/);
  });
});

describe("multiple-comparison corrections (hand-worked)", () => {
  const p = [0.01, 0.04, 0.03, 0.005];
  it("Holm: sorted 0.005·4, 0.01·3, 0.03·2, max(0.04·1, 0.06)", () => {
    const h = holm(p);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(h[i]).toBeCloseTo(v, 14));
  });
  it("Benjamini–Hochberg: 0.005·4/1, 0.01·4/2, 0.03·4/3, 0.04·4/4, then running minimum from the top", () => {
    const q = benjaminiHochberg(p);
    [0.02, 0.04, 0.04, 0.02].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 14));
  });
  it("caps at 1, keeps order, and rejects invalid p", () => {
    expect(holm([0.6, 0.9])).toEqual([1, 1]);
    expect(adjustPValues([0.2, 0.1], "none")).toEqual([0.2, 0.1]);
    expect(() => benjaminiHochberg([0.2, 1.5])).toThrow(/\[0, 1\]/);
    expect(holm([])).toEqual([]);
  });
});

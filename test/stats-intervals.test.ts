import { describe, expect, it } from "vitest";
import { bootstrapSummary, meanWithInterval, quantileSorted } from "../src/stats/bootstrap.js";
import {
  fisherInterval95,
  partialSpearman,
  partialSpearmanWithInterval,
  spearmanPerGroup,
  spearmanWithInterval,
} from "../src/stats/rankCorrelation.js";
import { describeSummary, MIN_RUNS_FOR_CORRELATION, TOO_FEW_RUNS } from "../src/stats/summary.js";
import { epochWindows, windowMean, windowSummary } from "../src/stats/windows.js";

describe("quantiles and the bootstrap", () => {
  it("interpolates quantiles linearly between order statistics (numpy's default)", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([0, 10], 0.025)).toBeCloseTo(0.25, 12);
    expect(quantileSorted([7], 0.975)).toBe(7);
  });

  it("the mean of {0, 1} resamples to 0, 1/2 or 1, so its 95% interval is [0, 1]", () => {
    const s = meanWithInterval("mean", [0, 1]);
    expect(s.estimate).toBe(0.5);
    expect(s.interval95).toEqual([0, 1]);
    expect(s.excludesZero).toBe(false);
    expect(s.n).toBe(2);
  });

  it("a constant sample has a zero-width interval that excludes 0 when the constant is positive", () => {
    const s = meanWithInterval("mean", [0.3, 0.3, 0.3, 0.3]);
    expect(s.estimate).toBeCloseTo(0.3, 12);
    expect(s.interval95![0]).toBeCloseTo(0.3, 12);
    expect(s.interval95![1]).toBeCloseTo(0.3, 12);
    expect(s.excludesZero).toBe(true);
  });

  it("the interval of a mean of 1..20 is about ± 1.96 · sd/√n around 10.5 and is seeded", () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    const a = meanWithInterval("mean", values, { seed: 3 });
    const b = meanWithInterval("mean", values, { seed: 3 });
    expect(a).toEqual(b);
    const se = Math.sqrt(35 / 20); // population variance of 1..20 is (20² − 1)/12 = 33.25; sample 35
    expect(a.estimate).toBe(10.5);
    expect(a.interval95![0]).toBeGreaterThan(10.5 - 1.96 * se - 0.5);
    expect(a.interval95![0]).toBeLessThan(10.5 - 1.96 * se + 0.5);
    expect(a.interval95![1]).toBeGreaterThan(10.5 + 1.96 * se - 0.5);
    expect(a.interval95![1]).toBeLessThan(10.5 + 1.96 * se + 0.5);
  });

  it("gives no estimate from fewer than 2 values", () => {
    const s = bootstrapSummary("x", 1, () => 1);
    expect(s.estimate).toBeNull();
    expect(s.interval95).toBeNull();
    expect(s.excludesZero).toBeNull();
  });
});

describe("Spearman with a Fisher-z interval", () => {
  it("matches the closed form tanh(atanh ρ ± 1.96 √(1.06/(n − 3 − k)))", () => {
    const [lo, hi] = fisherInterval95(0.5, 13);
    expect(lo).toBeCloseTo(-0.0885791287591737, 10);
    expect(hi).toBeCloseTo(0.829778297812381, 10);
    const [lo1, hi1] = fisherInterval95(0.3, 8, 1);
    expect(lo1).toBeCloseTo(-0.6040081435896353, 10);
    expect(hi1).toBeCloseTo(0.8664036375181032, 10);
  });

  it("a perfectly monotone relation over 6 runs has ρ = 1 and an interval excluding 0", () => {
    const s = spearmanWithInterval("rho", [1, 2, 3, 4, 5, 6], [2, 4, 8, 16, 32, 64]);
    expect(s.estimate).toBe(1);
    expect(s.excludesZero).toBe(true);
    expect(s.interval95![1]).toBeCloseTo(1, 6);
    expect(describeSummary(s)).toContain("excludes 0");
  });

  it(`reports fewer than ${MIN_RUNS_FOR_CORRELATION} runs as "too few runs", not a number`, () => {
    const s = spearmanWithInterval("rho", [1, 2, 3, 4], [1, 2, 3, 4]);
    expect(s.estimate).toBeNull();
    expect(s.note).toBe(TOO_FEW_RUNS);
    expect(describeSummary(s)).toBe("rho: n = 4, too few runs");
  });

  it("a constant variable has no estimate", () => {
    expect(spearmanWithInterval("rho", [1, 2, 3, 4, 5], [1, 1, 1, 1, 1]).note).toBe("constant variable");
  });
});

describe("partial Spearman", () => {
  // Hand-worked: ranks of y are 2 1 4 3 7 5 6, Σd² = 10, r_xy = 1 − 60/336 = 0.82143;
  // r_xz = 0.86603, r_yz = 0.72169 (midranks of z: 2,2,2,5.5,5.5,5.5,5.5).
  const x = [1, 2, 3, 4, 5, 6, 7];
  const y = [2, 1, 4, 3, 7, 5, 6];
  const z = [1, 1, 1, 2, 2, 2, 2];
  it("is (r_xy − r_xz r_yz)/√((1 − r_xz²)(1 − r_yz²)) of the Spearman correlations", () => {
    expect(partialSpearman(x, y, z)).toBeCloseTo(0.5675333074043407, 10);
  });

  it("is the plain Spearman ρ when the control is constant, with k = 0 in the interval", () => {
    const s = partialSpearmanWithInterval("p", x, y, [3, 3, 3, 3, 3, 3, 3]);
    expect(s.estimate).toBeCloseTo(0.8214285714285715, 12);
    const [lo, hi] = fisherInterval95(0.8214285714285715, 7, 0);
    expect(s.interval95![0]).toBeCloseTo(lo, 12);
    expect(s.interval95![1]).toBeCloseTo(hi, 12);
  });

  it("uses k = 1 in the interval when the control varies", () => {
    const s = partialSpearmanWithInterval("p", x, y, z);
    const [lo, hi] = fisherInterval95(0.5675333074043407, 7, 1);
    expect(s.interval95![0]).toBeCloseTo(lo, 12);
    expect(s.interval95![1]).toBeCloseTo(hi, 12);
    expect(s.n).toBe(7);
  });

  it("a relation carried only by the control vanishes when controlled for", () => {
    // Within each size x and y are unrelated (ranks 1 2 3 4 against 2 4 1 3: ρ = 0); across
    // sizes both rise with the size.
    const xs = [1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24];
    const ys = [2, 4, 1, 3, 12, 14, 11, 13, 22, 24, 21, 23];
    const size = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3];
    expect(spearmanWithInterval("r", xs, ys).excludesZero).toBe(true);
    const p = partialSpearmanWithInterval("p", xs, ys, size);
    expect(Math.abs(p.estimate!)).toBeLessThan(0.3);
    expect(p.excludesZero).toBe(false);
  });

  it("per group: one summary per value of the group, each from that group's runs", () => {
    const per = spearmanPerGroup(
      "r",
      [1, 2, 3, 4, 5, 1, 2, 3],
      [1, 2, 3, 4, 5, 3, 2, 1],
      [64, 64, 64, 64, 64, 128, 128, 128],
    );
    expect(per.map((g) => g.group)).toEqual([64, 128]);
    expect(per[0]!.summary.estimate).toBe(1);
    expect(per[1]!.summary.note).toBe(TOO_FEW_RUNS);
  });
});

describe("early and late windows", () => {
  it("early = first ⌈10%⌉ of epochs 1..E, late = last ⌈50%⌉", () => {
    expect(epochWindows(20)).toEqual({ early: [1, 2], late: [11, 12, 13, 14, 15, 16, 17, 18, 19, 20] });
    expect(epochWindows(5)).toEqual({ early: [1], late: [3, 4, 5] });
    expect(() => epochWindows(0)).toThrow(RangeError);
  });

  it("a run's window value is its mean over the window; a missing epoch gives NaN", () => {
    const series = new Map([
      [1, 0.2],
      [2, 0.4],
      [3, 0.9],
    ]);
    expect(windowMean(series, [1, 2])).toBeCloseTo(0.3, 12);
    expect(windowMean(series, [3, 4])).toBeNaN();
  });

  it("across runs: mean of window means with a bootstrap interval over runs", () => {
    const runs = [0.1, 0.2, 0.3, 0.4, 0.5].map(
      (v) =>
        new Map([
          [1, v],
          [2, v + 0.1],
        ]),
    );
    const s = windowSummary("early synonymy", runs, [1, 2]);
    expect(s.n).toBe(5);
    expect(s.estimate).toBeCloseTo(0.35, 12);
    expect(s.interval95![0]).toBeGreaterThanOrEqual(0.15);
    expect(s.interval95![1]).toBeLessThanOrEqual(0.55);
    expect(s.excludesZero).toBe(true);
  });
});

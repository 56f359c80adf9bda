import { describe, expect, it } from "vitest";
import { summariseEmergent, summaryRows } from "../src/experiments/emergent/summary.js";
import type { ResultRow } from "../src/io/runFolder.js";

/**
 * Four runs (hidden 8 and 16 × seeds 1 and 2) at epoch 1, chosen so that every number is
 * computable by hand: Spearman ρ over 4 runs, its exact permutation p (out of 4! = 24
 * orderings), Benjamini–Hochberg over the 4 measures of a target, and mean/sd per hidden size.
 */
const RUNS = [
  { run: "h8-s1", hiddenSize: 8, seed: 1, synonymy: 0.4, homonymy: 0.1, topsim: 0.2, posdis: 0.1, acc: 0.1, role: 0.4 },
  { run: "h8-s2", hiddenSize: 8, seed: 2, synonymy: 0.3, homonymy: 0.2, topsim: 0.4, posdis: 0.3, acc: 0.3, role: 0.3 },
  {
    run: "h16-s1",
    hiddenSize: 16,
    seed: 1,
    synonymy: 0.2,
    homonymy: 0.3,
    topsim: 0.6,
    posdis: 0.2,
    acc: 0.2,
    role: 0.2,
  },
  {
    run: "h16-s2",
    hiddenSize: 16,
    seed: 2,
    synonymy: 0.1,
    homonymy: 0.4,
    topsim: 0.8,
    posdis: 0.4,
    acc: 0.4,
    role: 0.1,
  },
];

function rows(): ResultRow[] {
  const out: ResultRow[] = [];
  for (const r of RUNS) {
    const base = { experiment: "emergent", run: r.run, seed: r.seed, hiddenSize: r.hiddenSize, epoch: 1 };
    for (const m of ["synonymy", "homonymy", "topsim", "posdis"] as const)
      out.push({ ...base, measure: m, value: r[m] });
    out.push({ ...base, split: "compositional", measure: "accuracy", value: r.acc });
    out.push({ ...base, split: "compositional", measure: "meanRoleAccuracy", value: r.role });
    // Per-role rows are not language measures and must be ignored.
    out.push({ ...base, split: "compositional", role: "subject", measure: "roleAccuracy", value: 0.99 });
  }
  // An epoch only one run reached is left out of the correlations (it has one run, not four).
  out.push({ experiment: "emergent", run: "h8-s1", seed: 1, hiddenSize: 8, epoch: 0, measure: "synonymy", value: 0.9 });
  return out;
}

describe("emergent summary (hand-computed values)", () => {
  const s = summariseEmergent(rows());

  it("per-epoch correlations over 4 runs: 'too few runs', no ρ, no p, no interval", () => {
    const acc = s.correlations.filter((c) => c.target === "compositional.accuracy");
    // Only epoch 1 (every run has it), only the four measures present.
    expect(acc.map((c) => [c.epoch, c.languageMeasure])).toEqual([
      [1, "synonymy"],
      [1, "homonymy"],
      [1, "topsim"],
      [1, "posdis"],
    ]);
    for (const c of acc) {
      expect(c).toMatchObject({ n: 4, rho: null, p: null, pAdjusted: null });
      expect(c.interval).toMatchObject({ n: 4, estimate: null, interval95: null, excludesZero: null });
      expect(c.interval.note).toBe("too few runs");
    }
    expect(s.correlations.filter((c) => c.target === "compositional.meanRoleAccuracy")).toHaveLength(4);
    // The journal rows keep measure/value; value is null and the row says why.
    const rho = summaryRows(s).filter((r) => r.measure === "spearmanRho");
    expect(rho).toHaveLength(8);
    for (const r of rho) expect(r).toMatchObject({ value: null, runs: 4, note: "too few runs", rhoLow: null });
  });

  it("capacity: mean and sd per hidden size, and the Spearman trend with hidden size", () => {
    const cap = (reading: string, h: number) => s.capacity.find((c) => c.reading === reading && c.hiddenSize === h)!;
    // 1 − synonymy: h8 {0.6, 0.7}, h16 {0.8, 0.9}; sd = √(2·0.05²/1) = √0.005.
    expect(cap("1-synonymy", 8)).toMatchObject({
      mean: expect.closeTo(0.65, 12),
      sd: expect.closeTo(Math.sqrt(0.005), 12),
      runs: 2,
    });
    expect(cap("1-synonymy", 16)).toMatchObject({
      mean: expect.closeTo(0.85, 12),
      sd: expect.closeTo(Math.sqrt(0.005), 12),
    });
    expect(cap("topsim", 8).mean).toBeCloseTo(0.3, 12);
    expect(cap("topsim", 16).mean).toBeCloseTo(0.7, 12);
    expect(cap("compositionalAccuracy", 8)).toMatchObject({
      mean: expect.closeTo(0.2, 12),
      sd: expect.closeTo(Math.sqrt(0.02), 12),
    });
    expect(s.capacity).toHaveLength(5 * 2);
    // Hidden ranks [1.5, 1.5, 3.5, 3.5] against [1, 2, 3, 4]: ρ = 4/√(4·5) = 2/√5; p: the high pair is
    // {3,4} or {1,2} in 2·(2!·2!) = 8 of 24 orderings.
    // 4 runs: no ρ and no p, only "too few runs" (the rule of src/stats/summary.ts).
    const trend = s.capacityTrend.find((t) => t.reading === "1-synonymy")!;
    expect(trend).toMatchObject({ rho: null, p: null, n: 4 });
    expect(trend.interval.note).toBe("too few runs");
    expect(s.capacityTrend).toHaveLength(5);
    for (const t of s.capacityTrend) expect([t.rho, t.p]).toEqual([null, null]);
  });

  it("capacity trend over 5 runs: a number", () => {
    const fifth = { experiment: "emergent", run: "h32-s1", seed: 1, hiddenSize: 32, epoch: 1 };
    const five = summariseEmergent([
      ...rows(),
      { ...fifth, measure: "synonymy", value: 0.05 },
      { ...fifth, split: "compositional", measure: "accuracy", value: 0.5 },
    ]);
    // Hidden ranks [1.5, 1.5, 3.5, 3.5, 5] against 1 − synonymy ranks [1, 2, 3, 4, 5]: ρ = 9/√(9·10) = 3/√10.
    const trend = five.capacityTrend.find((t) => t.reading === "1-synonymy")!;
    expect(trend.n).toBe(5);
    expect(trend.rho).toBeCloseTo(3 / Math.sqrt(10), 12);
    expect(trend.p).toBeGreaterThan(0);
    expect(trend.interval.estimate).toBeCloseTo(3 / Math.sqrt(10), 12);
  });

  it("final values per run and the tidy summary rows", () => {
    expect(s.finalByRun["h8-s1"]).toMatchObject({
      epoch: 1,
      hiddenSize: 8,
      synonymy: 0.4,
      "compositional.accuracy": 0.1,
    });
    expect(Object.keys(s.finalByRun)).toHaveLength(4);
    const out = summaryRows(s);
    // 3 rows per correlation (ρ, p, adjusted p; values null here, 4 runs), 2 per capacity cell, 2 per trend; windows (early
    // and late are both epoch 1 here): 4 measures × 2 windows × 3 rows (estimate, low, high) ×
    // (partial + 2 sizes + window mean).
    // Each capacity trend also has 3 interval rows (estimate, low, high).
    expect(out).toHaveLength(3 * 8 + 2 * 10 + 2 * 5 + 4 * 2 * 3 * 4 + 5 * 3);
    // 4 runs: the trend's interval is "too few runs", not a number.
    const trend = out.find((r) => r.measure === "hiddenSizeSpearman" && r.reading === "1-synonymy")!;
    expect(trend.value).toBeNull();
    expect(trend.note).toBe("too few runs");
    const rhoRows = out.filter((r) => r.measure === "hiddenSizeSpearmanRho" || r.measure === "hiddenSizeSpearmanP");
    expect(rhoRows).toHaveLength(2 * 5);
    for (const r of rhoRows) expect(r).toMatchObject({ value: null, note: "too few runs", runs: 4 });
    expect(out.find((r) => r.measure === "spearmanPAdjusted")).toMatchObject({
      correction: "benjamini-hochberg",
      run: "summary",
    });
  });
});

describe("emergent summary: early and late windows", () => {
  /** Six runs at one size over epochs 0..10: synonymy i/10; accuracy i/10 early, (7 − i)/10 from epoch 6. */
  function windowRows(runs: number): ResultRow[] {
    const out: ResultRow[] = [];
    for (let i = 1; i <= runs; i++) {
      for (let epoch = 0; epoch <= 10; epoch++) {
        const base = { experiment: "emergent", run: `h8-s${i}`, seed: i, hiddenSize: 8, epoch };
        out.push({ ...base, measure: "synonymy", value: i / 10 });
        out.push({ ...base, split: "compositional", measure: "accuracy", value: epoch >= 6 ? (7 - i) / 10 : i / 10 });
      }
    }
    return out;
  }

  it("partial Spearman per window (one size: plain ρ), per size, and the window means over runs", () => {
    const s = summariseEmergent(windowRows(6));
    const syn = s.windows.filter((w) => w.languageMeasure === "synonymy");
    expect(syn.map((w) => [w.window, w.epochs])).toEqual([
      ["early", [1, 1]],
      ["late", [6, 10]],
    ]);
    expect(syn[0]!.partial.estimate).toBe(1);
    expect(syn[0]!.partial.excludesZero).toBe(true);
    expect(syn[1]!.partial.estimate).toBe(-1);
    expect(syn[1]!.perSize.map((g) => g.hiddenSize)).toEqual([8]);
    expect(syn[1]!.perSize[0]!.summary.estimate).toBe(-1);
    expect(syn[0]!.mean.estimate).toBeCloseTo(0.35, 12);
    expect(syn[0]!.mean.n).toBe(6);
    const rows = summaryRows(s).filter(
      (r) => r.measure === "windowPartialSpearman" && r.languageMeasure === "synonymy",
    );
    expect(rows.map((r) => [r.window, r.value, r.runs])).toEqual([
      ["early", 1, 6],
      ["late", -1, 6],
    ]);
  });

  it("fewer than 5 runs: no number, 'too few runs'", () => {
    const s = summariseEmergent(windowRows(4));
    const early = s.windows.find((w) => w.languageMeasure === "synonymy" && w.window === "early")!;
    expect(early.partial.estimate).toBeNull();
    expect(early.partial.note).toBe("too few runs");
    const row = summaryRows(s).find((r) => r.measure === "windowPartialSpearman" && r.languageMeasure === "synonymy")!;
    expect(row.value).toBeNull();
    expect(row.note).toBe("too few runs");
  });
});

describe("emergent summary: per-epoch correlations with a Fisher-z interval (5 runs)", () => {
  /**
   * Five runs at epoch 1, accuracy 0.1..0.5 (ranks 1..5). synonymy ranks [2, 1, 3, 4, 5]:
   * Σd² = 2, ρ = 1 − 6·2/(5·24) = 0.9; topsim ranks [4, 5, 3, 2, 1]: Σd² = 38, ρ = −0.9;
   * homonymy constant (no ρ: "constant variable", p = 1).
   */
  function fiveRuns(): ResultRow[] {
    const synonymy = [0.2, 0.1, 0.3, 0.4, 0.5];
    const topsim = [0.4, 0.5, 0.3, 0.2, 0.1];
    const out: ResultRow[] = [];
    for (let i = 0; i < 5; i++) {
      const base = { experiment: "emergent", run: `h8-s${i + 1}`, seed: i + 1, hiddenSize: 8, epoch: 1 };
      out.push({ ...base, measure: "synonymy", value: synonymy[i]! });
      out.push({ ...base, measure: "homonymy", value: 0.3 });
      out.push({ ...base, measure: "topsim", value: topsim[i]! });
      out.push({ ...base, split: "compositional", measure: "accuracy", value: (i + 1) / 10 });
      out.push({ ...base, split: "compositional", measure: "meanRoleAccuracy", value: (i + 1) / 10 });
    }
    return out;
  }
  const s = summariseEmergent(fiveRuns());
  const acc = s.correlations.filter((c) => c.target === "compositional.accuracy");

  it("n, ρ, its 95% interval, whether it excludes 0, p and the BH-corrected p", () => {
    expect(acc.map((c) => c.languageMeasure)).toEqual(["synonymy", "homonymy", "topsim"]);
    expect(acc.map((c) => c.n)).toEqual([5, 5, 5]);
    expect(acc.map((c) => c.rho)).toEqual([expect.closeTo(0.9, 12), 0, expect.closeTo(-0.9, 12)]);
    // By hand: z = atanh(0.9) = 1.472219, SE = √(1.06/(5 − 3)) = 0.728011, 1.96·SE = 1.426902;
    // tanh(1.472219 − 1.426902) = tanh(0.045317) = 0.045313, tanh(2.899121) = 0.993952.
    const syn = acc[0]!.interval;
    expect(syn.estimate).toBeCloseTo(0.9, 12);
    expect(syn.interval95![0]).toBeCloseTo(0.045313, 5);
    expect(syn.interval95![1]).toBeCloseTo(0.993952, 5);
    expect(syn.excludesZero).toBe(true);
    // ρ = −0.9: the mirror interval [−0.993952, −0.045313], also excluding 0.
    expect(acc[2]!.interval.interval95![0]).toBeCloseTo(-0.993952, 5);
    expect(acc[2]!.interval.interval95![1]).toBeCloseTo(-0.045313, 5);
    expect(acc[2]!.interval.excludesZero).toBe(true);
    // Constant homonymy: no interval.
    expect(acc[1]!.interval).toMatchObject({ estimate: null, excludesZero: null, note: "constant variable" });
    // Exact p: |ρ| ≥ 0.9 for Σd² ≤ 2 (identity + 4 adjacent swaps) or ≥ 38 (their reversals): 10/120.
    expect(acc.map((c) => c.p)).toEqual([expect.closeTo(1 / 12, 12), 1, expect.closeTo(1 / 12, 12)]);
    // BH, m = 3: sorted 1/12, 1/12, 1 → p·3/rank = 1/4, 1/8, 1 → running min from the top: 1/8, 1/8, 1.
    expect(acc.map((c) => c.pAdjusted)).toEqual([expect.closeTo(1 / 8, 12), 1, expect.closeTo(1 / 8, 12)]);
  });

  it("the journal rows carry runs, value, rhoLow/rhoHigh and excludesZero", () => {
    const rows = summaryRows(s).filter(
      (r) => r.epoch === 1 && r.target === "compositional.accuracy" && r.languageMeasure === "synonymy",
    );
    expect(rows.map((r) => r.measure)).toEqual(["spearmanRho", "spearmanP", "spearmanPAdjusted"]);
    for (const r of rows) {
      expect(r.runs).toBe(5);
      expect(r.rhoLow).toBeCloseTo(0.045313, 5);
      expect(r.rhoHigh).toBeCloseTo(0.993952, 5);
      expect(r.excludesZero).toBe(true);
      expect(r.note).toBeUndefined();
    }
    expect(rows.map((r) => r.value)).toEqual([
      expect.closeTo(0.9, 12),
      expect.closeTo(1 / 12, 12),
      expect.closeTo(1 / 8, 12),
    ]);
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  besselIRatio,
  calibrateTemperature,
  calibrateTemperatureWithWarnings,
  klVmfUniform,
  klVmfUniformLowerBound,
  lnGamma,
  logBesselI,
} from "../src/vector/temperature.js";

/** [ν, x, ln I_ν(x), I_{ν+1}(x)/I_ν(x)] from mpmath at 40 digits (scripts/make-bessel-reference.py). */
const MPMATH_BESSEL: [number, number, number, number][] = [
  [0, 0.01, 2.499984375173609e-5, 0.004999937501041649],
  [0, 1, 0.23591435850717865, 0.4463899658965345],
  [0, 18.5, 16.12912673483855, 0.9725861142672609],
  [0, 135, 131.62935345962893, 0.9962893861832095],
  [0, 3999, 3993.9341929240954, 0.9998749609238224],
  [0, 4001, 3995.9339429084616, 0.9998750234316418],
  [0, 100000.0, 99993.32459998432, 0.9999949999874999],
  [0.5, 0.01, -2.5283597790276615, 0.0033333111113227495],
  [0.5, 1, -0.0643519910735318, 0.3130352854993313],
  [0.5, 18.5, 16.122176100753187, 0.9459459459459462],
  [0.5, 135, 131.6284240775761, 0.9925925925925926],
  [0.5, 3999, 3993.934161662372, 0.9997499374843711],
  [0.5, 4001, 3995.933911662367, 0.9997500624843789],
  [0.5, 100000.0, 99993.32459873431, 0.99999],
  [1, 0.01, -5.298304866574078, 0.002499989583398437],
  [1, 1, -0.5706479874908312, 0.24019372387008975],
  [1, 18.5, 16.101330076803826, 0.9200784815733541],
  [1, 135, 131.6256359444071, 0.9889096189373161],
  [1, 3999, 3993.9340678772014, 0.9996249296816455],
  [1, 4001, 3995.933817924083, 0.9996251171582109],
  [1, 100000.0, 99993.3245949843, 0.9999850000375003],
  [1.5, 0.01, -8.23214892030926, 0.0019999942857396825],
  [1.5, 1, -1.2257913526447275, 0.19452804946532512],
  [1.5, 18.5, 16.066606249598376, 0.8949806949806948],
  [1.5, 135, 131.6209890990886, 0.985240464344942],
  [1.5, 3999, 3993.9339115685852, 0.9994999375156446],
  [1.5, 4001, 3995.9336616936116, 0.9995001874531367],
  [1.5, 100000.0, 99993.32458873426, 0.999980000100001],
  [7, 0.01, -45.61337980190221, 0.0006249997829862468],
  [7, 1, -13.345995653624481, 0.062284332675995445],
  [7, 18.5, 14.784612789350644, 0.6670642418019994],
  [7, 135, 131.4472359151021, 0.9457909914476148],
  [7, 3999, 3993.9280656278124, 0.9981260557124131],
  [7, 4001, 3995.9278186754423, 0.9981269916884647],
  [7, 100000.0, 99993.3243549831, 0.9999250024375244],
  [20, 0.01, -148.30196260123807, 0.00023809522521129798],
  [20, 1, -56.186658528812174, 0.02379665318881488],
  [20, 18.5, 5.922094380846936, 0.3793180817767711],
  [20, 135, 130.14509301452713, 0.8591361030761447],
  [20, 3999, 3993.8841742704712, 0.9948862199139248],
  [20, 4001, 3995.883949260935, 0.9948887699173652],
  [20, 100000.0, 99993.32259997433, 0.9997950199876997],
  [39.5, 0.01, -317.7566104304289, 0.00012345678828712202],
  [39.5, 1, -135.84621632067189, 0.012343843210763596],
  [39.5, 18.5, -18.538295817891242, 0.21779961754566707],
  [39.5, 135, 125.87016469057454, 0.7459184011608765],
  [39.5, 3999, 3993.7390900935966, 0.9900462847696068],
  [39.5, 4001, 3995.7389376156025, 0.9900512360040021],
  [39.5, 100000.0, 99993.3167986954, 0.999600078000777],
  [40, 0.01, -322.25333376692276, 0.00012195121774170708],
  [40, 1, -138.04042981871797, 0.01219335196508031],
  [40, 18.5, -19.297570499247936, 0.215373123722158],
  [40, 135, 125.72448558886198, 0.7432677331216603],
  [40, 3999, 3993.7341195614285, 0.9899224965700691],
  [40, 4001, 3995.7339695683086, 0.9899275090619376],
  [40, 100000.0, 99993.31659994442, 0.9995950799882967],
  [63, 0.01, -534.8033101011829, 7.81249995304988e-5],
  [63, 1, -244.67368264192413, 0.007812030554365379],
  [63, 18.5, -59.53450936821486, 0.14167326590267582],
  [63, 135, 117.13062174865887, 0.6338211443228314],
  [63, 3999, 3993.4378920688396, 0.9842451390654628],
  [63, 4001, 3995.4378901623645, 0.9842529525113721],
  [63, 100000.0, 99993.30475488574, 0.9993651984394647],
  [383, 0.01, -3928.2461257872314, 1.3020833331131489e-5],
  [383, 1, -2164.465293577781, 0.0013020811314952971],
  [383, 18.5, -1046.7369996489542, 0.024074616478962488],
  [383, 135, -274.0562161328867, 0.17067339826582137],
  [383, 3999, 3975.605180409405, 0.9086780092398441],
  [383, 4001, 3977.614079811381, 0.9087213818948053],
  [383, 100000.0, 99992.59115221364, 0.9961723344839476],
  [8191, 0.01, -109020.33318233595, 6.103515624997727e-7],
  [8191, 1, -71299.38415839296, 6.103515602265408e-5],
  [8191, 18.5, -47399.91367777375, 0.0011291489511595385],
  [8191, 135, -31119.7223147366, 0.00823918681344586],
  [8191, 3999, -2890.3296332226646, 0.23105094289464662],
  [8191, 4001, -2885.7719274135547, 0.2311547783489454],
  [8191, 100000.0, 99658.04770524518, 0.9214340494063031],
];

/** ε of the exact calibration at n = 100 from mpmath (findroot on the same KL, 40 digits). */
const MPMATH_EXACT_EPSILON: [number, number][] = [
  [3, 0.00735758882343],
  [16, 0.0540329720305],
  [768, 0.0117837599671],
  [4096, 0.00513984561222],
  [16384, 0.00257317370258],
];

describe("logBesselI and besselIRatio", () => {
  it("match mpmath over orders 0 … 8191 and arguments 0.01 … 1e5", () => {
    for (const [nu, x, logI, ratio] of MPMATH_BESSEL) {
      expect(Math.abs(logBesselI(nu, x) - logI) / Math.max(1, Math.abs(logI))).toBeLessThan(1e-13);
      expect(Math.abs(besselIRatio(nu, x) - ratio) / ratio).toBeLessThan(1e-13);
    }
  });

  it("match the closed forms for half-integer orders", () => {
    // I_{1/2}(x) = sqrt(2/(πx)) sinh x ; I_{3/2}(x) = sqrt(2/(πx)) (cosh x − sinh x / x)
    for (const x of [0.7, 3, 20, 700, 1e5, 3e7]) {
      const logSinh = x - Math.LN2 + Math.log1p(-Math.exp(-2 * x));
      const logHalf = 0.5 * Math.log(2 / (Math.PI * x)) + logSinh;
      expect(logBesselI(0.5, x)).toBeCloseTo(logHalf, 10);
      const ratio = 1 / Math.tanh(x) - 1 / x; // I_{3/2}/I_{1/2}
      expect(besselIRatio(0.5, x)).toBeCloseTo(ratio, 13);
      expect(logBesselI(1.5, x)).toBeCloseTo(logHalf + Math.log(ratio), 10);
    }
  });

  it("never overflows and handles x = 0 and tiny x", () => {
    expect(logBesselI(0, 1e6)).toBeCloseTo(1e6 - 0.5 * Math.log(2 * Math.PI * 1e6), 6);
    expect(Number.isFinite(logBesselI(8191, 1e8))).toBe(true);
    expect(logBesselI(0, 0)).toBe(0);
    expect(logBesselI(2, 0)).toBe(-Infinity);
    expect(besselIRatio(3, 0)).toBe(0);
    // I_ν(x) ≈ (x/2)^ν / Γ(ν+1) for tiny x
    expect(logBesselI(3, 1e-200)).toBeCloseTo(3 * Math.log(0.5e-200) - Math.log(6), 10);
    expect(besselIRatio(8191, 1e-200)).toBeCloseTo(1e-200 / 16384, 210);
    expect(() => logBesselI(-1, 2)).toThrow(RangeError);
    expect(() => logBesselI(1, Number.NaN)).toThrow(RangeError);
  });

  it("satisfies the recurrence I_{ν−1} − I_{ν+1} = (2ν/x) I_ν across the method boundaries", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 200, noNaN: true }),
        fc.double({ min: 0.05, max: 9000, noNaN: true }),
        (nu, x) => {
          const q = Math.exp(logBesselI(nu - 1, x) - logBesselI(nu, x)); // I_{ν−1}/I_ν
          const lhs = q - besselIRatio(nu, x);
          expect(Math.abs(lhs - (2 * nu) / x) / Math.max(q, 1)).toBeLessThan(1e-10);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("lnGamma matches known values", () => {
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(lnGamma(1)).toBeCloseTo(0, 14);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 13);
    expect(lnGamma(8192) / 65621.81563294403).toBeCloseTo(1, 14); // mpmath loggamma(8192)
  });
});

describe("temperature calibrations (METHODS §4.2)", () => {
  it("reproduce the METHODS reference values for n = 100", () => {
    const reference: [number, number, number][] = [
      [16, 0.0462, 0.054],
      [64, 0.0362, 0.0371],
      [128, 0.0274, 0.0276],
    ];
    // METHODS quotes 4 decimals; |ours − quoted| < 1e-4 (d = 64 exact is 0.037049 by mpmath too, quoted 0.0371)
    for (const [d, bound, exact] of reference) {
      expect(Math.abs(calibrateTemperature(d, 100, "bound") - bound)).toBeLessThan(1e-4);
      expect(Math.abs(calibrateTemperature(d, 100, "exact") - exact)).toBeLessThan(1e-4);
    }
    expect(calibrateTemperature(768, 100, "leading-order")).toBeCloseTo(0.01189, 5);
    expect(calibrateTemperature(3, 100, "bound") / 1.4e-5).toBeCloseTo(1, 1);
    expect(calibrateTemperature(3, 100, "exact")).toBeCloseTo(0.0074, 4);
  });

  it("exact matches mpmath to 1e-9 for d from 3 to 16,384, and is monotone on each side of its peak near d = 14", () => {
    for (const [d, epsilon] of MPMATH_EXACT_EPSILON) {
      const e = calibrateTemperature(d, 100, "exact");
      expect(Number.isFinite(e)).toBe(true);
      expect(Math.abs(e / epsilon - 1)).toBeLessThan(1e-9);
      expect(klVmfUniform(1 / e, d)).toBeCloseTo(Math.log(100), 10);
    }
  });

  it("exact ε rises with d up to d ≈ 14 and then falls (n = 100)", () => {
    const widths = [2, 3, 4, 6, 8, 10, 12, 14, 16, 64, 768, 4096, 16384];
    const eps = widths.map((d) => calibrateTemperature(d, 100, "exact"));
    const peak = widths.indexOf(14);
    for (let i = 1; i < widths.length; i++) {
      if (i <= peak) expect(eps[i]!).toBeGreaterThan(eps[i - 1]!);
      else expect(eps[i]!).toBeLessThan(eps[i - 1]!);
    }
  });

  it("agrees with the closed form on S² (d = 3): KL = ln(κ / sinh κ) + κ coth κ − 1", () => {
    for (const kappa of [0.3, 2, 15, 135, 2000]) {
      const logSinh = kappa - Math.LN2 + Math.log1p(-Math.exp(-2 * kappa));
      const closed = Math.log(kappa) - logSinh + kappa / Math.tanh(kappa) - 1;
      expect(klVmfUniform(kappa, 3)).toBeCloseTo(closed, 11);
    }
    // for large κ the KL is ln(2κ/e) + O(e^{−2κ}), so ε = 2/(e n)
    for (const n of [100, 1000]) expect(calibrateTemperature(3, n, "exact") / (2 / (Math.E * n))).toBeCloseTo(1, 10);
  });

  it("solve KL = ln n for many n and d, and ε falls as n grows", () => {
    for (const d of [3, 5, 33, 300, 2048]) {
      let previous = Infinity;
      for (const n of [2, 10, 100, 1000, 100000]) {
        const e = calibrateTemperature(d, n, "exact");
        expect(klVmfUniform(1 / e, d)).toBeCloseTo(Math.log(n), 9);
        expect(e).toBeLessThan(previous);
        previous = e;
        const b = calibrateTemperature(d, n, "bound");
        expect(klVmfUniformLowerBound(1 / b, d)).toBeCloseTo(Math.log(n), 9);
      }
    }
  });

  it("the bound is a lower bound on the exact KL, and both grow with κ", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 5000 }), fc.double({ min: 0.01, max: 1e5, noNaN: true }), (d, kappa) => {
        const exact = klVmfUniform(kappa, d);
        expect(klVmfUniformLowerBound(kappa, d)).toBeLessThanOrEqual(exact + 1e-9 * Math.max(1, exact));
        expect(klVmfUniform(kappa * 1.1, d)).toBeGreaterThanOrEqual(exact);
      }),
      { numRuns: 200 },
    );
  });

  it("leading order approaches exact as d grows", () => {
    const gap = (d: number) =>
      calibrateTemperature(d, 100, "leading-order") / calibrateTemperature(d, 100, "exact") - 1;
    expect(gap(16384)).toBeLessThan(gap(768));
    expect(gap(768)).toBeLessThan(gap(64));
    expect(gap(16384)).toBeLessThan(0.001);
  });

  it("warns about bound at small d and about approximations far from exact", () => {
    const small = calibrateTemperatureWithWarnings(3, 100, "bound");
    expect(small.epsilon).toBeCloseTo(1.35e-5, 6);
    expect(small.warnings).toHaveLength(1);
    expect(small.warnings[0]).toMatch(/exact/);
    expect(calibrateTemperatureWithWarnings(16, 100, "leading-order").warnings).toHaveLength(1);
    expect(calibrateTemperatureWithWarnings(768, 100, "bound").warnings).toEqual([]);
    expect(calibrateTemperatureWithWarnings(3, 100, "exact").warnings).toEqual([]);
  });

  it("rejects impossible parameters", () => {
    expect(() => calibrateTemperature(2, 100, "bound")).toThrow(RangeError);
    expect(() => calibrateTemperature(16, 1, "exact")).toThrow(RangeError);
    expect(() => calibrateTemperature(16.5, 100, "exact")).toThrow(RangeError);
    expect(() => calibrateTemperature(16, 100, "nope" as never)).toThrow(RangeError);
  });
});

/**
 * Temperature ε for the soft-entropy estimator (METHODS §4.2): three calibrations.
 *
 * - `leading-order`: ε = 1 / sqrt(2 d ln n).
 * - `exact`: solve KL(vMF_κ ‖ Uniform(S^{d−1})) = ln n for κ = 1/ε, with
 *   KL = κ A_ν(κ) − [ν ln(2ε) + ln Γ(d/2) + ln I_ν(κ)], ν = d/2 − 1.
 * - `bound` (the published package's default): solve KL⁻(ε) = ln n with the Amos-type lower
 *   bound KL⁻ = κ G(d/2, d/2, κ) − Φ⁺(ε, d), G(α, β, κ) = κ/(α + sqrt(κ² + β²)),
 *   Φ⁺ = sqrt(κ² + ν²) − ν + ν ln((d − 2)/(ν + sqrt(κ² + ν²))); needs d > 2.
 * Both KLs increase with κ (decrease with ε); roots are found by Brent's method on ln ε.
 */
import { besselIRatio, lnGamma, logBesselI } from "./bessel.js";

export { logBesselI, besselIRatio, lnGamma } from "./bessel.js";

export type Calibration = "bound" | "exact" | "leading-order";
export const CALIBRATIONS: readonly Calibration[] = ["bound", "exact", "leading-order"];

/** Below this width the `bound` calibration is far from `exact` (METHODS §4.2). */
export const BOUND_MIN_RECOMMENDED_D = 16;

function checkWidth(d: number, minimum: number, what: string): void {
  if (!Number.isInteger(d) || d < minimum)
    throw new RangeError(`${what} needs an integer dimension d ≥ ${minimum}, got ${d}`);
}

function checkAnchors(n: number): void {
  if (!Number.isInteger(n) || n < 2)
    throw new RangeError(`temperature calibration needs an integer number of anchors n ≥ 2, got ${n}`);
}

/** KL(vMF_κ ‖ Uniform(S^{d−1})) in nats, for concentration κ ≥ 0 on the sphere in ℝ^d (d ≥ 2). */
export function klVmfUniform(kappa: number, d: number): number {
  checkWidth(d, 2, "klVmfUniform");
  if (!(kappa >= 0) || !Number.isFinite(kappa)) throw new RangeError(`klVmfUniform needs a finite κ ≥ 0, got ${kappa}`);
  if (kappa === 0) return 0;
  const nu = d / 2 - 1;
  // ν ln(2ε) with ε = 1/κ is ν ln(2/κ); for ν = 0 the term is 0.
  const logNormaliser = (nu === 0 ? 0 : nu * Math.log(2 / kappa)) + lnGamma(d / 2) + logBesselI(nu, kappa);
  // Tiny κ: KL ≈ κ²/(2d) but the difference above loses digits; never report a negative KL.
  return Math.max(0, kappa * besselIRatio(nu, kappa) - logNormaliser);
}

/** The Amos-type lower bound KL⁻(κ) on klVmfUniform (METHODS §4.2); needs d > 2. */
export function klVmfUniformLowerBound(kappa: number, d: number): number {
  checkWidth(d, 3, "the bound calibration");
  if (!(kappa >= 0) || !Number.isFinite(kappa))
    throw new RangeError(`klVmfUniformLowerBound needs a finite κ ≥ 0, got ${kappa}`);
  const nu = d / 2 - 1;
  const half = d / 2;
  const rootHalf = Math.sqrt(kappa * kappa + half * half);
  const rootNu = Math.sqrt(kappa * kappa + nu * nu);
  // κ G = κ²/(d/2 + rootHalf) = rootHalf − d/2, so κ G − (rootNu − ν) = (rootHalf − rootNu) − 1
  // = (d − 1)/(rootHalf + rootNu) − 1: the same value without cancelling two numbers of size κ.
  return (d - 1) / (rootHalf + rootNu) - 1 - nu * Math.log((d - 2) / (nu + rootNu));
}

/** ε for `n` anchors in ℝ^d under the named calibration. */
export function calibrateTemperature(d: number, n: number, calibration: Calibration = "exact"): number {
  checkAnchors(n);
  const target = Math.log(n);
  switch (calibration) {
    case "leading-order":
      checkWidth(d, 1, "the leading-order calibration");
      return 1 / Math.sqrt(2 * d * target);
    case "exact":
      checkWidth(d, 2, "the exact calibration");
      return solveForEpsilon((kappa) => klVmfUniform(kappa, d) - target);
    case "bound":
      checkWidth(d, 3, "the bound calibration (it divides by d − 2)");
      return solveForEpsilon((kappa) => klVmfUniformLowerBound(kappa, d) - target);
    default:
      throw new RangeError(`unknown calibration "${String(calibration)}" (expected ${CALIBRATIONS.join(", ")})`);
  }
}

export interface CalibratedTemperature {
  epsilon: number;
  calibration: Calibration;
  d: number;
  n: number;
  /** Human-readable cautions (e.g. the bound degenerating at small d); empty when none. */
  warnings: string[];
}

/** Relative gap from `exact` above which a warning is given for the approximate calibrations. */
const APPROXIMATION_WARNING_GAP = 0.1;

/** ε with warnings: the `bound` calibration below d = 16, and any approximation more than 10% from `exact`. */
export function calibrateTemperatureWithWarnings(
  d: number,
  n: number,
  calibration: Calibration = "exact",
): CalibratedTemperature {
  const epsilon = calibrateTemperature(d, n, calibration);
  const warnings: string[] = [];
  if (calibration !== "exact") {
    const exact = calibrateTemperature(d, n, "exact");
    const gap = epsilon / exact - 1;
    if (calibration === "bound" && d < BOUND_MIN_RECOMMENDED_D) {
      warnings.push(
        `the bound calibration degenerates for small d (d = ${d}: ε = ${epsilon.toPrecision(3)} against exact ` +
          `${exact.toPrecision(3)}); use --calibration exact below d ≈ ${BOUND_MIN_RECOMMENDED_D}`,
      );
    } else if (Math.abs(gap) > APPROXIMATION_WARNING_GAP) {
      warnings.push(
        `the ${calibration} calibration gives ε = ${epsilon.toPrecision(3)}, ${(100 * gap).toFixed(0)}% from exact ` +
          `${exact.toPrecision(3)} at d = ${d}, n = ${n}; consider --calibration exact`,
      );
    }
  }
  return { epsilon, calibration, d, n, warnings };
}

/**
 * Solves f(κ = 1/ε) = 0 for ε, with f increasing in κ: Brent's method on t = ln ε,
 * starting from the bracket ε ∈ [1e-6, 1] and widening it until the sign changes.
 */
function solveForEpsilon(f: (kappa: number) => number): number {
  const g = (t: number): number => f(Math.exp(-t)); // decreasing in t
  let lo = Math.log(1e-6);
  let hi = 0;
  let gLo = g(lo);
  let gHi = g(hi);
  for (let i = 0; gLo < 0 && i < 60; i++) {
    hi = lo;
    gHi = gLo;
    lo -= 4;
    gLo = g(lo);
  }
  for (let i = 0; gHi > 0 && i < 60; i++) {
    lo = hi;
    gLo = gHi;
    hi += 4;
    gHi = g(hi);
  }
  if (!(gLo >= 0 && gHi <= 0)) throw new RangeError(`temperature calibration found no root (f = ${gLo} … ${gHi})`);
  return Math.exp(brent(g, lo, hi, gLo, gHi));
}

/** Brent's root finder on [a, b] with f(a), f(b) of opposite signs; absolute tolerance on t. */
function brent(f: (t: number) => number, a: number, b: number, fa: number, fb: number): number {
  const tolerance = 1e-14;
  if (fa === 0) return a;
  if (fb === 0) return b;
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < 200; iter++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tolerance;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // inverse quadratic interpolation (or secant when only two points are distinct)
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = d;
      }
    } else {
      d = m;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  return b;
}

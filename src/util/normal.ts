/**
 * Standard normal deviates that are bit-identical on every JavaScript engine.
 *
 * Math.log, Math.cos etc. are only "implementation-approximated" by the ECMAScript spec, so
 * Box–Muller can differ in the last bit between engines. Here every step uses only
 * + − × ÷ and Math.sqrt, which IEEE 754 requires to be correctly rounded:
 * - uniform: two 32-bit outputs of `Random` give a 52-bit integer k; p = (2k + 1) / 2^53 lies
 *   strictly inside (0, 1) and is exact;
 * - Φ⁻¹(p) by Wichura's AS241 (PPND16, relative accuracy about 1e-16), whose tails need
 *   ln p, computed by `arithmeticLog` below.
 */
import type { Random } from "./random.js";

const LN2 = Math.LN2;
const SQRT2 = Math.SQRT2;
const TWO_POW_32 = 4294967296;

/**
 * ln x for finite x > 0 using only + − × ÷ (so the result is the same on every engine):
 * x = m · 2^e with m in [√½, √2), then ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716,
 * summed to s^23 (error below 1e-17 relative). Agrees with Math.log to about 1 ulp.
 */
export function arithmeticLog(x: number): number {
  if (!(x > 0) || x === Infinity) {
    if (x === 0) return -Infinity;
    if (x === Infinity) return Infinity;
    return Number.NaN;
  }
  let m = x;
  let e = 0;
  // Scaling by powers of two is exact (subnormals included, since we only scale towards 1).
  while (m < 1 / TWO_POW_32) {
    m *= TWO_POW_32;
    e -= 32;
  }
  while (m >= TWO_POW_32) {
    m /= TWO_POW_32;
    e += 32;
  }
  while (m < SQRT2 / 2) {
    m *= 2;
    e -= 1;
  }
  while (m >= SQRT2) {
    m /= 2;
    e += 1;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  // 2 s (1 + s²/3 + s⁴/5 + … + s²² / 23), Horner from the highest term.
  let series = 1 / 23;
  for (let k = 21; k >= 1; k -= 2) series = 1 / k + s2 * series;
  return e * LN2 + 2 * s * series;
}

/** Φ⁻¹(p), the standard normal quantile, for 0 < p < 1 (Wichura 1988, AS241 PPND16). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`inverseNormalCdf needs 0 < p < 1, got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((5226.495278852854561 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = Math.sqrt(-arithmeticLog(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value =
      (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    value =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -value : value;
}

/** A uniform in (0, 1), exact and never 0 or 1: (2k + 1)/2^53 with k from 52 random bits. */
export function openUniform(random: Random): number {
  const hi = random.nextUint32() >>> 6; // 26 bits
  const lo = random.nextUint32() >>> 6; // 26 bits
  const k = hi * 67108864 + lo; // < 2^52
  return (2 * k + 1) / 9007199254740992;
}

/** One standard normal deviate, bit-identical on every engine for the same generator state. */
export function standardNormal(random: Random): number {
  return inverseNormalCdf(openUniform(random));
}

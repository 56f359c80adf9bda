/** fastLog (src/info/fastLog.ts): Math.log to within 5e-16 over every range the count tables reach. */
import { describe, expect, it } from "vitest";
import { fastLog } from "../src/info/fastLog.js";
import { Random } from "../src/util/random.js";

describe("fastLog", () => {
  it("agrees with Math.log to 5e-16 (absolute where |ln x| ≤ 1, relative beyond) on 200,000 random values", () => {
    const r = new Random(7);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const x = Math.exp((r.uniform() - 0.5) * 1400); // e^-700 .. e^700: every normal exponent range
      const exact = Math.log(x);
      worst = Math.max(worst, Math.abs(fastLog(x) - exact) / Math.max(1, Math.abs(exact)));
    }
    expect(worst).toBeLessThan(5e-16);
  });

  it("is exact at powers of two and 1, and near 1 from both sides", () => {
    for (let e = -1022; e <= 1023; e += 7) expect(fastLog(2 ** e)).toBeCloseTo(e * Math.LN2, 12);
    expect(fastLog(1)).toBe(0);
    for (const x of [1 - 2 ** -52, 1 + 2 ** -52, 0.999, 1.001, 0.5, 2, Math.E])
      expect(Math.abs(fastLog(x) - Math.log(x))).toBeLessThan(5e-16);
  });

  it("gives what Math.log gives for 0, subnormals, negatives, NaN and Infinity", () => {
    for (const x of [0, -0, 5e-324, 2 ** -1060, -1, -Infinity, Number.NaN, Infinity])
      expect(fastLog(x)).toBe(Math.log(x));
    expect(fastLog(Number.MAX_VALUE)).toBeCloseTo(Math.log(Number.MAX_VALUE), 12);
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { anchorFingerprint, anchorsFromMatrix, makeAnchors } from "../src/vector/anchors.js";
import { arithmeticLog, inverseNormalCdf, openUniform, standardNormal } from "../src/util/normal.js";
import { Fnv1a64, fnv1a64Hex } from "../src/util/fnv.js";
import { Random } from "../src/util/random.js";

describe("arithmeticLog", () => {
  it("is exact where ln is exact and within 2 ulp of Math.log elsewhere", () => {
    expect(arithmeticLog(1)).toBe(0);
    expect(arithmeticLog(0)).toBe(-Infinity);
    expect(arithmeticLog(Infinity)).toBe(Infinity);
    expect(arithmeticLog(-1)).toBeNaN();
    expect(arithmeticLog(2 ** -1074)).toBeCloseTo(-1074 * Math.LN2, 12);
    fc.assert(
      fc.property(fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }), (x) => {
        const expected = Math.log(x);
        expect(Math.abs(arithmeticLog(x) - expected)).toBeLessThanOrEqual(
          4.5e-16 * Math.max(Math.abs(expected), 1e-300) + 1e-300,
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe("standard normal deviates", () => {
  it("Φ⁻¹ matches mpmath (sqrt(2)·erfinv(2p − 1) at 400 digits) to 5e-16 relative", () => {
    const reference: [number, number][] = [
      [1e-300, -37.0470962993612],
      [1e-20, -9.262340089798407],
      [1e-10, -6.361340902404057],
      [0.001, -3.0902323061678136],
      [0.02425, -1.972961051311885],
      [0.075, -1.439531470938456],
      [0.1, -1.2815515655446004],
      [0.3, -0.5244005127080408],
      [0.6, 0.2533471031357997],
      [0.925, 1.4395314709384561],
      [0.99, 2.3263478740408408],
      [0.999999, 4.753424308817087],
      [0.9999999999999999, 8.209536151601387],
    ];
    for (const [p, z] of reference) expect(Math.abs(inverseNormalCdf(p) - z) / Math.abs(z)).toBeLessThan(5e-16);
    expect(() => inverseNormalCdf(0)).toThrow(RangeError);
    expect(() => inverseNormalCdf(1)).toThrow(RangeError);
  });

  it("uniforms are strictly inside (0, 1) and deviates have mean 0, variance 1, normal tails", () => {
    const random = new Random(7);
    const count = 100_000;
    let sum = 0;
    let sumSquares = 0;
    let beyond2 = 0;
    for (let i = 0; i < count; i++) {
      const z = standardNormal(random);
      sum += z;
      sumSquares += z * z;
      if (Math.abs(z) > 1.959963984540054) beyond2++;
    }
    const mean = sum / count;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(count));
    expect(Math.abs(sumSquares / count - mean * mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(beyond2 / count - 0.05)).toBeLessThan(0.004); // sd of the proportion is 0.0007
    const u = new Random(0);
    for (let i = 0; i < 1000; i++) {
      const p = openUniform(u);
      expect(p > 0 && p < 1).toBe(true);
    }
  });

  it("golden values for seed 1 never change", () => {
    const random = new Random(1);
    expect([0, 1, 2, 3].map(() => standardNormal(random))).toEqual([
      0.17282625496325846, 1.223311317741725, -0.07380587689903612, -0.37732054658376785,
    ]);
  });
});

describe("FNV-1a 64", () => {
  it("matches the published test vectors and a BigInt reference", () => {
    const text = new TextEncoder();
    expect(fnv1a64Hex(text.encode(""))).toBe("cbf29ce484222325");
    expect(fnv1a64Hex(text.encode("a"))).toBe("af63dc4c8601ec8c");
    expect(fnv1a64Hex(text.encode("foobar"))).toBe("85944171f73967e8");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        let h = 0xcbf29ce484222325n;
        for (const byte of [...a, ...b]) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
        expect(new Fnv1a64().update(a).update(b).hex()).toBe(h.toString(16).padStart(16, "0"));
      }),
      { numRuns: 300 },
    );
  });
});

describe("makeAnchors (glossa-anchors-v1)", () => {
  it("golden values and fingerprints never change (also reproduced by scripts/anchors-reference.py)", () => {
    const small = makeAnchors({ n: 3, d: 4, seed: 42 });
    expect(Array.from(small.data)).toEqual([
      0.14348715543746948, -0.42183247208595276, -0.4889037311077118, -0.7499613165855408, 0.4718083143234253,
      -0.3613687753677368, 0.7465196847915649, 0.2991954982280731, -0.007261775899678469, 0.07251565158367157,
      -0.8373980522155762, -0.541713297367096,
    ]);
    expect(anchorFingerprint(small)).toBe("0b947185db8df684");
    const large = makeAnchors({ n: 100, d: 768, seed: 0 });
    expect(anchorFingerprint(large)).toBe("4ab03df34e347b0a");
    expect(large.data[12345]).toBe(0.047318316996097565);
    expect(large.seed).toBe(0);
  });

  it("rows are unit vectors; other seeds and shapes give other fingerprints; prefixes are shared", () => {
    const a = makeAnchors({ n: 50, d: 33, seed: 5 });
    for (let i = 0; i < a.n; i++) {
      let s = 0;
      for (let j = 0; j < a.d; j++) s += a.data[i * a.d + j]! ** 2;
      expect(Math.abs(Math.sqrt(s) - 1)).toBeLessThan(1e-6);
    }
    expect(anchorFingerprint(makeAnchors({ n: 50, d: 33, seed: 6 }))).not.toBe(anchorFingerprint(a));
    const fewer = makeAnchors({ n: 20, d: 33, seed: 5 });
    expect(fewer.data).toEqual(a.data.subarray(0, 20 * 33));
    expect(anchorFingerprint(fewer)).not.toBe(anchorFingerprint(a));
    // same bytes, other shape: different fingerprint
    expect(anchorFingerprint({ n: 33, d: 50, data: a.data })).not.toBe(anchorFingerprint(a));
  });

  it("coordinates have mean 0 and variance 1/d (isotropic directions)", () => {
    const d = 64;
    const a = makeAnchors({ n: 2000, d, seed: 11 });
    let sum = 0;
    let sumSquares = 0;
    const columnMeans = new Float64Array(d);
    for (let i = 0; i < a.n; i++) {
      for (let j = 0; j < d; j++) {
        const v = a.data[i * d + j]!;
        sum += v;
        sumSquares += v * v;
        columnMeans[j]! += v / a.n;
      }
    }
    const count = a.n * d;
    expect(Math.abs(sum / count)).toBeLessThan(4 * Math.sqrt(1 / d / count));
    expect(sumSquares / count).toBeCloseTo(1 / d, 10); // unit rows: exactly 1/d up to float32 rounding
    const worstColumn = Math.max(...Array.from(columnMeans, Math.abs));
    expect(worstColumn).toBeLessThan(5 * Math.sqrt(1 / d / a.n));
  });

  it("anchorsFromMatrix normalises rows and names bad rows", () => {
    const m = anchorsFromMatrix([3, 4, 0, 2], 2, 2);
    expect(Array.from(m.data)).toEqual([0.6000000238418579, 0.800000011920929, 0, 1]);
    expect(m.seed).toBeUndefined();
    expect(() => anchorsFromMatrix([1, 0, 0, 0], 2, 2)).toThrow(/row 1 is all zeros/);
    expect(() => anchorsFromMatrix([1, Number.NaN, 0, 1], 2, 2)).toThrow(/row 0, column 1/);
    expect(() => anchorsFromMatrix([1, 2, 3], 2, 2)).toThrow(/expected/);
    expect(() => makeAnchors({ n: 0, d: 3, seed: 1 })).toThrow(RangeError);
    // saved anchors load back bit-identical (same fingerprint), float64 copies too
    const saved = makeAnchors({ n: 10, d: 300, seed: 3 });
    expect(anchorFingerprint(anchorsFromMatrix(saved.data, 10, 300))).toBe(anchorFingerprint(saved));
    expect(anchorFingerprint(anchorsFromMatrix(Float64Array.from(saved.data), 10, 300))).toBe(anchorFingerprint(saved));
    const scaled = anchorsFromMatrix(
      Float64Array.from(saved.data, (v) => v * 3),
      10,
      300,
    );
    expect(Math.max(...Array.from(scaled.data, (v, i) => Math.abs(v - saved.data[i]!)))).toBeLessThan(1e-7);
  });
});

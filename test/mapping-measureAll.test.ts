import { describe, expect, it } from "vitest";
import { measureMapping, MEASURE_NAMES } from "../src/mapping/measureAll.js";
import { meaningSpace } from "../src/mapping/meaningSpace.js";
import { syntheticLanguage, SYNTHETIC_KINDS } from "../src/mapping/synthetic.js";
import { topographicSimilarity } from "../src/mapping/topsim.js";

const space = meaningSpace([5, 5, 5]);
const opts = { length: 6, alphabetSize: 26, seed: 3 };

describe("measureMapping", () => {
  it("gives every measure, the word order and the parameters (compositional reference values)", async () => {
    const m = syntheticLanguage("compositional", space, opts);
    const r = await measureMapping(m, { topsimPermutations: 3, seed: 5 });
    expect(Object.keys(r.values).sort()).toEqual([...MEASURE_NAMES].sort());
    expect([r.values.synonymy, r.values.homonymy, r.values.wordOrderFreedom, r.values.entanglement]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(r.values.posdis).toBeCloseTo(1, 12);
    expect(r.values.residualEntropy).toBeCloseTo(0, 12);
    expect(r.values.topsim).toBe(topographicSimilarity(m).topsim);
    expect(r.values.accuracy).toBeNull();
    expect(r.wordOrder).toEqual(["subject", "subject", "verb", "verb", "object", "object"]);
    expect(r.details.topsim!.permutation!.permutations).toBe(3);
    expect(r.parameters).toMatchObject({
      rows: 125,
      signalLength: 6,
      alphabetSize: 26,
      padSymbol: null,
      afterEos: "count",
      signalDistance: "levenshtein",
      topsimPairs: (125 * 124) / 2,
      topsimPermutations: 3,
      seed: 5,
      unobservedAtoms: "skipped",
    });
  });
  it("never puts NaN in its output, for any synthetic language", async () => {
    for (const kind of SYNTHETIC_KINDS) {
      const r = await measureMapping(syntheticLanguage(kind, space, opts));
      for (const name of MEASURE_NAMES) {
        const v = r.values[name];
        if (v !== null) expect(Number.isFinite(v)).toBe(true);
      }
      expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
    }
  });
  it("skips topsim on request, adds accuracy from predictions, uses an injected topsim runner", async () => {
    const m = syntheticLanguage("holistic", space, opts);
    const skipped = await measureMapping(m, { skipTopsim: true });
    expect(skipped.values.topsim).toBeNull();
    expect(skipped.parameters.topsimPairs).toBeNull();
    const predicted = m.meanings.slice();
    predicted[0] = (predicted[0]! + 1) % 5;
    const withAcc = await measureMapping(m, { skipTopsim: true, predictedMeanings: predicted });
    expect(withAcc.values.accuracy).toBeCloseTo(124 / 125, 14);
    let calls = 0;
    const injected = await measureMapping(m, {
      signalDistance: "hamming",
      topsimRunner: async (mm, o) => {
        calls++;
        return topographicSimilarity(mm, o);
      },
    });
    expect(calls).toBe(1);
    expect(injected.parameters.signalDistance).toBe("hamming");
    expect(injected.values.topsim).toBe(topographicSimilarity(m, { signalDistance: "hamming" }).topsim);
  });
  it("passes the EOS option to the variation measures and reports it", async () => {
    const m = { ...syntheticLanguage("compositional", space, opts), padSymbol: 0 };
    const r = await measureMapping(m, { afterEos: "ignore", skipTopsim: true, bagExcludeSymbols: [0] });
    expect(r.parameters.afterEos).toBe("ignore");
    expect(r.parameters.eosSymbol).toBe("a");
    expect(r.parameters.bagExcludeSymbols).toEqual(["a"]);
  });
});

/**
 * The library example printed in README.md ("Library"), run as written (imports adapted
 * from "glossa" to the source tree). If this breaks, fix the README too.
 */
import { describe, expect, it } from "vitest";
import {
  svoMeaningSpace,
  syntheticLanguage,
  measureMapping,
  createAccumulatorNode,
  structureMeasures,
  Random,
} from "../src/index.js";

describe("README library example", () => {
  it("measures a synthetic language and a labelled vector space", async () => {
    // Discrete: a compositional language over 25 × 25 × 25 subject–verb–object meanings.
    const space = svoMeaningSpace(25);
    const language = syntheticLanguage("compositional", space, { length: 6, alphabetSize: 26, seed: 1 });
    const { values, wordOrder } = await measureMapping(language);
    expect(values.synonymy).toBe(0);
    expect(values.posdis).toBeCloseTo(1, 12);
    expect(wordOrder).toEqual(["subject", "subject", "verb", "verb", "object", "object"]);

    // Vectors: 2,000 rows in d = 64 whose position depends on a label with 8 values.
    const d = 64;
    const rows = new Float32Array(2000 * d);
    const labels = new Int32Array(2000);
    const random = new Random(7);
    for (let i = 0; i < 2000; i++) {
      labels[i] = i % 8;
      for (let j = 0; j < d; j++) rows[i * d + j] = (j % 8 === labels[i] ? 3 : 0) + random.uniform() - 0.5;
    }
    const acc = await createAccumulatorNode({ d, n: 100, seed: 0, calibration: "exact" });
    await acc.update(rows, { cluster: labels });
    const table = structureMeasures(acc);
    const regularity = table.find((r) => r.labelSet === "cluster" && r.measure === "regularity-h")!.value;
    const information = table.find((r) => r.measure === "information")!.value;
    expect(regularity).toBeGreaterThan(0.3);
    expect(information).toBeGreaterThan(0);
    expect(information).toBeLessThanOrEqual(1);
  });
});

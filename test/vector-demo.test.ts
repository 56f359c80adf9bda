import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { vectorDemoSection } from "../src/experiments/vectorDemo.js";

describe("vector demo section", () => {
  it("shows regularity high for the label that matters and ~0 for the irrelevant one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-vector-demo-"));
    try {
      const logs: string[] = [];
      const out = await vectorDemoSection(dir, (m) => logs.push(m), {
        count: 800,
        d: 16,
        noises: [0.5, 1, 8],
        permutations: 20,
        seed: 2,
        nullShadows: 2,
      });
      const sweep = (
        out.results as {
          sweep: {
            noise: number;
            labelSet: string;
            estimator: string;
            measure: string;
            value: number;
            correction: string;
          }[];
        }
      ).sweep;
      const reg = (noise: number, labelSet: string, correction = "corrected", measure = "regularity-h") =>
        sweep.find(
          (r) =>
            r.noise === noise &&
            r.labelSet === labelSet &&
            r.estimator === "soft" &&
            r.measure === measure &&
            r.correction === correction,
        )!.value;
      // Corrected by default; the raw value of the irrelevant label is its small-sample bias (100 rows per value).
      expect(Math.abs(reg(1, "irrelevant", "corrected", "regularity-ln-n"))).toBeLessThan(0.01);
      expect(reg(1, "irrelevant", "raw", "regularity-ln-n")).toBeGreaterThan(
        reg(1, "irrelevant", "corrected", "regularity-ln-n") + 0.005,
      );
      expect(sweep.filter((r) => r.measure === "information" && r.noise === 1 && r.estimator === "soft")).toHaveLength(
        1,
      );
      expect(reg(0.5, "meaning")).toBeGreaterThan(0.2);
      expect(Math.abs(reg(0.5, "irrelevant"))).toBeLessThan(0.03);
      expect(reg(8, "meaning")).toBeLessThan(reg(0.5, "meaning"));
      expect(reg(1, "meaning+subtype")).toBeGreaterThan(reg(1, "meaning"));
      const nulls = (out.results as { nulls: { labelSet: string; pValue: number }[] }).nulls;
      expect(nulls.find((n) => n.labelSet === "meaning")!.pValue).toBeLessThan(0.06);
      expect(out.html).toContain("<svg");
      // The residual decomposition in the shared row format: measure "residual" + component, summing to 1.
      const residual = (
        out.results as { residual: { measure: string; labelSet: string; component: string; value: number }[] }
      ).residual;
      const corrected = residual.filter((r) => (r as { correction?: string }).correction === "corrected");
      expect(corrected.map((r) => [r.measure, r.labelSet, r.component])).toEqual([
        ["residual", "nested", "meaning"],
        ["residual", "nested", "meaning+subtype − meaning"],
        ["residual", "nested", "unexplained"],
      ]);
      expect(corrected.reduce((a, r) => a + r.value, 0)).toBeCloseTo(1, 12);
      expect(residual).toHaveLength(9);
      const tsv = fs.readFileSync(path.join(dir, "measures.tsv"), "utf8").trim().split("\n");
      expect(tsv[0]).toBe("noise\tlabelSet\testimator\tmeasure\tcomponent\tcorrection\tvalue");
      expect(tsv.filter((l) => l.split("\t")[3] === "residual")).toHaveLength(9);
      expect(logs.join("\n")).toContain("Residual decomposition");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

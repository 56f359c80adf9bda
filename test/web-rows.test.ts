/** The dashboard's pure row helpers and plot specs (src/web/rows.ts, src/web/specs.ts). */
import { describe, expect, it } from "vitest";
import {
  ALL,
  averageOverReplicates,
  finalPerReplicate,
  finalValues,
  meanBand,
  measuresOf,
  pickersFor,
  selectRows,
  seriesFields,
  tCritical95,
  variantOf,
  variantsOf,
  xCandidates,
  xFieldOf,
  type Row,
} from "../src/web/rows.js";
import { compareBandSpec, measureLineSpec } from "../src/web/specs.js";
import { fixtureRows } from "./helpers/runFixtures.js";

const rows = fixtureRows({ seeds: [0, 1, 2], epochs: 4 }) as Row[];

describe("rows → pickers, series, finals", () => {
  it("lists measures with numeric values only", () => {
    expect(measuresOf(rows)).toEqual(["accuracy", "regularity", "residual", "topsim"]);
  });
  it("picks epoch as x and offers pickers for the coordinates that vary", () => {
    const regularity = rows.filter((r) => r.measure === "regularity");
    expect(xFieldOf(regularity)).toBe("epoch");
    const pickers = pickersFor(regularity, "epoch");
    expect(pickers.map((p) => p.field)).toEqual(["labelSet", "correction"]);
    expect(pickers[0]).toEqual({ field: "labelSet", options: [ALL, "role", "token"], initial: "role" });
    expect(pickers[1]!.initial).toBe("corrected");
    const accuracy = pickersFor(
      rows.filter((r) => r.measure === "accuracy"),
      "epoch",
    );
    expect(accuracy).toEqual([{ field: "split", options: [ALL, "test", "train"], initial: ALL }]);
  });
  it("selects rows by picks and names series by what still varies", () => {
    const picked = selectRows(rows, "regularity", { labelSet: "role", correction: "raw" });
    expect(picked).toHaveLength(3 * 4);
    expect(seriesFields(picked, "epoch")).toEqual(["seed"]);
    const finals = finalValues(picked, "epoch");
    expect(finals.map((f) => f.series)).toEqual(["seed=0", "seed=1", "seed=2"]);
    expect(finals.every((f) => f.x === 4)).toBe(true);
  });
  it("leaves out series fields another one determines (a run fixes its seed)", () => {
    const runs: Row[] = ["a", "b"].flatMap((run, i) =>
      ["train", "test"].map((split) => ({
        measure: "acc",
        run,
        seed: i,
        hiddenSize: 32 * (i + 1),
        split,
        epoch: 1,
        value: 0,
      })),
    );
    expect(seriesFields(runs, "epoch")).toEqual(["run", "split"]);
    const seedsOnly = runs.map(({ run: _run, ...rest }) => rest as Row);
    expect(seriesFields(seedsOnly, "epoch")).toEqual(["hiddenSize", "split"]);
  });
  it("uses layer as x when there is no step or epoch", () => {
    const layered: Row[] = [0, 1, 2].map((layer) => ({ measure: "I", layer, value: layer }));
    expect(xFieldOf(layered)).toBe("layer");
    expect(xFieldOf([{ measure: "I", value: 1 }])).toBeNull();
    // a checkpoint sweep: 2 steps × 3 layers → layer is the default x, step can be chosen
    const sweep: Row[] = [0, 300].flatMap((step) =>
      [0, 1, 2].map((layer) => ({ measure: "I", step, layer, value: 1 })),
    );
    expect(xCandidates(sweep)).toEqual(["layer", "step"]);
    expect(xFieldOf(sweep)).toBe("layer");
    expect(xFieldOf(sweep, "step")).toBe("step");
    expect(xFieldOf(sweep, "epoch")).toBe("layer");
  });
});

describe("seed averages with a 95% t-interval", () => {
  it("has Student's critical values", () => {
    expect(tCritical95(1)).toBeCloseTo(12.706, 2);
    expect(tCritical95(4)).toBeCloseTo(2.776, 3);
    expect(tCritical95(30)).toBeCloseTo(2.042, 3);
  });
  it("gives mean ± t·s/√n", () => {
    const band = meanBand([1, 2, 3, 4, 5]);
    expect(band.mean).toBe(3);
    expect(band.upper - band.mean).toBeCloseTo(2.776 * Math.sqrt(2.5 / 5), 3);
    expect(meanBand([7])).toEqual({ mean: 7, lower: 7, upper: 7, n: 1 });
  });
  it("averages replicates per x", () => {
    const topsim = selectRows(rows, "topsim", {});
    const averaged = averageOverReplicates(topsim, "epoch");
    expect(averaged.map((a) => a.x)).toEqual([1, 2, 3, 4]);
    expect(averaged.every((a) => a.n === 3 && a.lower < a.mean && a.mean < a.upper)).toBe(true);
    const atOne = topsim.filter((r) => r.epoch === 1).map((r) => r.value as number);
    expect(averaged[0]!.mean).toBeCloseTo(atOne.reduce((a, b) => a + b) / 3, 12);
  });
  it("takes each replicate's final value of a variant for the scatter", () => {
    const variants = variantsOf(rows);
    expect(variants).toContain("accuracy · split=test");
    expect(variantOf(rows[0]!)).toBe("accuracy · split=train");
    const finals = finalPerReplicate(rows, "accuracy · split=test");
    expect([...finals.keys()]).toEqual(["seed=0", "seed=1", "seed=2"]);
    const last = rows.find((r) => r.seed === 2 && r.epoch === 4 && r.split === "test" && r.measure === "accuracy")!;
    expect(finals.get("seed=2")).toBe(last.value);
  });
});

describe("plot specs", () => {
  it("draws a line per series with legend selection and a log option", () => {
    const spec = measureLineSpec([{ x: 0, value: 1, series: "a" }], { measure: "m", xField: "step", log: true }) as {
      mark: { type: string };
      params: { bind: string }[];
      encoding: { x: { scale: { type: string } } };
    };
    expect(spec.mark.type).toBe("line");
    expect(spec.params[0]!.bind).toBe("legend");
    expect(spec.encoding.x.scale.type).toBe("symlog");
  });
  it("layers a band under the mean line", () => {
    const spec = compareBandSpec([{ run: "r", x: 1, mean: 1, lower: 0, upper: 2, n: 3 }], {
      measure: "m",
      xField: "epoch",
      log: false,
    }) as { layer: { mark: { type: string } }[] };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(["area", "line"]);
  });
});

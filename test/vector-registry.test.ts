/**
 * Adding an estimator takes one file and one registration: a toy "uniform" estimator, defined
 * and registered only here, passes the generic contract and is offered by createAccumulator,
 * accumulatorFromJSON and `glossa entropy` with no other edit.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  ESTIMATORS,
  accumulatorFromJSON,
  checkMergeLabelSets,
  checkMergeable,
  commonJson,
  commonOptionsOf,
  commonParameters,
  createAccumulator,
  estimatorSpec,
  invalidRowMask,
  isCounting,
  openBatch,
  readJson,
  registerEstimator,
  type AccumulatorJson,
  type CommonOptions,
  type CommonState,
  type EntropyAccumulator,
  type EntropyEstimate,
  type EstimatorSpec,
  type LabelSetEstimate,
  type LabelSets,
  type RowBatch,
} from "../src/vector/index.js";
import type { Weighting } from "../src/info/index.js";
import { writeNpy } from "../src/io/npy.js";
import { run as entropyCommand } from "../src/cli/commands/entropy.js";
import { describeEstimatorContract } from "./helpers/estimatorContract.js";
import { clusteredRows } from "./vector-helpers.js";

/** Every row is spread evenly over `cells` cells: H(Z) = H(Z|X) = ln cells, I = 0. Only rows per label value are kept. */
class UniformAccumulator implements EntropyAccumulator, CommonState {
  readonly estimator = "uniform";
  readonly d: number;
  readonly cells: number;
  readonly minCount: number;
  readonly weighting: Weighting;
  readonly skipInvalid: boolean;
  rows = 0;
  skippedRows = 0;
  labelSetNames: string[] | null = null;
  /** label set → value → rows. */
  counts = new Map<string, Map<number, number>>();

  constructor(options: CommonOptions & { d: number; cells?: number }) {
    this.d = options.d;
    this.cells = options.cells ?? 4;
    if (!Number.isInteger(this.cells) || this.cells < 1)
      throw new RangeError(`cells must be a positive integer, got ${this.cells}`);
    this.minCount = options.minCount ?? 1;
    this.weighting = options.weighting ?? "weighted";
    this.skipInvalid = options.skipInvalid ?? false;
  }

  async update(rows: RowBatch, labelSets?: LabelSets): Promise<void> {
    const batch = openBatch(this.d, rows, labelSets, {
      rowsSeen: this.rows + this.skippedRows,
      rowsCounted: this.rows,
      labelSetNames: this.labelSetNames,
    });
    if (batch.count === 0) return;
    const mask = invalidRowMask(batch, this.d, { skipInvalid: this.skipInvalid, rejectZero: false });
    if (this.rows === 0) this.labelSetNames = batch.names;
    for (let i = 0; i < batch.count; i++) {
      if (mask && mask[i] === 0) {
        this.skippedRows++;
        continue;
      }
      this.rows++;
      for (const name of batch.names) this.add(name, (labelSets![name] as Int32Array)[i]!, 1);
    }
  }

  private add(name: string, value: number, rows: number): void {
    if (value < 0) return;
    let table = this.counts.get(name);
    if (!table) this.counts.set(name, (table = new Map()));
    table.set(value, (table.get(value) ?? 0) + rows);
  }

  merge(other: EntropyAccumulator): this {
    const theirs = checkMergeable<UniformAccumulator>(this, other, UniformAccumulator, (o) => [
      ["cells", this.cells, o.cells],
    ]);
    checkMergeLabelSets(
      { rows: this.rows, names: this.labelSetNames },
      { rows: theirs.rows, names: theirs.labelSetNames },
    );
    if (this.rows === 0) this.labelSetNames = theirs.labelSetNames;
    for (const [name, table] of theirs.counts) for (const [value, rows] of table) this.add(name, value, rows);
    this.rows += theirs.rows;
    this.skippedRows += theirs.skippedRows;
    return this;
  }

  clone(): UniformAccumulator {
    return UniformAccumulator.fromJSON(this.toJSON());
  }

  parameters(): Record<string, unknown> {
    return { ...commonParameters(this), cells: this.cells };
  }

  result(): EntropyEstimate {
    const h = Math.log(this.cells);
    const labelSets: Record<string, LabelSetEstimate> = {};
    for (const name of this.labelSetNames ?? []) {
      const sizes = [...(this.counts.get(name)?.values() ?? [])];
      const kept = sizes.filter((n) => n >= this.minCount);
      const retainedRows = kept.reduce((a, b) => a + b, 0);
      const inValues = sizes.reduce((a, b) => a + b, 0);
      labelSets[name] = {
        values: sizes.length,
        retainedValues: kept.length,
        retainedRows,
        droppedRows: inValues - retainedRows,
        excludedRows: this.rows - inValues,
        entropy: retainedRows > 0 ? h : 0,
        conditionalEntropy: retainedRows > 0 ? h : 0,
        mutualInformation: 0,
        disentanglement: 0,
        generalisedJsd: 0,
      };
    }
    return {
      estimator: this.estimator,
      differential: false,
      maxEntropy: h,
      rows: this.rows,
      skippedRows: this.skippedRows,
      entropy: this.rows > 0 ? h : 0,
      labelSets,
      parameters: this.parameters(),
    };
  }

  toJSON(): AccumulatorJson {
    return {
      ...commonJson("uniform", this.d, this),
      cells: this.cells,
      rows: this.rows,
      skippedRows: this.skippedRows,
      labelSetNames: this.labelSetNames,
      counts: Object.fromEntries([...this.counts].map(([name, table]) => [name, [...table]])),
    };
  }

  static fromJSON(json: unknown): UniformAccumulator {
    type Json = AccumulatorJson &
      CommonState & {
        cells: number;
        rows: number;
        skippedRows: number;
        labelSetNames: string[] | null;
        counts: Record<string, [number, number][]>;
      };
    const { json: j, common } = readJson<Json>(json, "uniform");
    const acc = new UniformAccumulator({ ...common, cells: j.cells });
    acc.rows = j.rows;
    acc.skippedRows = j.skippedRows;
    acc.labelSetNames = j.labelSetNames;
    for (const [name, entries] of Object.entries(j.counts)) acc.counts.set(name, new Map(entries));
    return acc;
  }
}

const uniformEstimator: EstimatorSpec = {
  name: "uniform",
  summary: "toy: every row spread evenly over --cells cells",
  counting: false,
  rejectsZeroRows: false,
  orderInvariant: true,
  needs: [],
  options: [{ flag: "cells", key: "cells", kind: "integer", min: 1, description: "uniform: cells (default 4)" }],
  create: (o) =>
    new UniformAccumulator({
      ...commonOptionsOf(o),
      d: o.d,
      ...(o.cells !== undefined ? { cells: o.cells as number } : {}),
    }),
  fromJSON: (json) => UniformAccumulator.fromJSON(json),
};

const unregister = registerEstimator(uniformEstimator);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-registry-"));
afterAll(() => {
  unregister();
  fs.rmSync(dir, { recursive: true, force: true });
});

describeEstimatorContract("uniform");

describe("a run-time registered estimator", () => {
  it("is offered by createAccumulator, accumulatorFromJSON and the registry lists", async () => {
    expect(ESTIMATORS).toContain("uniform");
    expect(estimatorSpec("uniform")).toBe(uniformEstimator);
    const acc = createAccumulator({ estimator: "uniform", d: 3, cells: 8 });
    await acc.update(Float32Array.of(1, 2, 3, 4, 5, 6), { x: Int32Array.of(0, 1) });
    expect(acc.result().entropy).toBeCloseTo(Math.log(8), 14);
    expect(accumulatorFromJSON(JSON.parse(JSON.stringify(acc.toJSON()))).result()).toEqual(acc.result());
    expect(isCounting(acc)).toBe(false);
    expect(() => registerEstimator(uniformEstimator)).toThrow(/already registered/);
    expect(() => createAccumulator({ estimator: "nope", d: 3 })).toThrow(
      /unknown estimator "nope" \(expected .*uniform/,
    );
  });

  it("is a choice of `glossa entropy`, with its own option", async () => {
    const { rows, labels } = clusteredRows(50, 4, 3, 1);
    const reps = path.join(dir, "reps.npy");
    const tok = path.join(dir, "tok.npy");
    writeNpy(reps, rows, [50, 4]);
    writeNpy(tok, labels, [50]);
    const out: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
    try {
      const code = await entropyCommand([
        reps,
        "--estimator",
        "uniform",
        "--cells",
        "6",
        "--labels",
        `t=${tok}`,
        "--json",
      ]);
      expect(code).toBe(0);
    } finally {
      log.mockRestore();
    }
    const printed = JSON.parse(out.join("\n"));
    expect(printed.parameters).toMatchObject({ estimator: "uniform", cells: 6 });
    expect(printed.result.entropy).toBeCloseTo(Math.log(6), 14);
  });
});

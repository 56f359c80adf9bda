import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { presetConfig } from "../src/experiments/seq2seq/config.js";
import { TINY_SEQ2SEQ } from "./helpers/runRows.js";
import { runExperiment } from "../src/experiments/seq2seq/experiment.js";
import { probeLabels, structureRows } from "../src/experiments/seq2seq/structure.js";
import { encodeExamples, buildVocabularies } from "../src/experiments/seq2seq/encoding.js";
import { SCAN_CATEGORY_NAMES, SCAN_WORD_CATEGORIES } from "../src/experiments/seq2seq/scan.js";
import { summariseRun, summariseSeq2seq } from "../src/experiments/seq2seq/summary.js";
import type { EntropyEstimate } from "../src/vector/accumulator.js";

const tiny = () => presetConfig("quick", TINY_SEQ2SEQ);

function journal(dir: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(dir, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("seq2seq run folders", () => {
  it("an interrupted run resumes from its journal and checkpoint to the same results", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "s2s-run-"));
    const straight = path.join(root, "straight");
    const result = await runExperiment(tiny(), { out: straight, resume: false, log: () => {} });
    expect(result.outcomes[0]!.trainedSteps).toBe(8);
    const interrupted = path.join(root, "interrupted");
    // "Kill" the run right after the measurement at step 3 has been journaled and checkpointed.
    await expect(
      runExperiment(tiny(), {
        out: interrupted,
        resume: false,
        log: (m) => {
          if (m.includes("step 3/8")) throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    expect(JSON.parse(fs.readFileSync(path.join(interrupted, "run.json"), "utf8")).status).toBe("failed: killed");
    fs.appendFileSync(path.join(interrupted, "results.jsonl"), '{"experiment":"seq2seq","meas'); // a torn last line
    await expect(runExperiment(tiny(), { out: interrupted, resume: false, log: () => {} })).rejects.toThrow(/--resume/);
    const messages: string[] = [];
    const resumed = await runExperiment(tiny(), { out: interrupted, resume: true, log: (m) => messages.push(m) });
    expect(messages.some((m) => m.includes("dropped a partly written last line"))).toBe(true);
    expect(messages.some((m) => m.includes("resumed from the checkpoint at step 3"))).toBe(true);
    expect(resumed.outcomes[0]!.trainedSteps).toBe(5);
    const key = (r: Record<string, unknown>) =>
      `${r.step}|${r.layer}|${r.labelSet}|${r.measure}|${r.component}|${r.correction}|${r.replicate}`;
    const a = new Map(journal(straight).map((r) => [key(r), r.value]));
    const b = journal(interrupted);
    expect(b.length).toBe(a.size);
    for (const r of b) expect(r.value).toBe(a.get(key(r)));
    // The bias correction is on by default (raw, null and corrected rows), and information is bootstrapped.
    const corrections = new Set(b.filter((r) => r.measure === "regularity-ln-n").map((r) => r.correction));
    expect([...corrections].sort()).toEqual(["corrected", "null", "raw"]);
    expect(b.filter((r) => r.measure === "information-bootstrap" && r.step === 8 && r.layer === 2)).toHaveLength(200);
    for (const f of ["results.csv", "summary.json", "report.html", "information.svg", "accuracy.svg"])
      expect(fs.existsSync(path.join(interrupted, f))).toBe(true);
    // Resuming a finished run trains nothing.
    const again = await runExperiment(tiny(), { out: interrupted, resume: true, log: () => {} });
    expect(again.outcomes[0]!.skipped).toBe(true);
  });
});

describe("encoder-structure rows", () => {
  it("probe labels cover every real token: token, flat and nested n-grams, POS", () => {
    const examples = [
      { input: ["jump", "twice"], output: ["JUMP", "JUMP"] },
      { input: ["walk", "left", "and", "run"], output: ["LTURN", "WALK", "RUN"] },
    ];
    const vocab = buildVocabularies(examples);
    const probe = encodeExamples(examples, vocab, 5, 4);
    const pos = (id: number) =>
      id === 0
        ? undefined
        : SCAN_CATEGORY_NAMES.indexOf(SCAN_WORD_CATEGORIES[vocab.source[id] as keyof typeof SCAN_WORD_CATEGORIES]);
    const labels = probeLabels(probe, pos);
    expect(labels.rows).toBe(6);
    expect(Object.keys(labels.sets).sort()).toEqual([
      "bigram",
      "bigram-contexts-2024",
      "pos",
      "token",
      "trigram",
      "trigram-contexts-2024",
    ]);
    // verb quantifier | verb direction conjunction verb
    expect([...(labels.sets.pos as Int32Array)]).toEqual([0, 4, 0, 1, 3, 0]);
    expect([...(labels.sets.trigram as Int32Array)]).toEqual([-1, -1, -1, -1, 0, 1]);
  });

  it("turns an estimate into the §5 measures, including the residual decomposition", () => {
    const ls = (mi: number, h = 2) => ({
      values: 3,
      retainedValues: 3,
      retainedRows: 10,
      droppedRows: 0,
      excludedRows: 0,
      entropy: h,
      conditionalEntropy: h - mi,
      mutualInformation: mi,
      disentanglement: 0.2,
      generalisedJsd: mi,
    });
    const estimate: EntropyEstimate = {
      estimator: "soft",
      differential: false,
      maxEntropy: 4,
      rows: 10,
      skippedRows: 0,
      entropy: 2,
      parameters: {},
      labelSets: { token: ls(0.5), "bigram-nested": ls(0.8), "trigram-nested": ls(1.4) },
    };
    const rows = structureRows(estimate, 7, 2);
    const get = (measure: string, labelSet?: string, component?: string) =>
      rows.find((r) => r.measure === measure && r.labelSet === labelSet && r.component === component)!.value;
    expect(get("information")).toBe(0.5);
    expect(get("variation", "token")).toBe(1.5 / 4);
    expect(get("regularity-ln-n", "token")).toBe(0.5 / 4);
    expect(get("regularity-h", "token")).toBe(0.25);
    expect(get("disentanglement", "token")).toBe(0.2);
    expect(rows.every((r) => r.step === 7 && r.layer === 2 && r.estimator === "soft")).toBe(true);
    const residual = rows
      .filter((r) => r.measure === "residual" && r.labelSet === "nested")
      .map((r) => [r.component, r.value]);
    expect(residual).toEqual([
      ["token", 0.25],
      ["bigram-nested − token", expect.closeTo(0.15, 12)],
      ["trigram-nested − bigram-nested", expect.closeTo(0.3, 12)],
      ["unexplained", expect.closeTo(0.3, 12)],
    ]);
    expect(rows.some((r) => r.labelSet === "flat")).toBe(false);
  });
});

describe("phase summary", () => {
  it("places the phase change at the information peak and measures compression", () => {
    const rows = [
      [0, 0.5, 0.0, 0.1, 0.1, 3.0],
      [10, 0.7, 0.0, 0.3, 0.2, 1.0],
      [100, 0.9, 0.1, 0.4, 0.3, 0.2],
      [1000, 0.8, 0.3, 0.4, 0.3, 0.1],
      [5000, 0.6, 0.6, 0.4, 0.3, 0.05],
    ].flatMap(([step, info, ood, reg, dis, loss]) => [
      { run: "r", model: "small", regime: "standard", seed: 1, step, layer: 2, measure: "information", value: info! },
      { run: "r", step, measure: "oodAccuracy", value: ood! },
      { run: "r", step, layer: 2, labelSet: "token", measure: "regularity-ln-n", value: reg! },
      { run: "r", step, layer: 2, labelSet: "token", measure: "disentanglement", value: dis! },
      { run: "r", step, measure: "loss", value: loss! },
    ]);
    const s = summariseRun(rows);
    expect(s.peakStep).toBe(100);
    expect(s.troughStep).toBe(0);
    // An initial collapse below the starting values moves the trough; rises are measured from it.
    const dipped = summariseRun([
      ...rows,
      { run: "r", step: 1, layer: 2, measure: "information", value: 0.3 },
      { run: "r", step: 1, layer: 2, labelSet: "token", measure: "regularity-ln-n", value: 0.05 },
      { run: "r", step: 1, layer: 2, labelSet: "token", measure: "disentanglement", value: 0.0 },
      { run: "r", step: 1, measure: "loss", value: 2.5 },
    ]);
    expect(dipped.troughStep).toBe(1);
    expect(dipped.regularityRise).toBeCloseTo(0.35, 12);
    expect(dipped.disentanglementRise).toBeCloseTo(0.3, 12);
    expect(s.compression).toBeCloseTo(0.3, 12);
    expect(s.oodAtPeak).toBe(0.1);
    expect(s.oodFinal).toBe(0.6);
    expect(s.rhoInformationOodAfterPeak).toBe(-1);
    expect(s.phaseOne && s.phaseTwo).toBe(true);
    // Runs with compression 0.9 − 0.6 k... against final OOD 0.6 k → ρ = 1 (needs ≥ 5 runs); groups average seeds.
    const scaled = (run: string, seed: number, k: number) =>
      rows.map((r) => ({
        ...r,
        run,
        seed,
        model: "small",
        regime: "standard",
        value:
          r.measure === "information" && r.step === 5000
            ? 0.9 - 0.3 * k
            : r.measure === "oodAccuracy" && r.step === 5000
              ? 0.6 * k
              : r.value,
      }));
    const three = summariseSeq2seq([...scaled("a", 1, 1), ...scaled("b", 2, 1 / 3), ...scaled("c", 3, 2 / 3)]);
    expect(three.compressionVsOod.estimate).toBeNull();
    expect(three.compressionVsOod.note).toBe("too few runs");
    expect(three.groups).toHaveLength(1);
    expect(three.groups[0]!.compression).toBeCloseTo(0.2, 12);
    expect(three.groups[0]!.runs).toBe(3);
    const ks = [1, 1 / 3, 2 / 3, 0.5, 0.9, 0.1];
    const six = summariseSeq2seq(ks.flatMap((k, i) => scaled(`r${i}`, i + 1, k)));
    expect(six.compressionVsOod.n).toBe(6);
    expect(six.compressionVsOod.estimate).toBeCloseTo(1, 12);
    expect(six.compressionVsOod.interval95![0]).toBeGreaterThan(0);
    expect(six.compressionVsOod.excludesZero).toBe(true);
    expect(six.compressionVsOod.p).toBeLessThan(0.01);
  });

  it("reads corrected label measures, keeps information raw, and bootstraps the peak step over probe inputs", () => {
    const base = { run: "r", model: "small", regime: "standard", seed: 1, layer: 2 };
    const rows = [0, 10, 100, 1000].flatMap((step, i) => [
      { ...base, step, measure: "information", value: [0.5, 0.8, 0.7, 0.6][i]!, correction: "raw" },
      // The raw regularity falls (bias shrinking); the corrected one rises: the summary must read the corrected.
      { ...base, step, labelSet: "token", measure: "regularity-ln-n", value: 0.5 - 0.1 * i, correction: "raw" },
      { ...base, step, labelSet: "token", measure: "regularity-ln-n", value: 0.45 - 0.1 * i, correction: "null" },
      { ...base, step, labelSet: "token", measure: "regularity-ln-n", value: 0.05 + 0.1 * i, correction: "corrected" },
      // Bootstrap resamples: half peak at step 10, half at step 100.
      ...[0, 1, 2, 3].map((replicate) => ({
        ...base,
        step,
        replicate,
        measure: "information-bootstrap",
        value: replicate < 2 ? [0.5, 0.8, 0.7, 0.6][i]! : [0.5, 0.7, 0.8, 0.5][i]!,
      })),
    ]);
    const s = summariseRun(rows);
    expect(s.informationPeak).toBe(0.8);
    expect(s.peakStep).toBe(10);
    expect(s.regularityRise).toBeCloseTo(0.1, 12);
    expect(s.bootstrapResamples).toBe(4);
    expect(s.peakStepInterval![0]).toBeCloseTo(10, 12);
    expect(s.peakStepInterval![1]).toBeGreaterThan(90);
    expect(s.compressionInterval![0]).toBeCloseTo(0.2, 12);
    expect(s.compressionInterval![1]).toBeGreaterThan(0.29);
  });
});

describe("bootstrap of information over probe-input groups", () => {
  it("redraws groups with the same multiplicities at every call and reproduces the point estimate for one draw of each", async () => {
    const { AnchorAccumulator } = await import("../src/vector/anchorAccumulator.js");
    const { makeAnchors } = await import("../src/vector/anchors.js");
    const { PartitionedAccumulator } = await import("../src/vector/bootstrap.js");
    const { bootstrapDraws, bootstrapInformation, informationOfDraw } = await import(
      "../src/experiments/seq2seq/bootstrapInformation.js"
    );
    const { structureMeasures } = await import("../src/vector/measures.js");
    const d = 4;
    const template = new AnchorAccumulator({
      estimator: "soft",
      d,
      n: 8,
      anchors: makeAnchors({ n: 8, d, seed: 1 }).data,
      epsilon: 0.5,
    });
    const partitioned = new PartitionedAccumulator(template);
    for (let g = 0; g < 5; g++) {
      const rows = Float32Array.from({ length: 6 * d }, (_, i) => Math.sin(i * 0.7 + g * 3) + g * 0.1);
      await partitioned.update(rows);
    }
    const a = bootstrapInformation(partitioned.parts, 50, 7);
    expect(a).toHaveLength(50);
    expect(bootstrapInformation(partitioned.parts, 50, 7)).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
    const draws = bootstrapDraws(5, 50, 7);
    expect(draws.every((m) => m.reduce((x, y) => x + y, 0) === 5)).toBe(true);
    // Every group once: the information of the merged accumulator; a group twice moves it.
    const point = structureMeasures(partitioned.result()).find((r) => r.measure === "information")!.value;
    expect(informationOfDraw(partitioned.parts, [1, 1, 1, 1, 1])).toBeCloseTo(point, 8);
    expect(informationOfDraw(partitioned.parts, [2, 0, 1, 1, 1])).not.toBeCloseTo(point, 4);
    expect(Math.min(...a)).toBeLessThanOrEqual(point + 0.05);
  });
});

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
    const key = (r: Record<string, unknown>) => `${r.step}|${r.layer}|${r.labelSet}|${r.measure}|${r.component}`;
    const a = new Map(journal(straight).map((r) => [key(r), r.value]));
    const b = journal(interrupted);
    expect(b.length).toBe(a.size);
    for (const r of b) expect(r.value).toBe(a.get(key(r)));
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
    // Three runs: compression 0.3, 0.1, 0.2 against final OOD 0.6, 0.2, 0.4 → ρ = 1; groups average seeds.
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
    const all = summariseSeq2seq([...scaled("a", 1, 1), ...scaled("b", 2, 1 / 3), ...scaled("c", 3, 2 / 3)]);
    expect(all.compressionVsOod!.rho).toBeCloseTo(1, 12);
    expect(all.groups).toHaveLength(1);
    expect(all.groups[0]!.compression).toBeCloseTo(0.2, 12);
    expect(all.groups[0]!.runs).toBe(3);
  });
});

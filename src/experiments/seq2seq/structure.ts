/**
 * Structure of the encoder's representations (METHODS §5): the states of the probe inputs'
 * real (non-pad) tokens, from every encoder layer, stream into a vector accumulator (soft
 * entropy by default, dimension-wise binning H_dw as an option) with the label sets token,
 * bigram, trigram (flat left context), bigram-nested, trigram-nested and POS (word
 * category); the accumulator's result becomes rows of named measures.
 */
import type * as tfNs from "@tensorflow/tfjs";
import {
  EXCLUDED,
  emptyVocabularies,
  lookupLabels,
  sequenceLabelSets,
  type SequenceLabels,
  type TokenBatch,
} from "../../labels/ngrams.js";
import { makeAnchors } from "../../vector/anchors.js";
import { AnchorAccumulator } from "../../vector/anchorAccumulator.js";
import { BinnedAccumulator } from "../../vector/binned.js";
import type { EntropyAccumulator, EntropyEstimate } from "../../vector/accumulator.js";
import { structureMeasures } from "../../vector/measures.js";
import { PartitionedAccumulator } from "../../vector/bootstrap.js";
import { BOOTSTRAP_MEASURE, bootstrapInformation } from "./bootstrapInformation.js";
import { NGRAM_SCHEMES, residualRows } from "../residualRows.js";
import { calibrateTemperature } from "../../vector/temperature.js";
import { sliceLabels } from "../../vector/batch.js";
import type { StructureEstimator } from "./config.js";
import { selectRows, type EncodedExamples } from "./encoding.js";
import type { MeasureRow } from "./run.js";
import { encodeLayers, type ModelConfig, type Params } from "./model.js";

type Tf = typeof tfNs;

export interface ProbeLabels {
  /** Number of real token positions (rows fed to the accumulators). */
  rows: number;
  sets: Record<string, SequenceLabels>;
  /** Row ranges [start, end) of consecutive groups of probe inputs (the bootstrap's unit). */
  groups: { start: number; end: number }[];
}

/**
 * Label sets of the probe inputs' real tokens (row-major positions), built once per run, and
 * the inputs split into `groups` consecutive groups of (nearly) equal size.
 */
export function probeLabels(
  probe: EncodedExamples,
  posOfSource: (id: number) => number | undefined,
  groups = 1,
): ProbeLabels {
  const batch: TokenBatch = { ids: probe.src, rows: probe.n, length: probe.srcLength, padId: 0 };
  const { positions, sets } = sequenceLabelSets(batch, emptyVocabularies());
  const pos = lookupLabels(batch, posOfSource);
  if (pos.some((c) => c !== EXCLUDED)) sets.pos = pos;
  const realTokens = (input: number): number => {
    let n = 0;
    for (let t = 0; t < probe.srcLength; t++) if (probe.src[input * probe.srcLength + t] !== 0) n++;
    return n;
  };
  const count = Math.min(groups, probe.n);
  const ranges: { start: number; end: number }[] = [];
  let row = 0;
  let input = 0;
  for (let g = 0; g < count; g++) {
    const lastInput = Math.round(((g + 1) * probe.n) / count);
    const start = row;
    for (; input < lastInput; input++) row += realTokens(input);
    ranges.push({ start, end: row });
  }
  return { rows: positions.length, sets, groups: ranges };
}

/** Encoder states of the real tokens, one Float32Array (rows × d) per encoder layer (evaluation mode). */
export function encoderStates(
  tf: Tf,
  params: Params,
  model: ModelConfig,
  probe: EncodedExamples,
  batchSize = 256,
): Float32Array[] {
  const d = model.width;
  const chunks: Float32Array[][] = Array.from({ length: model.encoderLayers }, () => []);
  for (let start = 0; start < probe.n; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, probe.n - start) }, (_, k) => start + k);
    const batch = selectRows(probe, rows);
    const src = tf.tensor(batch.src, [batch.n, batch.srcLength], "int32");
    const layers = tf.tidy(() => encodeLayers({ tf, p: params, c: model }, src));
    src.dispose();
    layers.forEach((layer, l) => {
      const values = layer.dataSync() as Float32Array;
      layer.dispose();
      let real = 0;
      for (const id of batch.src) if (id !== 0) real++;
      const out = new Float32Array(real * d);
      let k = 0;
      for (let i = 0; i < batch.src.length; i++) {
        if (batch.src[i] === 0) continue;
        out.set(values.subarray(i * d, (i + 1) * d), k * d);
        k++;
      }
      chunks[l]!.push(out);
    });
  }
  return chunks.map((parts) => {
    const total = parts.reduce((a, p) => a + p.length, 0);
    const all = new Float32Array(total);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all;
  });
}

export interface StructureSettings {
  estimator: StructureEstimator;
  /** Soft entropy: anchors n and their seed (the same anchors for every step and seed of a width). */
  anchors: number;
  anchorSeed: number;
  /** Binned: bins per dimension. */
  bins?: number;
  /** Null shadows per label set (the bias correction, METHODS §5.1); 0 = raw values only. */
  nullShadows: number;
  /** Probe inputs are fed in this many groups (the bootstrap's resampling unit). */
  bootstrapGroups: number;
  /** Bootstrap resamples of information per step (0 = none); the same draws at every step (seed 0). */
  bootstrapResamples: number;
}

/** A fresh accumulator for d-dimensional rows (binned ranges from the rows themselves). */
function makeAccumulator(settings: StructureSettings, d: number, rows: Float32Array): EntropyAccumulator {
  const shadows = settings.nullShadows > 0 ? { nullShadows: settings.nullShadows, nullSeed: 0 } : {};
  if (settings.estimator === "soft") {
    // The exact calibration: METHODS prefers it below d ≈ 16 and it agrees with the bound above.
    const epsilon = calibrateTemperature(d, settings.anchors, "exact");
    const anchors = makeAnchors({ n: settings.anchors, d, seed: settings.anchorSeed });
    return new AnchorAccumulator({
      ...shadows,
      estimator: "soft",
      d,
      n: settings.anchors,
      anchors: anchors.data,
      epsilon,
      calibration: "exact",
      anchorSeed: settings.anchorSeed,
    });
  }
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < rows.length; i++) {
    const j = i % d;
    const v = rows[i]!;
    if (v < lo[j]!) lo[j] = v;
    if (v > hi[j]!) hi[j] = v;
  }
  return new BinnedAccumulator({ ...shadows, d, bins: settings.bins ?? 20, ranges: { lo, hi } });
}

/**
 * The §5 measures of one estimate (src/vector/measures.ts: information, variation,
 * regularity-ln-n, regularity-h, disentanglement, disentanglement-generalised and the raw
 * nats), plus the residual decomposition in the shared row format of ../residualRows.ts
 * (measure "residual", one row per component) for the flat and the nested n-grams.
 */
export function structureRows(estimate: EntropyEstimate, step: number, layer: number): MeasureRow[] {
  const base = { step, layer, estimator: estimate.estimator };
  const rows: MeasureRow[] = structureMeasures(estimate).map((r) => ({ ...base, ...r }));
  const schemes = { flat: NGRAM_SCHEMES.flat!, nested: NGRAM_SCHEMES.nested! };
  for (const r of residualRows(estimate, schemes)) rows.push({ ...base, ...r });
  return rows;
}

/** Measures every encoder layer's states of the probe inputs; layers are numbered from 1. */
export async function measureEncoderStructure(
  tf: Tf,
  params: Params,
  model: ModelConfig,
  probe: EncodedExamples,
  labels: ProbeLabels,
  settings: StructureSettings,
  step: number,
): Promise<MeasureRow[]> {
  const states = encoderStates(tf, params, model, probe);
  const rows: MeasureRow[] = [];
  for (let l = 0; l < states.length; l++) {
    const data = states[l]!;
    if (data.length !== labels.rows * model.width)
      throw new Error(`encoder layer ${l + 1}: ${data.length / model.width} states for ${labels.rows} labelled tokens`);
    const accumulator = new PartitionedAccumulator(makeAccumulator(settings, model.width, data));
    for (const group of labels.groups) {
      const sets = Object.fromEntries(
        Object.entries(labels.sets).map(([name, codes]) => [name, sliceLabels(codes, group.start, group.end)]),
      );
      await accumulator.update(data.subarray(group.start * model.width, group.end * model.width), sets);
    }
    rows.push(...structureRows(accumulator.result(), step, l + 1));
    const draws = bootstrapInformation(accumulator.parts, settings.bootstrapResamples, 0);
    draws.forEach((value, replicate) =>
      rows.push({ measure: BOOTSTRAP_MEASURE, value, step, layer: l + 1, replicate }),
    );
  }
  return rows;
}

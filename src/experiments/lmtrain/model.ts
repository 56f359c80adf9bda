/**
 * A causal (decoder-only) transformer language model, built from the seq2seq transformer's
 * blocks (../seq2seq/model.ts: the same embedding × √d plus sinusoidal positions, pre-LN
 * multi-head attention, ReLU feed-forward, dropout and seeded initialisation) with a causal
 * self-attention mask and no encoder: GPT-2's shape at a small size.
 *
 * Layers as `glossa lm` numbers them (src/sources/transformerLayers.ts): layer 0 is the
 * embeddings, layer k ≥ 1 block k's residual output before any final norm.
 */
import type * as tfNs from "@tensorflow/tfjs";
import {
  attention,
  attentionShapes,
  causalBias,
  dense,
  drop,
  embed,
  feedForward,
  feedForwardShapes,
  type Forward,
  initialValuesOf,
  layerNorm,
  normShapes,
  type Params,
  parametersFrom,
} from "../seq2seq/model.js";

type Tf = typeof tfNs;
type Tensor = tfNs.Tensor;

export interface LmModelConfig {
  width: number;
  heads: number;
  /** Transformer blocks. */
  layers: number;
  ffMultiplier: number;
  dropout: number;
  vocab: number;
}

export function validateLmModelConfig(c: LmModelConfig): void {
  for (const key of ["width", "heads", "layers", "ffMultiplier", "vocab"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1)
      throw new RangeError(`language model: ${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.width % c.heads !== 0 || c.width % 2 !== 0)
    throw new RangeError(`language model: width ${c.width} must be even and divisible by heads ${c.heads}`);
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new RangeError(`language model: dropout must be in [0, 1), got ${c.dropout}`);
}

/** Parameter shapes by name, in a fixed order. */
export function lmParameterShapes(c: LmModelConfig): [string, number[]][] {
  const d = c.width;
  const shapes: [string, number[]][] = [["tokEmbed", [c.vocab, d]]];
  for (let l = 0; l < c.layers; l++) {
    shapes.push(...normShapes(`blk${l}.ln1`, d), ...attentionShapes(`blk${l}.self`, d));
    shapes.push(...normShapes(`blk${l}.ln2`, d), ...feedForwardShapes(`blk${l}.ff`, d, c.ffMultiplier * d));
  }
  shapes.push(...normShapes("lnFinal", d), ["out.w", [d, c.vocab]], ["out.b", [c.vocab]]);
  return shapes;
}

export function lmParameterCount(c: LmModelConfig): number {
  return lmParameterShapes(c).reduce((total, [, shape]) => total + shape.reduce((a, b) => a * b, 1), 0);
}

/** Seeded initial parameters (the seq2seq model's initialisation rules). */
export function initLmParameters(tf: Tf, c: LmModelConfig, seed: number): Params {
  validateLmModelConfig(c);
  return parametersFrom(tf, initialValuesOf(lmParameterShapes(c), c.width, seed));
}

/** ids [B, T] (int32) → the residual stream at every layer (embeddings first), [B, T, d] each. */
export function residualStates(f: Forward<LmModelConfig>, ids: Tensor): Tensor[] {
  const T = ids.shape[1]!;
  const bias = causalBias(f.tf, T);
  let x = embed(f, ids, "tokEmbed");
  const states = [x];
  for (let l = 0; l < f.c.layers; l++) {
    const n1 = layerNorm(f, x, `blk${l}.ln1`);
    x = x.add(drop(f, attention(f, n1, n1, bias, `blk${l}.self`)));
    x = x.add(drop(f, feedForward(f, layerNorm(f, x, `blk${l}.ln2`), `blk${l}.ff`)));
    states.push(x);
  }
  return states;
}

/** Next-token logits [B, T, V] from the last layer's residual stream. */
export function nextTokenLogits(f: Forward<LmModelConfig>, last: Tensor): Tensor {
  return dense(f, layerNorm(f, last, "lnFinal"), "out.w", "out.b");
}

/** Mean next-token cross-entropy (nats) of windows [B, T + 1]: positions 0..T−1 predict 1..T. Scalar. */
export function languageModelLoss(f: Forward<LmModelConfig>, windows: Tensor): Tensor {
  const tf = f.tf;
  const [B, T1] = windows.shape as [number, number];
  const inputs = windows.slice([0, 0], [B, T1 - 1]);
  const targets = windows.slice([0, 1], [B, T1 - 1]);
  const states = residualStates(f, inputs);
  const logProbs = tf.logSoftmax(nextTokenLogits(f, states[states.length - 1]!), -1);
  const picked = logProbs.mul(tf.oneHot(targets, f.c.vocab).cast("float32")).sum(-1);
  return picked.mean().neg();
}

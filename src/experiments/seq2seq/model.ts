/**
 * A transformer encoder–decoder written with TensorFlow.js ops, as pure functions of a
 * parameter map (so that gradients can be taken with respect to any set of parameter
 * tensors — the meta-learning step needs the loss at θ' = θ − α∇L, not at variables).
 *
 * Shape: token embeddings × √d plus sinusoidal positions; pre-layer-norm blocks
 * (x + Sublayer(LN(x))) with multi-head attention and a ReLU feed-forward of width
 * ffMultiplier × d; dropout on embeddings and on every sublayer output; a final layer norm
 * on each stack. Pre-LN is used (rather than the original post-LN) because it trains
 * stably without a learning-rate warm-up at these small sizes.
 * Initialisation is seeded with our own generator (Glorot-uniform matrices, N(0, 1/d)
 * embeddings, zero biases, unit layer-norm gains), so a seed gives the same model on every
 * back end.
 */
import type * as tfNs from "@tensorflow/tfjs";
import { Random } from "../../util/random.js";

type Tf = typeof tfNs;
type Tensor = tfNs.Tensor;

export interface ModelConfig {
  width: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  ffMultiplier: number;
  dropout: number;
  sourceVocab: number;
  targetVocab: number;
  maxSourceLength: number;
  maxTargetLength: number;
}

/** What the building blocks (embedding, attention, feed-forward, dropout) read of a model's configuration. */
export type BlockConfig = Pick<ModelConfig, "width" | "heads" | "dropout">;

export const MODEL_SIZES = { small: 32, medium: 64, large: 128 } as const;
export type ModelSize = keyof typeof MODEL_SIZES;

/** The thesis's architecture (2 encoder layers, 1 decoder layer, 4 heads, FF 4×, dropout 0.1) at a width. */
export function standardArchitecture(
  width: number,
): Pick<ModelConfig, "width" | "heads" | "encoderLayers" | "decoderLayers" | "ffMultiplier" | "dropout"> {
  return { width, heads: 4, encoderLayers: 2, decoderLayers: 1, ffMultiplier: 4, dropout: 0.1 };
}

/** Throws a RangeError naming the first bad field. */
export function validateModelConfig(c: ModelConfig): void {
  const positiveInts: (keyof ModelConfig)[] = [
    "width",
    "heads",
    "encoderLayers",
    "decoderLayers",
    "ffMultiplier",
    "sourceVocab",
    "targetVocab",
    "maxSourceLength",
    "maxTargetLength",
  ];
  for (const key of positiveInts) {
    const v = c[key];
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`model config: ${key} must be a positive integer, got ${v}`);
  }
  if (c.width % c.heads !== 0)
    throw new RangeError(`model config: width ${c.width} must be divisible by heads ${c.heads}`);
  if (c.width % 2 !== 0) throw new RangeError(`model config: width ${c.width} must be even (sinusoidal positions)`);
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new RangeError(`model config: dropout must be in [0, 1), got ${c.dropout}`);
  if (c.targetVocab < 4)
    throw new RangeError(
      `model config: targetVocab must include PAD, BOS, EOS and at least one symbol, got ${c.targetVocab}`,
    );
}

/** Shapes of one attention sublayer's projections (q, k, v, o) at width d. */
export function attentionShapes(prefix: string, d: number): [string, number[]][] {
  return ["q", "k", "v", "o"].flatMap((m): [string, number[]][] => [
    [`${prefix}.w${m}`, [d, d]],
    [`${prefix}.b${m}`, [d]],
  ]);
}

/** Shapes of a layer norm's gain and bias. */
export function normShapes(prefix: string, d: number): [string, number[]][] {
  return [
    [`${prefix}.g`, [d]],
    [`${prefix}.b`, [d]],
  ];
}

/** Shapes of a feed-forward sublayer d → f → d. */
export function feedForwardShapes(prefix: string, d: number, f: number): [string, number[]][] {
  return [
    [`${prefix}.w1`, [d, f]],
    [`${prefix}.b1`, [f]],
    [`${prefix}.w2`, [f, d]],
    [`${prefix}.b2`, [d]],
  ];
}

/** Parameter shapes by name, in a fixed order (the order of every flat parameter list). */
export function parameterShapes(c: ModelConfig): [string, number[]][] {
  const d = c.width;
  const f = c.ffMultiplier * d;
  const shapes: [string, number[]][] = [
    ["srcEmbed", [c.sourceVocab, d]],
    ["tgtEmbed", [c.targetVocab, d]],
  ];
  const attention = (p: string): void => void shapes.push(...attentionShapes(p, d));
  const norm = (p: string): void => void shapes.push(...normShapes(p, d));
  const feedForward = (p: string): void => void shapes.push(...feedForwardShapes(p, d, f));
  for (let l = 0; l < c.encoderLayers; l++) {
    norm(`enc${l}.ln1`);
    attention(`enc${l}.self`);
    norm(`enc${l}.ln2`);
    feedForward(`enc${l}.ff`);
  }
  norm("enc.lnFinal");
  for (let l = 0; l < c.decoderLayers; l++) {
    norm(`dec${l}.ln1`);
    attention(`dec${l}.self`);
    norm(`dec${l}.ln2`);
    attention(`dec${l}.cross`);
    norm(`dec${l}.ln3`);
    feedForward(`dec${l}.ff`);
  }
  norm("dec.lnFinal");
  shapes.push(["out.w", [d, c.targetVocab]], ["out.b", [c.targetVocab]]);
  return shapes;
}

export type Params = Map<string, Tensor>;

/** Number of trainable parameters (the size axis of the size trends). */
export function parameterCount(c: ModelConfig): number {
  return parameterShapes(c).reduce((total, [, shape]) => total + shape.reduce((a, b) => a * b, 1), 0);
}

/** Seeded initial parameter values (plain arrays, back-end independent). */
export function initialParameterValues(
  c: ModelConfig,
  seed: number,
): Map<string, { shape: number[]; values: Float32Array }> {
  validateModelConfig(c);
  return initialValuesOf(parameterShapes(c), c.width, seed);
}

/**
 * Seeded initial values of named shapes at model width `width`: names ending in "Embed" get
 * N(0, 1/width), matrices Glorot-uniform, layer-norm gains ("….g") 1, everything else 0.
 */
export function initialValuesOf(
  shapes: readonly [string, number[]][],
  width: number,
  seed: number,
): Map<string, { shape: number[]; values: Float32Array }> {
  const rng = new Random(seed);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const leaf = name.slice(name.lastIndexOf(".") + 1);
    if (name.endsWith("Embed")) {
      const sd = 1 / Math.sqrt(width);
      for (let i = 0; i < size; i++) values[i] = sd * normal(rng);
    } else if (shape.length === 2) {
      const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
      for (let i = 0; i < size; i++) values[i] = (2 * rng.uniform() - 1) * limit;
    } else if (leaf === "g") {
      values.fill(1);
    }
    out.set(name, { shape, values });
  }
  return out;
}

function normal(rng: Random): number {
  // Box–Muller; 1 − u keeps the log argument in (0, 1].
  const u = 1 - rng.uniform53();
  const v = rng.uniform53();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function initParameters(tf: Tf, c: ModelConfig, seed: number): Params {
  return parametersFrom(tf, initialParameterValues(c, seed));
}

/** Tensors of named initial values. */
export function parametersFrom(tf: Tf, values: Map<string, { shape: number[]; values: Float32Array }>): Params {
  const params: Params = new Map();
  for (const [name, { shape, values: v }] of values) params.set(name, tf.tensor(v, shape, "float32"));
  return params;
}

/** Sinusoidal position encodings [length, d] (Vaswani et al. 2017). */
export function sinusoidalPositions(length: number, d: number): Float32Array {
  const out = new Float32Array(length * d);
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; i < d / 2; i++) {
      const angle = pos / 10000 ** ((2 * i) / d);
      out[pos * d + 2 * i] = Math.sin(angle);
      out[pos * d + 2 * i + 1] = Math.cos(angle);
    }
  }
  return out;
}

/** Where dropout takes its randomness from: one seed per call site, derived from a step seed. */
export class DropoutSeeds {
  private counter = 0;
  constructor(private readonly base: number) {}
  next(): number {
    this.counter++;
    // A fixed integer mix (no floating point), so seeds are identical on every platform.
    return (Math.imul(this.base ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(this.counter, 0x165667b1)) >>> 0;
  }
}

/** Forward-pass context: parameters, config, and dropout (absent = evaluation mode). */
export interface Forward<C extends BlockConfig = ModelConfig> {
  tf: Tf;
  p: Params;
  c: C;
  dropout?: DropoutSeeds;
}

function param(f: Forward<BlockConfig>, name: string): Tensor {
  const t = f.p.get(name);
  if (!t) throw new Error(`model parameter "${name}" is missing`);
  return t;
}

export function drop(f: Forward<BlockConfig>, x: Tensor): Tensor {
  if (!f.dropout || f.c.dropout === 0) return x;
  return f.tf.dropout(x, f.c.dropout, undefined, f.dropout.next());
}

/** x [B, T, d] @ W [d, k] + b → [B, T, k]. */
export function dense(f: Forward<BlockConfig>, x: Tensor, w: string, b: string): Tensor {
  const [B, T, d] = x.shape as [number, number, number];
  const W = param(f, w);
  const y = f.tf.matMul(x.reshape([B * T, d]), W).add(param(f, b));
  return y.reshape([B, T, W.shape[1]!]);
}

export function layerNorm(f: Forward<BlockConfig>, x: Tensor, prefix: string): Tensor {
  const { mean, variance } = f.tf.moments(x, -1, true);
  return x
    .sub(mean)
    .div(variance.add(1e-5).sqrt())
    .mul(param(f, `${prefix}.g`))
    .add(param(f, `${prefix}.b`));
}

/** [B, T, d] → [B, h, T, d/h]. */
function splitHeads(f: Forward<BlockConfig>, x: Tensor): Tensor {
  const [B, T, d] = x.shape as [number, number, number];
  const h = f.c.heads;
  return x.reshape([B, T, h, d / h]).transpose([0, 2, 1, 3]);
}

/** Projection `m` (q, k or v) of x, split into heads: [B, h, T, d/h]. */
function project(f: Forward<BlockConfig>, x: Tensor, prefix: string, m: "q" | "k" | "v"): Tensor {
  return splitHeads(f, dense(f, x, `${prefix}.w${m}`, `${prefix}.b${m}`));
}

/**
 * Scaled dot-product attention of head-split queries over keys/values, heads merged and
 * projected out; `bias` is added to the scores (0 where allowed, −1e9 where masked),
 * broadcastable to [B, h, Tq, Tk].
 */
function attend(f: Forward<BlockConfig>, q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, prefix: string): Tensor {
  const tf = f.tf;
  const [B, h, T, dh] = q.shape as [number, number, number, number];
  let scores = tf.matMul(q, k, false, true).mul(1 / Math.sqrt(dh));
  if (bias) scores = scores.add(bias);
  const context = tf
    .matMul(tf.softmax(scores, -1), v)
    .transpose([0, 2, 1, 3])
    .reshape([B, T, h * dh]);
  return dense(f, context, `${prefix}.wo`, `${prefix}.bo`);
}

/** Multi-head attention of queries x over keys/values `memory`; `bias` as in `attend`. */
export function attention(f: Forward<BlockConfig>, x: Tensor, memory: Tensor, bias: Tensor, prefix: string): Tensor {
  return attend(
    f,
    project(f, x, prefix, "q"),
    project(f, memory, prefix, "k"),
    project(f, memory, prefix, "v"),
    bias,
    prefix,
  );
}

export function feedForward(f: Forward<BlockConfig>, x: Tensor, prefix: string): Tensor {
  return dense(f, f.tf.relu(dense(f, x, `${prefix}.w1`, `${prefix}.b1`)), `${prefix}.w2`, `${prefix}.b2`);
}

/** Token embeddings × √d plus sinusoidal positions from `offset` on, then dropout. */
export function embed(f: Forward<BlockConfig>, ids: Tensor, table: string, offset = 0): Tensor {
  const [B, T] = ids.shape as [number, number];
  const d = f.c.width;
  const positions = f.tf.tensor(sinusoidalPositions(offset + T, d).subarray(offset * d), [1, T, d]);
  // One-hot × table rather than gather: the wasm back end has no gradient kernel for gather.
  const E = param(f, table);
  const oneHot = f.tf.oneHot(ids.reshape([B * T]), E.shape[0]!).cast("float32");
  const x = f.tf.matMul(oneHot, E).reshape([B, T, d]).mul(Math.sqrt(d)).add(positions);
  return drop(f, x);
}

/** Additive key mask [B, 1, 1, S]: 0 for real source tokens, −1e9 for padding. */
export function sourceKeyBias(tf: Tf, src: Tensor): Tensor {
  const [B, S] = src.shape as [number, number];
  return tf.equal(src, 0).cast("float32").mul(-1e9).reshape([B, 1, 1, S]);
}

export function causalBias(tf: Tf, T: number): Tensor {
  const values = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) values[i * T + j] = -1e9;
  return tf.tensor(values, [1, 1, T, T]);
}

/** Encoder: ids [B, S] (int32) → the output of every encoder layer ([B, S, d] each; the last after the final norm). */
export function encodeLayers(f: Forward, src: Tensor): Tensor[] {
  const bias = sourceKeyBias(f.tf, src);
  let x = embed(f, src, "srcEmbed");
  const layers: Tensor[] = [];
  for (let l = 0; l < f.c.encoderLayers; l++) {
    const n1 = layerNorm(f, x, `enc${l}.ln1`);
    x = x.add(drop(f, attention(f, n1, n1, bias, `enc${l}.self`)));
    x = x.add(drop(f, feedForward(f, layerNorm(f, x, `enc${l}.ln2`), `enc${l}.ff`)));
    layers.push(l === f.c.encoderLayers - 1 ? layerNorm(f, x, "enc.lnFinal") : x);
  }
  return layers;
}

/** Decoder: target-side input ids [B, T] over encoder memory → logits [B, T, V]. */
export function decodeLogits(f: Forward, memory: Tensor, src: Tensor, tgtIn: Tensor): Tensor {
  const T = tgtIn.shape[1]!;
  const selfBias = causalBias(f.tf, T);
  const crossBias = sourceKeyBias(f.tf, src);
  let x = embed(f, tgtIn, "tgtEmbed");
  for (let l = 0; l < f.c.decoderLayers; l++) {
    const n1 = layerNorm(f, x, `dec${l}.ln1`);
    x = x.add(drop(f, attention(f, n1, n1, selfBias, `dec${l}.self`)));
    x = x.add(drop(f, attention(f, layerNorm(f, x, `dec${l}.ln2`), memory, crossBias, `dec${l}.cross`)));
    x = x.add(drop(f, feedForward(f, layerNorm(f, x, `dec${l}.ln3`), `dec${l}.ff`)));
  }
  return dense(f, layerNorm(f, x, "dec.lnFinal"), "out.w", "out.b");
}

/** Decoder input: BOS followed by the target shifted right by one. */
export function shiftRight(tf: Tf, tgt: Tensor): Tensor {
  const [B, T] = tgt.shape as [number, number];
  return tf.concat([tf.fill([B, 1], 1, "int32"), tgt.slice([0, 0], [B, T - 1])], 1);
}

/** Mean token cross-entropy over non-pad target positions (teacher forcing). Scalar. */
export function sequenceLoss(f: Forward, src: Tensor, tgt: Tensor): Tensor {
  const tf = f.tf;
  const layers = encodeLayers(f, src);
  const logits = decodeLogits(f, layers[layers.length - 1]!, src, shiftRight(tf, tgt));
  const V = f.c.targetVocab;
  const logProbs = tf.logSoftmax(logits, -1);
  const picked = logProbs.mul(tf.oneHot(tgt, V).cast("float32")).sum(-1);
  const mask = tf.notEqual(tgt, 0).cast("float32");
  return picked.mul(mask).sum().neg().div(mask.sum().maximum(1));
}

/**
 * Incremental decoding state (evaluation only): per decoder layer, the self-attention keys
 * and values of the positions decoded so far and the cross-attention keys/values of the
 * encoder memory, so each new position costs one position's work instead of re-running
 * the whole prefix.
 */
export interface DecoderCache {
  position: number;
  selfK: (Tensor | null)[];
  selfV: (Tensor | null)[];
  crossK: Tensor[];
  crossV: Tensor[];
  crossBias: Tensor;
}

export function startDecoding(f: Forward, memory: Tensor, src: Tensor): DecoderCache {
  const tf = f.tf;
  const crossK: Tensor[] = [];
  const crossV: Tensor[] = [];
  for (let l = 0; l < f.c.decoderLayers; l++) {
    crossK.push(tf.tidy(() => project(f, memory, `dec${l}.cross`, "k")));
    crossV.push(tf.tidy(() => project(f, memory, `dec${l}.cross`, "v")));
  }
  const none = Array.from({ length: f.c.decoderLayers }, () => null);
  return {
    position: 0,
    selfK: [...none],
    selfV: [...none],
    crossK,
    crossV,
    crossBias: tf.tidy(() => sourceKeyBias(tf, src)),
  };
}

/** Feeds ids [B] at the next position; returns logits [B, V] and advances the cache (old tensors disposed). */
export function decodeNext(f: Forward, cache: DecoderCache, ids: Tensor): Tensor {
  const tf = f.tf;
  const B = ids.shape[0]!;
  const L = f.c.decoderLayers;
  const out = tf.tidy(() => {
    let x = embed(f, ids.reshape([B, 1]), "tgtEmbed", cache.position);
    const newK: Tensor[] = [];
    const newV: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const n1 = layerNorm(f, x, `dec${l}.ln1`);
      const k0 = project(f, n1, `dec${l}.self`, "k");
      const v0 = project(f, n1, `dec${l}.self`, "v");
      const k = cache.selfK[l] ? tf.concat([cache.selfK[l]!, k0], 2) : k0;
      const v = cache.selfV[l] ? tf.concat([cache.selfV[l]!, v0], 2) : v0;
      newK.push(k);
      newV.push(v);
      x = x.add(attend(f, project(f, n1, `dec${l}.self`, "q"), k, v, null, `dec${l}.self`));
      x = x.add(
        attend(
          f,
          project(f, layerNorm(f, x, `dec${l}.ln2`), `dec${l}.cross`, "q"),
          cache.crossK[l]!,
          cache.crossV[l]!,
          cache.crossBias,
          `dec${l}.cross`,
        ),
      );
      x = x.add(feedForward(f, layerNorm(f, x, `dec${l}.ln3`), `dec${l}.ff`));
    }
    const logits = dense(f, layerNorm(f, x, "dec.lnFinal"), "out.w", "out.b").reshape([B, f.c.targetVocab]);
    return [logits, ...newK, ...newV];
  });
  for (let l = 0; l < L; l++) {
    cache.selfK[l]?.dispose();
    cache.selfV[l]?.dispose();
    cache.selfK[l] = out[1 + l]!;
    cache.selfV[l] = out[1 + L + l]!;
  }
  cache.position++;
  return out[0]!;
}

export function disposeDecoderCache(cache: DecoderCache): void {
  for (const t of [...cache.selfK, ...cache.selfV, ...cache.crossK, ...cache.crossV, cache.crossBias]) t?.dispose();
}

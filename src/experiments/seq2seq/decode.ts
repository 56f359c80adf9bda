/**
 * Batched greedy decoding and exact-match accuracy. A prediction is correct when the
 * decoded symbols up to the first EOS equal the target exactly (and an EOS was produced
 * within the target length).
 */
import type * as tfNs from "@tensorflow/tfjs";
import { EOS, BOS, PAD, selectRows, trimPadding, type EncodedExamples } from "./encoding.js";
import { decodeLogits, encodeLayers, type ModelConfig, type Params } from "./model.js";

type Tf = typeof tfNs;

/** Greedy decoding of a batch; returns predicted ids row-major n × tgtLength (PAD after EOS). */
export function greedyDecode(tf: Tf, params: Params, config: ModelConfig, batch: EncodedExamples): Int32Array {
  const { n, srcLength, tgtLength } = batch;
  const out = new Int32Array(n * tgtLength);
  const src = tf.tensor(batch.src, [n, srcLength], "int32");
  const memory = tf.tidy(() => {
    const layers = encodeLayers({ tf, p: params, c: config }, src);
    return layers[layers.length - 1]!;
  });
  const finished = new Uint8Array(n);
  const prefix = new Int32Array(n * tgtLength).fill(PAD);
  for (let i = 0; i < n; i++) prefix[i * tgtLength] = BOS;
  for (let t = 0; t < tgtLength; t++) {
    const next = tf.tidy(() => {
      const tgtIn = tf.tensor(prefix, [n, tgtLength], "int32").slice([0, 0], [n, t + 1]);
      const logits = decodeLogits({ tf, p: params, c: config }, memory, src, tgtIn);
      return logits.slice([0, t, 0], [n, 1, config.targetVocab]).reshape([n, config.targetVocab]).argMax(-1);
    });
    const ids = next.dataSync();
    next.dispose();
    let all = true;
    for (let i = 0; i < n; i++) {
      if (finished[i]) continue;
      const id = ids[i]!;
      out[i * tgtLength + t] = id;
      if (t + 1 < tgtLength) prefix[i * tgtLength + t + 1] = id;
      if (id === EOS) finished[i] = 1;
      else all = false;
    }
    if (all) break;
  }
  src.dispose();
  memory.dispose();
  return out;
}

/** Exact-match flags per row: prediction (to its first EOS) equals target (to its EOS). */
export function exactMatches(predicted: Int32Array, target: Int32Array, n: number, tgtLength: number): Uint8Array {
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let match = 1;
    for (let t = 0; t < tgtLength; t++) {
      const y = target[i * tgtLength + t]!;
      if (predicted[i * tgtLength + t] !== y) {
        match = 0;
        break;
      }
      if (y === EOS) break;
    }
    ok[i] = match;
  }
  return ok;
}

/** Exact-match accuracy over an encoded set, decoding in batches. NaN-free: an empty set gives null. */
export function exactMatchAccuracy(tf: Tf, params: Params, config: ModelConfig, data: EncodedExamples, batchSize = 256): number | null {
  if (data.n === 0) return null;
  let correct = 0;
  for (let start = 0; start < data.n; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.n - start) }, (_, k) => start + k);
    const batch = trimPadding(selectRows(data, indices));
    const predicted = greedyDecode(tf, params, config, batch);
    for (const v of exactMatches(predicted, batch.tgt, batch.n, batch.tgtLength)) correct += v;
  }
  return correct / data.n;
}

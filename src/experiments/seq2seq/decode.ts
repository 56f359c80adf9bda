/**
 * Batched greedy decoding and exact-match accuracy. A prediction is correct when the
 * decoded symbols up to the first EOS equal the target exactly (and an EOS was produced
 * within the target length).
 */
import type * as tfNs from "@tensorflow/tfjs";
import { EOS, BOS, selectRows, trimPadding, type EncodedExamples } from "./encoding.js";
import {
  decodeNext,
  disposeDecoderCache,
  encodeLayers,
  startDecoding,
  type ModelConfig,
  type Params,
} from "./model.js";

type Tf = typeof tfNs;

/**
 * Greedy decoding of a batch with the incremental decoder (cached keys/values); returns
 * predicted ids row-major n × tgtLength (PAD after EOS). Stops when every row has produced EOS.
 */
export function greedyDecode(tf: Tf, params: Params, config: ModelConfig, batch: EncodedExamples): Int32Array {
  const { n, srcLength, tgtLength } = batch;
  const out = new Int32Array(n * tgtLength);
  const f = { tf, p: params, c: config };
  const src = tf.tensor(batch.src, [n, srcLength], "int32");
  const memory = tf.tidy(() => {
    const layers = encodeLayers(f, src);
    return layers[layers.length - 1]!;
  });
  const cache = startDecoding(f, memory, src);
  const finished = new Uint8Array(n);
  let current = new Int32Array(n).fill(BOS);
  for (let t = 0; t < tgtLength; t++) {
    const input = tf.tensor(current, [n], "int32");
    const logits = decodeNext(f, cache, input);
    const next = tf.tidy(() => logits.argMax(-1));
    const ids = next.dataSync() as Int32Array;
    input.dispose();
    logits.dispose();
    next.dispose();
    let all = true;
    current = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      current[i] = ids[i]!;
      if (finished[i]) continue;
      out[i * tgtLength + t] = ids[i]!;
      if (ids[i] === EOS) finished[i] = 1;
      else all = false;
    }
    if (all) break;
  }
  disposeDecoderCache(cache);
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
export function exactMatchAccuracy(
  tf: Tf,
  params: Params,
  config: ModelConfig,
  data: EncodedExamples,
  batchSize = 256,
): number | null {
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

/**
 * Vocabularies and fixed-shape integer encodings of seq2seq examples.
 * Source ids: 0 = padding, then words. Target ids: 0 = padding, 1 = BOS, 2 = EOS, then
 * output symbols. Targets end with EOS; the decoder input is BOS followed by the target
 * shifted right. Pure (no I/O).
 */
import type { Seq2seqExample } from "./scan.js";

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;

export interface Vocabularies {
  source: string[];
  target: string[];
}

/** Vocabularies from the examples (order of first appearance), with the reserved ids first. */
export function buildVocabularies(examples: Iterable<Seq2seqExample>): Vocabularies {
  const source = new Set<string>();
  const target = new Set<string>();
  for (const e of examples) {
    for (const w of e.input) source.add(w);
    for (const w of e.output) target.add(w);
  }
  return { source: ["<pad>", ...source], target: ["<pad>", "<bos>", "<eos>", ...target] };
}

/** A batch of encoded examples: row-major `n × srcLength` and `n × tgtLength` (target incl. EOS). */
export interface EncodedExamples {
  n: number;
  srcLength: number;
  tgtLength: number;
  src: Int32Array;
  tgt: Int32Array;
}

export function encodeExamples(
  examples: readonly Seq2seqExample[],
  vocab: Vocabularies,
  srcLength: number,
  tgtLength: number,
): EncodedExamples {
  const srcIndex = new Map(vocab.source.map((w, i) => [w, i]));
  const tgtIndex = new Map(vocab.target.map((w, i) => [w, i]));
  const n = examples.length;
  const src = new Int32Array(n * srcLength);
  const tgt = new Int32Array(n * tgtLength);
  examples.forEach((e, row) => {
    if (e.input.length > srcLength)
      throw new RangeError(`example ${row}: input has ${e.input.length} tokens, more than the model's ${srcLength}`);
    if (e.output.length + 1 > tgtLength)
      throw new RangeError(
        `example ${row}: output has ${e.output.length} symbols (+EOS), more than the model's ${tgtLength}`,
      );
    e.input.forEach((w, j) => {
      const id = srcIndex.get(w);
      if (id === undefined) throw new RangeError(`example ${row}: input word "${w}" is not in the vocabulary`);
      src[row * srcLength + j] = id;
    });
    e.output.forEach((w, j) => {
      const id = tgtIndex.get(w);
      if (id === undefined) throw new RangeError(`example ${row}: output symbol "${w}" is not in the vocabulary`);
      tgt[row * tgtLength + j] = id;
    });
    tgt[row * tgtLength + e.output.length] = EOS;
  });
  return { n, srcLength, tgtLength, src, tgt };
}

/** Rows `indices` of an encoded set, as a new encoded batch. */
export function selectRows(data: EncodedExamples, indices: ArrayLike<number>): EncodedExamples {
  const n = indices.length;
  const src = new Int32Array(n * data.srcLength);
  const tgt = new Int32Array(n * data.tgtLength);
  for (let k = 0; k < n; k++) {
    const r = indices[k]!;
    src.set(data.src.subarray(r * data.srcLength, (r + 1) * data.srcLength), k * data.srcLength);
    tgt.set(data.tgt.subarray(r * data.tgtLength, (r + 1) * data.tgtLength), k * data.tgtLength);
  }
  return { n, srcLength: data.srcLength, tgtLength: data.tgtLength, src, tgt };
}

/** Longest input and output (+EOS) over the examples: the shapes a model must accept. */
export function requiredLengths(examples: Iterable<Seq2seqExample>): { src: number; tgt: number } {
  let src = 1;
  let tgt = 1;
  for (const e of examples) {
    src = Math.max(src, e.input.length);
    tgt = Math.max(tgt, e.output.length + 1);
  }
  return { src, tgt };
}

/**
 * The same batch with trailing all-padding columns removed from source and target (at least
 * one column kept), so a batch of short examples costs less than the longest in the set.
 */
export function trimPadding(data: EncodedExamples): EncodedExamples {
  const used = (ids: Int32Array, width: number): number => {
    let last = 0;
    for (let i = 0; i < data.n; i++) {
      for (let t = width - 1; t >= last; t--) {
        if (ids[i * width + t] !== PAD) {
          last = t + 1;
          break;
        }
      }
    }
    return Math.max(1, last);
  };
  const srcLength = used(data.src, data.srcLength);
  const tgtLength = used(data.tgt, data.tgtLength);
  if (srcLength === data.srcLength && tgtLength === data.tgtLength) return data;
  const src = new Int32Array(data.n * srcLength);
  const tgt = new Int32Array(data.n * tgtLength);
  for (let i = 0; i < data.n; i++) {
    src.set(data.src.subarray(i * data.srcLength, i * data.srcLength + srcLength), i * srcLength);
    tgt.set(data.tgt.subarray(i * data.tgtLength, i * data.tgtLength + tgtLength), i * tgtLength);
  }
  return { n: data.n, srcLength, tgtLength, src, tgt };
}

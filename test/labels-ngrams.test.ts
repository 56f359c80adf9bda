import { describe, expect, it } from "vitest";
import {
  EXCLUDED,
  LabelVocabulary,
  lookupLabels,
  ngramContextLabels,
  ngramLabels,
  realPositions,
  sequenceLabelSets,
  emptyVocabularies,
  tokenLabels,
} from "../src/labels/ngrams.js";

// Two sequences, right-padded with 0: [5 6 7 5] and [6 5 0 0].
const batch = { ids: Int32Array.from([5, 6, 7, 5, 6, 5, 0, 0]), rows: 2, length: 4, padId: 0 };

describe("n-gram labels", () => {
  it("drops padding and keeps row-major order", () => {
    expect([...realPositions(batch)]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("token labels code ids in order of first appearance", () => {
    const v = new LabelVocabulary();
    expect([...tokenLabels(batch, v)]).toEqual([0, 1, 2, 0, 1, 0]);
    expect(v.keys).toEqual(["5", "6", "7"]);
  });

  it("flat bigrams and trigrams are the left context, excluded at sequence starts", () => {
    const v2 = new LabelVocabulary();
    const bi = ngramLabels(batch, 2, "flat", v2);
    expect([...bi].map((c) => (c === EXCLUDED ? "x" : v2.keys[c]))).toEqual(["x", "5 6", "6 7", "7 5", "x", "6 5"]);
    const v3 = new LabelVocabulary();
    const tri = ngramLabels(batch, 3, "flat", v3);
    expect([...tri].map((c) => (c === EXCLUDED ? "x" : v3.keys[c]))).toEqual(["x", "x", "5 6 7", "6 7 5", "x", "x"]);
  });

  it("window labels are windows around the position with boundary marks, defined everywhere", () => {
    const v = new LabelVocabulary();
    const bi = ngramLabels(batch, 2, "window", v);
    expect([...bi].map((c) => v.keys[c])).toEqual(["^ 5 6", "5 6 7", "6 7 5", "7 5 ^", "^ 6 5", "6 5 ^"]);
    // "nested" is the old name of the same scheme
    expect([...ngramLabels(batch, 2, "nested", new LabelVocabulary())]).toEqual([...bi]);
  });

  it("window label sets refine each other: each trigram window has one bigram window and one token", () => {
    const { sets } = sequenceLabelSets(batch, emptyVocabularies(), ["token", "bigram-window", "trigram-window"]);
    const tok = sets.token as Int32Array,
      bi = sets["bigram-window"] as Int32Array,
      tri = sets["trigram-window"] as Int32Array;
    expect(tok.length).toBe(6);
    const parentBi = new Map<number, number>(),
      parentTok = new Map<number, number>();
    for (let k = 0; k < tok.length; k++) {
      expect(parentBi.get(tri[k]!) ?? bi[k]).toBe(bi[k]);
      parentBi.set(tri[k]!, bi[k]!);
      expect(parentTok.get(bi[k]!) ?? tok[k]).toBe(tok[k]);
      parentTok.set(bi[k]!, tok[k]!);
    }
  });

  it("2024 bigram contexts: each position under its token, in every bigram of its sequence that holds it", () => {
    const v = new LabelVocabulary();
    const labels = ngramContextLabels(batch, 2, v);
    // [5 6 7 5]: 5 in "5 6"; 6 in "5 6", "6 7"; 7 in "6 7", "7 5"; 5 in "7 5".  [6 5]: 6 in "6 5"; 5 in "6 5".
    expect([...labels.offsets]).toEqual([0, 1, 3, 5, 6, 7, 8]);
    expect([...labels.values].map((c) => v.keys[c])).toEqual([
      "5|5 6",
      "6|5 6",
      "6|6 7",
      "7|6 7",
      "7|7 5",
      "5|7 5",
      "6|6 5",
      "5|6 5",
    ]);
    expect([...labels.groups]).toEqual([5, 6, 6, 7, 7, 5, 6, 5]);
    expect([labels.minCount, labels.weighting]).toEqual([5, "uniform"]);
  });

  it("2024 trigram contexts: up to three per position; a sequence shorter than 3 has none", () => {
    const v = new LabelVocabulary();
    const labels = ngramContextLabels(batch, 3, v);
    expect([...labels.offsets]).toEqual([0, 1, 3, 5, 6, 6, 6]);
    expect([...labels.values].map((c) => v.keys[c])).toEqual([
      "5|5 6 7",
      "6|5 6 7",
      "6|6 7 5",
      "7|5 6 7",
      "7|6 7 5",
      "5|6 7 5",
    ]);
    // a longer sequence: the middle position sits in three trigrams
    const long = ngramContextLabels({ ids: Int32Array.from([1, 2, 3, 4, 5]), rows: 1, length: 5, padId: 0 }, 3, v);
    expect([...long.offsets]).toEqual([0, 1, 3, 6, 8, 9]);
    expect([...long.values.subarray(3, 6)].map((c) => v.keys[c])).toEqual(["3|1 2 3", "3|2 3 4", "3|3 4 5"]);
  });

  it("2024 contexts: a position whose n-grams coincide carries that sub-label once", () => {
    const v = new LabelVocabulary();
    const labels = ngramContextLabels({ ids: Int32Array.from([4, 4, 4]), rows: 1, length: 3, padId: 0 }, 2, v);
    expect([...labels.offsets]).toEqual([0, 1, 2, 3]);
    expect(v.keys).toEqual(["4|4 4"]);
  });

  it("default sequence label sets are token, the 2024 contexts and the flat n-grams", () => {
    const { sets } = sequenceLabelSets(batch, emptyVocabularies());
    expect(Object.keys(sets)).toEqual(["token", "bigram-contexts-2024", "trigram-contexts-2024", "bigram", "trigram"]);
  });

  it("codes stay stable across batches through a shared vocabulary", () => {
    const v = new LabelVocabulary();
    ngramLabels(batch, 2, "flat", v);
    const again = ngramLabels({ ids: Int32Array.from([6, 5]), rows: 1, length: 2, padId: 0 }, 2, "flat", v);
    expect(v.keys[again[1]!]).toBe("6 5");
    expect(LabelVocabulary.fromJSON(v.toJSON()).lookup("6 5")).toBe(again[1]);
  });

  it("lookup labels map tokens through a table, excluding unmapped ones", () => {
    expect([...lookupLabels(batch, (id) => (id === 7 ? undefined : id % 2))]).toEqual([1, 0, EXCLUDED, 1, 0, 1]);
  });

  it("rejects malformed batches", () => {
    expect(() => tokenLabels({ ids: new Int32Array(3), rows: 2, length: 2, padId: 0 }, new LabelVocabulary())).toThrow(
      /rows × length/,
    );
    expect(() => ngramLabels(batch, 0, "flat", new LabelVocabulary())).toThrow(/≥ 1/);
    expect(() => ngramContextLabels(batch, 1, new LabelVocabulary())).toThrow(/≥ 2/);
  });
});

import { describe, expect, it } from "vitest";
import {
  EXCLUDED,
  LabelVocabulary,
  lookupLabels,
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

  it("nested labels are windows around the position with boundary marks, defined everywhere", () => {
    const v = new LabelVocabulary();
    const bi = ngramLabels(batch, 2, "nested", v);
    expect([...bi].map((c) => v.keys[c])).toEqual(["^ 5 6", "5 6 7", "6 7 5", "7 5 ^", "^ 6 5", "6 5 ^"]);
  });

  it("nested label sets refine each other: each trigram window has one bigram window and one token", () => {
    const { sets } = sequenceLabelSets(batch, emptyVocabularies());
    const tok = sets.token!,
      bi = sets["bigram-nested"]!,
      tri = sets["trigram-nested"]!;
    const parentBi = new Map<number, number>(),
      parentTok = new Map<number, number>();
    for (let k = 0; k < tok.length; k++) {
      expect(parentBi.get(tri[k]!) ?? bi[k]).toBe(bi[k]);
      parentBi.set(tri[k]!, bi[k]!);
      expect(parentTok.get(bi[k]!) ?? tok[k]).toBe(tok[k]);
      parentTok.set(bi[k]!, tok[k]!);
    }
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
  });
});

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { loadTokenizer, padBatch } from "../src/sources/onnxModel.js";
import { parseCorpus, readCorpus } from "../src/sources/corpus.js";
import {
  DEFAULT_LM_LABEL_SETS,
  LM_LABEL_SETS,
  lmLabelSets,
  tokenizeCorpus,
  type LmLabelSet,
} from "../src/labels/lmLabels.js";
import { tokenSpans } from "../src/labels/tokenOffsets.js";
import { POS_TAGS, tokenPosTags, coarseTag } from "../src/labels/pos.js";
import { InputError } from "../src/io/errors.js";
import type { GroupedLabels, LabelVocabulary } from "../src/labels/ngrams.js";

const ALL: LmLabelSet[] = [...LM_LABEL_SETS];

describe("LM labels on a hand-checked sentence", async () => {
  const tokenizer = await loadTokenizer("test/fixtures/lm/gpt2-tiny");
  const sentence = "The cat sat on the mat.";

  it("the fixture tokenizer splits it as the Python BPE did", () => {
    expect(tokenizer.encode(sentence)).toEqual([267, 307, 260, 280, 334, 258, 275, 280, 46]);
    expect(JSON.parse(readFileSync("test/fixtures/lm/tokenizer_check.json", "utf8"))).toEqual({
      text: sentence,
      ids: [267, 307, 260, 280, 334, 258, 275, 280, 46],
    });
    expect([267, 307, 260, 280, 334, 258, 275, 280, 46].map((i) => tokenizer.decode([i]))).toEqual([
      "The",
      " cat",
      " s",
      "at",
      " on",
      " the",
      " m",
      "at",
      ".",
    ]);
  });

  it("token spans start at each token's first non-space character", () => {
    const spans = tokenSpans(sentence, ["The", " cat", " s", "at", " on", " the", " m", "at", "."]);
    expect(spans.map((s) => s.start)).toEqual([0, 4, 8, 9, 12, 15, 19, 20, 22]);
    // partial UTF-8 pieces attach to the next character; lower-cased pieces are found case-insensitively
    expect(tokenSpans("Ünd so", ["\uFFFD", "\uFFFD", "nd", " so"]).map((s) => s.start)).toEqual([0, 0, 1, 4]);
    expect(tokenSpans("Hello World", ["hello", "world"]).map((s) => s.start)).toEqual([0, 6]);
  });

  it("every label set on two documents", () => {
    const corpus = tokenizeCorpus([sentence, "The cat sat."], tokenizer, { maxLength: 64, pos: true });
    expect(corpus.tokens).toBe(9 + 5);
    const batch = padBatch(
      corpus.sequences.map((s) => s.ids),
      tokenizer.padId,
    );
    expect(batch.length).toBe(9);
    const vocabularies = new Map<string, LabelVocabulary>();
    const all = lmLabelSets(batch, corpus.sequences, ALL, vocabularies);
    expect(Object.keys(all)).toEqual(ALL);
    const sets = all as Record<string, Int32Array>;
    // doc 2 = The cat s at . → token codes reuse doc 1's
    expect([...sets.token!]).toEqual([0, 1, 2, 3, 4, 5, 6, 3, 7, /* doc 2 */ 0, 1, 2, 3, 7]);
    expect([...sets.bigram!]).toEqual([-1, 0, 1, 2, 3, 4, 5, 6, 7, /* doc 2: "at ." repeats */ -1, 0, 1, 2, 7]);
    expect([...sets.trigram!]).toEqual([-1, -1, 0, 1, 2, 3, 4, 5, 6, /* doc 2 */ -1, -1, 0, 1, 7]);
    // nested bigram = (previous, current, next) with ^ at the ends: all 9 windows of doc 1 differ;
    // in doc 2, "The" (^ The cat), "cat" (The cat s), "s" (cat s at) and "." (at . ^) repeat doc 1's windows.
    expect([...sets["bigram-nested"]!]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, /* doc 2 */ 0, 1, 2, 9, 8]);
    expect(vocabularies.get("bigram-nested")!.keys.slice(0, 2)).toEqual(["^ 267 307", "267 307 260"]);
    // ±2 windows: doc 2's first two (^ ^ The cat s, ^ The cat s at) repeat doc 1's; the rest are new
    expect([...sets["trigram-nested"]!].slice(9)).toEqual([0, 1, 9, 10, 11]);
    const tag = (i: number) => (i < 0 ? null : POS_TAGS[i]);
    expect([...sets.pos!].map(tag)).toEqual([
      "DET",
      "NOUN",
      "VERB",
      "VERB",
      "ADP",
      "DET",
      "NOUN",
      "NOUN",
      "PUNCT",
      "DET",
      "NOUN",
      "VERB",
      "VERB",
      "PUNCT",
    ]);
    expect([...sets.position!]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4]);
    // the window scheme under its new name gives the old codes
    expect([...sets["bigram-window"]!]).toEqual([...sets["bigram-nested"]!]);
    expect([...sets["trigram-window"]!]).toEqual([...sets["trigram-nested"]!]);
    // 2024 bigram contexts: "at" (280) at positions 3 and 7 of doc 1 sits in "s at"/"at on" and "m at"/"at ."
    const contexts = all["bigram-contexts-2024"] as GroupedLabels;
    const keys = vocabularies.get("bigram-contexts-2024")!.keys;
    const of = (row: number) =>
      [...contexts.values.subarray(contexts.offsets[row]!, contexts.offsets[row + 1]!)].map((c) => keys[c]);
    expect(of(3)).toEqual(["280|260 280", "280|280 334"]);
    expect(of(7)).toEqual(["280|275 280", "280|280 46"]);
    expect(of(0)).toEqual(["267|267 307"]);
    // doc 2 "The cat s at .": "at" is in "s at" (seen in doc 1) and "at ." (seen in doc 1 at position 7)
    expect(of(12)).toEqual(["280|260 280", "280|280 46"]);
    expect([...contexts.groups.subarray(contexts.offsets[12]!, contexts.offsets[13]!)]).toEqual([280, 280]);
    expect(contexts.offsets.length).toBe(15);
  });

  it("the default label sets are token, the 2024 contexts, POS, the flat n-grams and position", () => {
    expect([...DEFAULT_LM_LABEL_SETS]).toEqual([
      "token",
      "bigram-contexts-2024",
      "trigram-contexts-2024",
      "pos",
      "bigram",
      "trigram",
      "position",
    ]);
  });

  it("windows split long documents and maxTokens cuts the corpus", () => {
    const corpus = tokenizeCorpus([sentence, sentence], tokenizer, { maxLength: 4, maxTokens: 11 });
    expect(corpus.sequences.map((s) => s.ids.length)).toEqual([4, 4, 1, 2]);
    expect(corpus.sequences.map((s) => [s.document, s.offset])).toEqual([
      [0, 0],
      [0, 4],
      [0, 8],
      [1, 0],
    ]);
    expect(corpus.tokens).toBe(11);
    expect(corpus.documentsSkipped).toBe(0);
  });

  it("POS mapping: pronoun before noun, punctuation outside words, whitespace excluded", () => {
    expect(coarseTag(["Noun", "Pronoun"])).toBe("PRON");
    expect(coarseTag(["Value", "Cardinal"])).toBe("NUM");
    expect(
      tokenPosTags("She ran .", [
        { start: 0, end: 3 },
        { start: 4, end: 7 },
        { start: 8, end: 9 },
        { start: -1, end: -1 },
      ]),
    ).toEqual(["PRON", "VERB", "PUNCT", null]);
  });
});

describe("corpus files", () => {
  it("reads plain text and JSONL, counting blank lines, and rejects bad input", () => {
    expect(parseCorpus("a b\n\nc d\n", "text")).toMatchObject({ documents: ["a b", "c d"], blankLines: 1 });
    expect(parseCorpus('{"text":"x y"}\n{"text":"z"}\n', "jsonl").documents).toEqual(["x y", "z"]);
    expect(() => parseCorpus('{"text":"x"}\n{"txt":"z"}\n', "jsonl", "c.jsonl")).toThrow(/c\.jsonl.*line 2|line 2/);
    expect(() => parseCorpus("{oops\n", "jsonl")).toThrow(InputError);
    expect(() => parseCorpus("\n  \n", "text", "empty.txt")).toThrow(/no documents/);
    const dir = mkdtempSync(join(tmpdir(), "glossa-corpus-"));
    writeFileSync(join(dir, "c.jsonl"), '{"text":"hello"}\n');
    expect(readCorpus(join(dir, "c.jsonl")).documents).toEqual(["hello"]);
    expect(() => readCorpus(join(dir, "missing.txt"))).toThrow(/does not exist/);
  });
});

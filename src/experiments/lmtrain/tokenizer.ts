/**
 * A word-level tokenizer learnt from a corpus, for the language models trained here (a real
 * language model's BPE in miniature): text splits into pre-tokens as GPT-2 splits it (a word
 * with its leading space, a number, a run of punctuation, whitespace); a pre-token in the
 * vocabulary is one token, any other is spelt out character by character. The vocabulary is
 * id 0 padding, id 1 unknown character (decoded as U+FFFD), every character of the training
 * text, then the most frequent multi-character pre-tokens (ties in code-point order) up to
 * `vocabSize`. Decoding concatenates the pieces, so decode(encode(text)) = text for any text
 * of known characters. Deterministic and pure; implements the `ModelTokenizer` view
 * `glossa lm` reads (src/sources/onnxModel.ts).
 */
import type { ModelTokenizer } from "../../sources/onnxModel.js";

const PRETOKEN = / ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+/g;
export const PAD_ID = 0;
export const UNKNOWN_ID = 1;
const UNKNOWN_PIECE = "\uFFFD";

/** The pre-tokens of a text, in order (their concatenation is the text). */
export function pretokens(text: string): string[] {
  return text.match(PRETOKEN) ?? [];
}

export class WordTokenizer implements ModelTokenizer {
  readonly padId = PAD_ID;
  readonly maxLength: number | undefined;
  private readonly ids: Map<string, number>;

  constructor(
    /** Piece of each id (ids 0 and 1 are padding and the unknown character). */
    readonly pieces: readonly string[],
    maxLength?: number,
  ) {
    if (pieces[PAD_ID] !== "" || pieces[UNKNOWN_ID] !== UNKNOWN_PIECE)
      throw new RangeError("a word tokenizer's pieces start with padding ('') and the unknown character (U+FFFD)");
    this.ids = new Map(pieces.map((p, i) => [p, i]));
    this.maxLength = maxLength;
  }

  /** Learns the vocabulary from `documents` (at most `vocabSize` ids, more when the characters alone need them). */
  static fromCorpus(documents: readonly string[], vocabSize: number, maxLength?: number): WordTokenizer {
    if (!Number.isInteger(vocabSize) || vocabSize < 3)
      throw new RangeError(`vocabulary size must be an integer ≥ 3, got ${vocabSize}`);
    const characters = new Set<string>();
    const counts = new Map<string, number>();
    for (const doc of documents) {
      for (const ch of doc) characters.add(ch);
      for (const p of pretokens(doc)) if (p.length > 1) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    const chars = [...characters].filter((c) => c !== UNKNOWN_PIECE).sort();
    const words = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, Math.max(0, vocabSize - 2 - chars.length))
      .map(([p]) => p);
    return new WordTokenizer(["", UNKNOWN_PIECE, ...chars, ...words], maxLength);
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const p of pretokens(text)) {
      const id = this.ids.get(p);
      if (id !== undefined && id !== PAD_ID) out.push(id);
      else for (const ch of p) out.push(this.ids.get(ch) ?? UNKNOWN_ID);
    }
    return out;
  }

  decode(ids: number[]): string {
    return ids.map((id) => (id === PAD_ID ? "" : (this.pieces[id] ?? UNKNOWN_PIECE))).join("");
  }
}

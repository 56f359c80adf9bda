/**
 * Part-of-speech labels for model tokens, from the `compromise` tagger (a maintained
 * rule-based English tagger that runs in the browser).
 *
 * Alignment rule: a token takes the tag of the word whose character span contains the
 * token's first non-space character (see tokenOffsets.ts). A token whose first character
 * lies in no word is PUNCT when that character is punctuation or a symbol, and otherwise
 * excluded (whitespace-only and special tokens). So every sub-word piece of "quickly"
 * is ADV, and the "." after "mat" is PUNCT.
 *
 * compromise's fine tags are mapped to a coarse, Universal-Dependencies-like set, first
 * match wins in this order: PRON, DET, ADP, CONJ, AUX (modal/auxiliary/copula), VERB, ADV,
 * ADJ, NUM, PROPN, NOUN, INTJ, PART (negative/infinitive "to"), else X.
 */
import nlp from "compromise";
import type { TokenSpan } from "./tokenOffsets.js";

export const POS_TAGS = [
  "PRON",
  "DET",
  "ADP",
  "CONJ",
  "AUX",
  "VERB",
  "ADV",
  "ADJ",
  "NUM",
  "PROPN",
  "NOUN",
  "INTJ",
  "PART",
  "PUNCT",
  "X",
] as const;
export type PosTag = (typeof POS_TAGS)[number];

const RULES: [string[], PosTag][] = [
  [["Pronoun"], "PRON"],
  [["Determiner"], "DET"],
  [["Preposition"], "ADP"],
  [["Conjunction"], "CONJ"],
  [["Modal", "Auxiliary", "Copula"], "AUX"],
  [["Verb"], "VERB"],
  [["Adverb"], "ADV"],
  [["Adjective"], "ADJ"],
  [["Value", "Cardinal", "NumericValue"], "NUM"],
  [["ProperNoun"], "PROPN"],
  [["Noun"], "NOUN"],
  [["Expression"], "INTJ"],
  [["Negative", "Infinitive"], "PART"],
];

export function coarseTag(tags: readonly string[]): PosTag {
  for (const [wanted, tag] of RULES) if (wanted.some((w) => tags.includes(w))) return tag;
  return "X";
}

export interface WordTag {
  start: number;
  end: number;
  tag: PosTag;
  tags: string[];
}

interface CompromiseTerm {
  tags?: string[];
  offset?: { start: number; length: number };
}

/** Tagged words of a text with their character spans. */
export function tagWords(text: string): WordTag[] {
  const json = nlp(text).json({ offset: true, terms: { offset: true } }) as { terms: CompromiseTerm[] }[];
  const words: WordTag[] = [];
  for (const sentence of json) {
    for (const term of sentence.terms) {
      if (!term.offset || term.offset.length === 0) continue; // implicit words of contractions
      const tags = term.tags ?? [];
      words.push({ start: term.offset.start, end: term.offset.start + term.offset.length, tag: coarseTag(tags), tags });
    }
  }
  return words;
}

const PUNCTUATION = /[\p{P}\p{S}]/u;

/** The POS tag of each token (null = excluded), by the alignment rule above. */
export function tokenPosTags(
  text: string,
  spans: readonly TokenSpan[],
  words: readonly WordTag[] = tagWords(text),
): (PosTag | null)[] {
  const out: (PosTag | null)[] = [];
  let w = 0;
  for (const span of spans) {
    if (span.start < 0) {
      out.push(null);
      continue;
    }
    // Spans are non-decreasing, so one forward walk over the words suffices (reset if a span goes back).
    if (w > 0 && words[w - 1] && span.start < words[w - 1]!.start) w = 0;
    while (w < words.length && words[w]!.end <= span.start) w++;
    const word = words[w];
    if (word && word.start <= span.start && span.start < word.end) out.push(word.tag);
    else out.push(PUNCTUATION.test(text[span.start] ?? "") ? "PUNCT" : null);
  }
  return out;
}

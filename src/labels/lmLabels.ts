/**
 * Token sequences and their label sets for language-model analysis (METHODS §5):
 * documents → model tokens (the model's own tokenizer) → windows no longer than the
 * model's context → label codes per real (non-padding) position:
 *   token, bigram, trigram (flat left context), bigram-contexts-2024, trigram-contexts-2024
 *   (the 2024 paper's grouped n-gram contexts), bigram-window, trigram-window (joint windows;
 *   `-nested` is their old name, still accepted) (see ngrams.ts), pos (pos.ts, aligned to
 *   tokens), position (index within the window).
 * n-grams never cross a window or document boundary. Pure functions (the tokenizer is passed in).
 */
import {
  EXCLUDED,
  LabelVocabulary,
  namedNgramLabels,
  realPositions,
  SEQUENCE_LABEL_NAMES,
  tokenLabels,
  type SequenceLabels,
  type TokenBatch,
} from "./ngrams.js";
import { POS_TAGS, tagWords, tokenPosTags } from "./pos.js";
import { tokenSpans } from "./tokenOffsets.js";

/** Every label set `glossa lm` can measure: the sequence label sets (ngrams.ts), POS and position. */
export const LM_LABEL_SETS = [...SEQUENCE_LABEL_NAMES, "pos", "position"] as const;
export type LmLabelSet = (typeof LM_LABEL_SETS)[number];

/** What `glossa lm` measures by default: token, the 2024 nested n-grams, POS and the flat schemes. */
export const DEFAULT_LM_LABEL_SETS: readonly LmLabelSet[] = [
  "token",
  "bigram-contexts-2024",
  "trigram-contexts-2024",
  "pos",
  "bigram",
  "trigram",
  "position",
];

export interface TokenSequence {
  ids: Int32Array;
  /** POS code per token (index into POS_TAGS), EXCLUDED where untagged; absent if not requested. */
  pos?: Int32Array;
  /** Document index and the window's first token index within it. */
  document: number;
  offset: number;
}

export interface Tokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
}

export interface TokenizeOptions {
  /** Longest window (model context). */
  maxLength: number;
  /** Stop after this many tokens in total (the last window is cut). */
  maxTokens?: number;
  /** Compute POS tags (costs a tagger pass per document). */
  pos?: boolean;
}

export interface TokenizedCorpus {
  sequences: TokenSequence[];
  tokens: number;
  /** Documents not reached because maxTokens was hit. */
  documentsSkipped: number;
  /** Documents that produced no tokens. */
  emptyDocuments: number;
}

export function tokenizeCorpus(
  documents: readonly string[],
  tokenizer: Tokenizer,
  options: TokenizeOptions,
): TokenizedCorpus {
  const { maxLength } = options;
  if (!Number.isInteger(maxLength) || maxLength < 1)
    throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  const budget = options.maxTokens ?? Infinity;
  const pieceCache = new Map<number, string>();
  const piece = (id: number) => {
    let p = pieceCache.get(id);
    if (p === undefined) pieceCache.set(id, (p = tokenizer.decode([id])));
    return p;
  };
  const sequences: TokenSequence[] = [];
  let tokens = 0;
  let emptyDocuments = 0;
  let d = 0;
  for (; d < documents.length && tokens < budget; d++) {
    const text = documents[d]!;
    const ids = tokenizer.encode(text);
    if (ids.length === 0) {
      emptyDocuments++;
      continue;
    }
    let pos: Int32Array | undefined;
    if (options.pos) {
      const tags = tokenPosTags(text, tokenSpans(text, ids.map(piece)), tagWords(text));
      pos = Int32Array.from(tags, (t) => (t === null ? EXCLUDED : POS_TAGS.indexOf(t)));
    }
    for (let start = 0; start < ids.length && tokens < budget; start += maxLength) {
      const end = Math.min(ids.length, start + maxLength, start + (budget - tokens));
      sequences.push({
        ids: Int32Array.from(ids.slice(start, end)),
        pos: pos?.slice(start, end),
        document: d,
        offset: start,
      });
      tokens += end - start;
    }
  }
  return { sequences, tokens, documentsSkipped: documents.length - d, emptyDocuments };
}

/** Codes per real position of `batch` (built from `sequences`, right-padded) for each named label set. */
export function lmLabelSets(
  batch: TokenBatch,
  sequences: readonly TokenSequence[],
  names: readonly LmLabelSet[],
  vocabularies: Map<string, LabelVocabulary>,
): Record<string, SequenceLabels> {
  const vocab = (name: string) => {
    let v = vocabularies.get(name);
    if (!v) vocabularies.set(name, (v = new LabelVocabulary()));
    return v;
  };
  const positions = realPositions(batch);
  const out: Record<string, SequenceLabels> = {};
  for (const name of names) {
    switch (name) {
      case "token":
        out[name] = tokenLabels(batch, vocab(name));
        break;
      case "bigram":
      case "trigram":
      case "bigram-contexts-2024":
      case "trigram-contexts-2024":
      case "bigram-window":
      case "trigram-window":
      case "bigram-nested":
      case "trigram-nested":
        out[name] = namedNgramLabels(batch, name, vocab(name));
        break;
      case "position":
        out[name] = Int32Array.from(positions, (p) => p % batch.length);
        break;
      case "pos":
        out[name] = Int32Array.from(positions, (p) => {
          const seq = sequences[Math.floor(p / batch.length)]!;
          if (!seq.pos) throw new RangeError("POS labels requested but the corpus was tokenised without pos: true");
          return seq.pos[p % batch.length]!;
        });
        break;
      default:
        throw new RangeError(`unknown label set "${String(name)}" (known: ${LM_LABEL_SETS.join(", ")})`);
    }
  }
  return out;
}

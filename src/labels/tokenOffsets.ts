/**
 * Character offsets of model tokens in the text they came from, for tokenizers that do not
 * report offsets (transformers.js does not). Each token is decoded on its own; its
 * printable part (leading spaces and WordPiece "##" removed) is searched for in the text
 * from the end of the previous token, case-insensitively (lower-casing tokenizers).
 * A token's start is the index of its first non-space character. Tokens whose piece
 * cannot be found nearby (partial UTF-8 bytes decode to U+FFFD, normalised text) start at
 * the next non-space character after the previous token. Pure function.
 */

export interface TokenSpan {
  /** Index of the token's first non-space character in the text (−1 for special/empty tokens). */
  start: number;
  /** One past the token's last character (start when empty). */
  end: number;
}

/** How far ahead of the cursor a piece may be found and still count as this token. */
const MAX_SKIP = 8;

export function tokenSpans(text: string, pieces: readonly string[]): TokenSpan[] {
  const lower = text.toLowerCase();
  const spans: TokenSpan[] = [];
  let cursor = 0;
  for (const raw of pieces) {
    const piece = raw.replace(/^\s+/, "").replace(/^##/, "").replace(/\s+$/, "").toLowerCase();
    let next = cursor;
    while (next < text.length && /\s/.test(text[next]!)) next++;
    if (piece.length === 0) {
      spans.push({ start: -1, end: -1 });
      continue;
    }
    if (!piece.includes("\uFFFD")) {
      const at = lower.indexOf(piece, cursor);
      if (at >= 0 && at - next <= MAX_SKIP) {
        spans.push({ start: at, end: at + piece.length });
        cursor = at + piece.length;
        continue;
      }
    }
    // Not found verbatim: attach the token to the next character and move on by its length.
    const end = Math.min(text.length, next + (piece.includes("\uFFFD") ? 0 : piece.length));
    spans.push({ start: next < text.length ? next : -1, end });
    cursor = Math.max(cursor, end);
  }
  return spans;
}

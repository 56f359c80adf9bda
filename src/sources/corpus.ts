/**
 * Text corpora for language-model analysis: plain text with one document per line, or
 * JSONL with a "text" field per line (`.jsonl` / `.ndjson`). Blank lines are not documents;
 * their number is reported, never hidden. Files are read line by line (io/textFile.ts), so a
 * corpus may be larger than one string can hold.
 */
import { existsSync } from "node:fs";
import { InputError } from "../io/errors.js";
import { forEachLine } from "../io/mappingText.js";
import { readTextLinesSync } from "../io/textFile.js";
import { plural } from "../util/plural.js";

export interface Corpus {
  file: string;
  documents: string[];
  blankLines: number;
}

export function parseCorpus(text: string, format: "text" | "jsonl", file = "<corpus>"): Corpus {
  const reader = new CorpusReader(format, file);
  forEachLine(text, 1, (line, t) => reader.line(line, t));
  return reader.finish();
}

export function readCorpus(file: string): Corpus {
  if (!existsSync(file)) throw new InputError(`corpus file does not exist`, { file });
  const reader = new CorpusReader(/\.(jsonl|ndjson)$/i.test(file) ? "jsonl" : "text", file);
  readTextLinesSync(file, (line, t) => reader.line(line, t));
  return reader.finish();
}

/** Takes a corpus's lines in order; `finish` returns the documents. */
class CorpusReader {
  private readonly documents: string[] = [];
  private blankLines = 0;
  private lastLineEmpty = false;

  constructor(
    private readonly format: "text" | "jsonl",
    private readonly file: string,
  ) {}

  line(line: number, text: string): void {
    const file = this.file;
    this.lastLineEmpty = text === "";
    if (text.trim() === "") {
      this.blankLines++;
      return;
    }
    if (this.format === "text") {
      this.documents.push(text);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new InputError(`line is not valid JSON: ${(e as Error).message}`, { file, line });
    }
    const t = (value as { text?: unknown } | null)?.text;
    if (typeof t !== "string") throw new InputError(`expected an object with a string "text" field`, { file, line });
    if (t.trim() === "") this.blankLines++;
    else this.documents.push(t);
  }

  finish(): Corpus {
    // The empty "line" after a final newline is not a blank line.
    const blankLines = this.blankLines - (this.lastLineEmpty ? 1 : 0);
    if (this.documents.length === 0)
      throw new InputError(`corpus has no documents (${plural(blankLines, "blank line")})`, { file: this.file });
    return { file: this.file, documents: this.documents, blankLines };
  }
}

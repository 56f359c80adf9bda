/**
 * Text corpora for language-model analysis: plain text with one document per line, or
 * JSONL with a "text" field per line (`.jsonl` / `.ndjson`). Blank lines are not documents;
 * their number is reported, never hidden.
 */
import { existsSync, readFileSync } from "node:fs";
import { InputError } from "../io/errors.js";

export interface Corpus {
  file: string;
  documents: string[];
  blankLines: number;
}

export function parseCorpus(text: string, format: "text" | "jsonl", file = "<corpus>"): Corpus {
  const documents: string[] = [];
  let blankLines = 0;
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((line, i) => {
    if (line.trim() === "") {
      blankLines++;
      return;
    }
    if (format === "text") {
      documents.push(line);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new InputError(`line is not valid JSON: ${(e as Error).message}`, { file, line: i + 1 });
    }
    const t = (value as { text?: unknown } | null)?.text;
    if (typeof t !== "string")
      throw new InputError(`expected an object with a string "text" field`, { file, line: i + 1 });
    if (t.trim() === "") blankLines++;
    else documents.push(t);
  });
  if (documents.length === 0) throw new InputError(`corpus has no documents (${blankLines} blank lines)`, { file });
  return { file, documents, blankLines };
}

export function readCorpus(file: string): Corpus {
  if (!existsSync(file)) throw new InputError(`corpus file does not exist`, { file });
  return parseCorpus(readFileSync(file, "utf8"), /\.(jsonl|ndjson)$/i.test(file) ? "jsonl" : "text", file);
}

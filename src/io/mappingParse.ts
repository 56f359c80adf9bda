/**
 * Parsing and formatting of mapping files (the format is described in mappingFile.ts): pure,
 * no Node imports, so the dashboard parses dropped files with the same code and messages.
 */
import type { DiscreteMapping } from "../mapping/types.js";
import { InputError } from "./errors.js";
import { type DeclaredAlphabet, MappingRows, type MappingRowsSummary } from "./mappingRows.js";
import { csvField, forEachLine, splitRecord } from "./mappingText.js";
import { plural } from "../util/plural.js";

export const MAPPING_FORMATS = ["tsv", "csv", "jsonl"] as const;
export type MappingFormat = (typeof MAPPING_FORMATS)[number];

export const DEFAULT_PAD = "<pad>";
export const DEFAULT_SIGNAL_COLUMN = "signal";

export type { DeclaredAlphabet } from "./mappingRows.js";

export interface ReadMappingOptions {
  /** Default: from the file extension (.tsv, .csv, .jsonl / .ndjson). */
  format?: MappingFormat;
  /** Symbol used to pad shorter signals (default "<pad>"). */
  pad?: string;
  /** The alphabet, when it is larger than the symbols observed. */
  alphabet?: DeclaredAlphabet;
  /** Name of the signal column in TSV/CSV (default "signal"). */
  signalColumn?: string;
}

export interface MappingFileReport extends MappingRowsSummary {
  file: string;
  format: MappingFormat;
  /** Lines skipped because they were blank. */
  blankLines: number;
}

export interface MappingFileResult {
  mapping: DiscreteMapping;
  report: MappingFileReport;
}

/** The format a path's extension implies. */
export function formatFromPath(file: string): MappingFormat {
  const dot = file.lastIndexOf(".");
  const ext = dot > file.lastIndexOf("/") ? file.slice(dot).toLowerCase() : "";
  if (ext === ".tsv" || ext === ".tab") return "tsv";
  if (ext === ".csv") return "csv";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  throw new InputError(
    `unknown format "${ext || "(no extension)"}": use a .tsv, .csv or .jsonl file, or name the format (tsv, csv, jsonl)`,
    { file },
  );
}

/** Parses the text of a mapping file; `file` names it in errors. */
export function parseMappingText(text: string, file: string, options: ReadMappingOptions = {}): MappingFileResult {
  const reader = new MappingFileReader(file, { ...options, format: options.format ?? formatFromPath(file) });
  forEachLine(text, 1, (line, t) => reader.line(line, t));
  return reader.finish();
}

/** Takes the lines of a mapping file in order; `finish` builds the mapping. */
export class MappingFileReader {
  private readonly format: MappingFormat;
  private readonly signalColumn: string;
  private rows: MappingRows | undefined;
  private blankLines = 0;
  private lastLineEmpty = false;
  private sawHeader = false;
  // TSV/CSV: the header's columns
  private header: string[] = [];
  private signalIndex = -1;
  private roleIndices: number[] = [];
  // JSONL: the shape of the first meaning
  private keyed = false;
  private shapeLine = 0;

  constructor(
    private readonly file: string,
    private readonly options: ReadMappingOptions & { format: MappingFormat },
  ) {
    this.format = options.format;
    this.signalColumn = options.signalColumn ?? DEFAULT_SIGNAL_COLUMN;
  }

  line(line: number, text: string): void {
    this.lastLineEmpty = text === "";
    if (text.trim() === "") {
      this.blankLines++;
      return;
    }
    if (this.format === "jsonl") this.jsonlLine(line, text);
    else if (!this.sawHeader) this.headerLine(line, text);
    else this.delimitedLine(line, text);
  }

  finish(): MappingFileResult {
    const file = this.file;
    // The empty "line" after a final newline is not a blank line.
    const blankLines = this.blankLines - (this.lastLineEmpty ? 1 : 0);
    if (this.format !== "jsonl" && !this.sawHeader)
      throw new InputError(
        `empty file: expected a header line naming the role columns and a "${this.signalColumn}" column`,
        { file },
      );
    const rows = this.rows;
    if (rows === undefined || rows.rows === 0)
      throw new InputError("no examples: the file has no data lines", { file });
    const { mapping, summary } = rows.build(this.options.pad ?? DEFAULT_PAD, this.options.alphabet);
    return { mapping, report: { file, format: this.format, ...summary, blankLines } };
  }

  private headerLine(line: number, text: string): void {
    const where = { file: this.file, line };
    const header = splitRecord(text, this.format as "tsv" | "csv", where).map((h) => h.trim());
    const signalIndex = header.indexOf(this.signalColumn);
    if (signalIndex < 0) {
      throw new InputError(
        `missing column "${this.signalColumn}" (the header has: ${header.join(", ")}); name the signal column with --signal-column`,
        where,
      );
    }
    const roleIndices = header.map((_, k) => k).filter((k) => k !== signalIndex);
    if (roleIndices.length === 0)
      throw new InputError(`no role columns: the header has only "${this.signalColumn}"`, where);
    header.forEach((h, k) => {
      if (h === "") throw new InputError(`column ${k + 1} of the header has no name`, where);
      if (header.indexOf(h) !== k) throw new InputError(`column "${h}" appears twice in the header`, where);
    });
    this.sawHeader = true;
    this.header = header;
    this.signalIndex = signalIndex;
    this.roleIndices = roleIndices;
    this.rows = new MappingRows(
      roleIndices.map((k) => header[k]!),
      this.file,
    );
  }

  private delimitedLine(line: number, text: string): void {
    const file = this.file;
    const header = this.header;
    const cells = splitRecord(text, this.format as "tsv" | "csv", { file, line });
    if (cells.length !== header.length) {
      throw new InputError(
        `ragged row: expected ${header.length} ${this.format.toUpperCase()} cells (${header.join(", ")}), found ${cells.length}`,
        { file, line },
      );
    }
    const meaning = this.roleIndices.map((k) => {
      const atom = cells[k]!.trim();
      if (atom === "") throw new InputError("empty meaning value", { file, line, column: header[k]! });
      return atom;
    });
    this.rows!.addRow(line, meaning, cells[this.signalIndex]!);
  }

  private jsonlLine(line: number, text: string): void {
    const file = this.file;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InputError(`not valid JSON (${(error as Error).message})`, { file, line });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InputError(`expected a JSON object {"meaning": ..., "signal": ...}, found ${jsonKind(value)}`, {
        file,
        line,
      });
    }
    const record = value as Record<string, unknown>;
    if (!("meaning" in record)) throw new InputError('missing field "meaning"', { file, line });
    if (!("signal" in record)) throw new InputError('missing field "signal"', { file, line });
    const m = record.meaning;
    const isArray = Array.isArray(m);
    if (!isArray && (typeof m !== "object" || m === null))
      throw new InputError(`"meaning" must be an array or an object of role values, found ${jsonKind(m)}`, {
        file,
        line,
      });
    const names = isArray ? m.map((_, r) => `role${r + 1}`) : Object.keys(m as object);
    const atoms: unknown[] = isArray ? m : Object.values(m as object);
    if (this.rows === undefined) {
      if (names.length === 0) throw new InputError('"meaning" is empty: expected at least one role', { file, line });
      this.keyed = !isArray;
      this.shapeLine = line;
      this.rows = new MappingRows(names, file);
    } else if (this.keyed === isArray) {
      const roles = this.rows.roleNames;
      throw new InputError(
        this.keyed
          ? `"meaning" is an array of ${plural(names.length, "value")}, but the file's meanings are objects with keys ${roles.join(", ")} (as on line ${this.shapeLine}); give every meaning in one shape`
          : `"meaning" is an object with keys ${names.join(", ")}, but the file's meanings are arrays of ${plural(roles.length, "value")} (as on line ${this.shapeLine}); give every meaning in one shape`,
        { file, line },
      );
    } else if (!sameNames(names, this.rows.roleNames)) {
      const roles = this.rows.roleNames;
      throw new InputError(
        this.keyed
          ? `ragged meaning: expected keys ${roles.join(", ")} (as on line ${this.shapeLine}), found keys ${names.join(", ")}`
          : `ragged meaning: expected an array of ${plural(roles.length, "role")} (as on line ${this.shapeLine}), found an array of ${names.length}`,
        { file, line },
      );
    }
    const meaning = atoms.map((a, r) => {
      if (typeof a !== "string" && typeof a !== "number")
        throw new InputError(`meaning value for role "${names[r]}" must be a string or number, found ${jsonKind(a)}`, {
          file,
          line,
        });
      return String(a);
    });
    const s = record.signal;
    if (typeof s === "string") this.rows.addRow(line, meaning, s);
    else if (Array.isArray(s) && s.every((x) => typeof x === "string" || typeof x === "number"))
      this.rows.addRow(line, meaning, s.map(String));
    else
      throw new InputError(
        `"signal" must be a string or an array of symbols (strings or numbers), found ${jsonKind(s)}`,
        { file, line },
      );
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, k) => name === b[k]);
}

/** What a JSON value is, in words, for messages. */
function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** Writes a mapping as TSV or JSONL text (signals as one-character strings when every symbol is one character). */
export function formatMapping(mapping: DiscreteMapping, format: MappingFormat): string {
  let text = "";
  for (const line of mappingLines(mapping, format)) text += `${line}\n`;
  return text;
}

/** The lines of a mapping file, header first (TSV/CSV), one row per line, without newlines. */
export function* mappingLines(mapping: DiscreteMapping, format: MappingFormat): Generator<string> {
  const R = mapping.roles.length;
  const L = mapping.length;
  const chars = mapping.alphabet.every((c) => Array.from(c).length === 1 && !/\s|,|"/.test(c));
  const symbolsOf = (i: number) =>
    Array.from(mapping.signals.subarray(i * L, (i + 1) * L), (c) => mapping.alphabet[c]!);
  if (format !== "jsonl") {
    const sep = format === "tsv" ? "\t" : ",";
    const cell = format === "tsv" ? (s: string) => s : csvField;
    yield [...mapping.roles.map((r) => r.name), DEFAULT_SIGNAL_COLUMN].map(cell).join(sep);
    for (let i = 0; i < mapping.size; i++) {
      const atoms = mapping.roles.map((role, r) => role.atoms[mapping.meanings[i * R + r]!]!);
      yield [...atoms, symbolsOf(i).join(chars ? "" : " ")].map(cell).join(sep);
    }
  } else {
    for (let i = 0; i < mapping.size; i++) {
      const meaning = Object.fromEntries(
        mapping.roles.map((role, r) => [role.name, role.atoms[mapping.meanings[i * R + r]!]!]),
      );
      const symbols = symbolsOf(i);
      yield JSON.stringify({ meaning, signal: chars ? symbols.join("") : symbols });
    }
  }
}

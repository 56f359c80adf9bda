/**
 * Mapping files: meanings → signals, one example per line.
 *
 * - TSV / CSV with a header: one column per role and one signal column (default "signal").
 *   A signal cell is space-separated symbols ("12 7 0") or, when no signal in the file
 *   contains a space, a plain string of one-character symbols ("abba").
 * - JSONL: {"meaning": [...] or {...}, "signal": [...] or "..."} per line. An array meaning
 *   names its roles role1, role2, …; an object meaning uses its keys (the same on every line).
 *
 * Signals of different lengths are padded on the right with the pad symbol (default "<pad>"),
 * which then is an ordinary symbol of the alphabet (METHODS §3.1). The alphabet is the set
 * of observed symbols unless declared (a size K, or a list of symbols): the ln|C| normalisers
 * count the declared alphabet, used or not. Atoms are the values observed in each role column.
 *
 * I/O only: this module builds a DiscreteMapping and reports how; it computes no measure.
 */
import { readFile, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import type { DiscreteMapping } from "../mapping/types.js";
import { InputError } from "./errors.js";
import { csvField, decodeUtf8, numberedLines, splitRecord } from "./mappingText.js";

export const MAPPING_FORMATS = ["tsv", "csv", "jsonl"] as const;
export type MappingFormat = (typeof MAPPING_FORMATS)[number];

export const DEFAULT_PAD = "<pad>";
export const DEFAULT_SIGNAL_COLUMN = "signal";

export type DeclaredAlphabet = { size: number } | { symbols: string[] };

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

export interface MappingFileReport {
  file: string;
  format: MappingFormat;
  /** How signals were written: space-separated symbols, one character per symbol, or JSON arrays. */
  signalEncoding: "space-separated" | "characters" | "json-array";
  padding: {
    symbol: string;
    /** Rows that were shorter than the longest signal and got padded. */
    paddedRows: number;
    shortestSignal: number;
    longestSignal: number;
    /** Whether the pad symbol also occurs in the file's own signals (e.g. an EOS used as pad). */
    occursInData: boolean;
  };
  alphabet: {
    source: "observed" | "declared size" | "declared symbols";
    size: number;
    /** Symbols occurring in the signals after padding. */
    used: number;
  };
  rows: number;
  /** Lines skipped because they were blank. */
  blankLines: number;
}

export interface MappingFileResult {
  mapping: DiscreteMapping;
  report: MappingFileReport;
}

interface Example {
  line: number;
  meaning: string[];
  /** Raw signal: a string still to be split, or JSON array symbols. */
  signal: string | string[];
}

/** The format a path's extension implies. */
export function formatFromPath(file: string): MappingFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".tsv" || ext === ".tab") return "tsv";
  if (ext === ".csv") return "csv";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  throw new InputError(
    `unknown format "${ext || "(no extension)"}": use a .tsv, .csv or .jsonl file, or name the format (tsv, csv, jsonl)`,
    { file },
  );
}

/** Reads a mapping file (see the module comment). */
export async function readMappingFile(file: string, options: ReadMappingOptions = {}): Promise<MappingFileResult> {
  const format = options.format ?? formatFromPath(file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InputError(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file });
  }
  return parseMappingText(decodeUtf8(bytes, file), file, { ...options, format });
}

/** Parses the text of a mapping file; `file` names it in errors. */
export function parseMappingText(text: string, file: string, options: ReadMappingOptions = {}): MappingFileResult {
  const format = options.format ?? formatFromPath(file);
  const lines = numberedLines(text);
  const content = lines.filter((l) => l.text.trim() !== "");
  const blankLines = lines.length - content.length - (lines.at(-1)?.text === "" ? 1 : 0);
  const { roleNames, examples } =
    format === "jsonl"
      ? parseJsonl(content, file)
      : parseDelimited(content, file, format, options.signalColumn ?? DEFAULT_SIGNAL_COLUMN);
  if (examples.length === 0) throw new InputError("no examples: the file has no data lines", { file });
  return buildMapping(roleNames, examples, file, format, { ...options, blankLines });
}

function parseDelimited(
  lines: { line: number; text: string }[],
  file: string,
  format: "tsv" | "csv",
  signalColumn: string,
): { roleNames: string[]; examples: Example[] } {
  if (lines.length === 0)
    throw new InputError(`empty file: expected a header line naming the role columns and a "${signalColumn}" column`, {
      file,
    });
  const headerLine = lines[0]!;
  const header = splitRecord(headerLine.text, format, { file, line: headerLine.line }).map((h) => h.trim());
  const signalIndex = header.indexOf(signalColumn);
  if (signalIndex < 0) {
    throw new InputError(
      `missing column "${signalColumn}" (the header has: ${header.join(", ")}); name the signal column with --signal-column`,
      { file, line: headerLine.line },
    );
  }
  const roleIndices = header.map((_, k) => k).filter((k) => k !== signalIndex);
  if (roleIndices.length === 0)
    throw new InputError(`no role columns: the header has only "${signalColumn}"`, { file, line: headerLine.line });
  header.forEach((h, k) => {
    if (h === "") throw new InputError(`column ${k + 1} of the header has no name`, { file, line: headerLine.line });
    if (header.indexOf(h) !== k)
      throw new InputError(`column "${h}" appears twice in the header`, { file, line: headerLine.line });
  });
  const examples = lines.slice(1).map(({ line, text }): Example => {
    const cells = splitRecord(text, format, { file, line });
    if (cells.length !== header.length) {
      throw new InputError(
        `ragged row: expected ${header.length} ${format.toUpperCase()} cells (${header.join(", ")}), found ${cells.length}`,
        { file, line },
      );
    }
    const meaning = roleIndices.map((k) => {
      const atom = cells[k]!.trim();
      if (atom === "") throw new InputError("empty meaning value", { file, line, column: header[k]! });
      return atom;
    });
    return { line, meaning, signal: cells[signalIndex]! };
  });
  return { roleNames: roleIndices.map((k) => header[k]!), examples };
}

function parseJsonl(
  lines: { line: number; text: string }[],
  file: string,
): { roleNames: string[]; examples: Example[] } {
  let roleNames: string[] | undefined;
  let keyed: boolean | undefined;
  const examples = lines.map(({ line, text }): Example => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InputError(`not valid JSON (${(error as Error).message})`, { file, line });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InputError('expected a JSON object {"meaning": ..., "signal": ...}', { file, line });
    }
    const record = value as Record<string, unknown>;
    if (!("meaning" in record)) throw new InputError('missing field "meaning"', { file, line });
    if (!("signal" in record)) throw new InputError('missing field "signal"', { file, line });
    const m = record.meaning;
    let names: string[];
    let atoms: unknown[];
    if (Array.isArray(m)) {
      names = m.map((_, r) => `role${r + 1}`);
      atoms = m;
    } else if (typeof m === "object" && m !== null) {
      names = Object.keys(m);
      atoms = Object.values(m);
    } else {
      throw new InputError('"meaning" must be an array or an object of role values', { file, line });
    }
    if (roleNames === undefined) {
      roleNames = names;
      keyed = !Array.isArray(m);
      if (names.length === 0) throw new InputError('"meaning" is empty: expected at least one role', { file, line });
    } else if (keyed !== !Array.isArray(m) || names.join("\u0000") !== roleNames.join("\u0000")) {
      throw new InputError(
        `ragged meaning: expected ${keyed ? "keys" : "an array of"} ${roleNames.length} roles (${roleNames.join(", ")}), found ${Array.isArray(m) ? `an array of ${names.length}` : `keys ${names.join(", ")}`}`,
        { file, line },
      );
    }
    const meaning = atoms.map((a, r) => {
      if (typeof a !== "string" && typeof a !== "number")
        throw new InputError(`meaning value for role "${names[r]}" must be a string or number`, { file, line });
      return String(a);
    });
    const s = record.signal;
    if (typeof s === "string") return { line, meaning, signal: s };
    if (Array.isArray(s) && s.every((x) => typeof x === "string" || typeof x === "number"))
      return { line, meaning, signal: s.map(String) };
    throw new InputError('"signal" must be a string or an array of symbols (strings or numbers)', { file, line });
  });
  return { roleNames: roleNames ?? [], examples };
}

function buildMapping(
  roleNames: string[],
  examples: Example[],
  file: string,
  format: MappingFormat,
  options: ReadMappingOptions & { blankLines: number },
): MappingFileResult {
  const pad = options.pad ?? DEFAULT_PAD;
  if (pad === "") throw new InputError("the pad symbol may not be empty", { file });
  const spaced = examples.some((e) => typeof e.signal === "string" && /\s/.test(e.signal.trim()));
  const anyString = examples.some((e) => typeof e.signal === "string");
  const signals = examples.map((e) => {
    const symbols =
      typeof e.signal !== "string"
        ? e.signal
        : spaced
          ? e.signal
              .trim()
              .split(/\s+/)
              .filter((s) => s !== "")
          : Array.from(e.signal.trim());
    if (symbols.length === 0) throw new InputError("empty signal", { file, line: e.line });
    return symbols;
  });
  const lengths = signals.map((s) => s.length);
  const length = Math.max(...lengths);
  const shortest = Math.min(...lengths);

  const observed = new Set<string>();
  for (const s of signals) for (const c of s) observed.add(c);
  const occursInData = observed.has(pad);
  if (shortest < length) observed.add(pad);
  const alphabet = resolveAlphabet(observed, examples, signals, options.alphabet, pad, file);
  const symbolCode = new Map(alphabet.symbols.map((c, k) => [c, k]));

  const R = roleNames.length;
  const atomLists = roleNames.map((_, r) => [...new Set(examples.map((e) => e.meaning[r]!))].sort(compareNames));
  const atomCodes = atomLists.map((atoms) => new Map(atoms.map((a, k) => [a, k])));
  const meanings = new Int32Array(examples.length * R);
  const codes = new Int32Array(examples.length * length).fill(symbolCode.get(pad) ?? 0);
  examples.forEach((e, i) => {
    for (let r = 0; r < R; r++) meanings[i * R + r] = atomCodes[r]!.get(e.meaning[r]!)!;
    signals[i]!.forEach((c, p) => (codes[i * length + p] = symbolCode.get(c)!));
  });

  const padCode = symbolCode.get(pad);
  const mapping: DiscreteMapping = {
    roles: roleNames.map((name, r) => ({ name, atoms: atomLists[r]! })),
    alphabet: alphabet.symbols,
    length,
    size: examples.length,
    meanings,
    signals: codes,
    ...(padCode !== undefined ? { padSymbol: padCode } : {}),
  };
  const report: MappingFileReport = {
    file,
    format,
    signalEncoding: !anyString ? "json-array" : spaced ? "space-separated" : "characters",
    padding: {
      symbol: pad,
      paddedRows: lengths.filter((n) => n < length).length,
      shortestSignal: shortest,
      longestSignal: length,
      occursInData,
    },
    alphabet: { source: alphabet.source, size: alphabet.symbols.length, used: observed.size },
    rows: examples.length,
    blankLines: options.blankLines,
  };
  return { mapping, report };
}

/** Orders names numerically when both are numbers ("2" < "10"), else by code units. */
function compareNames(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== "" && b.trim() !== "" && Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function resolveAlphabet(
  observed: Set<string>,
  examples: Example[],
  signals: string[][],
  declared: DeclaredAlphabet | undefined,
  pad: string,
  file: string,
): { symbols: string[]; source: MappingFileReport["alphabet"]["source"] } {
  const sorted = [...observed].sort(compareNames);
  if (declared === undefined) return { symbols: sorted, source: "observed" };
  if ("symbols" in declared) {
    const list = declared.symbols;
    if (new Set(list).size !== list.length)
      throw new InputError("the declared alphabet lists a symbol twice", { file });
    const known = new Set(list);
    for (let i = 0; i < signals.length; i++) {
      const unknown = signals[i]!.find((c) => !known.has(c));
      if (unknown !== undefined) {
        throw new InputError(`symbol "${unknown}" is not in the declared alphabet (${list.join(" ")})`, {
          file,
          line: examples[i]!.line,
        });
      }
    }
    if (observed.has(pad) && !known.has(pad)) {
      throw new InputError(
        `signals of different lengths are padded with "${pad}", which is not in the declared alphabet: add it, or choose a pad from the alphabet`,
        { file },
      );
    }
    return { symbols: [...list], source: "declared symbols" };
  }
  const K = declared.size;
  if (!Number.isInteger(K) || K < 1)
    throw new InputError(`the declared alphabet size must be a positive integer, got ${K}`, { file });
  if (observed.size > K) {
    throw new InputError(
      `the declared alphabet size ${K} is smaller than the ${observed.size} symbols the signals use (${sorted.join(" ")})`,
      { file },
    );
  }
  // Unused symbols get placeholder names: they count in |C| but never occur.
  const symbols = [...sorted];
  for (let k = 0; symbols.length < K; k++) {
    const name = `<unused${k}>`;
    if (!observed.has(name)) symbols.push(name);
  }
  return { symbols, source: "declared size" };
}

/** Writes a mapping as TSV or JSONL text (signals as one-character strings when every symbol is one character). */
export function formatMapping(mapping: DiscreteMapping, format: MappingFormat): string {
  const R = mapping.roles.length;
  const L = mapping.length;
  const chars = mapping.alphabet.every((c) => Array.from(c).length === 1 && !/\s|,|"/.test(c));
  const lines: string[] = [];
  if (format !== "jsonl") {
    const sep = format === "tsv" ? "\t" : ",";
    const cell = format === "tsv" ? (s: string) => s : csvField;
    lines.push([...mapping.roles.map((r) => r.name), DEFAULT_SIGNAL_COLUMN].map(cell).join(sep));
    for (let i = 0; i < mapping.size; i++) {
      const atoms = mapping.roles.map((role, r) => role.atoms[mapping.meanings[i * R + r]!]!);
      const symbols = Array.from(mapping.signals.subarray(i * L, (i + 1) * L), (c) => mapping.alphabet[c]!);
      lines.push([...atoms, symbols.join(chars ? "" : " ")].map(cell).join(sep));
    }
  } else {
    for (let i = 0; i < mapping.size; i++) {
      const meaning = Object.fromEntries(
        mapping.roles.map((role, r) => [role.name, role.atoms[mapping.meanings[i * R + r]!]!]),
      );
      const symbols = Array.from(mapping.signals.subarray(i * L, (i + 1) * L), (c) => mapping.alphabet[c]!);
      lines.push(JSON.stringify({ meaning, signal: chars ? symbols.join("") : symbols }));
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Writes a mapping to a .tsv, .csv or .jsonl file (format from the extension unless given). */
export async function writeMappingFile(
  file: string,
  mapping: DiscreteMapping,
  format: MappingFormat = formatFromPath(file),
): Promise<void> {
  await writeFile(file, formatMapping(mapping, format), "utf8");
}

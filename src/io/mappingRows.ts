/**
 * Collects the rows of a mapping file, one at a time, into integer codes, then builds the
 * DiscreteMapping (padding, alphabet, sorted atoms). Memory is a few typed arrays of about
 * 4 bytes per atom and per symbol, plus one string per distinct atom and symbol, so files of
 * tens of millions of rows fit; no per-row objects, no spreads into argument lists.
 *
 * Signals given as strings are split into symbols in one of two ways, decided by the whole
 * file: space-separated when any string signal contains inner whitespace, else one symbol per
 * character. Rows are coded by characters until the first spaced signal; then the rows before
 * it (which had no inner whitespace, so each is one space-separated symbol) are recoded once.
 */
import type { DiscreteMapping } from "../mapping/types.js";
import { GrowableInt32 } from "../util/growableInt32.js";
import { InputError } from "./errors.js";

export type DeclaredAlphabet = { size: number } | { symbols: string[] };

/** Largest declared alphabet size: every symbol gets a name and a cell in the measures' tables. */
export const MAX_DECLARED_ALPHABET = 2 ** 24;

export type SignalEncoding = "space-separated" | "characters" | "json-array";

export interface MappingRowsSummary {
  signalEncoding: SignalEncoding;
  padding: {
    symbol: string;
    paddedRows: number;
    shortestSignal: number;
    longestSignal: number;
    occursInData: boolean;
  };
  alphabet: { source: "observed" | "declared size" | "declared symbols"; size: number; used: number };
  rows: number;
}

/** Interns strings to consecutive integer ids. */
class Interner {
  readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }
}

export class MappingRows {
  private readonly atoms: Interner[];
  private readonly meanings = new GrowableInt32();
  private symbols = new Interner();
  private signalCodes = new GrowableInt32();
  /** signalStart[i] = first code of row i in signalCodes; one more entry than rows. */
  private signalStart = new GrowableInt32();
  private readonly rowLines = new GrowableInt32();
  /** Rows whose signal was a JSON array (never split), ascending. */
  private readonly arrayRows = new GrowableInt32();
  private spaced = false;
  private stringRows = 0;

  constructor(
    readonly roleNames: string[],
    readonly file: string,
  ) {
    this.atoms = roleNames.map(() => new Interner());
    this.signalStart.push(0);
  }

  get rows(): number {
    return this.rowLines.length;
  }

  /** Adds one example; `signal` is raw text to split, or the symbols of a JSON array. */
  addRow(line: number, meaning: readonly string[], signal: string | readonly string[]): void {
    if (typeof signal === "string") {
      const text = signal.trim();
      if (text === "") throw new InputError("empty signal", { file: this.file, line });
      if (!this.spaced && /\s/.test(text)) this.switchToSpaced();
      if (this.spaced) {
        for (const symbol of text.split(/\s+/)) this.signalCodes.push(this.symbols.id(symbol));
      } else {
        for (const symbol of text) this.signalCodes.push(this.symbols.id(symbol));
      }
      this.stringRows++;
    } else {
      if (signal.length === 0) throw new InputError("empty signal", { file: this.file, line });
      for (const symbol of signal) this.signalCodes.push(this.symbols.id(symbol));
      this.arrayRows.push(this.rows);
    }
    for (let r = 0; r < this.atoms.length; r++) this.meanings.push(this.atoms[r]!.id(meaning[r]!));
    this.signalStart.push(this.signalCodes.length);
    this.rowLines.push(line);
  }

  /** Recodes the string rows so far as space-separated: each becomes one symbol. */
  private switchToSpaced(): void {
    this.spaced = true;
    const old = this.symbols;
    const oldCodes = this.signalCodes.view();
    const oldStart = this.signalStart.view();
    this.symbols = new Interner();
    this.signalCodes = new GrowableInt32(oldCodes.length);
    this.signalStart = new GrowableInt32(oldStart.length + 1);
    this.signalStart.push(0);
    let nextArrayRow = 0;
    for (let i = 0; i < this.rows; i++) {
      const isArray = nextArrayRow < this.arrayRows.length && this.arrayRows.get(nextArrayRow) === i;
      if (isArray) nextArrayRow++;
      const from = oldStart[i]!;
      const to = oldStart[i + 1]!;
      if (isArray) {
        for (let k = from; k < to; k++) this.signalCodes.push(this.symbols.id(old.names[oldCodes[k]!]!));
      } else {
        let joined = "";
        for (let k = from; k < to; k++) joined += old.names[oldCodes[k]!]!;
        this.signalCodes.push(this.symbols.id(joined));
      }
      this.signalStart.push(this.signalCodes.length);
    }
  }

  /** Pads, resolves the alphabet, sorts atoms and symbols, and returns the mapping. */
  build(pad: string, declared?: DeclaredAlphabet): { mapping: DiscreteMapping; summary: MappingRowsSummary } {
    const file = this.file;
    if (pad === "") throw new InputError("the pad symbol may not be empty", { file });
    const N = this.rows;
    const start = this.signalStart.view();
    let longest = 0;
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < N; i++) {
      const n = start[i + 1]! - start[i]!;
      if (n > longest) longest = n;
      if (n < shortest) shortest = n;
    }
    let paddedRows = 0;
    for (let i = 0; i < N; i++) if (start[i + 1]! - start[i]! < longest) paddedRows++;
    const occursInData = this.symbols.ids.has(pad);
    const used = new Set(this.symbols.names);
    if (shortest < longest) used.add(pad);
    const alphabet = this.resolveAlphabet(used, pad, declared);
    const finalCode = new Map(alphabet.symbols.map((c, k) => [c, k]));
    const symbolCode = Int32Array.from(this.symbols.names, (name) => finalCode.get(name)!);

    const R = this.roleNames.length;
    const atomLists = this.atoms.map((interner) => [...interner.names].sort(compareNames));
    const atomCode = this.atoms.map((interner, r) => {
      const sortedIndex = new Map(atomLists[r]!.map((a, k) => [a, k]));
      return Int32Array.from(interner.names, (name) => sortedIndex.get(name)!);
    });
    const meanings = new Int32Array(N * R);
    const provisional = this.meanings.view();
    for (let i = 0; i < N * R; i++) meanings[i] = atomCode[i % R]![provisional[i]!]!;
    const padCode = finalCode.get(pad);
    const signals = new Int32Array(N * longest).fill(padCode ?? 0);
    const codes = this.signalCodes.view();
    for (let i = 0; i < N; i++) {
      const from = start[i]!;
      const to = start[i + 1]!;
      for (let k = from; k < to; k++) signals[i * longest + (k - from)] = symbolCode[codes[k]!]!;
    }
    const mapping: DiscreteMapping = {
      roles: this.roleNames.map((name, r) => ({ name, atoms: atomLists[r]! })),
      alphabet: alphabet.symbols,
      length: longest,
      size: N,
      meanings,
      signals,
      ...(padCode !== undefined ? { padSymbol: padCode } : {}),
    };
    const summary: MappingRowsSummary = {
      signalEncoding: this.stringRows === 0 ? "json-array" : this.spaced ? "space-separated" : "characters",
      padding: { symbol: pad, paddedRows, shortestSignal: shortest, longestSignal: longest, occursInData },
      alphabet: { source: alphabet.source, size: alphabet.symbols.length, used: used.size },
      rows: N,
    };
    return { mapping, summary };
  }

  private resolveAlphabet(
    used: Set<string>,
    pad: string,
    declared: DeclaredAlphabet | undefined,
  ): { symbols: string[]; source: MappingRowsSummary["alphabet"]["source"] } {
    const file = this.file;
    const sorted = [...used].sort(compareNames);
    if (declared === undefined) return { symbols: sorted, source: "observed" };
    if ("symbols" in declared) {
      const list = declared.symbols;
      if (new Set(list).size !== list.length)
        throw new InputError("the declared alphabet lists a symbol twice", { file });
      const known = new Set(list);
      const unknown = this.firstUnknownSymbol(known);
      if (unknown) {
        throw new InputError(`symbol "${unknown.symbol}" is not in the declared alphabet (${list.join(" ")})`, {
          file,
          line: unknown.line,
        });
      }
      if (used.has(pad) && !known.has(pad)) {
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
    if (K > MAX_DECLARED_ALPHABET)
      throw new InputError(
        `the declared alphabet size ${K} is more than ${MAX_DECLARED_ALPHABET.toLocaleString("en")} symbols, which the measures' tables (one cell per symbol) cannot hold`,
        { file },
      );
    if (used.size > K) {
      throw new InputError(
        `the declared alphabet size ${K} is smaller than the ${used.size} symbols the signals use (${abbreviate(sorted)})`,
        { file },
      );
    }
    // Unused symbols get placeholder names: they count in |C| but never occur.
    const symbols = [...sorted];
    for (let k = 0; symbols.length < K; k++) {
      const name = `<unused${k}>`;
      if (!used.has(name)) symbols.push(name);
    }
    return { symbols, source: "declared size" };
  }

  /** The first symbol, in file order, that is not in `known`, and its line. */
  private firstUnknownSymbol(known: Set<string>): { symbol: string; line: number } | undefined {
    const names = this.symbols.names;
    if (names.every((name) => known.has(name))) return undefined;
    const codes = this.signalCodes.view();
    const start = this.signalStart.view();
    for (let i = 0; i < this.rows; i++) {
      for (let k = start[i]!; k < start[i + 1]!; k++) {
        const symbol = names[codes[k]!]!;
        if (!known.has(symbol)) return { symbol, line: this.rowLines.get(i) };
      }
    }
    return undefined;
  }
}

/** Orders names numerically when both are numbers ("2" < "10"), else by code units. */
export function compareNames(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== "" && b.trim() !== "" && Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A list for a message: all of it when short, else the first 20 and a count. */
function abbreviate(names: string[]): string {
  return names.length <= 20 ? names.join(" ") : `${names.slice(0, 20).join(" ")} … and ${names.length - 20} more`;
}

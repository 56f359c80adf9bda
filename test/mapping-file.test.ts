import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../src/io/errors.js";
import {
  formatFromPath,
  formatMapping,
  parseMappingText,
  readMappingFile,
  writeMappingFile,
} from "../src/io/mappingFile.js";
import { decodeUtf8, splitCsvRecord } from "../src/io/mappingText.js";
import { meaningSpace } from "../src/mapping/meaningSpace.js";
import { compositionalLanguage } from "../src/mapping/synthetic.js";

function signals(text: string, file: string, options = {}): string[] {
  const { mapping } = parseMappingText(text, file, options);
  return Array.from({ length: mapping.size }, (_, i) =>
    Array.from(mapping.signals.subarray(i * mapping.length, (i + 1) * mapping.length), (c) => mapping.alphabet[c]).join(
      " ",
    ),
  );
}

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("reading mapping files", () => {
  it("reads TSV with one-character symbols", () => {
    const { mapping, report } = parseMappingText("subject\tverb\tsignal\nann\tsees\tabc\nbob\tsees\tbbc\n", "m.tsv");
    expect(mapping.roles).toEqual([
      { name: "subject", atoms: ["ann", "bob"] },
      { name: "verb", atoms: ["sees"] },
    ]);
    expect(mapping.alphabet).toEqual(["a", "b", "c"]);
    expect([...mapping.meanings]).toEqual([0, 0, 1, 0]);
    expect([...mapping.signals]).toEqual([0, 1, 2, 1, 1, 2]);
    expect(report.signalEncoding).toBe("characters");
    expect(report.alphabet).toEqual({ source: "observed", size: 3, used: 3 });
    expect(report.padding.paddedRows).toBe(0);
    expect(mapping.padSymbol).toBeUndefined();
  });
  it("reads CSV with quoted fields, space-separated symbols, and a named signal column", () => {
    const text = 'msg,"colour, shade",shape\n"12 7",red,round\n3,"bl""ue",square\n';
    expect(signals(text, "m.csv", { signalColumn: "msg" })).toEqual(["12 7", "3 <pad>"]);
    const { mapping, report } = parseMappingText(text, "m.csv", { signalColumn: "msg", pad: "0" });
    expect(mapping.roles.map((r) => r.name)).toEqual(["colour, shade", "shape"]);
    expect(mapping.roles[0]!.atoms).toEqual(['bl"ue', "red"]);
    expect(mapping.alphabet).toEqual(["0", "3", "7", "12"]);
    expect(mapping.alphabet[mapping.padSymbol!]).toBe("0");
    expect(report.signalEncoding).toBe("space-separated");
    expect(report.padding).toEqual({
      symbol: "0",
      paddedRows: 1,
      shortestSignal: 1,
      longestSignal: 2,
      occursInData: false,
    });
  });
  it("reads JSONL with array or object meanings and string or array signals", () => {
    const arrays = '{"meaning": [1, "x"], "signal": [3, 1]}\n{"meaning": [2, "y"], "signal": [4]}\n';
    const a = parseMappingText(arrays, "m.jsonl");
    expect(a.mapping.roles.map((r) => r.name)).toEqual(["role1", "role2"]);
    expect(a.report.signalEncoding).toBe("json-array");
    expect(signals(arrays, "m.jsonl", { pad: "#" })).toEqual(["3 1", "4 #"]);
    const objects =
      '{"meaning": {"s": "a", "o": "b"}, "signal": "xy"}\n\n{"meaning": {"s": "b", "o": "a"}, "signal": "yx"}\n';
    const o = parseMappingText(objects, "m.ndjson");
    expect(o.mapping.roles.map((r) => r.name)).toEqual(["s", "o"]);
    expect(o.report.blankLines).toBe(1);
    expect(o.report.format).toBe("jsonl");
  });
  it("uses a declared alphabet size or symbol list and says so", () => {
    const text = "r\tsignal\nx\tab\ny\tba\n";
    const sized = parseMappingText(text, "m.tsv", { alphabet: { size: 26 } });
    expect(sized.mapping.alphabet).toHaveLength(26);
    expect(sized.report.alphabet).toEqual({ source: "declared size", size: 26, used: 2 });
    const listed = parseMappingText(text, "m.tsv", { alphabet: { symbols: ["c", "b", "a"] } });
    expect(listed.mapping.alphabet).toEqual(["c", "b", "a"]);
    expect(listed.report.alphabet.source).toBe("declared symbols");
    expect(error(() => parseMappingText(text, "m.tsv", { alphabet: { size: 1 } }))).toMatch(
      /declared alphabet size 1 is smaller than the 2 symbols/,
    );
    expect(error(() => parseMappingText(text, "m.tsv", { alphabet: { symbols: ["a"] } }))).toBe(
      'm.tsv, line 2: symbol "b" is not in the declared alphabet (a)',
    );
    expect(
      error(() => parseMappingText("r\tsignal\nx\tab\ny\tb\n", "m.tsv", { alphabet: { symbols: ["a", "b"] } })),
    ).toMatch(/padded with "<pad>", which is not in the declared alphabet/);
  });
  it("round-trips what it writes", () => {
    const m = compositionalLanguage(meaningSpace([3, 4]), { length: 4, alphabetSize: 10, seed: 1 });
    for (const format of ["tsv", "csv", "jsonl"] as const) {
      const back = parseMappingText(formatMapping(m, format), `m.${format}`, {
        alphabet: { symbols: m.alphabet },
      }).mapping;
      expect(back.signals).toEqual(m.signals);
      expect(back.alphabet).toEqual(m.alphabet);
      expect(back.roles.map((r) => r.name)).toEqual(m.roles.map((r) => r.name));
      // Atoms are re-coded in sorted order; the names row by row are the same.
      for (let i = 0; i < m.size * 2; i++) {
        expect(back.roles[i % 2]!.atoms[back.meanings[i]!]).toBe(m.roles[i % 2]!.atoms[m.meanings[i]!]);
      }
    }
  });
});

describe("mapping file errors name the file, line and problem", () => {
  it("missing column, empty file, no roles", () => {
    expect(error(() => parseMappingText("a\tb\nx\ty\n", "m.tsv"))).toBe(
      'm.tsv, line 1: missing column "signal" (the header has: a, b); name the signal column with --signal-column',
    );
    expect(error(() => parseMappingText("", "m.tsv"))).toMatch(/^m.tsv: empty file/);
    expect(error(() => parseMappingText("signal\nab\n", "m.tsv"))).toMatch(/no role columns/);
    expect(error(() => parseMappingText("a\tsignal\n", "m.tsv"))).toBe(
      "m.tsv: no examples: the file has no data lines",
    );
  });
  it("empty signal and ragged rows or meanings", () => {
    expect(error(() => parseMappingText("a\tsignal\nx\tab\ny\t\n", "m.tsv"))).toBe("m.tsv, line 3: empty signal");
    expect(error(() => parseMappingText("a\tb\tsignal\nx\ty\tab\nx\tab\n", "m.tsv"))).toBe(
      "m.tsv, line 3: ragged row: expected 3 TSV cells (a, b, signal), found 2",
    );
    expect(
      error(() => parseMappingText('{"meaning": [1, 2], "signal": "a"}\n{"meaning": [1], "signal": "b"}\n', "m.jsonl")),
    ).toBe("m.jsonl, line 2: ragged meaning: expected an array of 2 roles (as on line 1), found an array of 1");
    expect(
      error(() =>
        parseMappingText('{"meaning": {"s": 1}, "signal": "a"}\n{"meaning": {"o": 1}, "signal": "b"}\n', "m.jsonl"),
      ),
    ).toBe("m.jsonl, line 2: ragged meaning: expected keys s (as on line 1), found keys o");
    expect(
      error(() =>
        parseMappingText(
          '{"meaning": {"s": 1, "o": 2}, "signal": "a"}\n\n{"meaning": [1, 2], "signal": "b"}\n',
          "m.jsonl",
        ),
      ),
    ).toBe(
      'm.jsonl, line 3: "meaning" is an array of 2 values, but the file\'s meanings are objects with keys s, o (as on line 1); give every meaning in one shape',
    );
    expect(
      error(() =>
        parseMappingText('{"meaning": [1], "signal": "a"}\n{"meaning": {"s": 1}, "signal": "b"}\n', "m.jsonl"),
      ),
    ).toMatch(
      /^m.jsonl, line 2: "meaning" is an object with keys s, but the file's meanings are arrays of 1 value \(as on line 1\)/,
    );
    expect(error(() => parseMappingText('{"meaning": [1], "signal": []}\n', "m.jsonl"))).toBe(
      "m.jsonl, line 1: empty signal",
    );
    expect(error(() => parseMappingText("a\tsignal\n\tab\n", "m.tsv"))).toBe(
      'm.tsv, line 2, column "a": empty meaning value',
    );
  });
  it("bad JSON and bad CSV quoting", () => {
    expect(error(() => parseMappingText('{"meaning": [1], "signal": "a"}\n{oops\n', "m.jsonl"))).toMatch(
      /^m.jsonl, line 2: not valid JSON/,
    );
    expect(error(() => parseMappingText('{"signal": "a"}\n', "m.jsonl"))).toBe(
      'm.jsonl, line 1: missing field "meaning"',
    );
    expect(error(() => parseMappingText('{"meaning": [1], "signal": {"x": 1}}\n', "m.jsonl"))).toMatch(
      /"signal" must be a string or an array/,
    );
    expect(error(() => splitCsvRecord('a,"b', { file: "m.csv", line: 4 }))).toBe(
      "m.csv, line 4: unclosed quote in a CSV field",
    );
  });
  it("unknown format", () => {
    expect(error(() => formatFromPath("data.xlsx"))).toBe(
      'data.xlsx: unknown format ".xlsx": use a .tsv, .csv or .jsonl file, or name the format (tsv, csv, jsonl)',
    );
  });
  it("unreadable encoding: invalid UTF-8, binary, UTF-16", () => {
    const bad = new Uint8Array([...new TextEncoder().encode("a\tsignal\nx\tab\n"), 0x79, 0x09, 0xc3, 0x28, 0x0a]);
    expect(error(() => decodeUtf8(bad, "m.tsv"))).toBe("m.tsv, line 3: unreadable encoding: not valid UTF-8");
    expect(error(() => decodeUtf8(new Uint8Array([0x61, 0x0a, 0x00, 0x01]), "m.tsv"))).toMatch(
      /line 2: unreadable encoding: the file contains NUL bytes/,
    );
    expect(error(() => decodeUtf8(new Uint8Array([0xff, 0xfe, 0x61, 0x00]), "m.tsv"))).toMatch(/UTF-16/);
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]), "m.tsv")).toBe("a");
  });
});

describe("files on disk", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "glossa-mapping-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it("writes and reads back; a missing file is an InputError", async () => {
    const m = compositionalLanguage(meaningSpace([2, 2]), { length: 2, alphabetSize: 4, seed: 1 });
    await writeMappingFile(join(dir, "m.jsonl"), m);
    const { mapping } = await readMappingFile(join(dir, "m.jsonl"));
    expect(mapping.size).toBe(4);
    await expect(readMappingFile(join(dir, "nope.tsv"))).rejects.toThrow(/nope.tsv: cannot read the file \(ENOENT\)/);
    await writeFile(join(dir, "bin.tsv"), new Uint8Array([0x61, 0, 0x62]));
    await expect(readMappingFile(join(dir, "bin.tsv"))).rejects.toThrow(/NUL bytes/);
  });
});

/**
 * Mapping files beyond what a whole-file string or an argument spread can hold: rows read line
 * by line in 1 MiB chunks (textFile.ts) into typed arrays (mappingRows.ts).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../src/io/errors.js";
import { parseMappingText, readMappingFile } from "../src/io/mappingFile.js";
import { readTextLines, readTextLinesSync } from "../src/io/textFile.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "glossa-large-mapping-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function signalsOf(text: string, file: string): string[] {
  const { mapping } = parseMappingText(text, file);
  return Array.from({ length: mapping.size }, (_, i) =>
    Array.from(mapping.signals.subarray(i * mapping.length, (i + 1) * mapping.length), (c) => mapping.alphabet[c]).join(
      " ",
    ),
  );
}

describe("large mapping files", () => {
  it("reads 300,000 rows (the old reader overflowed the stack past ~125,000)", async () => {
    const rows = 300_000;
    const lines = ["a\tb\tsignal"];
    for (let i = 0; i < rows; i++)
      lines.push(`x${i % 1000}\ty${i % 7}\t${"abc"[i % 3]}${"de"[i % 2]}${i % 5 ? "f" : ""}`);
    const file = join(dir, "big.tsv");
    await writeFile(file, `${lines.join("\n")}\n`);
    const { mapping, report } = await readMappingFile(file);
    expect(mapping.size).toBe(rows);
    expect(mapping.length).toBe(3);
    expect(mapping.roles[0]!.atoms).toHaveLength(1000);
    expect(mapping.roles[0]!.atoms.slice(0, 3)).toEqual(["x0", "x1", "x10"]);
    expect(report.padding).toMatchObject({ paddedRows: rows / 5, shortestSignal: 2, longestSignal: 3 });
    // row 299,999: x999, y(299999 % 7), signal "c" (i % 3 = 2) "e" (i % 2 = 1) "f" (i % 5 ≠ 0)
    const last = rows - 1;
    expect(mapping.roles[0]!.atoms[mapping.meanings[last * 2]!]).toBe("x999");
    expect(mapping.roles[1]!.atoms[mapping.meanings[last * 2 + 1]!]).toBe(`y${last % 7}`);
    const symbols = Array.from(mapping.signals.subarray(last * 3, last * 3 + 3), (c) => mapping.alphabet[c]);
    expect(symbols).toEqual(["c", "e", "f"]);
  });

  it("decodes characters split across chunk boundaries and numbers lines across chunks", async () => {
    // "ü" is two bytes; 3-byte lines of "ü\n" put a split character at every odd chunk offset.
    const header = "r\tsignal\n";
    const body = "m\tü\n".repeat(400_000); // 2.4 MB: three chunks
    const file = join(dir, "utf8.tsv");
    await writeFile(file, header + body);
    const { mapping } = await readMappingFile(file);
    expect(mapping.size).toBe(400_000);
    expect(mapping.alphabet).toEqual(["ü"]);
    const bad = Buffer.concat([Buffer.from(header + body), Buffer.from([0x6d, 0x09, 0xc3, 0x28, 0x0a])]);
    await writeFile(join(dir, "bad.tsv"), bad);
    await expect(readMappingFile(join(dir, "bad.tsv"))).rejects.toThrow(
      `${join(dir, "bad.tsv")}, line 400002: unreadable encoding: not valid UTF-8`,
    );
    const nul = Buffer.concat([Buffer.from(header + body), Buffer.from([0x6d, 0x00, 0x0a])]);
    await writeFile(join(dir, "nul.tsv"), nul);
    await expect(readMappingFile(join(dir, "nul.tsv"))).rejects.toThrow(/line 400002: unreadable encoding: .*NUL/);
  });

  it("reads lines as the string splitter does (BOM, CRLF, final line without newline, empty file)", async () => {
    for (const text of ["\ufeffa\r\nb\n\nc", "a\n", "", "\n\n", "x"]) {
      const file = join(dir, "lines.txt");
      await writeFile(file, text);
      const seen: string[] = [];
      await readTextLines(file, (line, t) => void seen.push(`${line}:${t}`));
      const expected = text
        .replace(/^\ufeff/, "")
        .split("\n")
        .map((t, i) => `${i + 1}:${t.replace(/\r$/, "")}`);
      expect(seen).toEqual(expected);
    }
    await writeFile(join(dir, "u16.tsv"), Buffer.from([0xff, 0xfe, 0x61, 0x00]));
    await expect(readMappingFile(join(dir, "u16.tsv"))).rejects.toThrow(/UTF-16/);
    await expect(readMappingFile(join(dir, "missing.tsv"))).rejects.toBeInstanceOf(InputError);
  });

  it("recodes earlier rows when a later signal turns out to be space-separated", () => {
    expect(signalsOf("a\tsignal\nx\tab\ny\tc d\nz\tab\n", "m.tsv")).toEqual(["ab <pad>", "c d", "ab <pad>"]);
    // JSON-array signals are never split; string rows before the switch become one symbol each
    const jsonl = [
      '{"meaning": [1], "signal": ["a", "b"]}',
      '{"meaning": [2], "signal": "ab"}',
      '{"meaning": [3], "signal": "c d e"}',
    ].join("\n");
    expect(signalsOf(jsonl, "m.jsonl")).toEqual(["a b <pad>", "ab <pad> <pad>", "c d e"]);
    const { report } = parseMappingText(jsonl, "m.jsonl");
    expect(report.signalEncoding).toBe("space-separated");
    expect(report.alphabet.used).toBe(7); // a, b, ab, c, d, e, <pad>
  });
});

describe("line reading limits", () => {
  it("a line over the limit is an InputError naming the file and line, not a string-length crash", async () => {
    const file = join(dir, "long.txt");
    const long = "a".repeat(5 << 20); // 5 MiB without a newline: six chunks
    await writeFile(file, `first\n${long}\nlast\n`);
    const lines: number[] = [];
    await readTextLines(file, (_line, text) => void lines.push(text.length), { maxLineBytes: 6 << 20 });
    expect(lines).toEqual([5, 5 << 20, 4, 0]);
    await expect(readTextLines(file, () => {}, { maxLineBytes: 4 << 20 })).rejects.toThrow(
      `${file}, line 2: a line longer than 4 MiB`,
    );
    const seen: number[] = [];
    readTextLinesSync(file, (line) => void seen.push(line), { maxLineBytes: 6 << 20 });
    expect(seen).toEqual([1, 2, 3, 4]);
  });
});

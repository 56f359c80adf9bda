/**
 * Every documented bad-input class of `glossa mapping`, `generate`, `anchors` and the file
 * reading of `entropy` (issue 10): exit 1 for bad input, 2 for bad usage, one message that
 * names the file (or the argument), never "internal error", never a stack trace.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { reportError } from "../src/cli/main.js";
import { encodeNpy } from "../src/io/npy.js";
import { runCli } from "./helpers/runCli.js";

let dir = "";
let err: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "glossa-cli-errors-"));
  const text = (name: string, content: string | Uint8Array) => writeFileSync(join(dir, name), content);
  text("ok.tsv", "a\tsignal\nx\tab\ny\tba\n");
  text("empty.tsv", "");
  text("nosignal.tsv", "a\tb\nx\ty\n");
  text("ragged.tsv", "a\tb\tsignal\nx\ty\tab\nx\tab\n");
  text("emptysignal.tsv", "a\tsignal\nx\tab\ny\t \n");
  text("emptyatom.tsv", "a\tsignal\n\tab\n");
  text("dupcol.tsv", "a\ta\tsignal\nx\ty\tab\n");
  text("quote.csv", 'a,signal\nx,"ab\n');
  text("bad.jsonl", '{"meaning": [1], "signal": "a"}\n{oops\n');
  text("mixed.jsonl", '{"meaning": {"s": 1}, "signal": "a"}\n{"meaning": [1], "signal": "b"}\n');
  text("notobject.jsonl", "[1, 2]\n");
  text("badsignal.jsonl", '{"meaning": [1], "signal": {"x": 1}}\n');
  text("utf16.tsv", new Uint8Array([0xff, 0xfe, 0x61, 0x00]));
  text("binary.tsv", new Uint8Array([0x61, 0x0a, 0x00, 0x01]));
  text("latin1.tsv", new Uint8Array([...new TextEncoder().encode("a\tsignal\nx\t"), 0xe9, 0x0a]));
  text("data.xlsx", "whatever");
  mkdirSync(join(dir, "folder.tsv"));
  const reps = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i + 1));
  text("reps.npy", encodeNpy(reps, [10, 4]));
  text(
    "labels.npy",
    encodeNpy(
      Int32Array.from({ length: 10 }, (_, i) => i % 3),
      [10],
    ),
  );
  text(
    "short-labels.npy",
    encodeNpy(
      Int32Array.from({ length: 7 }, (_, i) => i % 3),
      [7],
    ),
  );
  text(
    "float-labels.npy",
    encodeNpy(
      Float32Array.from({ length: 10 }, (_, i) => i),
      [10],
    ),
  );
  text(
    "vector.npy",
    encodeNpy(
      Float32Array.from({ length: 6 }, (_, i) => i),
      [6],
    ),
  );
  text("garbage.npy", "not a numpy file at all");
  const whole = encodeNpy(reps, [10, 4]);
  text("truncated.npy", whole.subarray(0, whole.length - 9));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function glossa(argv: string[]): Promise<number> {
  const run = await runCli(argv);
  err = run.err;
  return run.code;
}

/** [description, argv (FILE names are in the scratch folder), exit code, what the message must contain] */
type Case = [string, string[], 1 | 2, (string | RegExp)[]];

const at = (name: string) => `@${name}`;

const CASES: Case[] = [
  // glossa mapping: files
  ["missing file", ["mapping", at("nope.tsv")], 1, ["nope.tsv", "cannot read the file (ENOENT)"]],
  ["a folder", ["mapping", at("folder.tsv")], 1, ["folder.tsv", "EISDIR"]],
  ["unknown extension", ["mapping", at("data.xlsx")], 1, ["data.xlsx", 'unknown format ".xlsx"']],
  ["empty file", ["mapping", at("empty.tsv")], 1, ["empty.tsv", "empty file"]],
  ["no signal column", ["mapping", at("nosignal.tsv")], 1, ["nosignal.tsv, line 1", 'missing column "signal"']],
  ["ragged row", ["mapping", at("ragged.tsv")], 1, ["ragged.tsv, line 3", "expected 3 TSV cells"]],
  ["empty signal", ["mapping", at("emptysignal.tsv")], 1, ["emptysignal.tsv, line 3", "empty signal"]],
  ["empty meaning value", ["mapping", at("emptyatom.tsv")], 1, ['emptyatom.tsv, line 2, column "a"']],
  ["duplicate column", ["mapping", at("dupcol.tsv")], 1, ["dupcol.tsv, line 1", 'column "a" appears twice']],
  ["unclosed CSV quote", ["mapping", at("quote.csv")], 1, ["quote.csv, line 2", "unclosed quote"]],
  ["bad JSON", ["mapping", at("bad.jsonl")], 1, ["bad.jsonl, line 2", "not valid JSON"]],
  [
    "array meaning in a file of object meanings",
    ["mapping", at("mixed.jsonl")],
    1,
    ["mixed.jsonl, line 2", '"meaning" is an array of 1 value', "objects with keys s (as on line 1)"],
  ],
  [
    "a JSON line that is not an object",
    ["mapping", at("notobject.jsonl")],
    1,
    ["notobject.jsonl, line 1", "an array of 2"],
  ],
  ["a signal of the wrong type", ["mapping", at("badsignal.jsonl")], 1, ["badsignal.jsonl, line 1", "found an object"]],
  ["UTF-16", ["mapping", at("utf16.tsv")], 1, ["utf16.tsv", "UTF-16"]],
  ["binary", ["mapping", at("binary.tsv")], 1, ["binary.tsv, line 2", "NUL bytes"]],
  ["not UTF-8", ["mapping", at("latin1.tsv")], 1, ["latin1.tsv, line 2", "not valid UTF-8"]],
  [
    "declared alphabet too small",
    ["mapping", at("ok.tsv"), "--alphabet-size", "1"],
    1,
    ["ok.tsv", "declared alphabet size 1 is smaller than the 2 symbols"],
  ],
  [
    "symbol outside the declared alphabet",
    ["mapping", at("ok.tsv"), "--alphabet", "a c"],
    1,
    ["ok.tsv, line 2", 'symbol "b" is not in the declared alphabet'],
  ],
  [
    "--after-eos ignore without an EOS",
    ["mapping", at("ok.tsv"), "--after-eos", "ignore"],
    1,
    ["ok.tsv", "--after-eos ignore needs an end-of-signal symbol"],
  ],
  // glossa mapping: usage
  ["no FILE", ["mapping"], 2, ["give exactly one mapping FILE"]],
  ["bad --format", ["mapping", at("ok.tsv"), "--format", "xml"], 2, ["--format must be one of tsv, csv, jsonl"]],
  ["bad --alphabet-size", ["mapping", at("ok.tsv"), "--alphabet-size", "0"], 2, ["--alphabet-size"]],
  ["bad --topsim-pairs", ["mapping", at("ok.tsv"), "--topsim-pairs", "some"], 2, ["--topsim-pairs"]],
  ["unknown option", ["mapping", at("ok.tsv"), "--colour"], 2, ["unknown option --colour"]],
  ["a value after a flag", ["mapping", at("ok.tsv"), "--json", "yes"], 2, ["--json is a flag and takes no value"]],
  [
    "declared alphabet beyond the tables",
    ["mapping", at("ok.tsv"), "--alphabet-size", "100000000"],
    1,
    ["ok.tsv", "more than 16,777,216 symbols"],
  ],
  // glossa generate
  [
    "--out into a missing folder",
    ["generate", "compositional", "--out", at("no/such/x.tsv")],
    1,
    ["x.tsv", 'the folder "', "does not exist"],
  ],
  ["--out onto a folder", ["generate", "compositional", "--out", at("folder.tsv")], 1, ["folder.tsv", "is a folder"]],
  ["--out without a format", ["generate", "compositional", "--out", at("out")], 1, ["out", "unknown format"]],
  [
    "impossible alphabet",
    ["generate", "compositional", "--alphabet", "4", "--out", at("g.tsv")],
    1,
    ["need an alphabet of at least 5 symbols, got 4"],
  ],
  [
    "signal too short for the roles",
    ["generate", "compositional", "--length", "2", "--out", at("g.tsv")],
    1,
    ["a signal of length 2 cannot give each of 3 roles its own slot"],
  ],
  [
    "meaning space too large",
    ["generate", "compositional", "--atoms", "1000", "--out", at("g.tsv")],
    1,
    ["too large to enumerate"],
  ],
  [
    "entangled with one role",
    ["generate", "entangled", "--roles", "1", "--out", at("g.tsv")],
    1,
    ["at least two roles"],
  ],
  ["unknown kind", ["generate", "nonsense", "--out", at("g.tsv")], 2, ['unknown kind "nonsense"']],
  ["no --out", ["generate", "compositional"], 2, ["--out FILE is required"]],
  // glossa anchors
  ["--in missing", ["anchors", "--in", at("nope.npy")], 1, ["nope.npy", "no such file or folder"]],
  ["--in not .npy", ["anchors", "--in", at("ok.tsv")], 1, ["ok.tsv", "not a .npy file"]],
  ["--in not 2-D", ["anchors", "--in", at("vector.npy")], 1, ["vector.npy", "2-D array"]],
  ["--in truncated", ["anchors", "--in", at("truncated.npy")], 1, ["truncated.npy", "truncated"]],
  [
    "--out into a missing folder",
    ["anchors", "--d", "3", "--out", at("no/such/a.npy")],
    1,
    ["a.npy", "does not exist"],
  ],
  ["--d 0", ["anchors", "--d", "0"], 2, ["--d must be ≥ 1"]],
  ["n × d too large", ["anchors", "--d", "100000000", "--n", "100000000"], 2, ["--n 100000000 × --d 100000000"]],
  // glossa entropy: reading its files
  ["REPS missing", ["entropy", at("nope.npy")], 1, ["nope.npy", "no such file or folder"]],
  ["REPS not .npy", ["entropy", at("garbage.npy")], 1, ["garbage.npy", "not a .npy file"]],
  ["REPS truncated", ["entropy", at("truncated.npy")], 1, ["truncated.npy", "truncated"]],
  ["labels missing", ["entropy", at("reps.npy"), "--labels", `tok=${at("nope.npy")}`], 1, ["nope.npy"]],
  ["labels not .npy", ["entropy", at("reps.npy"), "--labels", `tok=${at("garbage.npy")}`], 1, ["garbage.npy"]],
  [
    "labels of floats",
    ["entropy", at("reps.npy"), "--labels", `tok=${at("float-labels.npy")}`],
    1,
    ["float-labels.npy", "labels must be integers"],
  ],
  [
    "labels of another length",
    ["entropy", at("reps.npy"), "--labels", `tok=${at("short-labels.npy")}`],
    1,
    ["short-labels.npy", "7 labels", "10 rows"],
  ],
];

describe("bad input and bad usage: exit 1 or 2, one message naming the file, no stack trace", () => {
  it("covers every class listed (and each case is distinct)", () => {
    expect(CASES.length).toBe(50);
    expect(new Set(CASES.map(([d, argv]) => `${argv[0]} ${d}`)).size).toBe(CASES.length);
  });
  it.each(CASES)("%s", async (_description, argv, code, expected) => {
    const resolved = argv.map((a) => a.replace(/@([^=]*)$/, (_, name: string) => join(dir, name)));
    expect(await glossa(resolved)).toBe(code);
    const message = err.join("\n");
    for (const part of expected) {
      const text = typeof part === "string" ? part.replace(/^@/, "") : part;
      expect(message).toContain(text);
    }
    expect(message).not.toMatch(/internal error/);
    expect(message).not.toMatch(/\n\s+at /); // a stack frame
    expect(message).toMatch(new RegExp(`^glossa ${argv[0]}: `));
    expect(message.trim().split("\n")).toHaveLength(1);
  });
  it("the valid file really is valid (the cases above fail for their stated reason)", async () => {
    expect(await glossa(["mapping", join(dir, "ok.tsv")])).toBe(0);
    expect(await glossa(["entropy", join(dir, "reps.npy"), "--labels", `tok=${join(dir, "labels.npy")}`])).toBe(0);
    expect(await glossa(["anchors", "--d", "3", "--n", "4", "--out", join(dir, "a.npy")])).toBe(0);
    expect(await glossa(["anchors", "--in", join(dir, "a.npy")])).toBe(0);
  });
});

describe("anything else is an internal error: exit 70, one line and a hint, no stack trace", () => {
  afterEach(() => {
    delete process.env.GLOSSA_DEBUG;
  });
  function report(error: unknown): { code: number; message: string } {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
    const code = reportError("glossa x", error);
    vi.restoreAllMocks();
    return { code, message: lines.join("\n") };
  }
  it("a RangeError (a stack overflow is one) is not bad input", () => {
    const overflow = report(new RangeError("Maximum call stack size exceeded"));
    expect(overflow.code).toBe(70);
    expect(overflow.message).toMatch(/^glossa x: internal error: RangeError: Maximum call stack size exceeded\n/);
    expect(overflow.message).toMatch(/a bug in glossa, not in your input/);
    expect(overflow.message).not.toMatch(/\n\s+at /);
    expect(report(new TypeError("x is undefined")).code).toBe(70);
  });
  it("GLOSSA_DEBUG=1 adds the stack trace", () => {
    process.env.GLOSSA_DEBUG = "1";
    expect(report(new Error("boom")).message).toMatch(/\n\s+at /);
  });
  it("file-system errors on a path are input errors; a failed allocation is reported as too little memory", () => {
    const enoent = Object.assign(new Error("ENOENT: no such file"), { code: "EACCES", path: "/x/y", syscall: "open" });
    expect(report(enoent)).toEqual({ code: 1, message: "glossa x: /x/y: cannot open: permission denied (EACCES)" });
    const memory = report(new RangeError("Array buffer allocation failed"));
    expect(memory.code).toBe(1);
    expect(memory.message).toMatch(/not enough memory/);
  });
});

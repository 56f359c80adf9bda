/**
 * Fuzzing of the file readers (issue 10): random bytes and random mutations of valid files
 * must give either a result or an InputError whose message names the file — never another
 * error (a RangeError, a TypeError, a stack overflow, an allocation failure).
 *
 * Readers: .npy (whole and streamed; label files are .npy of integers), .safetensors,
 * mapping files (TSV, CSV, JSONL), text corpora (plain and JSONL), and run folders (readJournal, readRunFolder — their
 * exported reading functions only; the journal's format may gain markers, so any result is
 * accepted). About 200 runs per reader.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../src/io/errors.js";
import { readMappingFile } from "../src/io/mappingFile.js";
import { encodeNpy, NpyRowReader, readNpy } from "../src/io/npy.js";
import { readJournal, readRunFolder } from "../src/io/runFolder.js";
import { listSafetensors, readSafetensor } from "../src/io/safetensors.js";
import { readCorpus } from "../src/sources/corpus.js";

const RUNS = 200;
const scratch = mkdtempSync(join(tmpdir(), "glossa-fuzz-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const NPY_FIXTURES = new URL("./fixtures/npy/", import.meta.url).pathname;

let counter = 0;
/** A fresh path in the scratch folder (a new name each time, so a stale file never answers). */
function scratchPath(ext: string): string {
  counter++;
  return join(scratch, `f${counter}${ext}`);
}

/** Runs `read`; passes when it returns, or throws an InputError naming `file`. */
async function resultOrInputError(file: string, read: () => unknown): Promise<"ok" | "input error"> {
  try {
    await read();
    return "ok";
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.message).toContain(file);
    return "input error";
  }
}

type Mutation =
  | { kind: "set"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number }
  | { kind: "repeat"; at: number; count: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 24 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 24 }) }),
  fc.record({ kind: fc.constant("repeat" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 64 }) }),
);

/** Applies mutations; positions wrap around the current length, biased to the first bytes (headers). */
function mutate(original: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(original);
  for (const m of mutations) {
    const span = m.at % 2 === 0 ? Math.min(bytes.length + 1, 160) : bytes.length + 1;
    const at = Math.floor(m.at / 2) % span;
    if (m.kind === "set") {
      if (at < bytes.length) bytes[at] = m.value;
    } else if (m.kind === "truncate") {
      bytes = bytes.slice(0, at);
    } else if (m.kind === "insert") {
      bytes = concat(bytes.slice(0, at), m.bytes, bytes.slice(at));
    } else if (m.kind === "delete") {
      bytes = concat(bytes.slice(0, at), bytes.slice(at + m.count));
    } else {
      bytes = concat(bytes.slice(0, at + m.count), bytes.slice(at));
    }
  }
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });
const randomBytes = fc.uint8Array({ maxLength: 600 });

/** Bytes of a file: random, one of the valid ones, or a mutation of one. */
function fileBytes(valid: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    randomBytes,
    fc.constantFrom(...valid),
    fc.tuple(fc.constantFrom(...valid), mutations).map(([bytes, m]) => mutate(bytes, m)),
  );
}

/** Tallies outcomes so a test can check that both valid and rejected inputs were exercised. */
function tally(): { count(outcome: "ok" | "input error"): void; outcomes: Record<string, number> } {
  const outcomes: Record<string, number> = { ok: 0, "input error": 0 };
  return { count: (o) => void outcomes[o]!++, outcomes };
}

describe("fuzzing the .npy reader (tensors and label files)", () => {
  const names = ["f4_le_2x3.npy", "f8_be_2x2.npy", "i4_le_4.npy", "i8_le_2x2.npy", "u1_5.npy", "b1_3.npy"];
  const valid = [
    ...names.map((n) => new Uint8Array(readFileSync(join(NPY_FIXTURES, n)))),
    encodeNpy(
      Int32Array.from({ length: 40 }, (_, i) => i % 7),
      [40],
    ), // a label file
  ];
  /** Random headers: dtype strings, orders and shapes, including negative and huge sizes. */
  const header = fc
    .record({
      descr: fc.oneof(fc.constantFrom("<f4", ">f8", "<i4", "|u1", "|b1", "<f2", "<c8", "O", "|V4"), fc.string()),
      fortran: fc.oneof(fc.constantFrom("False", "True"), fc.string({ maxLength: 5 })),
      shape: fc.array(
        fc.oneof(fc.integer({ min: -3, max: 1000 }), fc.constantFrom(2 ** 31, 2 ** 53, 1e300, Number.NaN)),
        { maxLength: 4 },
      ),
      data: fc.uint8Array({ maxLength: 64 }),
    })
    .map(({ descr, fortran, shape, data }) => {
      const dict = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
      const text = new TextEncoder().encode(`${dict.padEnd(117, " ")}\n`);
      const head = new Uint8Array(10);
      head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
      new DataView(head.buffer).setUint16(8, text.length, true);
      return concat(head, text, data);
    });

  it(`readNpy and NpyRowReader: a result or an InputError naming the file (${RUNS} runs each of bytes and headers)`, async () => {
    const seen = tally();
    for (const source of [fileBytes(valid), header]) {
      await fc.assert(
        fc.asyncProperty(source, async (bytes) => {
          const file = scratchPath(".npy");
          writeFileSync(file, bytes);
          seen.count(
            await resultOrInputError(file, () => {
              const array = readNpy(file);
              expect(array.data.length).toBe(array.shape.reduce((a, b) => a * b, 1));
            }),
          );
          await resultOrInputError(file, () => {
            const reader = NpyRowReader.open(file);
            try {
              let rows = 0;
              for (const batch of reader.batches(3)) rows += batch.count;
              expect(rows).toBe(reader.rows);
            } finally {
              reader.close();
            }
          });
        }),
        { numRuns: RUNS },
      );
    }
    expect(seen.outcomes.ok).toBeGreaterThan(0);
    expect(seen.outcomes["input error"]).toBeGreaterThan(0);
  });
});

describe("fuzzing the .safetensors reader", () => {
  const model = new Uint8Array(readFileSync(join(NPY_FIXTURES, "model.safetensors")));
  /** Random headers over a small data section: dtypes, shapes and offsets, valid or not. */
  const header = fc
    .record({
      tensors: fc.dictionary(
        fc.string({ maxLength: 6 }),
        fc.record({
          dtype: fc.oneof(fc.constantFrom("F32", "F16", "BF16", "I64", "U8", "BOOL", "F8"), fc.string()),
          shape: fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 3 }),
          data_offsets: fc.tuple(fc.integer({ min: -4, max: 80 }), fc.integer({ min: -4, max: 80 })),
        }),
        { maxKeys: 4 },
      ),
      data: fc.uint8Array({ maxLength: 64 }),
    })
    .map(({ tensors, data }) => {
      const json = new TextEncoder().encode(JSON.stringify(tensors));
      const head = new Uint8Array(8);
      new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
      return concat(head, json, data);
    });

  it(`listSafetensors and readSafetensor: a result or an InputError naming the file (${RUNS} runs each)`, async () => {
    const seen = tally();
    for (const source of [fileBytes([model]), header]) {
      await fc.assert(
        fc.asyncProperty(source, async (bytes) => {
          const file = scratchPath(".safetensors");
          writeFileSync(file, bytes);
          seen.count(
            await resultOrInputError(file, () => {
              for (const t of listSafetensors(file).tensors) {
                expect(readSafetensor(file, t.name).data.length).toBe(t.size);
              }
            }),
          );
        }),
        { numRuns: RUNS },
      );
    }
    expect(seen.outcomes.ok).toBeGreaterThan(0);
    expect(seen.outcomes["input error"]).toBeGreaterThan(0);
  });
});

describe("fuzzing the mapping-file reader", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const valid: Record<"tsv" | "csv" | "jsonl", Uint8Array[]> = {
    tsv: [encode("subject\tverb\tsignal\nann\tsees\tabc\nbob\tsees\tb b c\n"), encode("a\tsignal\nx\tab\ny\ta\n")],
    csv: [encode('signal,"colour, shade",shape\n"12 7",red,round\n3,"bl""ue",square\n')],
    jsonl: [
      encode('{"meaning": [1, 2], "signal": "ab"}\n{"meaning": [2, 1], "signal": ["b", "a"]}\n'),
      encode('{"meaning": {"s": "x", "o": 2}, "signal": "a b"}\n\n{"meaning": {"s": "y", "o": 3}, "signal": "c"}\n'),
    ],
  };
  /** Text made of the characters that matter to the parsers. */
  const structuredText = fc
    .array(
      fc.constantFrom("\t", ",", '"', "\n", "\r", " ", "{", "}", "[", "]", ":", "a", "signal", "meaning", "ü", "1"),
      {
        maxLength: 80,
      },
    )
    .map((parts) => encode(parts.join("")));

  for (const format of ["tsv", "csv", "jsonl"] as const) {
    it(`${format}: a result or an InputError naming the file (${RUNS} runs)`, async () => {
      const seen = tally();
      await fc.assert(
        fc.asyncProperty(fc.oneof(fileBytes(valid[format]), structuredText), async (bytes) => {
          const file = scratchPath(`.${format}`);
          writeFileSync(file, bytes);
          seen.count(
            await resultOrInputError(file, async () => {
              const { mapping } = await readMappingFile(file);
              expect(mapping.signals.length).toBe(mapping.size * mapping.length);
              expect(mapping.size).toBeGreaterThan(0);
            }),
          );
        }),
        { numRuns: RUNS },
      );
      expect(seen.outcomes.ok).toBeGreaterThan(0);
      expect(seen.outcomes["input error"]).toBeGreaterThan(0);
    });
  }
});

describe("fuzzing the corpus reader", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const valid = {
    txt: [encode("The cat sat.\n\nA dog ran.\n")],
    jsonl: [encode('{"text": "The cat sat."}\n{"text": ""}\n{"text": "A dog ran.", "id": 2}\n')],
  };
  for (const ext of ["txt", "jsonl"] as const) {
    it(`${ext}: a result or an InputError naming the file (${RUNS} runs)`, async () => {
      const seen = tally();
      await fc.assert(
        fc.asyncProperty(fileBytes(valid[ext]), async (bytes) => {
          const file = scratchPath(`.${ext}`);
          writeFileSync(file, bytes);
          seen.count(
            await resultOrInputError(file, () => {
              const corpus = readCorpus(file);
              expect(corpus.documents.length).toBeGreaterThan(0);
              expect(corpus.blankLines).toBeGreaterThanOrEqual(0);
            }),
          );
        }),
        { numRuns: RUNS },
      );
      expect(seen.outcomes.ok).toBeGreaterThan(0);
      expect(seen.outcomes["input error"]).toBeGreaterThan(0);
    });
  }
});

describe("fuzzing the run-folder readers", () => {
  const journal = new TextEncoder().encode(
    [
      '{"experiment":"lm","model":"m","layer":0,"labelSet":"token","measure":"entropy","value":1.5}',
      '{"experiment":"lm","model":"m","layer":1,"labelSet":"token","measure":"entropy","value":null}',
      '{"experiment":"lm","run":"r1","step":3,"measure":"loss","value":0.25}',
      "",
    ].join("\n"),
  );
  const runJson = new TextEncoder().encode(
    JSON.stringify({ experiment: "lm", command: "glossa lm", status: "done", parameters: { seed: 1 }, rows: 3 }),
  );

  it(`readJournal and readRunFolder: a result or an InputError naming the file (${RUNS} runs)`, async () => {
    const seen = tally();
    await fc.assert(
      fc.asyncProperty(fileBytes([journal]), fileBytes([runJson]), async (journalBytes, infoBytes) => {
        const dir = scratchPath("-run");
        mkdirSync(dir);
        const file = join(dir, "results.jsonl");
        writeFileSync(file, journalBytes);
        seen.count(
          await resultOrInputError(file, () => {
            const read = readJournal(file);
            expect(Array.isArray(read.rows)).toBe(true);
          }),
        );
        writeFileSync(join(dir, "run.json"), infoBytes);
        // errors name the journal or run.json, both inside the folder
        await resultOrInputError(dir, () => readRunFolder(dir));
      }),
      { numRuns: RUNS },
    );
    expect(seen.outcomes.ok).toBeGreaterThan(0);
    expect(seen.outcomes["input error"]).toBeGreaterThan(0);
  });
});

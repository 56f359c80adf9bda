import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { InputError } from "../src/io/errors.js";
import {
  encodeNpy,
  encodeNpyHeader,
  floatToHalf,
  halfToFloat,
  NpyRowReader,
  NpyRowWriter,
  parseNpy,
  readNpy,
  withNpyRows,
  writeNpy,
  type NpyData,
} from "../src/io/npy.js";

const FIXTURES = new URL("./fixtures/npy/", import.meta.url).pathname;
const expected: Record<string, { dtype?: string; shape?: number[]; values?: (number | string)[]; error?: string }> =
  JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8"));
const npyFixtures = Object.keys(expected).filter((name) => name.endsWith(".npy"));
const validFixtures = npyFixtures.filter((name) => expected[name]!.values && !expected[name]!.error);
const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

const scratch = mkdtempSync(join(tmpdir(), "glossa-npy-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function asComparable(data: NpyData): (number | string)[] {
  return Array.from(data as ArrayLike<number | bigint>, (v) =>
    typeof v === "bigint" ? String(v) : Number.isFinite(v) ? v : String(v).toLowerCase().replace("infinity", "inf"),
  );
}

/** Expect `body` to throw an InputError (anything else, or no error, fails the test). */
function expectInputError(body: () => unknown, pattern?: RegExp): void {
  try {
    body();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (pattern) expect(error.message).toMatch(pattern);
    return;
  }
  throw new Error("expected an InputError");
}

describe(".npy fixtures written by numpy", () => {
  it.each(validFixtures)("%s decodes to numpy's dtype, shape and values", (name) => {
    const want = expected[name]!;
    for (const array of [readNpy(join(FIXTURES, name)), parseNpy(fixtureBytes(name))]) {
      expect(array.dtype).toBe(want.dtype);
      expect(array.shape).toEqual(want.shape);
      expect(asComparable(array.data)).toEqual(want.values);
    }
  });

  it.each(npyFixtures.filter((name) => expected[name]!.error))(
    "%s gives a clear InputError naming the file",
    (name) => {
      const pattern = new RegExp(expected[name]!.error!, "i");
      expectInputError(() => readNpy(join(FIXTURES, name)), pattern);
      expectInputError(() => readNpy(join(FIXTURES, name)), new RegExp(name.replace(".", "\\.")));
      expectInputError(() => NpyRowReader.open(join(FIXTURES, name)), pattern);
    },
  );

  it("the truncated file's error names expected and actual bytes", () => {
    expectInputError(() => readNpy(join(FIXTURES, "truncated.npy")), /24 data bytes, but only 21 are present/);
  });

  it("encodeNpy writes exactly numpy's bytes (header padding included)", () => {
    const f4 = parseNpy(fixtureBytes("f4_le_2x3.npy"));
    expect(encodeNpy(f4.data, [2, 3])).toEqual(fixtureBytes("f4_le_2x3.npy"));
    expect(encodeNpy(f4.data, [2, 3], { bigEndian: true })).toEqual(fixtureBytes("f4_be_2x3.npy"));
    const f8 = parseNpy(fixtureBytes("f8_be_2x2.npy"));
    expect(encodeNpy(f8.data, [2, 2], { bigEndian: true })).toEqual(fixtureBytes("f8_be_2x2.npy"));
    const f2 = parseNpy(fixtureBytes("f2_le_7.npy"));
    expect(encodeNpy([0, 1, -2.5, 65504, 6e-8, 1 / 3, -0], [7], { dtype: "float16" })).toEqual(
      fixtureBytes("f2_le_7.npy"),
    );
    expect(encodeNpy(f2.data, [7], { dtype: "float16" })).toEqual(fixtureBytes("f2_le_7.npy"));
    expect(encodeNpy(parseNpy(fixtureBytes("i8_be_3.npy")).data, [3], { bigEndian: true })).toEqual(
      fixtureBytes("i8_be_3.npy"),
    );
    expect(encodeNpy(Int32Array.of(0, -1, 2147483647, -2147483648), [4])).toEqual(fixtureBytes("i4_le_4.npy"));
    expect(encodeNpy(Float64Array.of(2.75), [])).toEqual(fixtureBytes("f8_scalar.npy"));
    expect(encodeNpy(new Float32Array(0), [0, 5])).toEqual(fixtureBytes("f4_empty_0x5.npy"));
  });

  it("reads format versions 2.0 and 3.0 and writes 2.0 when the header needs it", () => {
    expect(parseNpy(fixtureBytes("f4_v2_2x3.npy")).data).toEqual(parseNpy(fixtureBytes("f4_le_2x3.npy")).data);
    expect(parseNpy(fixtureBytes("f4_v3_2x3.npy")).data).toEqual(parseNpy(fixtureBytes("f4_le_2x3.npy")).data);
    const shape = new Array(30000).fill(1);
    const bytes = encodeNpy(Float32Array.of(4.5), shape);
    expect(bytes[6]).toBe(2);
    expect(parseNpy(bytes)).toEqual({ dtype: "float32", shape, data: Float32Array.of(4.5) });
  });
});

describe("float16", () => {
  it("every half-precision bit pattern survives half → float → half", () => {
    for (let bits = 0; bits < 65536; bits++) {
      const value = halfToFloat(bits);
      if (Number.isNaN(value)) expect(floatToHalf(value) & 0x7c00).toBe(0x7c00);
      else expect(floatToHalf(value)).toBe(bits);
    }
  });
  it("rounds to nearest, ties to even, and overflows to infinity", () => {
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even (1.0)
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (1 + 2^-9)
    expect(floatToHalf(65520)).toBe(0x7c00); // halfway to 2^16 rounds to infinity
    expect(floatToHalf(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal
    expect(floatToHalf(1.5 * 2 ** -25)).toBe(1);
  });
});

describe("round trips", () => {
  const shapes = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
  it("encodeNpy → parseNpy is the identity for every dtype and byte order", () => {
    fc.assert(
      fc.property(shapes, fc.boolean(), fc.integer({ min: 0, max: 3 }), (shape, bigEndian, kind) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const source = Array.from({ length: size }, (_, i) => ((i * 7919) % 1000) - 500 + i / 8);
        const data: NpyData =
          kind === 0
            ? Float32Array.from(source)
            : kind === 1
              ? Float64Array.from(source, (v) => v * Math.PI)
              : kind === 2
                ? Int32Array.from(source, Math.round)
                : BigInt64Array.from(source, (v) => BigInt(Math.round(v)) * 123456789012n);
        const back = parseNpy(encodeNpy(data, shape, { bigEndian }));
        expect(back.shape).toEqual(shape);
        expect(back.data).toEqual(data);
      }),
      { numRuns: 200 },
    );
  });

  it("writeNpy → readNpy through a file, including float16", () => {
    const path = join(scratch, "round.npy");
    const data = Float32Array.from({ length: 60 }, (_, i) => Math.sin(i) * 100);
    writeNpy(path, data, [3, 4, 5]);
    expect(readNpy(path)).toEqual({ dtype: "float32", shape: [3, 4, 5], data });
    writeNpy(path, data, [60], { dtype: "float16" });
    const half = readNpy(path);
    expect(half.dtype).toBe("float16");
    half.data.forEach((v, i) =>
      expect(Math.abs(Number(v) - data[i]!)).toBeLessThanOrEqual(Math.abs(data[i]!) * 2 ** -11),
    );
    expect(() => writeNpy(path, data, [7, 7])).toThrow(/49 elements but the data has 60/);
    expectInputError(() => writeNpy(join(scratch, "no", "such", "dir.npy"), data, [60]), /cannot write/);
    expectInputError(() => readNpy(join(scratch, "missing.npy")), /cannot open/);
  });
});

describe("NpyRowReader", () => {
  const rows = 1003;
  const width = 7;
  const values = Float64Array.from({ length: rows * width }, (_, i) => Math.cos(i) * 10);

  function collect(reader: NpyRowReader, batch: number, reuse = false): Float32Array {
    const out = new Float32Array(reader.rows * reader.width);
    let expectedStart = 0;
    for (const b of reader.batches(batch, { reuse })) {
      expect(b.start).toBe(expectedStart);
      expect(b.rows.length).toBe(b.count * reader.width);
      out.set(b.rows, b.start * reader.width);
      expectedStart += b.count;
    }
    expect(expectedStart).toBe(reader.rows);
    return out;
  }

  it("streams float32/float64/float16/int and big-endian files as float32 batches, repeatably", async () => {
    const cases: [
      string,
      NpyData | number[],
      "float16" | "float32" | "float64" | "int32" | "int64" | undefined,
      boolean,
    ][] = [
      ["f4", Float32Array.from(values), undefined, false],
      ["f8be", values, undefined, true],
      ["f2", Float32Array.from(values), "float16", false],
      ["i8", Int32Array.from(values, Math.round), "int64", true],
    ];
    for (const [tag, data, dtype, bigEndian] of cases) {
      const path = join(scratch, `${tag}.npy`);
      writeNpy(path, data, [rows, width], { dtype, bigEndian });
      const whole = readNpy(path).data;
      const want = Float32Array.from(whole as ArrayLike<number | bigint>, Number);
      await withNpyRows(path, (reader) => {
        expect([reader.rows, reader.width]).toEqual([rows, width]);
        expect(collect(reader, 100)).toEqual(want);
        expect(collect(reader, 1, true)).toEqual(want); // second pass, reused buffer
        expect(collect(reader, 5000)).toEqual(want);
        expect(reader.readRows(1000, 3)).toEqual(want.subarray(1000 * width));
        expect(() => reader.readRows(1000, 4)).toThrow(RangeError);
      });
    }
  });

  it("treats leading axes as rows, and handles empty and 1-D arrays", () => {
    const three = NpyRowReader.open(join(FIXTURES, "f4_3d_2x2x3.npy"));
    expect([three.rows, three.width]).toEqual([4, 3]);
    expect(Array.from(three.readRows(3, 1))).toEqual([9, 10, 11]);
    three.close();
    expect(() => three.readRows(0, 1)).toThrow(/closed/);
    const empty = NpyRowReader.open(join(FIXTURES, "f4_empty_0x5.npy"));
    expect([empty.rows, empty.width, [...empty.batches(10)].length]).toEqual([0, 5, 0]);
    empty.close();
    const flat = NpyRowReader.open(join(FIXTURES, "i4_le_4.npy"));
    expect([flat.rows, flat.width]).toEqual([4, 1]);
    expect(Array.from(flat.readRows(0, 4))).toEqual([0, -1, 2147483647, -2147483648].map(Math.fround)); // rows are float32
    flat.close();
  });
});

describe("NpyRowWriter", () => {
  it("appends batches and fixes the row count in the header at close", () => {
    const path = join(scratch, "stream.npy");
    const writer = NpyRowWriter.create(path, { width: 3 });
    expect(readNpy(path).shape).toEqual([0, 3]); // valid (empty) before any rows
    writer.append(Float32Array.of(1, 2, 3, 4, 5, 6));
    writer.append(Float64Array.of(7, 8, 9));
    expect(() => writer.append(Float32Array.of(1))).toThrow(/whole number of rows/);
    expect(writer.rows).toBe(3);
    writer.close();
    const back = readNpy(path);
    expect(back.shape).toEqual([3, 3]);
    expect(asComparable(back.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // the header is what numpy itself would write for the final shape
    expect(fixedHeader(path)).toEqual(encodeNpyHeader("float32", [3, 3]));
  });
});

function fixedHeader(path: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path));
  return bytes.subarray(0, 10 + (bytes[8]! | (bytes[9]! << 8)));
}

/** parseNpy either returns a self-consistent array or throws InputError (any other error fails). */
function parsesOrRejects(bytes: Uint8Array): void {
  try {
    const array = parseNpy(bytes);
    expect(array.data.length).toBe(array.shape.reduce((a, b) => a * b, 1));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
  }
}

describe("parser fuzzing: bad bytes give InputError, never another error or a hang", () => {
  it("every truncation of every valid fixture is rejected", () => {
    for (const name of validFixtures) {
      const bytes = fixtureBytes(name);
      // every proper prefix is incomplete (a 0-element array's file ends with its header), the whole file parses
      expect(parseNpy(bytes).data.length).toBe(expected[name]!.values!.length);
      for (let cut = 0; cut < bytes.length; cut++) {
        const prefix = bytes.slice(0, cut);
        expectInputError(() => parseNpy(prefix));
        const path = join(scratch, "cut.npy");
        if (cut % 17 === 0) {
          writeFileSync(path, prefix);
          expectInputError(() => NpyRowReader.open(path));
        }
      }
    }
  });

  it("mutated fixtures either parse to a consistent array or throw InputError", () => {
    const sources = validFixtures.map(fixtureBytes);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sources.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (which, edits) => {
          const bytes = sources[which]!.slice();
          for (const [at, value] of edits) bytes[at % Math.min(bytes.length, 140)] = value; // mostly the header
          parsesOrRejects(bytes);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("random bytes and random headers are rejected with InputError", () => {
    const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        fc.string({ maxLength: 120 }),
        (random, withMagic, header) => {
          let bytes = random;
          if (withMagic) {
            const text = new TextEncoder().encode(header);
            bytes = new Uint8Array([...magic, 1, 0, text.length & 0xff, text.length >> 8, ...text, ...random]);
          }
          parsesOrRejects(bytes);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("a header claiming a huge shape fails on the length check without allocating", () => {
    const text = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 1000), }";
    const bytes = new Uint8Array([
      0x93,
      0x4e,
      0x55,
      0x4d,
      0x50,
      0x59,
      1,
      0,
      text.length,
      0,
      ...new TextEncoder().encode(text),
    ]);
    expectInputError(() => parseNpy(bytes), /too large|truncated/);
    const text2 = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 1000), }";
    const bytes2 = new Uint8Array([
      0x93,
      0x4e,
      0x55,
      0x4d,
      0x50,
      0x59,
      1,
      0,
      text2.length,
      0,
      ...new TextEncoder().encode(text2),
    ]);
    expectInputError(() => parseNpy(bytes2), /800000000 data bytes, but only 0/);
  });
});

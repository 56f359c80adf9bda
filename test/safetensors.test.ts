import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { InputError } from "../src/io/errors.js";
import { listSafetensors, parseSafetensors, readSafetensor } from "../src/io/safetensors.js";

const FIXTURES = new URL("./fixtures/npy/", import.meta.url).pathname;
const MODEL = join(FIXTURES, "model.safetensors");
const expected: Record<string, (number | string)[]> = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8"))[
  "model.safetensors"
];
const modelBytes = new Uint8Array(readFileSync(MODEL));
const scratch = mkdtempSync(join(tmpdir(), "glossa-st-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const comparable = (data: ArrayLike<number | bigint>): (number | string)[] =>
  Array.from(data, (v) => (typeof v === "bigint" ? String(v) : v));

/** The parser either succeeds on every tensor or throws InputError; anything else fails. */
function parsesOrRejects(bytes: Uint8Array): void {
  try {
    const file = parseSafetensors(bytes);
    for (const t of file.tensors) expect(file.get(t.name).data.length).toBe(t.size);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
  }
}

function withHeader(header: object, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("safetensors", () => {
  it("lists tensors with dtype and shape, and the metadata", () => {
    const header = listSafetensors(MODEL);
    expect(header.metadata).toEqual({ format: "pt" });
    expect(header.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ["embed.weight", "F32", [2, 3]],
      ["half", "F16", [7]],
      ["brain", "BF16", [4]],
      ["double", "F64", [2]],
      ["ids32", "I32", [3]],
      ["ids64", "I64", [2]],
    ]);
  });

  it("reads every tensor by name exactly (F32, F16, BF16, F64, I32, I64), from disk and from memory", () => {
    const inMemory = parseSafetensors(modelBytes);
    for (const [name, values] of Object.entries(expected)) {
      expect(comparable(readSafetensor(MODEL, name).data)).toEqual(values);
      expect(comparable(inMemory.get(name).data)).toEqual(values);
    }
    expect(readSafetensor(MODEL, "embed.weight").data).toBeInstanceOf(Float32Array);
    expect(readSafetensor(MODEL, "brain").data).toBeInstanceOf(Float32Array);
    expect(readSafetensor(MODEL, "ids64").data).toBeInstanceOf(BigInt64Array);
  });

  it("names the missing tensor and the ones there are", () => {
    expect(() => readSafetensor(MODEL, "nope")).toThrow(/no tensor named "nope" \(tensors: embed.weight, half/);
    expect(() => readSafetensor(join(scratch, "missing.safetensors"), "x")).toThrow(/cannot open/);
  });

  it("gives clear errors for unsupported dtypes and inconsistent offsets", () => {
    expect(() =>
      parseSafetensors(withHeader({ x: { dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1))),
    ).toThrow(/unsupported safetensors dtype F8_E4M3 in tensor "x"/);
    expect(() =>
      parseSafetensors(withHeader({ x: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(8))),
    ).toThrow(/needs 8 bytes but data_offsets \[0, 4\] span 4/);
    expect(() =>
      parseSafetensors(withHeader({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4))),
    ).toThrow(/truncated safetensors file: tensor "x" ends at data byte 8/);
    expect(() => parseSafetensors(withHeader([1, 2]))).toThrow(/expected a JSON object/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => parseSafetensors(huge)).toThrow(/exceeds/);
  });

  it("every truncation of the fixture is rejected with InputError (on disk too)", () => {
    for (let cut = 0; cut < modelBytes.length; cut++) {
      const prefix = modelBytes.slice(0, cut);
      expect(() => parseSafetensors(prefix).get("ids64")).toThrow(InputError);
      if (cut % 23 === 0) {
        const path = join(scratch, "cut.safetensors");
        writeFileSync(path, prefix);
        expect(() => readSafetensor(path, "ids64")).toThrow(InputError);
      }
    }
  });

  it("fuzz: mutated and random bytes parse consistently or throw InputError", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (edits) => {
          const bytes = modelBytes.slice();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          parsesOrRejects(bytes);
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => parsesOrRejects(bytes)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.json(), fc.uint8Array({ maxLength: 64 }), (json, data) =>
        parsesOrRejects(withHeader(JSON.parse(json), data)),
      ),
      { numRuns: 1000 },
    );
  });
});

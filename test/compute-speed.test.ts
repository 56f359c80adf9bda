/** The speed paths of issue 16 give the same numbers as the paths they replace. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { onnxBackend } from "../src/compute/onnx.js";
import { tsBackend, tsScalarBackend } from "../src/compute/ts.js";
import type { AnchorKernelSpec } from "../src/compute/types.js";
import { createWasmDots } from "../src/compute/wasmDots.js";
import { NpyRowReader, NpyRowWriter } from "../src/io/npy.js";
import { makeAnchors } from "../src/vector/anchors.js";
import { Random } from "../src/util/random.js";

function rows(count: number, d: number, seed: number): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: count * d }, () => r.uniform() - 0.5);
}

function spec(n: number, d: number): AnchorKernelSpec {
  return { anchors: makeAnchors({ n, d, seed: 3 }).data, n, d, mode: "soft", inverseTemperature: 10, columnSums: true };
}

const scratch = mkdtempSync(join(tmpdir(), "glossa-speed-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("WebAssembly SIMD dot products (TypeScript back end)", () => {
  it("is available in Node 20 and handles the multiple-of-4 anchors", () => {
    expect(createWasmDots(spec(10, 6).anchors, 10, 6)?.anchors).toBe(8);
    expect(createWasmDots(spec(3, 6).anchors, 3, 6)).toBeNull(); // fewer than 4 anchors: JavaScript only
  });

  // shapes with leftover rows and anchors, and more rows than one 256-row chunk
  for (const [n, d, count] of [
    [100, 64, 600],
    [7, 5, 13],
    [4, 1, 4],
    [13, 33, 259],
    [3, 8, 10],
  ] as const) {
    it(`gives bit-identical outputs to the JavaScript loops (n ${n}, d ${d}, ${count} rows)`, async () => {
      const s = spec(n, d);
      const data = rows(count, d, n + d);
      const fast = await (await tsBackend.createAnchorKernel(s)).run(data, count);
      const slow = await (await tsScalarBackend.createAnchorKernel(s)).run(data, count);
      expect(fast.values.length).toBe(count * n);
      expect(Array.from(fast.values)).toEqual(Array.from(slow.values));
      expect(Array.from(fast.norms)).toEqual(Array.from(slow.norms));
      expect(Array.from(fast.columnSums!)).toEqual(Array.from(slow.columnSums!));
      // and the values are real softmax rows, not zeros
      let sum = 0;
      for (let k = 0; k < n; k++) sum += fast.values[k]!;
      expect(sum).toBeCloseTo(1, 5);
    });
  }
});

describe("onnx kernel on a worker thread", () => {
  it("gives the same outputs as in the calling thread, also from shared memory and sub-array views", async () => {
    const s = spec(20, 16);
    const data = rows(300, 16, 9);
    const here = await onnxBackend({ threads: 1, worker: false }).createAnchorKernel(s);
    const worker = await onnxBackend({ threads: 1, worker: true }).createAnchorKernel(s);
    expect(worker.concurrent).toBe(true);
    expect(here.concurrent).toBe(false);
    const shared = new Float32Array(new SharedArrayBuffer(data.byteLength));
    shared.set(data);
    const a = await here.run(data, 300);
    expect(Array.from((await here.run(shared, 300)).values)).toEqual(Array.from(a.values));
    const [b, c, e] = await Promise.all([
      worker.run(data, 300),
      worker.run(shared, 300),
      worker.run(data.subarray(16 * 100), 200),
    ]);
    for (const out of [b, c]) {
      expect(Array.from(out.values)).toEqual(Array.from(a.values));
      expect(Array.from(out.norms)).toEqual(Array.from(a.norms));
      expect(Array.from(out.columnSums!)).toEqual(Array.from(a.columnSums!));
    }
    expect(Array.from(e.values)).toEqual(Array.from(a.values.subarray(20 * 100)));
    await here.dispose();
    await worker.dispose();
    await expect(worker.run(data, 1)).rejects.toThrow(/worker/);
  });
});

describe("onnx kernel in pieces of 1,024 rows", () => {
  it("gives each row the outputs of one whole-batch run", async () => {
    const whole = spec(100, 96); // column sums requested: the batch runs whole
    const { columnSums: _, ...pieces } = whole;
    const data = rows(2500, 96, 4);
    for (const worker of [false, true]) {
      const a = await onnxBackend({ threads: 2, worker }).createAnchorKernel(whole);
      const b = await onnxBackend({ threads: 2, worker }).createAnchorKernel(pieces);
      const [x, y] = [await a.run(data, 2500), await b.run(data, 2500)];
      expect(y.values.length).toBe(2500 * 100);
      expect(Array.from(y.values)).toEqual(Array.from(x.values));
      expect(Array.from(y.norms)).toEqual(Array.from(x.norms));
      await a.dispose();
      await b.dispose();
    }
  });
});

describe("NpyRowReader.readAhead", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`yields the same batches as batches() (${dtype}), in a ring of reused buffers`, async () => {
      const file = join(scratch, `${dtype}.npy`);
      const data = rows(1003, 7, 1);
      const writer = NpyRowWriter.create(file, { width: 7, dtype });
      writer.append(data);
      writer.close();
      const reader = NpyRowReader.open(file);
      const expected = [...reader.batches(100)].map((b) => ({
        start: b.start,
        count: b.count,
        rows: Array.from(b.rows),
      }));
      const got: { start: number; count: number; rows: number[] }[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const b of reader.readAhead(100, { shared: true, ahead: 2 })) {
        expect(b.rows.buffer).toBeInstanceOf(SharedArrayBuffer);
        buffers.add(b.rows.buffer);
        got.push({ start: b.start, count: b.count, rows: Array.from(b.rows) });
      }
      reader.close();
      expect(got.length).toBe(11);
      expect(got).toEqual(expected);
      expect(buffers.size).toBe(5); // ahead + 3
    });
  }

  it("reports a file truncated after opening as an input error", async () => {
    const file = join(scratch, "short.npy");
    const writer = NpyRowWriter.create(file, { width: 4 });
    writer.append(rows(50, 4, 2));
    writer.close();
    const reader = NpyRowReader.open(file);
    const { truncateSync } = await import("node:fs");
    truncateSync(file, 200);
    const drain = async () => {
      for await (const _ of reader.readAhead(10)) {
      }
    };
    await expect(drain()).rejects.toThrow(/unexpected end of file/);
    reader.close();
  });
});

describe("onnx anchor graph with float16 input (bench (k))", () => {
  it("gives the float32 graph's outputs exactly on rows that float16 holds exactly", async () => {
    const ort = (await import("onnxruntime-node")).default;
    const { buildAnchorModel } = await import("../src/compute/onnxGraph.js");
    const { floatToHalf, halfToFloat } = await import("../src/io/npyFormat.js");
    const s = { ...spec(12, 16), columnSums: false };
    const half = Uint16Array.from(rows(40, 16, 4), floatToHalf);
    const data = Float32Array.from(half, halfToFloat);
    const single = await ort.InferenceSession.create(buildAnchorModel(s));
    const mixed = await ort.InferenceSession.create(buildAnchorModel(s, { inputType: "float16" }));
    const a = await single.run({ rows: new ort.Tensor("float32", data, [40, 16]) });
    const b = await mixed.run({ rows: new ort.Tensor("float16", half, [40, 16]) });
    expect(b.values!.dims).toEqual([40, 12]);
    expect(Array.from(b.values!.data as Float32Array)).toEqual(Array.from(a.values!.data as Float32Array));
    expect(Array.from(b.norms!.data as Float32Array)).toEqual(Array.from(a.norms!.data as Float32Array));
    await single.release();
    await mixed.release();
  });
});

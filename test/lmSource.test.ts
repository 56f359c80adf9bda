import { describe, expect, it } from "vitest";
import { readFileSync, mkdtempSync, copyFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { LanguageModel, padBatch } from "../src/sources/onnxModel.js";
import { InputError } from "../src/io/errors.js";

const FIX = "test/fixtures/lm";

/** Minimal .npy reader for the fixture files (little-endian float32 / int64, C order). */
function readNpy(file: string): { data: Float32Array | BigInt64Array; shape: number[] } {
  const buf = readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString("latin1");
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(",").filter((s) => s.trim()).map(Number);
  const body = buf.subarray(10 + headerLen);
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  return { data: header.includes("<f4") ? new Float32Array(ab) : new BigInt64Array(ab), shape };
}

describe.each(["gpt2-tiny", "pythia-tiny-step0", "pythia-tiny-step300"])("ONNX source %s", (name) => {
  it("per-layer hidden states of the edited graph equal the PyTorch reference within 1e-4", async () => {
    const dir = join(FIX, name);
    const model = await LanguageModel.load(dir);
    const ids = readNpy(join(dir, "ref_input_ids.npy"));
    const mask = readNpy(join(dir, "ref_attention_mask.npy"));
    const ref = readNpy(join(dir, "ref_hidden_states.npy"));
    const [L, B, T, D] = ref.shape as [number, number, number, number];
    expect(model.layerCount).toBe(L);
    const batch = {
      ids: Int32Array.from(ids.data as BigInt64Array, Number),
      mask: Uint8Array.from(mask.data as BigInt64Array, Number),
      rows: B,
      length: T,
    };
    const { width, states } = await model.forward(batch);
    expect(width).toBe(D);
    let worst = 0;
    for (let l = 0; l < L; l++) {
      const want = (ref.data as Float32Array).subarray(l * B * T * D, (l + 1) * B * T * D);
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(states[l]![i]! - want[i]!));
    }
    expect(worst).toBeLessThan(1e-4);
    await model.dispose();
  });
});

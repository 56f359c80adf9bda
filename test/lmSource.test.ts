import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LanguageModel, loadTokenizer } from "../src/sources/onnxModel.js";
import { readLmReference } from "./helpers/lmReference.js";

const FIX = "test/fixtures/lm";

describe.each(["gpt2-tiny", "pythia-tiny-step0", "pythia-tiny-step300"])("ONNX source %s", (name) => {
  it("per-layer hidden states of the edited graph equal the PyTorch reference within 1e-4", async () => {
    const dir = join(FIX, name);
    const model = await LanguageModel.load(dir);
    const { batch, hidden, shape } = readLmReference(dir);
    const [L, B, T, D] = shape;
    expect(model.layerCount).toBe(L);
    const { width, states } = await model.forward(batch);
    expect(width).toBe(D);
    let worst = 0;
    for (let l = 0; l < L; l++) {
      const want = hidden.subarray(l * B * T * D, (l + 1) * B * T * D);
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(states[l]![i]! - want[i]!));
    }
    expect(worst).toBeLessThan(1e-4);
    expect(model.layers.layout).toBe(name.startsWith("gpt2") ? "gpt2" : "gpt-neox");
    // Size from the graph's float initializers vs PyTorch's parameter count (125,760 GPT-2 with
    // its tied head counted once; 143,232 NeoX): the exporter merges identical LayerNorm vectors
    // and keeps small float buffers (rotary inv_freq), so agreement is within 0.5%, not exact.
    const torchCount = name.startsWith("gpt2") ? 125760 : 143232;
    expect(Math.abs(model.parameters / torchCount - 1)).toBeLessThan(0.005);
    await model.dispose();
  });
});

describe("tokenizer loading", () => {
  it("works for a folder whose name has a space and non-ASCII letters, with the same ids", async () => {
    const check = JSON.parse(readFileSync(join(FIX, "tokenizer_check.json"), "utf8")) as {
      text: string;
      ids: number[];
    };
    const scratch = mkdtempSync(join(tmpdir(), "glossa-tok-"));
    try {
      const odd = join(scratch, "my model ü");
      cpSync(join(FIX, "gpt2-tiny"), odd, { recursive: true });
      const plain = await loadTokenizer(join(FIX, "gpt2-tiny"));
      const renamed = await loadTokenizer(odd);
      expect(Array.from(renamed.encode(check.text))).toEqual(check.ids);
      expect(Array.from(plain.encode(check.text))).toEqual(check.ids);
      expect([renamed.vocabSize, renamed.padId, renamed.maxLength]).toEqual([
        plain.vocabSize,
        plain.padId,
        plain.maxLength,
      ]);
      writeFileSync(join(odd, "tokenizer_config.json"), "{ not json");
      await expect(loadTokenizer(odd)).rejects.toThrow(/tokenizer_config\.json: not valid JSON/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

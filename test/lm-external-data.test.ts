import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeRandomTransformer } from "../src/bench/randomTransformer.js";
import { LanguageModel, padBatch } from "../src/sources/onnxModel.js";

// A model with external weights on another file system than the temporary folder: hard links
// from the temporary folder fail there, and onnxruntime refuses weights reached through a
// symbolic link that leads outside the graph's folder, so the edited graph must go elsewhere.
const otherFs = "/dev/shm";
const separate = existsSync(otherFs) && statSync(otherFs).dev !== statSync(tmpdir()).dev;

describe("a model with external weights on another file system", () => {
  it.skipIf(!separate)("loads, runs, and leaves nothing behind in its folder once disposed", async () => {
    const root = mkdtempSync(join(otherFs, "glossa-model-fs-"));
    try {
      const dir = join(root, "model");
      writeRandomTransformer(
        dir,
        { layers: 2, width: 16, heads: 2, vocab: 400, context: 32, seed: 5 },
        "test/fixtures/lm/gpt2-tiny",
      );
      const before = readdirSync(dir).sort();
      const model = await LanguageModel.load(dir);
      const { states } = await model.forward(padBatch([Int32Array.from([5, 9, 2, 7])], model.tokenizer.padId));
      expect(states).toHaveLength(3);
      expect(states[2]!.every(Number.isFinite)).toBe(true);
      await model.dispose();
      expect(readdirSync(dir).sort()).toEqual(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

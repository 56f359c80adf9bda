/** The PyTorch reference a test/fixtures/lm model folder carries (scripts/fixtures/make_lm_fixtures.py). */
import { join } from "node:path";
import { readNpy } from "../../src/io/npy.js";

export function readLmReference(dir: string) {
  const ids = readNpy(join(dir, "ref_input_ids.npy"));
  const mask = readNpy(join(dir, "ref_attention_mask.npy"));
  const hidden = readNpy(join(dir, "ref_hidden_states.npy"));
  const [L, B, T, D] = hidden.shape as [number, number, number, number];
  return {
    /** The reference's input batch, as LanguageModel.forward takes it. */
    batch: {
      ids: Int32Array.from(ids.data as BigInt64Array, Number),
      mask: Uint8Array.from(mask.data as BigInt64Array, Number),
      rows: B,
      length: T,
    },
    /** Every layer's hidden states, layers × rows × length × width. */
    hidden: hidden.data as Float32Array,
    shape: [L, B, T, D] as const,
  };
}

/**
 * One place that picks the TensorFlow.js back end for the experiments.
 * `wasm` (default, ~10× the plain `cpu` back end) or `cpu`. Threads: the wasm back end
 * uses SIMD; multi-threading needs cross-origin isolation in browsers and is off in Node.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

export type TfBackend = "wasm" | "cpu";

let current: TfBackend | undefined;

export async function useTfBackend(backend: TfBackend = "wasm"): Promise<typeof tf> {
  if (current !== backend) {
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`TensorFlow.js back end "${backend}" failed to initialise`);
    await tf.ready();
    current = backend;
  }
  return tf;
}

export { tf };

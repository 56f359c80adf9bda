/**
 * A named parameter map as plain arrays and back: what a trainer's snapshot holds and its
 * restore checks (every parameter present, with the model's shape).
 */
import type * as tfNs from "@tensorflow/tfjs";
import { InputError } from "../../io/errors.js";

type Tf = typeof tfNs;

export type ParameterValues = Map<string, { shape: number[]; values: Float32Array }>;

/** A copy of every parameter's shape and values. */
export function parameterValues(params: ReadonlyMap<string, tfNs.Tensor>): ParameterValues {
  return new Map([...params].map(([k, t]) => [k, { shape: [...t.shape], values: t.dataSync() as Float32Array }]));
}

/** Replaces each tensor of `params` by its saved values (InputError when one is missing or shaped otherwise). */
export function restoreParameterValues(tf: Tf, params: Map<string, tfNs.Tensor>, saved: ParameterValues): void {
  for (const [name, t] of params) {
    const s = saved.get(name);
    if (!s) throw new InputError(`checkpoint lacks parameter "${name}"`);
    if (s.shape.join("x") !== t.shape.join("x") || s.values.length !== t.size)
      throw new InputError(
        `checkpoint parameter "${name}" has shape ${s.shape.join("×")}, the model ${t.shape.join("×")}`,
      );
  }
  for (const [name, t] of params) {
    const s = saved.get(name)!;
    t.dispose();
    params.set(name, tf.tensor(s.values, s.shape, "float32"));
  }
}

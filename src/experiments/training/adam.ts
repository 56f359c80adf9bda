/**
 * Adam (Kingma & Ba 2015) over a named parameter map, with its whole state (step count and
 * both moment estimates) readable and restorable, so that a resumed run continues bit for
 * bit. Parameters may be tfjs Variables (updated in place with `assign`) or plain tensors
 * (replaced in the map, the old tensor disposed). Moments start at zero, created on a
 * parameter's first gradient; a parameter without a gradient in a step is left alone.
 *
 * Two algebraically equal forms of the update, kept because float32 rounding differs and
 * every recorded result (and resume's exactness) depends on the form it was made with:
 * - "pytorch" (PyTorch's implementation; the emergent experiment):
 *     θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * - "paper" (Algorithm 1 of the paper; the seq2seq experiment):
 *     θ ← θ − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 * with m ← β1 m + (1 − β1) g and v ← β2 v + (1 − β2) g² in both.
 */
import type * as tfNs from "@tensorflow/tfjs";
import { InputError } from "../../io/errors.js";

type Tf = typeof tfNs;

export type AdamForm = "pytorch" | "paper";

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Which arrangement of the update (see above); default "pytorch". */
  form?: AdamForm;
}

export interface AdamState {
  /** Updates applied so far (t). */
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

function isVariable(t: tfNs.Tensor): t is tfNs.Variable {
  return typeof (t as tfNs.Variable).assign === "function";
}

export class Adam {
  step = 0;
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly form: AdamForm;
  private readonly m = new Map<string, tfNs.Tensor>();
  private readonly v = new Map<string, tfNs.Tensor>();

  constructor(
    private readonly tf: Tf,
    options: AdamOptions,
  ) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.form = options.form ?? "pytorch";
    if (!(this.learningRate > 0)) throw new RangeError(`Adam learning rate must be > 0, got ${this.learningRate}`);
  }

  /** One update of every parameter that has a gradient in `grads` (keyed like `params`). */
  apply(params: Map<string, tfNs.Tensor>, grads: ReadonlyMap<string, tfNs.Tensor>): void {
    const tf = this.tf;
    const { beta1, beta2, epsilon, learningRate: lr } = this;
    this.step++;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    const sqrtC2 = Math.sqrt(c2);
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (!p) throw new Error(`internal: Adam got a gradient for unknown parameter "${name}"`);
      const m0 = this.m.get(name);
      const v0 = this.v.get(name);
      const [m, v, next] = tf.tidy(() => {
        const m = tf.add(m0 ? tf.mul(m0, beta1) : tf.zerosLike(g), tf.mul(g, 1 - beta1));
        const v = tf.add(v0 ? tf.mul(v0, beta2) : tf.zerosLike(g), tf.mul(tf.square(g), 1 - beta2));
        const next =
          this.form === "pytorch"
            ? tf.sub(p, tf.mul(tf.div(m, tf.add(tf.div(tf.sqrt(v), sqrtC2), epsilon)), lr / c1))
            : tf.sub(p, tf.mul(tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon)), lr));
        return [m, v, next];
      });
      m0?.dispose();
      v0?.dispose();
      this.m.set(name, m);
      this.v.set(name, v);
      if (isVariable(p)) {
        p.assign(next);
        next.dispose();
      } else {
        p.dispose();
        params.set(name, next);
      }
    }
  }

  /** A copy of the state as plain arrays. */
  state(): AdamState {
    const read = (map: Map<string, tfNs.Tensor>) =>
      new Map([...map].map(([k, t]) => [k, Float32Array.from(t.dataSync() as Float32Array)]));
    return { step: this.step, m: read(this.m), v: read(this.v) };
  }

  /** Replaces the state; every named moment must match a parameter's size. */
  restore(state: AdamState, params: ReadonlyMap<string, tfNs.Tensor>): void {
    for (const which of ["m", "v"] as const) {
      for (const [name, values] of state[which]) {
        const p = params.get(name);
        if (!p) throw new InputError(`optimiser state names unknown parameter "${name}"`);
        if (values.length !== p.size)
          throw new InputError(
            `optimiser state "${which}" of "${name}" has ${values.length} values, the parameter ${p.size}`,
          );
      }
    }
    this.dispose();
    for (const which of ["m", "v"] as const) {
      const target = which === "m" ? this.m : this.v;
      for (const [name, values] of state[which])
        target.set(name, this.tf.tensor(values, params.get(name)!.shape, "float32"));
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

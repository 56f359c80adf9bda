/**
 * Adam (Kingma & Ba 2015) over a named parameter map, with its whole state (step count and
 * both moment estimates) readable and restorable, so that a resumed run continues exactly.
 *   m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²
 *   θ ← θ − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε)
 */
import type * as tfNs from "@tensorflow/tfjs";
import type { Params } from "./model.js";

type Tf = typeof tfNs;

export interface AdamConfig {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface AdamState {
  t: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export class Adam {
  t = 0;
  private m: Params = new Map();
  private v: Params = new Map();
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(
    private readonly tf: Tf,
    readonly config: AdamConfig,
  ) {
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-8;
    if (!(config.learningRate > 0)) throw new RangeError(`Adam learning rate must be > 0, got ${config.learningRate}`);
  }

  /** Applies one update in place on `params` (old tensors are disposed). */
  apply(params: Params, grads: Map<string, tfNs.Tensor>): void {
    const tf = this.tf;
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (!p) throw new Error(`Adam: gradient for unknown parameter "${name}"`);
      const m0 = this.m.get(name);
      const v0 = this.v.get(name);
      const [m, v, next] = tf.tidy(() => {
        const m = (m0 ? m0.mul(this.beta1) : tf.zerosLike(g)).add(g.mul(1 - this.beta1));
        const v = (v0 ? v0.mul(this.beta2) : tf.zerosLike(g)).add(g.square().mul(1 - this.beta2));
        const step = m.div(c1).div(v.div(c2).sqrt().add(this.epsilon)).mul(this.config.learningRate);
        return [m, v, p.sub(step)];
      });
      m0?.dispose();
      v0?.dispose();
      p.dispose();
      this.m.set(name, m);
      this.v.set(name, v);
      params.set(name, next);
    }
  }

  /** A copy of the state as plain arrays. */
  state(): AdamState {
    const read = (map: Params): Map<string, Float32Array> =>
      new Map([...map].map(([k, t]) => [k, t.dataSync() as Float32Array]));
    return { t: this.t, m: read(this.m), v: read(this.v) };
  }

  /** Replaces the state (shapes taken from the current parameters). */
  restore(state: AdamState, params: Params): void {
    this.dispose();
    this.t = state.t;
    const load = (src: Map<string, Float32Array>, dst: Params): void => {
      for (const [name, values] of src) {
        const p = params.get(name);
        if (!p) throw new Error(`Adam state names unknown parameter "${name}"`);
        dst.set(name, this.tf.tensor(values, p.shape, "float32"));
      }
    };
    load(state.m, this.m);
    load(state.v, this.v);
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

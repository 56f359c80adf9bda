/**
 * Adam (Kingma & Ba 2015) over a named set of tfjs variables, with its state (moments and
 * step count) readable and restorable so that a resumed run continues bit for bit.
 * Update (PyTorch's form): m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²;
 * θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε).
 */
import type * as tfNs from "@tensorflow/tfjs";

type TF = typeof tfNs;

export interface AdamState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export class Adam {
  private readonly m = new Map<string, tfNs.Variable>();
  private readonly v = new Map<string, tfNs.Variable>();
  step = 0;

  constructor(
    private readonly tf: TF,
    private readonly params: Map<string, tfNs.Variable>,
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** One update from gradients keyed by parameter name (missing gradients count as zero). */
  apply(grads: Map<string, tfNs.Tensor>): void {
    const tf = this.tf;
    this.step++;
    const bc1 = 1 - this.beta1 ** this.step;
    const bc2 = Math.sqrt(1 - this.beta2 ** this.step);
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) continue;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2), this.epsilon);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), this.learningRate / bc1)));
      }
    });
  }

  state(): AdamState {
    const copy = (vars: Map<string, tfNs.Variable>) =>
      new Map([...vars].map(([name, t]) => [name, Float32Array.from(t.dataSync() as Float32Array)]));
    return { step: this.step, m: copy(this.m), v: copy(this.v) };
  }

  load(state: AdamState): void {
    for (const [which, vars] of [
      ["m", this.m],
      ["v", this.v],
    ] as const) {
      for (const [name, variable] of vars) {
        const values = state[which].get(name);
        if (!values || values.length !== variable.size)
          throw new RangeError(`optimizer state lacks ${which} for "${name}" (or its size differs)`);
        this.tf.tidy(() => variable.assign(this.tf.tensor(values, variable.shape)));
      }
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

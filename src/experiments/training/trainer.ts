/**
 * What every Adam-trained experiment's trainer shares: the step count, the parameter map and
 * its Adam state as the whole mutable state, one update per step, and `snapshot` / `restore`
 * of that state as plain arrays (for checkpoints: a restored trainer continues bit for bit).
 * A trainer extends this class and computes the gradients of its own loss.
 */
import type * as tfNs from "@tensorflow/tfjs";
import type { Adam, AdamState } from "./adam.js";
import { type ParameterValues, parameterValues, restoreParameterValues } from "./parameters.js";

type Tf = typeof tfNs;

export interface TrainerSnapshot {
  step: number;
  params: ParameterValues;
  adam: AdamState;
}

export abstract class AdamTrainer {
  step = 0;
  protected abstract readonly tf: Tf;
  abstract readonly params: Map<string, tfNs.Tensor>;
  abstract readonly adam: Adam;

  /** Applies one step's gradients (then disposes them) and advances the step. */
  protected update(grads: ReadonlyMap<string, tfNs.Tensor>): void {
    this.adam.apply(this.params, grads);
    for (const t of grads.values()) t.dispose();
    this.step++;
  }

  snapshot(): TrainerSnapshot {
    return { step: this.step, params: parameterValues(this.params), adam: this.adam.state() };
  }

  restore(snapshot: TrainerSnapshot): void {
    restoreParameterValues(this.tf, this.params, snapshot.params);
    this.adam.restore(snapshot.adam, this.params);
    this.step = snapshot.step;
  }

  dispose(): void {
    for (const t of this.params.values()) t.dispose();
    this.adam.dispose();
  }
}

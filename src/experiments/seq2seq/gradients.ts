/**
 * Gradients of a loss with respect to a named parameter map, for ordinary training and for
 * the DG-MAML-style meta-learning objective (Li et al. 2018; Conklin et al. 2021):
 *
 *   L_meta(θ) = L_train(θ) + L_test(θ′),  θ′ = θ − α ∇L_train(θ)
 *
 * one inner SGD step on a meta-train batch, then the loss of the stepped parameters on the
 * meta-test batch (inputs similar to the meta-train ones). Two gradients are offered:
 * - `first` (first-order approximation, default): ∇L_train(θ) + ∇L_test(θ′), i.e. treating
 *   dθ′/dθ as the identity (no second derivatives);
 * Loss functions must be deterministic (dropout seeded per call, not per invocation
 * count), so that L_train seen by the inner and the outer step is the same function.
 * - `second` (exact): differentiates through the inner step, ∇L_train(θ) +
 *   (I − α ∇²L_train(θ)) ∇L_test(θ′), using TensorFlow.js higher-order gradients.
 */
import type * as tfNs from "@tensorflow/tfjs";
import type { Params } from "./model.js";

type Tf = typeof tfNs;
type Tensor = tfNs.Tensor;

/** A scalar loss of the parameters. */
export type LossFn = (p: Params) => Tensor;

export interface LossAndGradients {
  loss: number;
  grads: Params;
}

function asMap(names: readonly string[], tensors: readonly Tensor[]): Params {
  return new Map(names.map((n, i) => [n, tensors[i]!]));
}

/** Loss value and its gradient with respect to every parameter (the caller disposes the grads). */
export function lossAndGradients(tf: Tf, params: Params, loss: LossFn): LossAndGradients {
  const names = [...params.keys()];
  const { value, grads } = tf.tidy(() =>
    tf.valueAndGrads((...ts: Tensor[]) => loss(asMap(names, ts)) as tfNs.Scalar)(names.map((n) => params.get(n)!)),
  );
  const lossValue = value.dataSync()[0]!;
  value.dispose();
  return { loss: lossValue, grads: asMap(names, grads) };
}

export type MetaOrder = "first" | "second";

export interface MetaGradients extends LossAndGradients {
  /** L_train(θ) and L_test(θ′); `loss` is their sum. */
  trainLoss: number;
  testLoss: number;
}

/** Gradient of L_train(θ) + L_test(θ − α∇L_train(θ)) (see the module note for the two orders). */
export function metaGradients(
  tf: Tf,
  params: Params,
  trainLoss: LossFn,
  testLoss: LossFn,
  innerLearningRate: number,
  order: MetaOrder = "first",
): MetaGradients {
  if (!(innerLearningRate > 0))
    throw new RangeError(`meta-learning inner learning rate must be > 0, got ${innerLearningRate}`);
  const names = [...params.keys()];
  const theta = names.map((n) => params.get(n)!);
  if (order === "second") {
    let trainValue = 0;
    let testValue = 0;
    const out = tf.tidy(() => {
      const objective = (...ts: Tensor[]): tfNs.Scalar => {
        const p = asMap(names, ts);
        const innerGrads = tf.grads((...us: Tensor[]) => trainLoss(asMap(names, us)) as tfNs.Scalar)(ts);
        const stepped = asMap(
          names,
          ts.map((t, i) => t.sub(innerGrads[i]!.mul(innerLearningRate))),
        );
        const lTrain = trainLoss(p);
        const lTest = testLoss(stepped);
        return tf.stack([lTrain, lTest]).sum() as tfNs.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(objective)(theta);
      // Loss functions are deterministic (fixed dropout seeds), so this repeats L_train(θ).
      return { value, grads, train: trainLoss(asMap(names, theta)) };
    });
    const total = out.value.dataSync()[0]!;
    trainValue = out.train.dataSync()[0]!;
    testValue = total - trainValue;
    out.value.dispose();
    out.train.dispose();
    return { loss: total, trainLoss: trainValue, testLoss: testValue, grads: asMap(names, out.grads) };
  }
  const inner = lossAndGradients(tf, params, trainLoss);
  const stepped = asMap(
    names,
    tf.tidy(() => theta.map((t, i) => t.sub(inner.grads.get(names[i]!)!.mul(innerLearningRate)))),
  );
  const outer = lossAndGradients(tf, stepped, testLoss);
  const grads = asMap(
    names,
    tf.tidy(() => names.map((n) => inner.grads.get(n)!.add(outer.grads.get(n)!))),
  );
  for (const t of [...inner.grads.values(), ...outer.grads.values(), ...stepped.values()]) t.dispose();
  return { loss: inner.loss + outer.loss, trainLoss: inner.loss, testLoss: outer.loss, grads };
}

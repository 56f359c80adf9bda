/**
 * Training of one sender–receiver pair (METHODS §6.1).
 *
 * Per example the receiver's loss is ce = Σ_roles cross-entropy (`roleLoss` "sum", the default)
 * or its mean over roles ("mean", the ICLR 2023 reference's, which makes the entropy bonus
 * R times stronger relative to the reward). The sender is trained by
 * REINFORCE with per-example reward −ce: its loss is mean((ce − b) · Σ_t log π(c_t)) − λ · mean(H̄),
 * where b is the baseline, H̄ the policy entropy averaged over the L steps and λ the entropy
 * coefficient. The two losses are summed and minimised with one Adam step per batch; gradients
 * reach the sender only through log π and H̄ (ce enters its loss as a constant).
 *
 * The baseline (`baseline` "exponential", the default) is an exponential running mean of the
 * batches' mean ce, b ← b + ρ (ce̅ − b) with ρ = BASELINE_RATE (the first batch sets b; 0
 * before it). "mean" is EGG's MeanBaseline, the reference's: the mean of every earlier batch's
 * mean ce, b ← b + (ce̅ − b)/k after the k-th batch (0 before the first). A cumulative mean over all earlier
 * batches (EGG's MeanBaseline) lags far behind a loss that falls quickly in a short run — in the
 * quick preset it sat ~1.5 nats above the current loss — so nearly every sampled signal got a
 * positive advantage and was reinforced, which collapsed the sender's entropy early.
 *
 * An epoch is `passesPerEpoch` shuffled passes over the training meanings (default 1): REINFORCE
 * needs many updates, and in small presets one step costs far less than evaluating the language,
 * which happens once per epoch.
 *
 * Randomness: weights from `seed`; each epoch's data order and sampling noise from a generator
 * seeded by (seed, epoch), so a run restored from its state after epoch e replays epoch e + 1
 * exactly as an uninterrupted run would.
 */
import type * as tfNs from "@tensorflow/tfjs";
import { Random } from "../../util/random.js";
import { Adam, type AdamState } from "../training/adam.js";
import { Agents, type AgentShape, gumbelNoise, initialParameters, meaningOneHot } from "./agents.js";

type TF = typeof tfNs;

export interface TrainerOptions extends AgentShape {
  seed: number;
  batchSize: number;
  learningRate: number;
  entropyCoefficient: number;
  /** Shuffled passes over the training meanings per epoch (default 1). */
  passesPerEpoch?: number;
  /** Receiver loss over roles: summed (default) or averaged (the reference's). */
  roleLoss?: "sum" | "mean";
  /** Baseline: exponential running mean (default) or EGG's running mean of all batches. */
  baseline?: "exponential" | "mean";
}

/** Weight of the newest batch in the exponential running-mean baseline. */
export const BASELINE_RATE = 0.1;

/** Everything needed to continue training exactly where it stopped. */
export interface TrainerState {
  /** Epochs completed. */
  epoch: number;
  parameters: Map<string, Float32Array>;
  optimizer: AdamState;
  baseline: { mean: number; count: number };
}

export interface EpochStats {
  /** Mean over batches of the receiver's cross-entropy (summed over roles), nats. */
  receiverLoss: number;
  /** Mean over batches of the sender's REINFORCE loss (including the entropy bonus). */
  senderLoss: number;
  /** Mean over batches of the sender's per-step policy entropy, nats. */
  senderEntropy: number;
  steps: number;
}

export interface Language {
  /** Greedy signals, N × L symbol codes. */
  signals: Int32Array;
  /** Receiver's per-role argmax on those signals, N × R atom codes. */
  predictions: Int32Array;
}

/** The generator for one epoch's data order and noise. */
export function epochRandom(seed: number, epoch: number): Random {
  return new Random((Math.imul(seed ^ 0x2545f491, 0x9e3779b1) + Math.imul(epoch + 1, 0x85ebca77)) | 0);
}

export class Trainer {
  readonly agents: Agents;
  private readonly adam: Adam;
  private readonly stopGradient: (x: tfNs.Tensor) => tfNs.Tensor;
  private readonly M: number;
  epoch = 0;
  baseline = { mean: 0, count: 0 };

  constructor(
    private readonly tf: TF,
    readonly options: TrainerOptions,
    /** All meanings, N × R atom codes. */
    private readonly meanings: Int32Array,
    state?: TrainerState,
  ) {
    this.M = options.atoms.reduce((a, b) => a + b, 0);
    this.agents = new Agents(tf, options, state?.parameters ?? initialParameters(options, options.seed));
    this.adam = new Adam(tf, { learningRate: options.learningRate, form: "pytorch" });
    if (state) {
      this.adam.restore(state.optimizer, this.agents.variables);
      this.epoch = state.epoch;
      this.baseline = { ...state.baseline };
    }
    this.stopGradient = tf.customGrad((x) => ({
      value: (x as tfNs.Tensor).clone(),
      gradFunc: (dy: tfNs.Tensor) => tf.zerosLike(dy),
    }));
  }

  /**
   * Trains one epoch: `passesPerEpoch` passes over `train` (meaning indices), each in a fresh
   * shuffled order split into batches (a pass's last batch may be smaller).
   */
  trainEpoch(train: Int32Array): EpochStats {
    const rng = epochRandom(this.options.seed, this.epoch + 1);
    const B = this.options.batchSize;
    const totals = { receiverLoss: 0, senderLoss: 0, senderEntropy: 0, steps: 0 };
    for (let pass = 0; pass < (this.options.passesPerEpoch ?? 1); pass++) {
      const order = rng.permutation(train.length);
      for (let start = 0; start < train.length; start += B) {
        const rows = Array.from(order.subarray(start, Math.min(start + B, train.length)), (k) => train[k]!);
        const s = this.step(rows, rng);
        totals.receiverLoss += s.receiverLoss;
        totals.senderLoss += s.senderLoss;
        totals.senderEntropy += s.senderEntropy;
        totals.steps++;
      }
    }
    this.epoch++;
    const n = totals.steps;
    return {
      receiverLoss: totals.receiverLoss / n,
      senderLoss: totals.senderLoss / n,
      senderEntropy: totals.senderEntropy / n,
      steps: n,
    };
  }

  /** One optimisation step on the given meanings. */
  step(rows: readonly number[], rng: Random): Omit<EpochStats, "steps"> {
    const tf = this.tf;
    const { signalLength: L, alphabetSize: C, entropyCoefficient } = this.options;
    const B = rows.length;
    const x = tf.tensor2d(meaningOneHot(this.meanings, this.options.atoms, rows), [B, this.M]);
    const noiseValues = gumbelNoise(rng, L * B * C);
    const noise = Array.from({ length: L }, (_, t) =>
      tf.tensor2d(noiseValues.subarray(t * B * C, (t + 1) * B * C), [B, C]),
    );
    const baseline = this.baseline.mean;
    let kept: tfNs.Scalar[] = [];
    const variables = [...this.agents.variables.values()];
    const { value, grads } = tf.variableGrads(() => {
      const sent = this.agents.sender(x, noise);
      const logits = this.agents.receiver(sent.symbols, sent.reads);
      const summed = tf.neg(tf.sum(tf.mul(x, this.agents.roleLogProbs(logits)), 1));
      const ce = this.options.roleLoss === "mean" ? tf.div(summed, this.options.atoms.length) : summed;
      const advantage = tf.sub(this.stopGradient(ce), baseline);
      const entropy = tf.mean(sent.entropy);
      const senderLoss = tf.sub(tf.mean(tf.mul(advantage, sent.logProb)), tf.mul(entropy, entropyCoefficient));
      const receiverLoss = tf.mean(ce);
      kept = [tf.keep(receiverLoss), tf.keep(senderLoss), tf.keep(entropy)] as tfNs.Scalar[];
      return tf.add(receiverLoss, senderLoss) as tfNs.Scalar;
    }, variables);
    const byName = new Map<string, tfNs.Tensor>();
    for (const [name, v] of this.agents.variables) {
      const g = grads[v.name];
      if (g) byName.set(name, g);
    }
    this.adam.apply(this.agents.variables, byName);
    const [receiverLoss, senderLoss, senderEntropy] = kept.map((t) => t.dataSync()[0]!) as [number, number, number];
    tf.dispose([x, ...noise, value, ...Object.values(grads), ...kept]);
    this.baseline.count++;
    const rate = this.options.baseline === "mean" ? 1 / this.baseline.count : BASELINE_RATE;
    this.baseline.mean =
      this.baseline.count === 1 ? receiverLoss : this.baseline.mean + rate * (receiverLoss - this.baseline.mean);
    return { receiverLoss, senderLoss, senderEntropy };
  }

  /** Greedy signals for every meaning and the receiver's reading of them. */
  language(chunk = this.options.batchSize): Language {
    const tf = this.tf;
    const R = this.options.atoms.length;
    const L = this.options.signalLength;
    const N = this.meanings.length / R;
    const signals = new Int32Array(N * L);
    const predictions = new Int32Array(N * R);
    for (let start = 0; start < N; start += chunk) {
      const rows = Array.from({ length: Math.min(chunk, N - start) }, (_, k) => start + k);
      const [sig, pred] = tf.tidy(() => {
        const x = tf.tensor2d(meaningOneHot(this.meanings, this.options.atoms, rows), [rows.length, this.M]);
        const sent = this.agents.sender(x);
        return [tf.stack(sent.choices, 1), this.agents.predictions(this.agents.receiver(sent.symbols, sent.reads))];
      });
      // With zeroEndsMessage the measures still see all L emitted symbols, as the reference
      // analyser does (it drops only EGG's appended 0, even after an earlier 0 the receiver
      // never read past).
      signals.set(sig!.dataSync() as Int32Array, start * L);
      predictions.set(pred!.dataSync() as Int32Array, start * R);
      tf.dispose([sig!, pred!]);
    }
    return { signals, predictions };
  }

  state(): TrainerState {
    return {
      epoch: this.epoch,
      parameters: this.agents.values(),
      optimizer: this.adam.state(),
      baseline: { ...this.baseline },
    };
  }

  dispose(): void {
    this.agents.dispose();
    this.adam.dispose();
  }
}

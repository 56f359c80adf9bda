/**
 * Training of the causal language model on a token stream with a deterministic schedule, so
 * a run restored from a checkpoint continues exactly: the batch of step s is `batchSize`
 * windows of `context + 1` tokens starting at positions drawn uniformly with a generator
 * seeded by (seed, s), and dropout at step s is seeded by (seed, s). Adam (the "paper" form,
 * as the seq2seq trainer) over the parameter map; parameters and Adam state are the whole
 * mutable state (`snapshot` / `restore`).
 */
import type * as tfNs from "@tensorflow/tfjs";
import { Random } from "../../util/random.js";
import { Adam } from "../training/adam.js";
import { AdamTrainer } from "../training/trainer.js";
import { lossAndGradients } from "../seq2seq/gradients.js";
import { DropoutSeeds, type Params } from "../seq2seq/model.js";
import { mixSeed } from "../seq2seq/trainer.js";
import { initLmParameters, languageModelLoss, type LmModelConfig } from "./model.js";

type Tf = typeof tfNs;

export interface LmTrainConfig {
  seed: number;
  /** Windows per step. */
  batchSize: number;
  /** Tokens each position may attend to (a window is context + 1 tokens). */
  context: number;
  learningRate: number;
}

export class LmTrainer extends AdamTrainer {
  readonly params: Params;
  readonly adam: Adam;

  constructor(
    protected readonly tf: Tf,
    readonly model: LmModelConfig,
    readonly config: LmTrainConfig,
    /** The training text's token ids, one stream. */
    private readonly tokens: Int32Array,
  ) {
    super();
    const { seed, batchSize, context, learningRate } = config;
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(context) || context < 1)
      throw new RangeError(`context must be a positive integer, got ${context}`);
    if (tokens.length < context + 1)
      throw new RangeError(`the training text has ${tokens.length} tokens, fewer than one window of ${context + 1}`);
    if (!(learningRate > 0 && learningRate < 1))
      throw new RangeError(`learning rate must be in (0, 1), got ${learningRate}`);
    this.params = initLmParameters(tf, model, seed);
    this.adam = new Adam(tf, { learningRate, form: "paper" });
  }

  /** Window starts of step s. */
  windowStarts(step: number): Int32Array {
    const rng = new Random(mixSeed(this.config.seed, 0x1a7e, step));
    const span = this.tokens.length - this.config.context;
    return Int32Array.from({ length: this.config.batchSize }, () => rng.int(span));
  }

  /** The windows of step s, row-major [batchSize, context + 1]. */
  windows(step: number): Int32Array {
    const w = this.config.context + 1;
    const out = new Int32Array(this.config.batchSize * w);
    this.windowStarts(step).forEach((start, i) => out.set(this.tokens.subarray(start, start + w), i * w));
    return out;
  }

  /** One optimisation step; returns its training loss (mean next-token cross-entropy, nats). */
  trainStep(): number {
    const tf = this.tf;
    const windows = this.windows(this.step);
    const seed = mixSeed(this.config.seed, this.step, 1);
    const { loss, grads } = lossAndGradients(tf, this.params, (p) =>
      languageModelLoss(
        { tf, p, c: this.model, dropout: new DropoutSeeds(seed) },
        tf.tensor(windows, [this.config.batchSize, this.config.context + 1], "int32"),
      ),
    );
    this.update(grads);
    return loss;
  }
}

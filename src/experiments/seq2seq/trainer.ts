/**
 * Training of the seq2seq transformer, ordinary or meta-learned, with a deterministic
 * schedule so a run restored from a checkpoint continues exactly:
 * - the batch of step s comes from the permutation of epoch ⌊s / stepsPerEpoch⌋, seeded
 *   by (seed, epoch); no generator state needs saving;
 * - dropout at step s is seeded by (seed, s);
 * - the meta-test partners of each meta-train example are drawn (with replacement) from its
 *   k nearest training inputs by edit distance with probability softmax(−distance / τ)
 *   (DG-MAML as in Conklin et al. 2021), with a generator seeded by (seed, s).
 * Parameters and Adam state are the whole mutable state (see `snapshot` / `restore`).
 */
import type * as tfNs from "@tensorflow/tfjs";
import { Random } from "../../util/random.js";
import { Adam } from "../training/adam.js";
import { AdamTrainer, type TrainerSnapshot } from "../training/trainer.js";
import { selectRows, trimPadding, type EncodedExamples } from "./encoding.js";
import { lossAndGradients, metaGradients, type LossFn, type MetaOrder } from "./gradients.js";
import { drawWeighted, partnerWeights, type NeighbourList } from "./neighbours.js";
import {
  DropoutSeeds,
  initParameters,
  sequenceLoss,
  validateModelConfig,
  type ModelConfig,
  type Params,
} from "./model.js";

type Tf = typeof tfNs;

export interface MetaConfig {
  /** Inner SGD step size α. */
  innerLearningRate: number;
  order: MetaOrder;
  /** Nearest training inputs (by edit distance) each meta-test partner is drawn from (k). */
  neighbours: number;
  /** Meta-test partners per meta-train example (default 1). */
  partners?: number;
  /** τ of the partner distribution softmax(−distance / τ) (default 1). */
  temperature?: number;
}

export interface TrainConfig {
  seed: number;
  batchSize: number;
  learningRate: number;
  meta?: MetaConfig;
}

export type { TrainerSnapshot };

/** A 32-bit seed mixed from integers (platform independent). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h | 0;
}

export class Seq2seqTrainer extends AdamTrainer {
  readonly params: Params;
  readonly adam: Adam;
  private epochOrder: { epoch: number; order: Int32Array } | undefined;
  readonly stepsPerEpoch: number;

  constructor(
    protected readonly tf: Tf,
    readonly model: ModelConfig,
    readonly config: TrainConfig,
    private readonly data: EncodedExamples,
    /** Meta-test candidates per training row (required with `config.meta`). */
    private readonly neighbours?: readonly NeighbourList[],
  ) {
    super();
    validateModelConfig(model);
    validateTrainConfig(config, data.n);
    if (config.meta && (!neighbours || neighbours.length !== data.n)) {
      throw new RangeError(`meta-learning needs a neighbour list for each of the ${data.n} training rows`);
    }
    this.stepsPerEpoch = Math.floor(data.n / config.batchSize);
    this.params = initParameters(tf, model, config.seed);
    this.adam = new Adam(tf, { learningRate: config.learningRate, form: "paper" });
  }

  /** Training rows of step s. */
  batchIndices(step: number): Int32Array {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (this.epochOrder?.epoch !== epoch) {
      this.epochOrder = {
        epoch,
        order: new Random(mixSeed(this.config.seed, 0xba7c4, epoch)).permutation(this.data.n),
      };
    }
    const start = (step % this.stepsPerEpoch) * this.config.batchSize;
    return this.epochOrder.order.slice(start, start + this.config.batchSize);
  }

  /**
   * Meta-test rows of step s: `partners` per meta-train row (row-major), each drawn from the
   * row's neighbours with probability softmax(−distance / τ); the row itself if it has none.
   */
  metaTestIndices(step: number, trainRows: Int32Array): Int32Array {
    const rng = new Random(mixSeed(this.config.seed, 0x3e7a, step));
    const partners = this.config.meta?.partners ?? 1;
    const temperature = this.config.meta?.temperature ?? 1;
    const out = new Int32Array(trainRows.length * partners);
    trainRows.forEach((r, i) => {
      const list = this.neighbours![r]!;
      const weights = list.indices.length ? partnerWeights(list.distances, temperature) : null;
      for (let j = 0; j < partners; j++)
        out[i * partners + j] = weights ? list.indices[drawWeighted(weights, rng.uniform())]! : r;
    });
    return out;
  }

  private lossOn(rows: Int32Array, dropoutSeed: number): LossFn {
    const tf = this.tf;
    const batch = trimPadding(selectRows(this.data, rows));
    return (p: Params) => {
      const src = tf.tensor(batch.src, [batch.n, batch.srcLength], "int32");
      const tgt = tf.tensor(batch.tgt, [batch.n, batch.tgtLength], "int32");
      return sequenceLoss({ tf, p, c: this.model, dropout: new DropoutSeeds(dropoutSeed) }, src, tgt);
    };
  }

  /** One optimisation step; returns the training loss (for meta-learning: L_train + L_test). */
  trainStep(): { loss: number; trainLoss: number; testLoss?: number } {
    const rows = this.batchIndices(this.step);
    const meta = this.config.meta;
    let result: { loss: number; trainLoss: number; testLoss?: number };
    let grads: Params;
    if (meta) {
      const testRows = this.metaTestIndices(this.step, rows);
      const g = metaGradients(
        this.tf,
        this.params,
        this.lossOn(rows, mixSeed(this.config.seed, this.step, 1)),
        this.lossOn(testRows, mixSeed(this.config.seed, this.step, 2)),
        meta.innerLearningRate,
        meta.order,
      );
      grads = g.grads;
      result = { loss: g.loss, trainLoss: g.trainLoss, testLoss: g.testLoss };
    } else {
      const g = lossAndGradients(this.tf, this.params, this.lossOn(rows, mixSeed(this.config.seed, this.step, 1)));
      grads = g.grads;
      result = { loss: g.loss, trainLoss: g.loss };
    }
    this.update(grads);
    return result;
  }
}

export function validateTrainConfig(c: TrainConfig, trainRows: number): void {
  if (!Number.isInteger(c.seed)) throw new RangeError(`seed must be an integer, got ${c.seed}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1)
    throw new RangeError(`batch size must be a positive integer, got ${c.batchSize}`);
  if (c.batchSize > trainRows)
    throw new RangeError(`batch size ${c.batchSize} exceeds the ${trainRows} training examples`);
  if (!(c.learningRate > 0 && c.learningRate < 1))
    throw new RangeError(`learning rate must be in (0, 1), got ${c.learningRate}`);
  if (c.meta) {
    if (!(c.meta.innerLearningRate > 0))
      throw new RangeError(`meta inner learning rate must be > 0, got ${c.meta.innerLearningRate}`);
    if (!Number.isInteger(c.meta.neighbours) || c.meta.neighbours < 1)
      throw new RangeError(`meta neighbours must be a positive integer, got ${c.meta.neighbours}`);
    if (c.meta.partners !== undefined && !(Number.isInteger(c.meta.partners) && c.meta.partners >= 1))
      throw new RangeError(`meta partners must be a positive integer, got ${c.meta.partners}`);
    if (c.meta.temperature !== undefined && !(c.meta.temperature > 0))
      throw new RangeError(`meta temperature must be > 0, got ${c.meta.temperature}`);
    if (c.meta.order !== "first" && c.meta.order !== "second")
      throw new RangeError(`meta order must be "first" or "second", got "${String(c.meta.order)}"`);
  }
}

/**
 * Bootstrap confidence intervals over batches (METHODS §5). `PartitionedAccumulator`
 * keeps one partial accumulator per group of batches (the resampling unit) and reports the
 * merged result; `bootstrapIntervals` redraws the groups with replacement (seeded), adds
 * each drawn group's counts with its multiplicity, and reports percentile intervals for
 * every structure measure. Counting estimators only (soft, hard, binned): their states add.
 */
import { Random } from "../util/random.js";
import type { LabelSets, RowBatch } from "./batch.js";
import type { AccumulatorJson, EntropyAccumulator, EntropyEstimate } from "./accumulator.js";
import { requireCounting, type CountingAccumulator } from "./counting.js";
import { structureMeasures, type MeasureRow } from "./measures.js";

export class PartitionedAccumulator implements EntropyAccumulator {
  readonly parts: CountingAccumulator[] = [];
  private batchesInLast = 0;
  /** Rows handed to update so far (including batches still in flight), and where each part began. */
  private rowsHanded = 0;
  private readonly partStarts = new Map<CountingAccumulator, number>();
  private readonly template: CountingAccumulator;

  /** `template` is an empty accumulator; each part is a fresh copy of it. */
  constructor(
    template: EntropyAccumulator,
    private readonly batchesPerPart = 1,
  ) {
    this.template = requireCounting(template, "bootstrap over batches");
    if (this.template.state.rows > 0) throw new RangeError("the bootstrap template accumulator must be empty");
    if (!Number.isInteger(batchesPerPart) || batchesPerPart < 1)
      throw new RangeError(`batchesPerPart must be a positive integer, got ${batchesPerPart}`);
  }

  get estimator() {
    return this.template.estimator;
  }

  get d() {
    return this.template.d;
  }

  async update(rows: RowBatch, labelSets?: LabelSets): Promise<void> {
    if (this.parts.length === 0 || this.batchesInLast === this.batchesPerPart) {
      const fresh = this.template.emptyCopy();
      this.parts.push(fresh);
      this.partStarts.set(fresh, this.rowsHanded);
      this.batchesInLast = 0;
    }
    // Claim the batch's place before awaiting: callers hand batch k + 1 over before batch k is
    // done, and each batch must land in the part its hand-over order gives it.
    this.batchesInLast++;
    const index = this.parts.length - 1;
    const part = this.parts[index]!;
    this.rowsHanded += rows instanceof Float32Array ? rows.length / this.d : rows.shape[0];
    try {
      await part.update(rows, labelSets);
    } catch (error) {
      // Row numbers in errors are per part; say where the part starts.
      if (error instanceof Error) error.message += ` (part ${index} starts at row ${this.partStarts.get(part) ?? 0})`;
      throw error;
    }
  }

  /** All parts merged into one accumulator (with the per-row records, if kept). */
  merged(): CountingAccumulator {
    const out = this.template.emptyCopy();
    for (const part of this.parts) out.merge(part);
    return out;
  }

  merge(other: EntropyAccumulator): this {
    if (!(other instanceof PartitionedAccumulator))
      throw new RangeError("a partitioned accumulator merges only with another partitioned accumulator");
    this.merged().merge(other.merged()); // checks compatibility
    this.parts.push(...other.parts.map((p) => p.clone()));
    this.batchesInLast = this.batchesPerPart;
    this.rowsHanded = this.parts.reduce((a, p) => a + p.state.rowsSeen, 0);
    return this;
  }

  clone(): PartitionedAccumulator {
    const copy = new PartitionedAccumulator(this.template, this.batchesPerPart);
    copy.parts.push(...this.parts.map((p) => p.clone()));
    copy.batchesInLast = this.batchesPerPart;
    copy.rowsHanded = copy.parts.reduce((a, p) => a + p.state.rowsSeen, 0);
    return copy;
  }

  /** The merged state, with each part's state under `parts` (accumulatorFromJSON restores the merged one). */
  toJSON(): AccumulatorJson {
    return { ...this.merged().toJSON(), parts: this.parts.map((p) => p.toJSON()) };
  }

  result(): EntropyEstimate {
    return this.merged().result();
  }

  parameters(): Record<string, unknown> {
    return { ...this.template.parameters(), bootstrapParts: this.parts.length, batchesPerPart: this.batchesPerPart };
  }
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  /** Central coverage of the interval (default 0.95). */
  level?: number;
  /**
   * "basic" (default): [2θ̂ − q_hi, 2θ̂ − q_lo], which corrects for the upward bias that
   * resampling with replacement gives plug-in entropies and informations (duplicated batches
   * look more structured); "percentile": [q_lo, q_hi] of the resampled values.
   */
  method?: "basic" | "percentile";
}

export interface MeasureInterval extends MeasureRow {
  lower: number;
  upper: number;
  /** Standard deviation over resamples. */
  sd: number;
  /** Mean of the resampled values minus the point estimate. */
  bias: number;
}

export function bootstrapIntervals(
  partitioned: PartitionedAccumulator,
  options: BootstrapOptions = {},
): MeasureInterval[] {
  const resamples = options.resamples ?? 200;
  const level = options.level ?? 0.95;
  const random = new Random(options.seed ?? 0);
  const parts = partitioned.parts;
  if (parts.length < 2) throw new RangeError(`bootstrap over batches needs at least 2 parts, got ${parts.length}`);
  const point = structureMeasures(partitioned.merged());
  const key = (r: MeasureRow) => `${r.labelSet ?? ""}\u0000${r.measure}\u0000${r.correction ?? ""}`;
  const samples = new Map(point.map((r) => [key(r), [] as number[]]));
  const multiplicity = new Float64Array(parts.length);
  for (let r = 0; r < resamples; r++) {
    multiplicity.fill(0);
    for (let i = 0; i < parts.length; i++) multiplicity[random.int(parts.length)]! += 1;
    const acc = parts[0]!.clone();
    acc.state = acc.state.emptyLike();
    parts.forEach((p, i) => {
      if (multiplicity[i]! > 0) acc.state.add(p.state, multiplicity[i]!, false);
    });
    for (const row of structureMeasures(acc)) samples.get(key(row))?.push(row.value);
  }
  const tail = (1 - level) / 2;
  const basic = (options.method ?? "basic") === "basic";
  return point.map((row) => {
    const values = Float64Array.from(samples.get(key(row))!).sort();
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
    const qLo = quantile(values, tail);
    const qHi = quantile(values, 1 - tail);
    const [lower, upper] = basic ? [2 * row.value - qHi, 2 * row.value - qLo] : [qLo, qHi];
    return { ...row, lower, upper, sd, bias: mean - row.value };
  });
}

/** Linear-interpolation quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

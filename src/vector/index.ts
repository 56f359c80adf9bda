/** Vector-space entropy (METHODS §4–§5): estimators, accumulators, structure measures. */
export * from "./accumulator.js";
export * from "./batch.js";
export { VectorInputError } from "./errors.js";
export * from "./create.js";
export * from "./accumulatorBase.js";
export { AnchorAccumulator, argmaxRows } from "./anchorAccumulator.js";
export { BinnedAccumulator, RangeFinder, type BinRanges, type BinnedOptions } from "./binned.js";
export { GaussianAccumulator, gaussianEntropy } from "./gaussian.js";
export {
  KnnAccumulator,
  kozachenkoLeonenko,
  ksgMutualInformation,
  discreteContinuousMI,
  lnUnitBallVolume,
} from "./knn.js";
export type { LabelSetEstimate } from "./countEstimate.js";
export * from "./measures.js";
export * from "./permutationNull.js";
export * from "./bootstrap.js";
export { isCounting, type CountingAccumulator } from "./counting.js";
export * from "./anchors.js";
export * from "./temperature.js";
export * from "./stream.js";
export * from "./entropyJob.js";
export * from "./shownMeasures.js";

/** The accumulators whose state is a CountState (soft, hard, binned): they support nulls and bootstraps. */
import type { EntropyAccumulator } from "./accumulator.js";
import type { CountState } from "./countState.js";
import type { Weighting } from "../info/index.js";

export interface CountingAccumulator extends EntropyAccumulator {
  state: CountState;
  readonly minCount: number;
  readonly weighting: Weighting;
  clone(): CountingAccumulator;
  /** An empty accumulator with the same parameters, keeping per-row records if this one does. */
  emptyCopy(): CountingAccumulator;
}

export function isCounting(acc: EntropyAccumulator): acc is CountingAccumulator {
  return acc.estimator === "soft" || acc.estimator === "hard" || acc.estimator === "binned";
}

export function requireCounting(acc: EntropyAccumulator, what: string): CountingAccumulator {
  if (!isCounting(acc))
    throw new RangeError(`${what} needs a counting estimator (soft, hard or binned), not ${acc.estimator}`);
  return acc;
}

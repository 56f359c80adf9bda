/** The accumulators whose state is a CountState (soft, hard, binned): they support nulls and bootstraps. */
import type { EntropyAccumulator } from "./accumulator.js";
import type { CountState } from "./countState.js";
import type { Weighting } from "../info/index.js";
import { ESTIMATORS, estimatorSpec, registeredEstimators } from "./registry.js";

export interface CountingAccumulator extends EntropyAccumulator {
  state: CountState;
  readonly minCount: number;
  readonly weighting: Weighting;
  clone(): CountingAccumulator;
  /** An empty accumulator with the same parameters, keeping per-row records if this one does. */
  emptyCopy(): CountingAccumulator;
}

/** Whether the accumulator's estimator is registered as counting (read from the registry). */
export function isCounting(acc: EntropyAccumulator): acc is CountingAccumulator {
  return ESTIMATORS.includes(acc.estimator) && estimatorSpec(acc.estimator).counting && "state" in acc;
}

export function requireCounting(acc: EntropyAccumulator, what: string): CountingAccumulator {
  if (!isCounting(acc)) {
    const counting = registeredEstimators()
      .filter((s) => s.counting)
      .map((s) => s.name);
    throw new RangeError(`${what} needs a counting estimator (${counting.join(", ")}), not ${acc.estimator}`);
  }
  return acc;
}

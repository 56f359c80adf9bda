/**
 * Accuracy helpers for referential/reconstruction games: predicted vs target atom codes,
 * both row-major N × R (one code per role per example).
 */

export interface GameAccuracy {
  /** Fraction of examples with every role correct. */
  allCorrect: number;
  /** Fraction of examples with role r correct, per role. */
  perRole: number[];
  /** Mean of perRole (the fraction of correct role predictions). */
  meanRole: number;
  examples: number;
}

/**
 * Accuracy of predicted atom codes against targets over `roles` roles.
 * Throws RangeError for mismatched shapes or no examples (an accuracy of nothing is undefined).
 */
export function gameAccuracy(predicted: ArrayLike<number>, target: ArrayLike<number>, roles: number): GameAccuracy {
  if (!Number.isInteger(roles) || roles < 1) throw new RangeError(`roles must be a positive integer, got ${roles}`);
  if (predicted.length !== target.length) {
    throw new RangeError(`predicted holds ${predicted.length} codes but target holds ${target.length}`);
  }
  if (target.length % roles !== 0)
    throw new RangeError(`${target.length} codes do not make whole examples of ${roles} roles`);
  const examples = target.length / roles;
  if (examples === 0) throw new RangeError("accuracy of zero examples is undefined");
  const correctPerRole = new Float64Array(roles);
  let allCorrect = 0;
  for (let i = 0; i < examples; i++) {
    let all = true;
    for (let r = 0; r < roles; r++) {
      if (predicted[i * roles + r] === target[i * roles + r]) correctPerRole[r]! += 1;
      else all = false;
    }
    if (all) allCorrect++;
  }
  const perRole = Array.from(correctPerRole, (c) => c / examples);
  return {
    allCorrect: allCorrect / examples,
    perRole,
    meanRole: perRole.reduce((a, b) => a + b, 0) / roles,
    examples,
  };
}

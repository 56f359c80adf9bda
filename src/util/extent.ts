/**
 * Smallest and largest of a list by a loop: `Math.min(...values)` passes every value as an
 * argument and overflows the call stack beyond about 100,000 values.
 */

/** The smallest value; Infinity for an empty list (as Math.min()). */
export function minimum(values: ArrayLike<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! < min || Number.isNaN(values[i]!)) min = values[i]!;
  return min;
}

/** The largest value; −Infinity for an empty list (as Math.max()). */
export function maximum(values: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > max || Number.isNaN(values[i]!)) max = values[i]!;
  return max;
}

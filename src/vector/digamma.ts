/** The digamma function ψ(x) = d/dx ln Γ(x), for x > 0 (k-NN estimators). */
export function digamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`digamma needs a finite x > 0, got ${x}`);
  // Shift up with ψ(x) = ψ(x + 1) − 1/x, then the asymptotic series (error < 1e-15 for x ≥ 10).
  let result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  const series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))));
  return result + Math.log(x) - 1 / (2 * x) - series;
}

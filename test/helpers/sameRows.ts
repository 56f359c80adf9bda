/** Test helper: two run folders' rows are the same rows in the same order (values to 1e-9 relative). */
import { expect } from "vitest";
import type { ResultRow } from "../../src/io/runFolder.js";

export function expectSameRows(actual: readonly ResultRow[], expected: readonly ResultRow[]): void {
  expect(actual.length).toBe(expected.length);
  expect(expected.length).toBeGreaterThan(0);
  for (let i = 0; i < expected.length; i++) {
    const { value: a, ...ca } = actual[i]!;
    const { value: b, ...cb } = expected[i]!;
    expect(ca, `row ${i}`).toEqual(cb);
    if (typeof b === "number" && typeof a === "number")
      expect(Math.abs(a - b), `row ${i} ${JSON.stringify(cb)}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    else expect(a).toBe(b);
  }
}

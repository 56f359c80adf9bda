/** Every registered estimator through the generic contract (test/helpers/estimatorContract.ts). */
import { describe, expect, it } from "vitest";
import { ESTIMATORS, registeredEstimators } from "../src/vector/index.js";
import { describeEstimatorContract } from "./helpers/estimatorContract.js";

describe("the registry", () => {
  it("holds the five built-in estimators, in order, each once", () => {
    expect([...ESTIMATORS]).toEqual(["soft", "hard", "binned", "gaussian", "knn"]);
    expect(registeredEstimators().map((s) => s.name)).toEqual([...ESTIMATORS]);
  });
});

const names = registeredEstimators().map((s) => s.name);
for (const name of names) describeEstimatorContract(name);

it("the contract ran for every registered estimator", () => {
  expect(names).toHaveLength(5);
});

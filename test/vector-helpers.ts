/** Shared generators for the vector-engine tests (not a test file itself); they live in src so benches share them. */
export {
  clusteredRows,
  clustersWithRowsPerValue,
  feedInBatches,
  gaussianRows,
  independentLabels,
} from "../src/vector/syntheticRows.js";

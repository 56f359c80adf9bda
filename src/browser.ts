/**
 * glossa's browser-safe API (`import ... from "glossa/browser"`): the maths only —
 * discrete information theory, discrete mapping measures, vector-space estimators with
 * the TypeScript compute back end, seeded randomness and statistics. No Node built-ins.
 */
export * from "./info/index.js";
export * from "./mapping/types.js";
export * from "./mapping/table.js";
export * from "./mapping/variation.js";
export * from "./mapping/wordOrder.js";
export * from "./mapping/meaningSpace.js";
export * from "./mapping/synthetic.js";
export * from "./mapping/topsim.js";
export * from "./mapping/disentanglement.js";
export * from "./mapping/residualEntropy.js";
export * from "./mapping/contextIndependence.js";
export * from "./mapping/accuracy.js";
export {
  measureMapping,
  MEASURE_NAMES as MAPPING_MEASURE_NAMES,
  type MappingMeasures,
  type MeasureOptions as MappingMeasureOptions,
} from "./mapping/measureAll.js";
export * from "./vector/index.js";
export * from "./compute/ts.js";
export * from "./stats/correlation.js";
export * from "./stats/multipleComparisons.js";
export * from "./labels/ngrams.js";
export { Random } from "./util/random.js";

/**
 * glossa's library API for Node: everything in ./browser.js plus file I/O, the fast
 * onnxruntime compute back end, run folders and reports.
 */
export * from "./browser.js";
export { createAccumulatorNode } from "./vector/create.node.js";
export { topographicSimilarityParallel } from "./mapping/topsimParallel.js";
export * from "./io/errors.js";
export * from "./io/npyFormat.js";
export { readNpy, writeNpy, NpyRowReader, NpyRowWriter, withNpyRows, type RowBatch as NpyRowBatch } from "./io/npy.js";
export * from "./io/safetensors.js";
export * from "./io/mappingFile.js";
export * from "./io/runFolder.js";
export * from "./report/plot.js";
export * from "./report/html.js";

/**
 * Child process of bench (c): streams a .npy file through soft entropy (onnx back end) with
 * two Zipf label sets and prints one JSON line with its peak RSS (resourceUsage().maxRSS).
 */
import { NpyRowReader } from "../io/npy.js";
import { onnxBackend } from "../compute/onnx.js";
import { accumulateBatches, createAccumulator } from "../vector/index.js";
import { zipfLabels } from "./vectorData.js";

const [file, threads] = process.argv.slice(2);
const reader = NpyRowReader.open(file!);
const labels = { small: zipfLabels(reader.rows, 5000, 1), large: zipfLabels(reader.rows, 50000, 2) };
const acc = createAccumulator({
  d: reader.width,
  n: 100,
  seed: 0,
  calibration: "bound",
  backend: onnxBackend({ threads: Number(threads) }),
});
const start = performance.now();
await accumulateBatches(acc, reader.readAhead(4096), { labels }); // as glossa entropy reads
const seconds = (performance.now() - start) / 1000;
const result = acc.result();
reader.close();
console.log(
  JSON.stringify({
    rows: result.rows,
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    entropy: result.entropy,
  }),
);

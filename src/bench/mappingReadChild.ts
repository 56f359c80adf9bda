/**
 * Child process of the mapping-file benchmark: reads one mapping file and prints one JSON
 * line with the time, the rows, and the peak RSS of this process (resourceUsage().maxRSS),
 * then the time of topsim over the default sample of pairs.
 */
import { readMappingFile } from "../io/mappingFile.js";
import { topographicSimilarity } from "../mapping/topsim.js";
import { DEFAULT_SAMPLED_PAIRS } from "../mapping/topsimSample.js";

const [file] = process.argv.slice(2);
const start = performance.now();
const { mapping, report } = await readMappingFile(file!);
const seconds = (performance.now() - start) / 1000;
const maxRssMB = process.resourceUsage().maxRSS / 1024;
const topsimStart = performance.now();
const topsim = topographicSimilarity(mapping, { samplePairs: DEFAULT_SAMPLED_PAIRS });
const topsimSeconds = (performance.now() - topsimStart) / 1000;
console.log(
  JSON.stringify({
    rows: mapping.size,
    roles: mapping.roles.length,
    length: mapping.length,
    alphabet: report.alphabet.size,
    seconds,
    maxRssMB,
    topsimPairs: topsim.pairs,
    topsimSeconds,
  }),
);

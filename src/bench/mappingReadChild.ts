/**
 * Child process of the mapping-file benchmark: reads one mapping file and prints one JSON
 * line with the time, the rows, and the peak RSS of this process (resourceUsage().maxRSS).
 */
import { readMappingFile } from "../io/mappingFile.js";

const [file] = process.argv.slice(2);
const start = performance.now();
const { mapping, report } = await readMappingFile(file!);
const seconds = (performance.now() - start) / 1000;
console.log(
  JSON.stringify({
    rows: mapping.size,
    roles: mapping.roles.length,
    length: mapping.length,
    alphabet: report.alphabet.size,
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);

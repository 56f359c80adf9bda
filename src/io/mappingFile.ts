/**
 * Mapping files: meanings → signals, one example per line.
 *
 * - TSV / CSV with a header: one column per role and one signal column (default "signal").
 *   A signal cell is space-separated symbols ("12 7 0") or, when no signal in the file
 *   contains a space, a plain string of one-character symbols ("abba").
 * - JSONL: {"meaning": [...] or {...}, "signal": [...] or "..."} per line. An array meaning
 *   names its roles role1, role2, …; an object meaning uses its keys (the same on every line).
 *
 * Signals of different lengths are padded on the right with the pad symbol (default "<pad>"),
 * which then is an ordinary symbol of the alphabet (METHODS §3.1). The alphabet is the set
 * of observed symbols unless declared (a size K, or a list of symbols): the ln|C| normalisers
 * count the declared alphabet, used or not. Atoms are the values observed in each role column.
 *
 * Files are read line by line (textFile.ts) into integer codes (mappingRows.ts): tens of
 * millions of rows fit in memory proportional to the data.
 *
 * I/O only: this module builds a DiscreteMapping and reports how; it computes no measure.
 * Reading and writing files is here (Node); parsing and formatting, pure, in mappingParse.ts.
 */
import { open } from "node:fs/promises";
import type { DiscreteMapping } from "../mapping/types.js";
import {
  formatFromPath,
  type MappingFileResult,
  MappingFileReader,
  type MappingFormat,
  mappingLines,
  type ReadMappingOptions,
} from "./mappingParse.js";
import { unwritableFileError } from "./systemError.js";
import { readTextLines } from "./textFile.js";

export * from "./mappingParse.js";

/** Reads a mapping file (see the module comment), streaming it line by line. */
export async function readMappingFile(file: string, options: ReadMappingOptions = {}): Promise<MappingFileResult> {
  const reader = new MappingFileReader(file, { ...options, format: options.format ?? formatFromPath(file) });
  await readTextLines(file, (line, text) => reader.line(line, text));
  return reader.finish();
}

/**
 * Writes a mapping to a .tsv, .csv or .jsonl file (format from the extension unless given),
 * in blocks of about 1 MiB, so that the file may be larger than a string can hold.
 * A path that cannot be written (missing folder, a folder, no permission) is an InputError.
 */
export async function writeMappingFile(
  file: string,
  mapping: DiscreteMapping,
  format: MappingFormat = formatFromPath(file),
): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "w");
  } catch (error) {
    throw unwritableFileError(file, error);
  }
  try {
    let block = "";
    for (const line of mappingLines(mapping, format)) {
      block += `${line}\n`;
      if (block.length >= 1 << 20) {
        await handle.writeFile(block, "utf8");
        block = "";
      }
    }
    await handle.writeFile(block, "utf8");
  } catch (error) {
    throw unwritableFileError(file, error);
  } finally {
    await handle.close();
  }
}

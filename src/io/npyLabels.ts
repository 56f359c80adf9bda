/**
 * A label file (.npy of integers, one per row) as Int32 codes, with the messages `glossa entropy`
 * gives for a bad one. No Node imports: the dashboard's "Analyse a file" uses it too.
 */
import { InputError } from "./errors.js";
import type { NpyArray } from "./npyFormat.js";

/** Label set `name`'s codes from `array` (read from `file`), one per representation row. */
export function npyLabelCodes(array: NpyArray, rows: number, file: string, name: string): Int32Array {
  if (array.data instanceof Float32Array || array.data instanceof Float64Array)
    throw new InputError(`labels must be integers (int8–int64, uint8/16, bool), got dtype ${array.dtype}`, { file });
  if (array.data.length !== rows)
    throw new InputError(`has ${array.data.length} labels, but the representations have ${rows} rows`, { file });
  let out: Int32Array;
  if (array.data instanceof Int32Array) out = array.data;
  else {
    out = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = array.data[i]!;
      if (v > 2147483647n || v < -2147483648n)
        throw new InputError(`label ${v} does not fit in int32`, { file, row: i });
      out[i] = Number(v);
    }
  }
  if (rows > 0 && out.every((v) => v < 0))
    throw new InputError(
      `every label is negative, and negative labels mark rows excluded from label set "${name}": it would be empty (expected non-negative integer labels)`,
      { file },
    );
  return out;
}

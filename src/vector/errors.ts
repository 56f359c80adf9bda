/**
 * Bad input rows or labels given to an accumulator. A RangeError (the CLI prints its message
 * and exits 1), because the maths folders may not import io/ (browser safety), where
 * InputError lives. `row` is the global row index (rows given to this accumulator so far);
 * `problem` is the message without the row; `invalidRow` marks a NaN/Inf/all-zero row, which
 * the `skipInvalid` option would skip (callers name their own way of setting it).
 */
export class VectorInputError extends RangeError {
  override name = "VectorInputError";
  constructor(
    readonly problem: string,
    readonly row?: number,
    readonly invalidRow = false,
  ) {
    super(
      `${row === undefined ? "" : `row ${row}: `}${problem}${invalidRow ? "; the skipInvalid option skips such rows" : ""}`,
    );
  }
}

/**
 * Bad input rows or labels given to an accumulator. A RangeError (the CLI prints its message
 * and exits 1), because the maths folders may not import io/ (browser safety), where
 * InputError lives. `row` is the global row index (rows given to this accumulator so far).
 */
export class VectorInputError extends RangeError {
  override name = "VectorInputError";
  constructor(
    message: string,
    readonly row?: number,
  ) {
    super(row === undefined ? message : `row ${row}: ${message}`);
  }
}

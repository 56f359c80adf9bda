/**
 * An error in user-supplied input (a file, a row, a value), with where it happened.
 * The CLI prints its message and exits 1, without a stack trace.
 *
 * It lives in util/ (no imports, browser-safe) so that the maths folders (info/, mapping/,
 * vector/) can throw it without importing io/; io/errors.ts re-exports it.
 */
export class InputError extends Error {
  override name = "InputError";
  constructor(
    message: string,
    readonly where: InputLocation = {},
  ) {
    super(formatWhere(where) + message);
  }
}

/** Where bad input was found; every part optional. */
export interface InputLocation {
  file?: string;
  line?: number;
  row?: number;
  column?: string;
}

function formatWhere(where: InputLocation): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.file);
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.row !== undefined) parts.push(`row ${where.row}`);
  if (where.column !== undefined) parts.push(`column "${where.column}"`);
  return parts.length ? `${parts.join(", ")}: ` : "";
}

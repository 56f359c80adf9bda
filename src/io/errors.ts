/**
 * An error in user-supplied input (a file, a row, a value), with where it happened.
 * The CLI prints its message and exits non-zero, without a stack trace.
 */
export class InputError extends Error {
  override name = "InputError";
  constructor(
    message: string,
    readonly where: { file?: string; line?: number; row?: number; column?: string } = {},
  ) {
    super(formatWhere(where) + message);
  }
}

function formatWhere(where: InputError["where"]): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.file);
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.row !== undefined) parts.push(`row ${where.row}`);
  if (where.column !== undefined) parts.push(`column "${where.column}"`);
  return parts.length ? `${parts.join(", ")}: ` : "";
}

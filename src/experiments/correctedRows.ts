/**
 * The default view of measurement rows when the bias correction is on (METHODS §5.1): a
 * label-dependent measure measured with null shadows is three rows (`correction` raw / null /
 * corrected); summaries, plots and tables read the corrected one. Rows without a `correction`
 * (no shadows, or losses and accuracies) and the rows of Z alone (information and entropy carry
 * `correction: "raw"` but no label set, and have no correction) pass through unchanged. Raw and
 * null rows stay in the journal; this only chooses what a summary reads. Pure.
 */
export interface CorrectableRow {
  correction?: unknown;
  labelSet?: unknown;
}

/** True for the row a summary should read: no correction, the corrected value, or a measure of Z alone. */
export function isDefaultView(row: CorrectableRow): boolean {
  if (row.correction === undefined || row.correction === "corrected") return true;
  return row.correction === "raw" && (row.labelSet === undefined || row.labelSet === null);
}

/** The rows a summary reads (see isDefaultView); raw and null rows of label-dependent measures are left out. */
export function defaultView<T extends CorrectableRow>(rows: readonly T[]): T[] {
  return rows.filter(isDefaultView);
}

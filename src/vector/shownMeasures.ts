/**
 * Which measure rows a results table shows (the CLI's `glossa entropy` table and the dashboard's
 * "Analyse a file"). Only a type import: light enough for the dashboard's page bundle.
 */
import type { MeasureRow } from "./measures.js";

/** A row of the results table: a measure's value with, when it is bias-corrected, its raw value and null mean. */
export interface ShownMeasure {
  row: MeasureRow;
  /** Corrected rows: the plug-in value and the null shadows' mean; otherwise undefined. */
  raw?: number;
  nullMean?: number;
}

/**
 * The rows a results table shows (the CLI's and the dashboard's): with null shadows, the
 * bias-corrected value of each label-dependent measure with its raw value and null mean beside
 * it (their own rows are not repeated); without, every row as it is.
 */
export function shownMeasures(measures: readonly MeasureRow[]): ShownMeasure[] {
  const corrected = measures.some((m) => m.correction === "corrected");
  const related = (m: MeasureRow, kind: string) =>
    measures.find((r) => r.labelSet === m.labelSet && r.measure === m.measure && r.correction === kind)?.value;
  return measures
    .filter((m) => m.correction !== "null" && !(corrected && m.correction === "raw" && m.labelSet !== undefined))
    .map((row) =>
      row.correction === "corrected" ? { row, raw: related(row, "raw"), nullMean: related(row, "null") } : { row },
    );
}

/** "1 row", "2 rows", "1,000 rows": a count with its noun, for messages and tables. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString("en")} ${count === 1 ? singular : pluralForm}`;
}

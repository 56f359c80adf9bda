/** Browser stand-in for node:path in the dashboard bundle: the one function the parsers use. */
export function extname(file: string): string {
  const base = file.slice(file.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot);
}

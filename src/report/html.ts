/**
 * A self-contained HTML report: sections of tables and inline SVG plots.
 * Pure string building (works anywhere); the caller writes the file.
 */

export interface ReportSection {
  title: string;
  /** Trusted HTML built with the helpers below (tables, figures, paragraphs). */
  html: string;
}

export interface Report {
  title: string;
  /** Shown under the title (e.g. the command and date). */
  subtitle?: string;
  sections: ReportSection[];
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Formats a cell: numbers to 4 significant decimals, null/undefined as an em dash. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value)) return String(value);
    return value.toFixed(4);
  }
  return String(value);
}

/** An HTML table; `columns` are the keys shown (and their headers). */
export function tableHtml(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map(
      (row) =>
        `<tr>${columns
          .map((c) => {
            const v = row[c];
            return `<td${typeof v === "number" ? ' class="num"' : ""}>${escapeHtml(formatCell(v))}</td>`;
          })
          .join("")}</tr>`,
    )
    .join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A figure holding an inline SVG, with a one-line caption saying what it shows. */
export function figureHtml(svg: string, caption?: string): string {
  return `<figure>${svg}${caption ? `<figcaption><b>What this shows:</b> ${escapeHtml(caption)}</figcaption>` : ""}</figure>`;
}

export function paragraphHtml(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}

/** Plain-text table for terminals: columns padded, numbers right-aligned. */
export function textTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j]!.length)));
  const numeric = columns.map((c) => rows.some((row) => typeof row[c] === "number"));
  const line = (values: string[]) =>
    values
      .map((v, j) => (numeric[j] ? v.padStart(widths[j]!) : v.padEnd(widths[j]!)))
      .join("  ")
      .trimEnd();
  return [line([...columns]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

export function renderReport(report: Report): string {
  const nav = report.sections.map((s, i) => `<li><a href="#s${i}">${escapeHtml(s.title)}</a></li>`).join("");
  const sections = report.sections
    .map((s, i) => `<section id="s${i}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}.subtitle{color:#666;margin-top:0}
table{border-collapse:collapse;margin:1rem 0;font-size:13px}
th,td{border:1px solid #ddd;padding:.25rem .5rem}th{background:#f4f4f4;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}figcaption{color:#555;font-size:12px}
section{margin-bottom:2.5rem}
</style></head><body>
<h1>${escapeHtml(report.title)}</h1>
${report.subtitle ? `<p class="subtitle">${escapeHtml(report.subtitle)}</p>` : ""}
<nav><ul>${nav}</ul></nav>
${sections}
</body></html>
`;
}

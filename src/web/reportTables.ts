/**
 * The tables of a run's static report.html, shown on its Run page ("the tables the static report
 * has"). Read as text through DOMParser and rebuilt with our own elements, so nothing of the
 * file (scripts, attributes, styles) reaches the page.
 */
import { h } from "./dom.js";

export interface ReportTable {
  /** The nearest heading before the table (h2/h3), or "". */
  title: string;
  header: string[];
  rows: string[][];
}

/** Every <table> of an HTML document, with the heading it sits under. */
export function reportTables(html: string): ReportTable[] {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const tables: ReportTable[] = [];
  let title = "";
  for (const element of Array.from(doc.body.querySelectorAll("h1, h2, h3, table"))) {
    if (element.tagName !== "TABLE") {
      title = element.textContent?.trim() ?? "";
      continue;
    }
    const cells = (row: Element) => Array.from(row.querySelectorAll("th, td")).map((c) => c.textContent?.trim() ?? "");
    const head = element.querySelector("thead tr");
    const bodyRows = Array.from(element.querySelectorAll("tbody tr"));
    tables.push({ title, header: head ? cells(head) : [], rows: bodyRows.map(cells) });
  }
  return tables;
}

/** The tables as a section of the Run page. */
export function reportTablesSection(tables: readonly ReportTable[], href: string): HTMLElement {
  return h(
    "section",
    { "data-testid": "report-tables" },
    h("h2", {}, "Tables of the report ", h("a", { href, target: "_blank" }, "(report.html)")),
    ...tables.map((t) =>
      h(
        "div",
        { class: "scroll" },
        t.title ? h("h3", {}, t.title) : "",
        h(
          "table",
          { class: "report-table" },
          h("thead", {}, h("tr", {}, ...t.header.map((c) => h("th", {}, c)))),
          h("tbody", {}, ...t.rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))),
        ),
      ),
    ),
  );
}

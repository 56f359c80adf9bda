/** Small DOM helpers for the dashboard (no framework). */

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A number for a table cell: 4 significant digits, integers as they are. */
export function formatValue(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  if (value === null || value === undefined) return "–";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** A table from rows (objects) and the columns to show. */
export function table(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  testId?: string,
): HTMLTableElement {
  return h(
    "table",
    { "data-testid": testId },
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...columns.map((c) => h("td", {}, formatValue(r[c])))))),
  );
}

/** A labelled <select>; `onChange` gets the new value. */
export function select(
  label: string,
  options: readonly string[],
  value: string,
  onChange: (value: string) => void,
  testId?: string,
): HTMLLabelElement {
  const element = h("select", { "data-testid": testId }, ...options.map((o) => h("option", { value: o }, o)));
  element.value = value;
  element.addEventListener("change", () => onChange(element.value));
  return h("label", { class: "picker" }, `${label} `, element);
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${(await response.text()).trim()}`);
  return (await response.json()) as T;
}

export function statusBadge(status: string, title?: string): HTMLSpanElement {
  return h("span", { class: `status status-${status}`, title, "data-testid": "status" }, status);
}

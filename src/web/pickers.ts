/** The coordinate pickers shared by the Run and Compare pages: keeps earlier picks that still apply. */
import { h, select } from "./dom.js";
import { pickersFor, type Row } from "./rows.js";

export function coordinatePickers(
  measureRows: readonly Row[],
  xField: string | null,
  previous: Record<string, string>,
  onPick: (field: string, value: string) => void,
  testPrefix: string,
  /** Start every picker at its first value (Compare: never average over, say, train and test). */
  firstValues = false,
): { picked: Record<string, string>; controls: HTMLLabelElement[] } {
  const pickers = pickersFor(measureRows, xField);
  const picked: Record<string, string> = {};
  for (const p of pickers) {
    const fallback = firstValues ? p.options[1]! : p.initial;
    picked[p.field] = p.options.includes(previous[p.field] ?? "") ? previous[p.field]! : fallback;
  }
  const controls = pickers.map((p) =>
    select(p.field, p.options, picked[p.field]!, (v) => onPick(p.field, v), `${testPrefix}-${p.field}`),
  );
  return { picked, controls };
}

export function checkboxToggle(label: string, checked: boolean, onChange: (checked: boolean) => void, testId?: string) {
  const box = h("input", { type: "checkbox", checked, "data-testid": testId });
  box.addEventListener("change", () => onChange(box.checked));
  return h("label", { class: "picker" }, box, ` ${label}`);
}

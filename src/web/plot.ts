/** Renders a Vega-Lite spec into an element with vega-embed (SVG, offline: no editor links). */
import embed, { type Result } from "vega-embed";
import type { TopLevelSpec } from "vega-lite";

export async function renderPlot(target: HTMLElement, spec: TopLevelSpec, previous?: Result): Promise<Result> {
  previous?.finalize();
  return embed(target, spec, {
    renderer: "svg",
    actions: { export: true, source: false, compiled: false, editor: false },
    tooltip: { theme: "light" },
  });
}

import { describe, expect, it } from "vitest";
import { emergentPlots, emergentSectionHtml, EMERGENT_CAPTIONS } from "../src/experiments/emergent/report.js";
import type { EmergentSummary } from "../src/experiments/emergent/summary.js";
import { seq2seqCaption } from "../src/experiments/seq2seq/report.js";
import { facetColumns, heatmapSvg, lineChartSvg } from "../src/report/plot.js";
import { intervalSummary, noEstimate, TOO_FEW_RUNS } from "../src/stats/summary.js";
import { figureHtml, renderReport, tableHtml, textTable } from "../src/report/html.js";

/** Axes of a rendered chart, from Vega's aria labels ("X-axis titled 'epoch' …"). */
const xAxes = (svg: string) => svg.match(/aria-label="X-axis/g)?.length ?? 0;
const marks = (svg: string, kind: string) => svg.match(new RegExp(`class="mark-${kind} role-mark`, "g"))?.length ?? 0;

function panelRows(panels: number): Record<string, unknown>[] {
  return Array.from({ length: panels }, (_, p) =>
    [1, 2, 3].map((epoch) => ({ panel: `p${p}`, run: "a", epoch, value: epoch * (p + 1) })),
  ).flat();
}

describe("report", () => {
  it("draws one path per coloured line and skips non-finite points", async () => {
    const rows = [
      { step: 1, value: 0.1, size: "small" },
      { step: 10, value: 0.3, size: "small" },
      { step: 1, value: 0.2, size: "large" },
      { step: 10, value: NaN, size: "large" },
      { step: 100, value: 0.5, size: "large" },
    ];
    const svg = await lineChartSvg(rows, { x: "step", y: "value", color: "size", logX: true, title: "t" });
    expect(svg.startsWith("<svg")).toBe(true);
    // one line group per colour value
    expect(svg.match(/class="mark-line role-mark/g)?.length).toBe(2);
    expect(svg).toContain("small");
    expect(svg).toContain("large");
  });
  it("escapes HTML and formats numbers", () => {
    const html = tableHtml(
      ["a", "b"],
      [
        { a: "<x>", b: 0.123456 },
        { a: "y", b: null },
      ],
    );
    expect(html).toContain("&lt;x&gt;");
    expect(html).toContain("0.1235");
    expect(html).toContain("—");
    expect(renderReport({ title: "R & D", sections: [{ title: "S", html }] })).toContain("<h1>R &amp; D</h1>");
  });
  it("aligns a text table", () => {
    expect(
      textTable(
        ["name", "v"],
        [
          { name: "a", v: 1.5 },
          { name: "bbb", v: 10 },
        ],
      ),
    ).toBe("name       v\n----  ------\na     1.5000\nbbb       10");
  });

  it("lays small multiples out without empty cells where the count allows, and never with axes under empty cells", async () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => facetColumns(n, 3))).toEqual([1, 2, 3, 2, 3, 3, 3, 2, 3, 2]);
    expect(facetColumns(12, 4)).toBe(4);
    expect(facetColumns(0, 3)).toBe(1);
    const options = { x: "epoch", y: "value", color: "run", facet: "panel", independentY: true };
    // 4 panels: a full 2 × 2 grid sharing one x axis per column.
    const four = await lineChartSvg(panelRows(4), options);
    expect(marks(four, "line")).toBe(4);
    expect(xAxes(four)).toBe(2);
    // 5 panels in 3 columns: a ragged grid; every panel draws its own x axis, the empty cell none
    // (a shared axis would be drawn under the empty sixth cell: 3 axes for 2 + 1 columns' bottoms).
    const five = await lineChartSvg(panelRows(5), options);
    expect(marks(five, "line")).toBe(5);
    expect(xAxes(five)).toBe(5);
  });

  it("draws a heatmap: one cell per (x, y) with a finite value", async () => {
    const rows = ["topsim", "posdis", "synonymy"].flatMap((measure, m) =>
      [1, 2, 3, 4].map((epoch) => ({ measure, epoch, rho: m === 2 && epoch === 4 ? Number.NaN : (epoch - m) / 4 })),
    );
    const svg = await heatmapSvg(rows, { x: "epoch", y: "measure", value: "rho", domain: [-1, 1], mid: 0 });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/aria-roledescription="rect mark"/g)?.length).toBe(11);
    // cell labels (≤ 12 columns): one text per cell
    expect(svg.match(/aria-roledescription="text mark"/g)?.length).toBe(11);
    expect(svg).toContain("−0.25");
  });

  it("turns the emergent correlation plot into a heatmap of ρ by measure and epoch, and captions every figure", async () => {
    const measures = ["synonymy", "homonymy", "topsim"];
    const summary: EmergentSummary = {
      correction: "holm",
      correlations: measures.flatMap((languageMeasure, m) =>
        [1, 2, 3, 4, 5].map((epoch) => {
          // Epoch 1 had 4 runs: "too few runs", no ρ, its cells blank.
          if (epoch === 1)
            return {
              epoch,
              languageMeasure,
              target: "compositional.meanRoleAccuracy",
              rho: null,
              p: null,
              pAdjusted: null,
              n: 4,
              interval: noEstimate("s", 4, "fisher-z", TOO_FEW_RUNS),
            };
          const rho = ((m - 1) * epoch) / 5;
          return {
            epoch,
            languageMeasure,
            target: "compositional.meanRoleAccuracy",
            rho,
            p: 0.5,
            pAdjusted: 1,
            n: 6,
            interval: intervalSummary("s", 6, rho, [rho - 0.5, rho + 0.5], "fisher-z"),
          };
        }),
      ),
      capacity: [],
      capacityTrend: [],
      finalByRun: {},
    } as unknown as EmergentSummary;
    const plots = await emergentPlots([], summary);
    const heatmap = plots["emergent-correlation.svg"]!;
    expect(marks(heatmap, "line")).toBe(0);
    expect(heatmap.match(/aria-roledescription="rect mark"/g)?.length).toBe(12);
    expect(Object.keys(plots).sort()).toEqual(Object.keys(EMERGENT_CAPTIONS).sort());
    const html = emergentSectionHtml({
      description: "d",
      splits: { train: [], iid: [], compositional: [], unseenCombinationRate: { iid: 0, compositional: 0 } },
      summary,
      plots,
    } as unknown as Parameters<typeof emergentSectionHtml>[0]);
    expect(html.match(/<figcaption><b>What this shows:<\/b> [A-Z]/g)?.length).toBe(Object.keys(plots).length);
    expect(html).toContain("Blank cells: fewer than 5 runs");
  });

  it("captions every seq2seq plot with what it shows", () => {
    const files = ["accuracy.svg", "information.svg", "variation.svg", "residual-nested.svg"];
    const captions = files.map(seq2seqCaption);
    expect(new Set(captions).size).toBe(files.length);
    for (const caption of captions) expect(caption).toMatch(/^[A-Z].{40,}\.$/);
    expect(figureHtml("<svg></svg>", "A < b.")).toBe(
      "<figure><svg></svg><figcaption><b>What this shows:</b> A &lt; b.</figcaption></figure>",
    );
  });
});

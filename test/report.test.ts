import { describe, expect, it } from "vitest";
import { lineChartSvg } from "../src/report/plot.js";
import { renderReport, tableHtml, textTable } from "../src/report/html.js";

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
});

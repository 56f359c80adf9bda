/**
 * The demo's findings section: with a findings run folder beside the demo it shows that
 * folder's claims (claim, estimate, interval, verdict, n) read from findings.json, linking its
 * report; without one it says how to make it; a broken findings.json is named, not fatal.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/commands/demo.js";
import { findingsDemoSection, readFindingsFolder } from "../src/cli/demoFindings.js";
import type { Verdict } from "../src/experiments/findings/claim.js";
import type { FindingRecord } from "../src/experiments/findings/markdown.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-demo-findings-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function record(
  claim: string,
  estimate: number | null,
  interval: [number, number] | null,
  verdict: Verdict,
  n: number,
) {
  return {
    result: { claim, statistic: "a statistic", n, estimate, interval95: interval, verdict, reason: "why", details: [] },
    title: `title of ${claim}`,
    thesis: "thesis",
    definition: "definition",
    scale: "quick",
    command: "glossa findings --scale quick",
    machine: "test",
    finished: "2026-11-30T08:00:00.000Z",
    seconds: 12,
  } satisfies FindingRecord;
}

describe("glossa demo: findings section", () => {
  it("shows the table of a findings run folder beside the demo, read from its findings.json", async () => {
    const out = path.join(tmp, "with");
    const quick = path.join(out, "findings-quick");
    fs.mkdirSync(quick, { recursive: true });
    const records = [
      record("E1", 0.6164, [0.5972, 0.6356], "inconclusive", 2),
      record("S2", -0.25, [-0.5, -0.1], "not supported", 12),
    ];
    fs.writeFileSync(path.join(quick, "findings.json"), JSON.stringify(records));
    fs.writeFileSync(path.join(quick, "report.html"), "<html></html>");
    // An unfinished full run: its folder exists without findings.json.
    fs.mkdirSync(path.join(out, "findings-full", "claims"), { recursive: true });
    fs.writeFileSync(
      path.join(out, "findings-full", "run.json"),
      JSON.stringify({ command: "glossa findings --scale full --only E1", status: "running" }),
    );

    const log: string[] = [];
    const section = await findingsDemoSection(path.join(out, "demo", "findings"), (m) => log.push(m));
    const results = section.results as {
      folders: { dir: string; claims?: Record<string, unknown>[]; problem?: string }[];
    };
    expect(results.folders.map((f) => f.dir)).toEqual([quick, path.join(out, "findings-full")]);
    expect(results.folders[0]!.claims).toEqual([
      {
        claim: "E1",
        title: "title of E1",
        statistic: "a statistic",
        estimate: 0.6164,
        low: 0.5972,
        high: 0.6356,
        verdict: "inconclusive",
        n: 2,
        scale: "quick",
      },
      {
        claim: "S2",
        title: "title of S2",
        statistic: "a statistic",
        estimate: -0.25,
        low: -0.5,
        high: -0.1,
        verdict: "not supported",
        n: 12,
        scale: "quick",
      },
    ]);
    expect(results.folders[1]!.problem).toBe(
      `${path.join(out, "findings-full", "findings.json")} does not exist yet: the run is in progress or was interrupted (run.json: running); \`glossa findings --scale full --only E1\` with --resume continues it`,
    );
    // The report's table: one row per claim with estimate, interval ends, verdict and n.
    expect(section.html).toContain(
      '<td>E1</td><td>title of E1</td><td class="num">0.6164</td><td class="num">0.5972</td><td class="num">0.6356</td><td>inconclusive</td><td class="num">2</td>',
    );
    expect(section.html).toContain('<td>not supported</td><td class="num">12</td>');
    expect(section.html).toContain('<a href="../findings-quick/report.html">report.html</a>');
    expect(section.html).toContain("FINDINGS.md");
    expect(section.html).toContain("<code>glossa findings");
    expect(log.join("\n")).toMatch(/E1 +title of E1 +0\.6164/);
  });

  it("without a findings run says how to make one; `glossa demo --only findings` writes it into the report", async () => {
    const out = path.join(tmp, "without");
    const code = await run(["--out", out, "--only", "findings"]);
    expect(code).toBe(0);
    const html = fs.readFileSync(path.join(out, "demo", "report.html"), "utf8");
    expect(html).toContain("Findings: the thesis");
    expect(html).toContain(`No findings run folder in ${out}`);
    expect(html).toContain(`<code>glossa findings --scale quick --out ${path.join(out, "findings-quick")}</code>`);
    const saved = JSON.parse(fs.readFileSync(path.join(out, "demo", "results.json"), "utf8"));
    expect(saved.results.findings).toEqual({
      folders: [],
      howToMake: `glossa findings --scale quick --out ${path.join(out, "findings-quick")}`,
    });
  });

  it("names a findings.json that is not a list of claim records", () => {
    const dir = path.join(tmp, "broken");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "findings.json");
    fs.writeFileSync(file, "{");
    expect(readFindingsFolder(dir)!.problem).toMatch(new RegExp(`^${file} is not JSON`));
    fs.writeFileSync(file, JSON.stringify([record("E1", 0.1, null, "inconclusive", 3), { result: { claim: "E2" } }]));
    expect(readFindingsFolder(dir)!.problem).toBe(`${file}: record 2 has no result.verdict`);
    fs.writeFileSync(file, JSON.stringify({}));
    expect(readFindingsFolder(dir)!.problem).toBe(`${file}: expected an array of claim records`);
    expect(readFindingsFolder(path.join(tmp, "absent"))).toBeUndefined();
  });
});

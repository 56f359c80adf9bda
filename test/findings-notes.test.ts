import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type FindingRecord, findingsMarkdown, parseFindingsNotes } from "../src/experiments/findings/markdown.js";
import { runCli } from "./helpers/runCli.js";

function record(claim: string, verdict: "supported" | "inconclusive"): FindingRecord {
  return {
    result: {
      claim,
      statistic: "spearman(a, b)",
      n: 12,
      estimate: -0.4,
      interval95: [-0.8, 0.2],
      verdict,
      reason: "the interval includes 0",
      details: [],
    },
    title: `title of ${claim}`,
    thesis: "the thesis says so",
    definition: "fixed before the run",
    scale: "full",
    command: "glossa findings --scale full",
    machine: "test machine",
    finished: "2026-11-30T13:00:00.000Z",
    seconds: 60,
  };
}

describe("findings notes (discussion written after the results)", () => {
  it("parses one section per claim by the heading's first word; the preamble and empty sections are not used", () => {
    const notes = parseFindingsNotes(
      "# Notes\npreamble\n\n## S2: compression and OOD\n\nFirst line.\n\nSecond paragraph.\n## E1\n\n## S1 two phases\ntext of S1\n",
      "notes.md",
    );
    expect(Object.keys(notes).sort()).toEqual(["S1", "S2"]);
    expect(notes.S2).toEqual({ text: "First line.\n\nSecond paragraph.", source: "notes.md" });
    expect(notes.S1!.text).toBe("text of S1");
    expect(() => parseFindingsNotes("## S2\na\n## S2\nb\n", "n.md")).toThrow(/line 3: a second section for claim S2/);
  });

  it("FINDINGS.md shows a claim's discussion under that claim only, marked as written by a person", () => {
    const records = [record("S1", "supported"), record("S2", "inconclusive")];
    const notes = parseFindingsNotes(
      "## S2\nmore compression went with lower OOD accuracy here\n",
      "findings-notes.md",
    );
    const md = findingsMarkdown(records, {}, notes);
    const s1 = md.slice(md.indexOf("## S1:"), md.indexOf("## S2:"));
    const s2 = md.slice(md.indexOf("## S2:"));
    expect(s1).not.toContain("Discussion");
    expect(s2).toContain("- **Discussion** (written by a person after the result, from findings-notes.md");
    expect(s2).toContain("  more compression went with lower OOD accuracy here");
    expect(findingsMarkdown(records, {})).not.toContain("Discussion");
  });

  it("the command refuses notes without --markdown (usage, exit 2) and notes for a claim that does not exist (exit 1), before any run", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-notes-"));
    const notes = path.join(dir, "notes.md");
    fs.writeFileSync(notes, "## S2\ntext\n## Q9\nnot a claim\n");
    const out = path.join(dir, "never-made");
    const noMarkdown = await runCli(["findings", "--only", "E1", "--out", out, "--notes", notes]);
    expect(noMarkdown.code).toBe(2);
    expect(noMarkdown.err.join("")).toMatch(/--notes needs --markdown/);
    const unknown = await runCli([
      "findings",
      "--only",
      "E1",
      "--out",
      out,
      "--markdown",
      path.join(dir, "F.md"),
      "--notes",
      notes,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join("")).toMatch(/notes\.md: sections for Q9, which are not claims/);
    const missing = await runCli([
      "findings",
      "--out",
      out,
      "--markdown",
      path.join(dir, "F.md"),
      "--notes",
      path.join(dir, "absent.md"),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err.join("")).toMatch(/absent\.md: no such notes file/);
    expect(fs.existsSync(out)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

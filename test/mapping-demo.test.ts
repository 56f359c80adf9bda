import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAPPING_DEMO, mappingDemoSection, type MappingDemoRow } from "../src/experiments/mappingDemo.js";
import { SYNTHETIC_KINDS } from "../src/mapping/synthetic.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "glossa-mapping-demo-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("mapping demo section", () => {
  it("measures every synthetic language and returns a table, results and files", async () => {
    const logged: string[] = [];
    const out = await mappingDemoSection(dir, (m) => logged.push(m), { ...MAPPING_DEMO, atoms: 5 });
    const results = out.results as { languages: MappingDemoRow[]; space: { meanings: number } };
    expect(results.space.meanings).toBe(125);
    expect(results.languages.map((l) => l.kind)).toEqual([...SYNTHETIC_KINDS]);
    const compositional = results.languages[0]!.values;
    expect([
      compositional.synonymy,
      compositional.homonymy,
      compositional.wordOrderFreedom,
      compositional.entanglement,
    ]).toEqual([0, 0, 0, 0]);
    expect(out.html).toContain("<table>");
    expect(out.html).toContain("holistic-homonyms");
    expect(logged.join("\n")).toMatch(/compositional\s+0\s+0\s+0\s+0\s/);
    const tsv = (await readFile(join(dir, "measures.tsv"), "utf8")).trim().split("\n");
    expect(tsv).toHaveLength(1 + SYNTHETIC_KINDS.length);
    expect((await readFile(join(dir, "compositional.tsv"), "utf8")).split("\n")[0]).toBe(
      "subject\tverb\tobject\tsignal",
    );
  });
});

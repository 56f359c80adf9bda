/**
 * `glossa demo` (what `npm start` runs): every part of glossa on built-in data, in one
 * report. Each area contributes a section; the sections run in order, each writes its
 * own files under OUT/demo/<section>, and the report lands in OUT/demo/report.html with
 * all numbers in OUT/demo/results.json.
 */
import fs from "node:fs";
import path from "node:path";
import { describeOptions, flagOption, listOption, parseArgs, stringOption, UsageError } from "../args.js";
import { renderReport, escapeHtml } from "../../report/html.js";
import { commandLine, ensureWritableFolder, gitCommit, packageVersion } from "../../io/runFolder.js";
import { DEMO_SECTIONS, type DemoSection } from "../demoSections.js";

export const summary = "run every analysis on built-in data and write an HTML report (what `npm start` runs)";

const OPTIONS = {
  out: { type: "string", description: "output folder (default glossa-out)" },
  only: {
    type: "string",
    repeat: true,
    description: `run only these sections (${DEMO_SECTIONS.map((s) => s.name).join(", ")})`,
  },
  help: { type: "boolean" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(`usage: glossa demo [options]\n${summary}\n\n${describeOptions(OPTIONS)}`);
    return 0;
  }
  const outRoot = path.join(stringOption(args, "out") ?? "glossa-out", "demo");
  const only = listOption(args, "only");
  for (const name of only) {
    if (!DEMO_SECTIONS.some((s) => s.name === name))
      throw new UsageError(
        `--only: unknown section "${name}" (sections: ${DEMO_SECTIONS.map((s) => s.name).join(", ")})`,
      );
  }
  const chosen = only.length ? DEMO_SECTIONS.filter((s) => only.includes(s.name)) : DEMO_SECTIONS;
  ensureWritableFolder(outRoot);

  const started = Date.now();
  const results: Record<string, unknown> = {};
  const sections: { title: string; html: string }[] = [];
  const timings: Record<string, number> = {};
  let failures = 0;
  for (const section of chosen) {
    const t0 = Date.now();
    process.stderr.write(`\n== ${section.name}: ${section.description}\n`);
    try {
      const out = await runSection(section, path.join(outRoot, section.name));
      results[section.name] = out.results;
      sections.push({ title: out.title, html: out.html });
    } catch (error) {
      failures++;
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`   section ${section.name} failed: ${message}\n`);
      results[section.name] = { error: message };
      sections.push({ title: section.name, html: `<p class="error">This section failed: ${escapeHtml(message)}</p>` });
    }
    timings[section.name] = (Date.now() - t0) / 1000;
    process.stderr.write(`   (${timings[section.name]!.toFixed(1)} s)\n`);
  }

  const meta = {
    command: commandLine(["demo", ...argv]),
    glossaVersion: packageVersion(),
    gitCommit: gitCommit(),
    date: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    sectionSeconds: timings,
  };
  fs.writeFileSync(path.join(outRoot, "results.json"), `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
  const html = renderReport({
    title: "glossa demo",
    subtitle: `${meta.command} — glossa ${meta.glossaVersion} — ${meta.date}`,
    sections,
  });
  fs.writeFileSync(path.join(outRoot, "report.html"), html);
  console.log(
    `\nwrote ${path.join(outRoot, "report.html")} and ${path.join(outRoot, "results.json")} in ${meta.seconds.toFixed(1)} s`,
  );
  console.log(`open the dashboard: node dist/cli/bin.js serve ${path.dirname(outRoot)} --open`);
  return failures ? 1 : 0;
}

async function runSection(section: DemoSection, dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  const fn = await section.load();
  return fn(dir, (message: string) => console.log(message));
}

/**
 * Demo section "mapping": every synthetic language over the 25 × 25 × 25 subject–verb–object
 * meaning space (signals of length 6 over 26 symbols), measured with every measure, in one
 * comparison table. Writes the table (measures.tsv) and the compositional language as an
 * example mapping file (compositional.tsv) under outDir.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { writeMappingFile } from "../io/mappingFile.js";
import { svoMeaningSpace } from "../mapping/meaningSpace.js";
import { measureMapping, MEASURE_NAMES, type MeasureValues } from "../mapping/measureAll.js";
import {
  SYNTHETIC_DESCRIPTIONS,
  SYNTHETIC_KINDS,
  syntheticLanguage,
  type SyntheticKind,
} from "../mapping/synthetic.js";
import { topographicSimilarityParallel } from "../mapping/topsimParallel.js";
import { paragraphHtml, tableHtml, textTable } from "../report/html.js";

export interface MappingDemoConfig {
  /** Atoms per role of the subject–verb–object space. */
  atoms: number;
  length: number;
  alphabetSize: number;
  seed: number;
  synonyms: number;
  homonyms: number;
}

/** The demo's configuration: 25³ meanings, length-6 signals over 26 symbols. */
export const MAPPING_DEMO: MappingDemoConfig = {
  atoms: 25,
  length: 6,
  alphabetSize: 26,
  seed: 1,
  synonyms: 2,
  homonyms: 2,
};

export interface MappingDemoRow {
  kind: SyntheticKind;
  description: string;
  values: MeasureValues;
  wordOrder: string[];
  seconds: number;
}

const SHORT: Record<(typeof MEASURE_NAMES)[number], string> = {
  synonymy: "synonymy",
  homonymy: "homonymy",
  wordOrderFreedom: "freedom",
  entanglement: "entanglement",
  topsim: "topsim",
  posdis: "posdis",
  bosdis: "bosdis",
  residualEntropy: "resid. entropy",
  contextIndependence: "context indep.",
  accuracy: "accuracy",
};

/** The `glossa demo` section (signature of DemoSectionFn); `config` exists for fast tests. */
export async function mappingDemoSection(
  outDir: string,
  log: (message: string) => void,
  config: MappingDemoConfig = MAPPING_DEMO,
): Promise<{ title: string; html: string; results: unknown }> {
  const { atoms, length, alphabetSize, seed, synonyms, homonyms } = config;
  const space = svoMeaningSpace(atoms);
  const rows: MappingDemoRow[] = [];
  for (const kind of SYNTHETIC_KINDS) {
    const t0 = performance.now();
    const mapping = syntheticLanguage(kind, space, { length, alphabetSize, seed, synonyms, homonyms });
    if (kind === "compositional") await writeMappingFile(path.join(outDir, "compositional.tsv"), mapping);
    const measured = await measureMapping(mapping, { topsimRunner: topographicSimilarityParallel });
    const seconds = (performance.now() - t0) / 1000;
    rows.push({
      kind,
      description: SYNTHETIC_DESCRIPTIONS[kind],
      values: measured.values,
      wordOrder: measured.wordOrder,
      seconds,
    });
    process.stderr.write(`   ${kind}: ${seconds.toFixed(1)} s\n`);
  }
  const measures = MEASURE_NAMES.filter((name) => name !== "accuracy");
  const columns = ["language", ...measures.map((name) => SHORT[name]), "word order"];
  const tableRows = rows.map((row) => ({
    language: row.kind,
    ...Object.fromEntries(measures.map((name) => [SHORT[name], row.values[name]])),
    "word order": row.wordOrder.map((role) => role[0]).join(""),
  }));
  log(
    `\nSynthetic languages over ${space.size} subject–verb–object meanings (L ${length}, |C| ${alphabetSize}, seed ${seed}):\n`,
  );
  log(textTable(columns, tableRows));
  const tsv = `${[
    columns.join("\t"),
    ...tableRows.map((r) => columns.map((c) => String((r as Record<string, unknown>)[c])).join("\t")),
  ].join("\n")}\n`;
  await writeFile(path.join(outDir, "measures.tsv"), tsv);

  const intro =
    `Each synthetic language maps all ${space.size} meanings of a ${atoms} × ${atoms} × ${atoms} subject–verb–object space ` +
    `to signals of ${length} symbols over an alphabet of ${alphabetSize} (seed ${seed}; synonyms and homonyms k = 2). ` +
    "Topsim is Spearman's ρ over all pairs (Hamming meaning distance, Levenshtein signal distance). Word order: s/v/o per position.";
  const kinds = rows.map((r) => `${r.kind}: ${r.description}`).join("; ");
  return {
    title: "Discrete mappings: synthetic languages",
    html: paragraphHtml(intro) + tableHtml(columns, tableRows) + paragraphHtml(kinds),
    results: {
      space: { roles: space.roles.map((r) => r.name), atomsPerRole: atoms, meanings: space.size },
      length,
      alphabetSize,
      seed,
      synonyms,
      homonyms,
      topsim: { meaningDistance: "hamming", signalDistance: "levenshtein", pairs: (space.size * (space.size - 1)) / 2 },
      languages: rows,
    },
  };
}

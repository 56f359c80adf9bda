/**
 * `glossa mapping FILE`: reads a mapping file and prints every measure (a table, or JSON with
 * the parameters used). Wiring only: reading is src/io/mappingFile.ts, the measures are
 * src/mapping/measureAll.ts.
 */
import {
  choiceOption,
  describeOptions,
  flagOption,
  numberOption,
  parseArgs,
  stringOption,
  UsageError,
} from "../args.js";
import {
  MAPPING_FORMATS,
  DEFAULT_PAD,
  DEFAULT_SIGNAL_COLUMN,
  readMappingFile,
  type DeclaredAlphabet,
  type MappingFileReport,
} from "../../io/mappingFile.js";
import { measureMapping, MEASURE_NAMES, type MappingMeasures } from "../../mapping/measureAll.js";
import { topographicSimilarityParallel } from "../../mapping/topsimParallel.js";
import type { TopsimResult } from "../../mapping/topsim.js";
import { InputError } from "../../io/errors.js";
import { pairCount } from "../../mapping/topsim.js";
import { DEFAULT_SAMPLED_PAIRS, EXHAUSTIVE_TOPSIM_MAX_ROWS } from "../../mapping/topsimSample.js";
import { textTable } from "../../report/html.js";
import { plural } from "../../util/plural.js";

export const summary =
  "measure a meanings → signals mapping file (TSV/CSV/JSONL): variation, topsim, posdis, bosdis, …";

const OPTIONS = {
  format: { type: "string", description: `file format (${MAPPING_FORMATS.join(", ")}; default from the extension)` },
  pad: { type: "string", description: `symbol that pads shorter signals (default "${DEFAULT_PAD}")` },
  "alphabet-size": { type: "string", description: "declared alphabet size |C| (default: the symbols observed)" },
  alphabet: { type: "string", description: 'declared alphabet as space-separated symbols, e.g. "a b c"' },
  "signal-column": {
    type: "string",
    description: `TSV/CSV column holding the signal (default "${DEFAULT_SIGNAL_COLUMN}")`,
  },
  "signal-distance": { type: "string", description: "topsim signal distance: levenshtein (default) or hamming" },
  "after-eos": {
    type: "string",
    description: "symbols after the first pad/EOS: count (default) or ignore (variation measures)",
  },
  "topsim-permutations": { type: "string", description: "signal shuffles for a topsim z-score (default 0)" },
  "skip-topsim": { type: "boolean", description: "skip topsim (all pairs; the slow one for large files)" },
  "topsim-pairs": {
    type: "string",
    description: `topsim over "all" pairs, or over N random pairs (seeded by --seed); default all up to ${EXHAUSTIVE_TOPSIM_MAX_ROWS.toLocaleString("en")} rows, else ${DEFAULT_SAMPLED_PAIRS.toLocaleString("en")} sampled pairs`,
  },
  seed: { type: "string", description: "seed of the shuffles (default 0)" },
  json: { type: "boolean", description: "print JSON: every measure, its details and the parameters used" },
  help: { type: "boolean" },
} as const;

const LABELS: Record<(typeof MEASURE_NAMES)[number], string> = {
  synonymy: "synonymy",
  homonymy: "homonymy",
  wordOrderFreedom: "word-order freedom",
  entanglement: "entanglement",
  topsim: "topographic similarity",
  posdis: "posdis",
  bosdis: "bosdis",
  residualEntropy: "residual entropy",
  contextIndependence: "context independence",
  accuracy: "accuracy (all roles)",
};

function declaredAlphabet(size: string | undefined, symbols: string | undefined): DeclaredAlphabet | undefined {
  if (size !== undefined && symbols !== undefined) throw new UsageError("give --alphabet-size or --alphabet, not both");
  if (symbols !== undefined) {
    const list = symbols.split(/\s+/).filter((s) => s !== "");
    if (list.length === 0) throw new UsageError("--alphabet needs at least one symbol");
    return { symbols: list };
  }
  if (size !== undefined) {
    const k = Number(size);
    if (!Number.isInteger(k) || k < 1)
      throw new UsageError(`--alphabet-size must be a positive integer, got "${size}"`);
    return { size: k };
  }
  return undefined;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(`usage: glossa mapping FILE [options]\n${summary}\n\n${describeOptions(OPTIONS)}`);
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError("give exactly one mapping FILE (see glossa mapping --help)");
  const file = args.positionals[0]!;
  const format = args.options.format === undefined ? undefined : choiceOption(args, "format", MAPPING_FORMATS, "tsv");
  const alphabet = declaredAlphabet(stringOption(args, "alphabet-size"), stringOption(args, "alphabet"));
  const pad = stringOption(args, "pad");
  const signalColumn = stringOption(args, "signal-column");
  const skipTopsim = flagOption(args, "skip-topsim");
  const measureOptions = {
    afterEos: choiceOption(args, "after-eos", ["count", "ignore"] as const, "count"),
    signalDistance: choiceOption(args, "signal-distance", ["levenshtein", "hamming"] as const, "levenshtein"),
    topsimPermutations: numberOption(args, "topsim-permutations", 0, { integer: true, min: 0 }),
    seed: numberOption(args, "seed", 0, { integer: true }),
    skipTopsim,
    topsimRunner: topographicSimilarityParallel,
    ...topsimPairsOption(stringOption(args, "topsim-pairs")),
  };
  const { mapping, report } = await readMappingFile(file, {
    ...(format ? { format } : {}),
    ...(pad !== undefined ? { pad } : {}),
    ...(alphabet ? { alphabet } : {}),
    ...(signalColumn !== undefined ? { signalColumn } : {}),
  });
  if (measureOptions.afterEos === "ignore" && mapping.padSymbol === undefined)
    throw new InputError(
      `--after-eos ignore needs an end-of-signal symbol, but no signal is padded (every one has length ${mapping.length}) and the pad "${report.padding.symbol}" does not occur; name the EOS symbol with --pad`,
      { file },
    );
  if (!skipTopsim && mapping.size > 3000) {
    const all = pairCount(mapping.size);
    const pairs =
      measureOptions.topsimPairs ?? (mapping.size > EXHAUSTIVE_TOPSIM_MAX_ROWS ? DEFAULT_SAMPLED_PAIRS : "all");
    process.stderr.write(
      pairs === "all" || pairs >= all
        ? `topsim over all ${plural(all, "pair")}…\n`
        : `topsim over ${plural(pairs, "random pair")} of ${all.toLocaleString("en")} (--topsim-pairs all for every pair)…\n`,
    );
  }
  const measures = await measureMapping(mapping, measureOptions);
  if (flagOption(args, "json")) {
    console.log(JSON.stringify({ file: report, ...measures }, null, 2));
  } else {
    console.log(humanReadable(report, measures));
  }
  return 0;
}

/** --topsim-pairs: "all" or a positive integer. */
function topsimPairsOption(raw: string | undefined): { topsimPairs?: number | "all" } {
  if (raw === undefined) return {};
  if (raw === "all") return { topsimPairs: "all" };
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < 1)
    throw new UsageError(`--topsim-pairs must be "all" or a positive integer, got "${raw}"`);
  return { topsimPairs: n };
}

/** Why topsim's ρ is undefined, in words. */
function degenerateReason(t: TopsimResult): string {
  if (t.pairs === 0) return "fewer than two rows, so there are no pairs";
  if (t.degenerate === "both") return "every pair has the same meaning distance and the same signal distance";
  if (t.degenerate === "x") return "every pair has the same meaning distance";
  return "every pair has the same signal distance";
}

function humanReadable(report: MappingFileReport, m: MappingMeasures): string {
  const p = m.parameters;
  const pad = report.padding;
  const lines = [
    `${report.file}: ${plural(p.rows, "row")} (${report.format}, signals ${report.signalEncoding})`,
    `roles: ${p.roles.map((r) => `${r.name} (${plural(r.atoms, "atom")})`).join(", ")}`,
    `signals: length ${p.signalLength}, alphabet |C| = ${p.alphabetSize} (${report.alphabet.source}; ${report.alphabet.used} used)`,
    pad.paddedRows > 0
      ? `padding: ${plural(pad.paddedRows, "row")} padded with "${pad.symbol}" (lengths ${pad.shortestSignal}–${pad.longestSignal}); the pad counts as a symbol`
      : `padding: none needed (every signal has length ${pad.longestSignal})`,
    `symbols after EOS: ${p.afterEos === "count" ? "counted" : `ignored (EOS "${p.eosSymbol}")`}; unobserved atoms are skipped`,
    "",
  ];
  const rows = MEASURE_NAMES.filter((name) => name !== "accuracy").map((name) => ({
    measure: LABELS[name],
    value: m.values[name] ?? "skipped",
  }));
  lines.push(textTable(["measure", "value"], rows));
  const t = m.details.topsim;
  if (t) {
    lines.push(
      "",
      `topsim: Spearman over ${t.sample ? `${plural(t.pairs, "random pair")} of ${t.sample.of.toLocaleString("en")} (sampled with seed ${t.sample.seed}; --topsim-pairs all for every pair)` : `all ${plural(t.pairs, "pair")}`}, Hamming meaning distance vs ${t.signalDistance} signal distance${t.degenerate ? ` (undefined: ${degenerateReason(t)}; shown as 0)` : ""}`,
    );
    if (t.permutation) {
      const z = t.permutation.z === null ? "undefined (null sd 0)" : t.permutation.z.toFixed(2);
      lines.push(
        `        permutation test: ${t.permutation.permutations} shuffles (seed ${t.permutation.seed}), null mean ${t.permutation.nullMean.toFixed(4)}, sd ${t.permutation.nullSd.toFixed(4)}, z ${z}`,
      );
    }
  }
  lines.push("", `inferred word order: ${m.wordOrder.join(" ")}`, "");
  const perRole = p.roles.map((role, r) => ({
    role: role.name,
    synonymy: m.details.synonymy.perRole[r],
    homonymy: m.details.homonymy.perRole[r],
    "word-order freedom": m.details.wordOrderFreedom.perRole[r],
    "residual entropy": m.details.residualEntropy.perRole[r],
  }));
  lines.push(textTable(["role", "synonymy", "homonymy", "word-order freedom", "residual entropy"], perRole));
  if (m.details.entanglement.perPair.length > 1) {
    lines.push(
      "",
      textTable(
        ["roles", "entanglement"],
        m.details.entanglement.perPair.map((x) => ({
          roles: x.roles.map((r) => p.roles[r]!.name).join(" & "),
          entanglement: x.value,
        })),
      ),
    );
  }
  return lines.join("\n");
}

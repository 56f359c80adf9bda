/**
 * Every measure of a discrete mapping in one call (METHODS §3.2–§3.3), with the parameters
 * used: what `glossa mapping`, the demo and the emergent-language experiment report.
 */
import type { AfterEos } from "./table.js";
import { buildProbabilityTable } from "./table.js";
import { entanglement, homonymy, synonymy, wordOrderFreedom, type PairMeasure, type RoleMeasure } from "./variation.js";
import { inferWordOrder, wordOrderLabels } from "./wordOrder.js";
import {
  topographicSimilarity,
  type SignalDistanceName,
  type TopsimOptions,
  type TopsimResult,
  type TopsimSample,
} from "./topsim.js";
import { DEFAULT_SAMPLED_PAIRS, EXHAUSTIVE_TOPSIM_MAX_ROWS } from "./topsimSample.js";
import { bosdis, posdis, type InformationGapResult } from "./disentanglement.js";
import { residualEntropy, type ResidualEntropyResult } from "./residualEntropy.js";
import { contextIndependence, type ContextIndependenceResult } from "./contextIndependence.js";
import { gameAccuracy, type GameAccuracy } from "./accuracy.js";
import type { DiscreteMapping } from "./types.js";

export interface MeasureOptions {
  /** Symbols after the first EOS: "count" (default, METHODS §3.1) or "ignore" (variation measures). */
  afterEos?: AfterEos;
  /** EOS symbol code for afterEos "ignore" (default: the mapping's pad symbol). */
  eosSymbol?: number;
  /** Topsim signal distance (default "levenshtein"; meanings use Hamming over roles). */
  signalDistance?: SignalDistanceName;
  /** Levenshtein only: drop trailing pad symbols before comparing (default false). */
  trimPad?: boolean;
  /** Signal shuffles for the topsim permutation z-score (default 0: none). */
  topsimPermutations?: number;
  /** Seed of the shuffles (default 0). */
  seed?: number;
  /**
   * Symbol codes left out of the bag-of-symbols measures, bosdis and context independence
   * (default none: the pad is an ordinary symbol; the published code leaves out its EOS).
   */
  bagExcludeSymbols?: readonly number[];
  /**
   * The listener's predicted atom codes (N × R, row-major, rows as in the mapping): adds
   * game accuracy (all roles correct, and per role) against the mapping's meanings.
   */
  predictedMeanings?: ArrayLike<number>;
  /** Skip topsim (all pairs: the one measure whose cost grows with N²). */
  skipTopsim?: boolean;
  /**
   * Topsim pairs: "all", or a number of random pairs (seeded by `seed`). Default: all pairs up
   * to 50,000 rows (EXHAUSTIVE_TOPSIM_MAX_ROWS), else a sample of 10 million pairs; the result's
   * `details.topsim.sample` says when ρ is over a sample.
   */
  topsimPairs?: number | "all";
  /**
   * Runs topsim instead of the single-thread topographicSimilarity, e.g. Node's
   * topographicSimilarityParallel (same result, worker threads). Keeps this module browser-safe.
   */
  topsimRunner?: (m: DiscreteMapping, options: TopsimOptions) => TopsimResult | Promise<TopsimResult>;
}

/** The headline value of each measure, all in [0, 1] except topsim in [−1, 1]. */
export interface MeasureValues {
  synonymy: number;
  homonymy: number;
  wordOrderFreedom: number;
  entanglement: number;
  /** null when skipped. */
  topsim: number | null;
  posdis: number;
  bosdis: number;
  residualEntropy: number;
  contextIndependence: number;
  /** All-roles-correct accuracy; null unless predicted meanings were given. */
  accuracy: number | null;
}

export interface MappingMeasures {
  values: MeasureValues;
  /** Inferred word order: a role name per position. */
  wordOrder: string[];
  details: {
    synonymy: RoleMeasure;
    homonymy: RoleMeasure;
    wordOrderFreedom: RoleMeasure;
    entanglement: PairMeasure;
    wordOrderScores: number[][];
    topsim: TopsimResult | null;
    posdis: InformationGapResult;
    bosdis: InformationGapResult;
    residualEntropy: ResidualEntropyResult;
    contextIndependence: ContextIndependenceResult;
    accuracy: GameAccuracy | null;
  };
  /** What was measured and how. */
  parameters: {
    rows: number;
    roles: { name: string; atoms: number }[];
    signalLength: number;
    alphabetSize: number;
    padSymbol: string | null;
    afterEos: AfterEos;
    eosSymbol: string | null;
    meaningDistance: "hamming";
    signalDistance: SignalDistanceName;
    trimPad: boolean;
    topsimPairs: number | null;
    /** How topsim's pairs were sampled; null when it used all pairs (or was skipped). */
    topsimSample: TopsimSample | null;
    topsimPermutations: number;
    seed: number;
    bagExcludeSymbols: string[];
    unobservedAtoms: "skipped";
  };
}

/** The measure names, in the order tables show them. */
export const MEASURE_NAMES = [
  "synonymy",
  "homonymy",
  "wordOrderFreedom",
  "entanglement",
  "topsim",
  "posdis",
  "bosdis",
  "residualEntropy",
  "contextIndependence",
  "accuracy",
] as const satisfies readonly (keyof MeasureValues)[];

/**
 * Measures a mapping with every measure glossa has.
 *
 * @example
 * const { values, wordOrder } = await measureMapping(mapping, { topsimPermutations: 10, seed: 1 });
 */
export async function measureMapping(mapping: DiscreteMapping, options: MeasureOptions = {}): Promise<MappingMeasures> {
  const afterEos = options.afterEos ?? "count";
  const table = buildProbabilityTable(mapping, {
    afterEos,
    ...(options.eosSymbol !== undefined ? { eosSymbol: options.eosSymbol } : {}),
  });
  const eos = afterEos === "ignore" ? (options.eosSymbol ?? mapping.padSymbol) : undefined;
  const samplePairs =
    options.topsimPairs ?? (mapping.size > EXHAUSTIVE_TOPSIM_MAX_ROWS ? DEFAULT_SAMPLED_PAIRS : "all");
  const topsimOptions: TopsimOptions = {
    signalDistance: options.signalDistance ?? "levenshtein",
    trimPad: options.trimPad ?? false,
    permutations: options.topsimPermutations ?? 0,
    seed: options.seed ?? 0,
    ...(samplePairs !== "all" ? { samplePairs } : {}),
  };
  const runner = options.topsimRunner ?? topographicSimilarity;
  const topsim = options.skipTopsim ? null : await runner(mapping, topsimOptions);
  const order = inferWordOrder(table);
  const bagExclude = options.bagExcludeSymbols ?? [];
  const details: MappingMeasures["details"] = {
    synonymy: synonymy(table),
    homonymy: homonymy(table),
    wordOrderFreedom: wordOrderFreedom(table),
    entanglement: entanglement(table),
    wordOrderScores: order.scores,
    topsim,
    posdis: posdis(mapping),
    bosdis: bosdis(mapping, { excludeSymbols: bagExclude }),
    residualEntropy: residualEntropy(mapping),
    contextIndependence: contextIndependence(mapping, { excludeSymbols: bagExclude }),
    accuracy: options.predictedMeanings
      ? gameAccuracy(options.predictedMeanings, mapping.meanings, mapping.roles.length)
      : null,
  };
  const symbol = (c: number | undefined) => (c === undefined ? null : mapping.alphabet[c]!);
  return {
    values: {
      synonymy: details.synonymy.value,
      homonymy: details.homonymy.value,
      wordOrderFreedom: details.wordOrderFreedom.value,
      entanglement: details.entanglement.value,
      topsim: topsim ? topsim.topsim : null,
      posdis: details.posdis.value,
      bosdis: details.bosdis.value,
      residualEntropy: details.residualEntropy.value,
      contextIndependence: details.contextIndependence.value,
      accuracy: details.accuracy ? details.accuracy.allCorrect : null,
    },
    wordOrder: wordOrderLabels(
      order,
      mapping.roles.map((r) => r.name),
    ),
    details,
    parameters: {
      rows: mapping.size,
      roles: mapping.roles.map((r) => ({ name: r.name, atoms: r.atoms.length })),
      signalLength: mapping.length,
      alphabetSize: mapping.alphabet.length,
      padSymbol: symbol(mapping.padSymbol),
      afterEos,
      eosSymbol: symbol(eos),
      meaningDistance: "hamming",
      signalDistance: topsimOptions.signalDistance!,
      trimPad: topsimOptions.trimPad!,
      topsimPairs: topsim ? topsim.pairs : null,
      topsimSample: topsim?.sample ?? null,
      topsimPermutations: topsimOptions.permutations!,
      seed: topsimOptions.seed!,
      bagExcludeSymbols: bagExclude.map((c) => symbol(c) ?? String(c)),
      unobservedAtoms: "skipped",
    },
  };
}

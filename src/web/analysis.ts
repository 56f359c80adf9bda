/**
 * "Analyse a file" in the browser: the same computations and JSON shapes as `glossa mapping
 * FILE --json` and `glossa entropy REPS.npy --labels NAME=FILE.npy --json --backend ts`, from
 * bytes instead of paths. It runs inside the page's Web Worker (worker.ts); browser-safe
 * (mapping/npy parsing are the CLI's own parsers; Vite shims the Node imports they never call
 * here, see vite.config.ts).
 */
import { tsBackend } from "../compute/ts.js";
import type { ComputeBackend } from "../compute/types.js";
import { InputError } from "../io/errors.js";
import { parseMappingText } from "../io/mappingParse.js";
import { decodeUtf8 } from "../io/mappingText.js";
import { npyLabelCodes } from "../io/npyLabels.js";
import { parseNpy, toFloat32Array } from "../io/npyFormat.js";
import { measureMapping } from "../mapping/measureAll.js";
import {
  type CALIBRATIONS,
  RangeFinder,
  accumulateBatches,
  entropyAccumulator,
  entropyJson,
  entropyParameters,
  entropyResults,
  estimatorSpec,
  rowsInputError,
  type SourceBatch,
} from "../vector/index.js";

export type BackendChoice = "ts" | "onnx-web" | "auto";

/**
 * Whether onnxruntime-web beats the TypeScript kernel (BENCHMARKS.md, "Dashboard"): in Chromium
 * it is about 2× faster from n·d ≈ 64k (n = 1000 anchors at d = 64 or more) and level at
 * n = 100, and loading its WebAssembly costs ~0.3 s, so small jobs stay on TypeScript.
 */
export function prefersOnnxWeb(shape: { rows: number; d: number; n: number }): boolean {
  return shape.n * shape.d >= 50_000 && shape.rows * shape.n * shape.d >= 5e8;
}

export type Progress = (fraction: number, message: string) => void;

export interface MappingRequest {
  fileName: string;
  bytes: Uint8Array;
  skipTopsim?: boolean;
}

/** What `glossa mapping FILE --json` prints (defaults of every option). */
export async function analyseMapping(request: MappingRequest, progress: Progress = () => {}) {
  progress(0.05, "reading the mapping");
  const { mapping, report } = parseMappingText(decodeUtf8(request.bytes, request.fileName), request.fileName);
  progress(0.2, `measuring ${mapping.size} rows${request.skipTopsim ? "" : " (topsim over all pairs)"}`);
  const measures = await measureMapping(mapping, {
    afterEos: "count",
    signalDistance: "levenshtein",
    topsimPermutations: 0,
    seed: 0,
    skipTopsim: request.skipTopsim ?? false,
  });
  progress(1, "done");
  return { file: report, ...measures };
}

export interface NamedBytes {
  name: string;
  fileName: string;
  bytes: Uint8Array;
}

export interface VectorRequest {
  vectors: { fileName: string; bytes: Uint8Array };
  labels: NamedBytes[];
  /** A registered estimator (default soft); its options default as in the CLI. */
  estimator?: string;
  n?: number;
  seed?: number;
  calibration?: (typeof CALIBRATIONS)[number];
  batch?: number;
  /** Skip NaN/Inf/all-zero rows (counted), as `--skip-invalid`; default: refuse them. */
  skipInvalid?: boolean;
  /** Null shadows per label set (default: the CLI's, for counting estimators). */
  nullShadows?: number;
  /**
   * Anchor-kernel back end: "ts" (what `--backend ts` computes), "onnx-web", or "auto"
   * (onnx-web where it is faster: see `prefersOnnxWeb`). Chosen by the caller's `chooseBackend`.
   */
  backend?: BackendChoice;
}

function* batchesOf(data: Float32Array, rows: number, d: number, size: number): Generator<SourceBatch> {
  for (let start = 0; start < rows; start += size) {
    const count = Math.min(size, rows - start);
    yield { start, count, rows: data.subarray(start * d, (start + count) * d) };
  }
}

/**
 * What `glossa entropy REPS.npy --labels … --json --backend ts` prints with the CLI's defaults
 * (bias-corrected by null shadows; no permutation null, no bootstrap): the same registry-built
 * accumulator and JSON (src/vector/entropyJob.ts), from bytes instead of paths.
 */
export async function analyseVectors(
  request: VectorRequest,
  progress: Progress = () => {},
  chooseBackend: (shape: { rows: number; d: number; n: number }) => Promise<ComputeBackend> = async () => tsBackend,
) {
  const file = request.vectors.fileName;
  progress(0.02, "reading the vectors");
  const array = parseNpy(request.vectors.bytes, file);
  if (array.shape.length !== 2)
    throw new InputError(`expected a 2-D rows × d array, got shape (${array.shape.join(", ")})`, { file });
  const [rows, d] = array.shape as [number, number];
  if (rows === 0) throw new InputError("has 0 rows: there is nothing to measure (expected rows × d)", { file });
  const labels = Object.fromEntries(
    request.labels.map((l) => [l.name, npyLabelCodes(parseNpy(l.bytes, l.fileName), rows, l.fileName, l.name)]),
  );
  const estimator = request.estimator ?? "soft";
  const spec = estimatorSpec(estimator);
  const batch = request.batch ?? 4096;
  const usesBackend = spec.needs.includes("backend");
  const n = request.n ?? 100;
  const backend = usesBackend ? await chooseBackend({ rows, d, n }) : tsBackend;
  const data = toFloat32Array(array.data);
  const warnings: string[] = [];
  const skipInvalid = request.skipInvalid ?? false;
  let ranges: ReturnType<RangeFinder["ranges"]> | undefined;
  if (spec.needs.includes("ranges")) {
    const finder = new RangeFinder(d, { skipInvalid });
    try {
      for (const b of batchesOf(data, rows, d, batch)) finder.update(b.rows);
      ranges = finder.ranges();
    } catch (error) {
      throw rowsInputError(error, file);
    }
  }
  const accumulator = entropyAccumulator({
    estimator,
    d,
    ...(request.n !== undefined ? { n } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.calibration !== undefined ? { calibration: request.calibration } : {}),
    ...(usesBackend ? { backend } : {}),
    ...(ranges ? { ranges } : {}),
    ...(request.nullShadows !== undefined ? { nullShadows: request.nullShadows } : {}),
    skipInvalid,
    keepRows: false,
    warn: (message) => warnings.push(message),
  });
  progress(0.05, `0 / ${rows} rows`);
  try {
    await accumulateBatches(accumulator, batchesOf(data, rows, d, batch), {
      labels,
      onProgress: (done) => progress(0.05 + (0.9 * done) / rows, `${done} / ${rows} rows`),
    });
  } catch (error) {
    throw rowsInputError(error, file);
  }
  const result = entropyResults(accumulator);
  warnings.push(...result.warnings);
  const parameters = entropyParameters(
    {
      file,
      rows,
      d,
      batch,
      labels: request.labels.map((l) => `${l.name}=${l.fileName}`),
      backend: usesBackend ? backend.name : null,
    },
    result,
  );
  progress(1, "done");
  return entropyJson(parameters, result, warnings);
}

/** A label set's name from its file name ("role.npy" → "role"). */
export function labelSetName(fileName: string): string {
  return fileName.replace(/\.npy$/i, "") || "labels";
}

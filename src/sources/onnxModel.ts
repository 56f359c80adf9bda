/**
 * A local ONNX transformer language model with its tokenizer, run by onnxruntime-node with
 * the residual stream of every layer exposed (see transformerLayers.ts). No network:
 * the tokenizer loads from the same folder with remote models disabled.
 *
 * Folder layout: `model.onnx` (or `onnx/model.onnx`, `decoder_model.onnx`), `tokenizer.json`,
 * `tokenizer_config.json`, optionally `config.json`. Models over 2 GB keep weights in
 * external-data files next to the graph; the edited graph is then written into a temporary
 * folder beside links to those files, so onnxruntime can still find them.
 */
import { maximum } from "../util/extent.js";
import { existsSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { tmpdir } from "node:os";
import * as ort from "onnxruntime-node";
import { InputError } from "../io/errors.js";
import { convertBfloat16 } from "./bfloat16.js";
import { externalElements, readModelSkeleton } from "./onnxSkeleton.js";
import {
  LayerLayoutError,
  decodeModel,
  embeddingRows,
  encodeModel,
  explicitLayerTensors,
  exposeTensors,
  externalDataFiles,
  findLayerTensors,
  hasExternalData,
  parameterCount,
  type LayerTensors,
} from "./transformerLayers.js";

export const MODEL_FILES = ["model.onnx", "onnx/model.onnx", "decoder_model.onnx", "onnx/decoder_model.onnx"];

export interface LoadModelOptions {
  /** Name the residual tensors (embeddings first, then one per block) instead of finding them. */
  outputs?: readonly string[];
  /** onnxruntime execution providers, e.g. ["cuda", "cpu"]; default ["cpu"]. */
  executionProviders?: string[];
  /** Intra-op threads (0 = onnxruntime's default). */
  threads?: number;
  /** Do not add the layer outputs (the bare model; used as the bench baseline). */
  bare?: boolean;
}

/** Minimal view of a Hugging Face tokenizer that glossa uses. */
export interface ModelTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
  /** Largest token id the tokenizer can produce, plus one. */
  vocabSize: number;
  /** Id used to fill padded positions (never counted). */
  padId: number;
  /** Longest sequence the model accepts (from the tokenizer/config), if known. */
  maxLength: number | undefined;
}

/** A batch of right-padded sequences, row-major rows × length, mask 1 = real token. */
export interface PaddedBatch {
  ids: Int32Array;
  mask: Uint8Array;
  rows: number;
  length: number;
}

export interface LayerStates {
  /** d: width of the residual stream. */
  width: number;
  /** One rows × length × width array per requested layer, in request order. */
  states: Float32Array[];
}

export class LanguageModel {
  private constructor(
    readonly dir: string,
    readonly name: string,
    readonly modelFile: string,
    readonly layers: LayerTensors,
    readonly parameters: number,
    readonly modelVocabSize: number | undefined,
    readonly tokenizer: ModelTokenizer,
    private readonly session: ort.InferenceSession,
    private readonly tempDir: string | null,
    readonly bare: boolean,
  ) {}

  /** Number of layers exposed (embeddings + blocks). */
  get layerCount(): number {
    return this.layers.tensors.length;
  }

  static async load(dir: string, options: LoadModelOptions = {}): Promise<LanguageModel> {
    const { folder, modelFile, model, layers, parameters, modelVocabSize, tokenizer } = await inspectModelFolder(
      dir,
      options.outputs,
    );
    if (!options.bare) exposeTensors(model, layers.tensors);
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: options.executionProviders ?? ["cpu"],
      graphOptimizationLevel: "all",
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    };
    // onnxruntime resolves external data relative to the model file, so the edited graph goes next to links to the weights.
    const tempDir = hasExternalData(model) ? folderBesideWeights(modelFile, externalDataFiles(model)) : null;
    let session: ort.InferenceSession;
    try {
      if (tempDir) {
        const edited = join(tempDir, "model.onnx");
        writeFileSync(edited, encodeModel(model));
        session = await ort.InferenceSession.create(edited, sessionOptions);
      } else {
        session = await ort.InferenceSession.create(encodeModel(model), sessionOptions);
      }
    } catch (e) {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      const providers = sessionOptions.executionProviders!.map(String);
      const hint = providers.some((p) => p !== "cpu")
        ? ` (execution providers ${providers.join(", ")}: onnxruntime-node ships CPU only unless installed with its CUDA binaries — see the README's section on large models)`
        : "";
      throw new InputError(`onnxruntime could not load the model: ${(e as Error).message}${hint}`, { file: modelFile });
    }
    return new LanguageModel(
      folder,
      basename(folder),
      modelFile,
      layers,
      parameters,
      modelVocabSize,
      tokenizer,
      session,
      tempDir,
      options.bare ?? false,
    );
  }

  /**
   * Runs one padded batch; returns the residual stream at each requested layer (default all).
   * Only the layer tensors are fetched unless `includeGraphOutputs` (then the model's own
   * outputs, e.g. logits, are computed and fetched too, and discarded).
   */
  async forward(
    batch: PaddedBatch,
    layers?: readonly number[],
    options: { includeGraphOutputs?: boolean } = {},
  ): Promise<LayerStates> {
    const feeds = this.feeds(batch);
    const wanted = layers ?? this.layers.tensors.map((_, i) => i);
    for (const l of wanted) {
      if (!Number.isInteger(l) || l < 0 || l >= this.layerCount)
        throw new RangeError(`layer ${l} out of range 0..${this.layerCount - 1}`);
    }
    const graphOutputs = this.session.outputNames.filter((n) => !this.layers.tensors.includes(n));
    const fetches = this.bare
      ? [this.session.outputNames[0]!]
      : [
          ...new Set([
            ...wanted.map((l) => this.layers.tensors[l]!),
            ...(options.includeGraphOutputs ? graphOutputs : []),
          ]),
        ];
    const out = await this.session.run(feeds, fetches);
    if (this.bare) {
      disposeAll(out);
      return { width: 0, states: [] };
    }
    let width = 0;
    const states = wanted.map((l) => {
      const t = out[this.layers.tensors[l]!]!;
      width = Number(t.dims[t.dims.length - 1]);
      if (t.dims.length !== 3 || Number(t.dims[0]) !== batch.rows || Number(t.dims[1]) !== batch.length) {
        throw new InputError(
          `${this.modelFile}: layer ${l} tensor ${this.layers.tensors[l]} has shape [${t.dims.join(", ")}], expected [${batch.rows}, ${batch.length}, d]`,
        );
      }
      return toFloat32(t);
    });
    disposeAll(out);
    return { width, states };
  }

  private feeds(batch: PaddedBatch): Record<string, ort.Tensor> {
    return batchFeeds(batch, this.session.inputNames);
  }

  async dispose(): Promise<void> {
    await this.session.release();
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }
}

/** The int64 tensors a graph with inputs `inputNames` is fed for one batch (positions count real tokens only). */
export function batchFeeds(batch: PaddedBatch, inputNames: readonly string[]): Record<string, ort.Tensor> {
  const n = batch.rows * batch.length;
  const dims = [batch.rows, batch.length];
  const ids = new BigInt64Array(n);
  const mask = new BigInt64Array(n);
  const positions = new BigInt64Array(n);
  for (let r = 0; r < batch.rows; r++) {
    let p = 0;
    for (let t = 0; t < batch.length; t++) {
      const i = r * batch.length + t;
      ids[i] = BigInt(batch.ids[i]!);
      mask[i] = BigInt(batch.mask[i]!);
      positions[i] = BigInt(batch.mask[i] ? p++ : 0);
    }
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of inputNames) {
    if (name === "input_ids") feeds[name] = new ort.Tensor("int64", ids, dims);
    else if (name === "attention_mask") feeds[name] = new ort.Tensor("int64", mask, dims);
    else if (name === "position_ids") feeds[name] = new ort.Tensor("int64", positions, dims);
    else if (name === "token_type_ids") feeds[name] = new ort.Tensor("int64", new BigInt64Array(n), dims);
  }
  return feeds;
}

/** What a model folder holds, checked without starting a session (cheap; for validating every input before work starts). */
export interface ModelFolderInfo {
  folder: string;
  modelFile: string;
  model: ReturnType<typeof decodeModel>;
  layers: LayerTensors;
  parameters: number;
  modelVocabSize: number | undefined;
  tokenizer: ModelTokenizer;
}

/** Name under which a skeleton graph (see onnxSkeleton.ts) refers to the weights inside the model file. */
export const SKELETON_WEIGHTS = "glossa-weights.onnx";

/**
 * Checks a model folder: model file, layer tensors, tokenizer, vocabulary sizes, graph inputs.
 * With `skeleton` the graph is read without its weight bytes (they stay in the file, named
 * SKELETON_WEIGHTS; used by block streaming).
 */
export async function inspectModelFolder(
  dir: string,
  outputs?: readonly string[],
  options: { skeleton?: boolean } = {},
): Promise<ModelFolderInfo> {
  const folder = resolve(dir);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new InputError(`model folder does not exist`, { file: dir });
  const rel = MODEL_FILES.find((f) => existsSync(join(folder, f)));
  if (!rel) {
    const onnxFiles = readdirSync(folder).filter((f) => f.endsWith(".onnx"));
    throw new InputError(
      `no ONNX model in this folder: looked for ${MODEL_FILES.join(", ")}` +
        (onnxFiles.length ? ` (found ${onnxFiles.join(", ")})` : ""),
      { file: dir },
    );
  }
  const modelFile = join(folder, rel);
  const model = options.skeleton ? readSkeleton(modelFile) : readModelFile(modelFile);
  let layers: LayerTensors;
  try {
    layers = outputs?.length ? explicitLayerTensors(model, outputs) : findLayerTensors(model);
  } catch (e) {
    if (e instanceof LayerLayoutError) throw new InputError(e.message, { file: modelFile });
    throw e;
  }
  const parameters = parameterCount(
    model,
    options.skeleton
      ? externalElements((location) => (location === SKELETON_WEIGHTS ? modelFile : join(dirname(modelFile), location)))
      : undefined,
  );
  const modelVocabSize = embeddingRows(model) ?? configVocabSize(folder);
  const tokenizer = await loadTokenizer(folder);
  if (modelVocabSize !== undefined && tokenizer.vocabSize > modelVocabSize) {
    throw new InputError(
      `tokenizer/model mismatch: the tokenizer has ids up to ${tokenizer.vocabSize - 1} but the model's embedding has ${modelVocabSize} rows`,
      { file: dir },
    );
  }
  const inputs = (model.graph?.input ?? []).map((i) => i.name ?? "");
  const unsupported = inputs.filter((n) => !SUPPORTED_INPUTS.has(n));
  if (!inputs.includes("input_ids") || unsupported.length) {
    throw new InputError(
      `graph inputs [${inputs.join(", ")}] — glossa feeds input_ids, attention_mask, position_ids and token_type_ids only` +
        (unsupported.length
          ? ` (export the model without ${unsupported.join(", ")}, e.g. without past key values)`
          : ""),
      { file: modelFile },
    );
  }
  return { folder, modelFile, model, layers, parameters, modelVocabSize, tokenizer };
}

/**
 * Decodes the model file; a bfloat16 graph is converted to float32 (see bfloat16.ts). The
 * converted graph is cached in memory only (nothing is written to disk), keyed by the file's
 * path, size and modification time, and only the most recent one is kept, so loading the same
 * model again in this process (every cell of a sweep) skips the conversion.
 */
function readModelFile(modelFile: string): ReturnType<typeof decodeModel> {
  const { size, mtimeMs } = statSync(modelFile);
  const key = `${modelFile}\0${size}\0${mtimeMs}`;
  if (convertedCache?.key === key) return decodeModel(convertedCache.bytes);
  let model: ReturnType<typeof decodeModel>;
  try {
    model = decodeModel(readFileSync(modelFile));
  } catch (e) {
    throw new InputError(`not a readable ONNX model: ${(e as Error).message}`, { file: modelFile });
  }
  if (convertBfloat16(model, modelFile) > 0) convertedCache = { key, bytes: encodeModel(model) };
  return model;
}

let convertedCache: { key: string; bytes: Uint8Array } | null = null;

/** The graph without its weight bytes; bfloat16 is converted where it is inline, refused where it is not. */
function readSkeleton(modelFile: string): ReturnType<typeof decodeModel> {
  const model = readModelSkeleton(modelFile, SKELETON_WEIGHTS);
  convertBfloat16(model, modelFile);
  return model;
}

const SUPPORTED_INPUTS = new Set(["input_ids", "attention_mask", "position_ids", "token_type_ids"]);

/**
 * A temporary folder holding hard links to the model's weight files, for the edited graph to
 * sit beside (onnxruntime resolves external data relative to the graph and, from 1.20, refuses
 * data reached through a symbolic link that leads outside the graph's folder). Made in the
 * system's temporary folder when it is on the model's file system, else inside the model's
 * folder; a model on a read-only file system elsewhere is an InputError saying what to do.
 */
function folderBesideWeights(modelFile: string, weightFiles: readonly string[]): string {
  const attempt = (parent: string): string | null => {
    const dir = mkdtempSync(join(parent, parent === tmpdir() ? "glossa-model-" : ".glossa-graph-"));
    try {
      for (const f of weightFiles) linkSync(join(dirname(modelFile), f), join(dir, f));
      return dir;
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return null;
    }
  };
  const made = attempt(tmpdir()) ?? tryOrNull(() => attempt(dirname(modelFile)));
  if (made) return made;
  throw new InputError(
    "cannot place the edited graph beside the model's external weight files: hard links from the temporary folder fail (another file system) and the model's folder is not writable; set TMPDIR to a folder on the model's file system",
    { file: modelFile },
  );
}

const tryOrNull = <T>(f: () => T | null): T | null => {
  try {
    return f();
  } catch {
    return null;
  }
};

export function disposeAll(out: ort.InferenceSession.OnnxValueMapType): void {
  for (const v of Object.values(out)) (v as ort.Tensor).dispose?.();
}

/** float32 data of a tensor (float16 converted). */
export function toFloat32(t: ort.Tensor): Float32Array {
  if (t.type === "float32") return (t.data as Float32Array).slice();
  if (t.type === "float16") {
    const src = t.data as Uint16Array;
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = halfToFloat(src[i]!);
    return out;
  }
  throw new InputError(
    `hidden states of type ${t.type} are not supported (expected float32 or float16; bfloat16 graphs are converted to float32 at load)`,
  );
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** A JSON file holding an object; anything else is an InputError naming the file. */
function readJsonObject(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InputError("expected a JSON object", { file });
  return value as Record<string, unknown>;
}

function configVocabSize(folder: string): number | undefined {
  const file = join(folder, "config.json");
  if (!existsSync(file)) return undefined;
  try {
    const v = JSON.parse(readFileSync(file, "utf8")).vocab_size;
    return typeof v === "number" ? v : undefined;
  } catch {
    throw new InputError(`not valid JSON`, { file });
  }
}

/**
 * Loads the folder's tokenizer with @huggingface/transformers, from its two JSON files read
 * here: the class named by tokenizer_config.json's `tokenizer_class` (as AutoTokenizer picks
 * it), constructed directly. Going through AutoTokenizer.from_pretrained would look the folder
 * up by its base name as a model id, which fails for names with spaces or non-ASCII letters.
 */
export async function loadTokenizer(folder: string): Promise<ModelTokenizer> {
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) {
    if (!existsSync(join(folder, f)))
      throw new InputError(`no ${f} in this folder (the tokenizer files must sit beside the model)`, { file: folder });
  }
  const json = readJsonObject(join(folder, "tokenizer.json"));
  const config = readJsonObject(join(folder, "tokenizer_config.json"));
  const transformers = await import("@huggingface/transformers");
  transformers.env.allowRemoteModels = false;
  const className = typeof config.tokenizer_class === "string" ? config.tokenizer_class.replace(/Fast$/, "") : "";
  const classes = transformers as unknown as Record<string, unknown>;
  const Tokenizer = (
    typeof classes[className] === "function" && className.endsWith("Tokenizer")
      ? classes[className]
      : transformers.PreTrainedTokenizer
  ) as typeof transformers.PreTrainedTokenizer;
  let tok: InstanceType<typeof transformers.PreTrainedTokenizer>;
  try {
    tok = new Tokenizer(json, config);
  } catch (error) {
    throw new InputError(`cannot build the tokenizer: ${(error as Error).message}`, {
      file: join(folder, "tokenizer.json"),
    });
  }
  let maxId = -1;
  const vocab = (json.model as { vocab?: unknown } | undefined)?.vocab;
  if (Array.isArray(vocab))
    maxId = vocab.length - 1; // Unigram: [[piece, score], …]
  else if (vocab && typeof vocab === "object") for (const v of Object.values(vocab)) maxId = Math.max(maxId, Number(v));
  const added = Array.isArray(json.added_tokens) ? (json.added_tokens as { id?: unknown }[]) : [];
  for (const t of added) maxId = Math.max(maxId, Number(t?.id));
  const padId = tok.pad_token_id ?? tok.eos_token_id ?? 0;
  const maxLen = Number(config.model_max_length);
  return {
    encode: (text, o) => tok.encode(text, { add_special_tokens: o?.add_special_tokens ?? false }),
    decode: (ids, o) =>
      tok.decode(ids, {
        skip_special_tokens: o?.skip_special_tokens ?? false,
        clean_up_tokenization_spaces: o?.clean_up_tokenization_spaces ?? false,
      }),
    vocabSize: maxId + 1,
    padId: Number(padId),
    maxLength: Number.isFinite(maxLen) && maxLen > 0 && maxLen < 1e7 ? maxLen : undefined,
  };
}

/** Pads token sequences on the right into one batch (padId fills, mask 0). */
export function padBatch(sequences: readonly ArrayLike<number>[], padId: number): PaddedBatch {
  const rows = sequences.length;
  const length = Math.max(0, maximum(sequences.map((s) => s.length)));
  const ids = new Int32Array(rows * length).fill(padId);
  const mask = new Uint8Array(rows * length);
  sequences.forEach((s, r) => {
    for (let t = 0; t < s.length; t++) {
      ids[r * length + t] = s[t]!;
      mask[r * length + t] = 1;
    }
  });
  return { ids, mask, rows, length };
}

/**
 * Block-by-block execution of an exported transformer for models larger than memory: the
 * graph is read without its weights (onnxSkeleton.ts), cut into embeddings and one segment
 * per block (blockSplit.ts), and the corpus goes through one segment at a time. Only that
 * segment's onnxruntime session (its weights, read from the model file by offset) and the
 * hidden states of two layers are alive at once; the states go to disk when a memory limit
 * says they would not fit (stateStore.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { InputError } from "../io/errors.js";
import { type GraphSegment, splitBlocks } from "./blockSplit.js";
import {
  batchFeeds,
  inspectModelFolder,
  type ModelTokenizer,
  type PaddedBatch,
  SKELETON_WEIGHTS,
} from "./onnxModel.js";
import { type HiddenBatch, LayerStore, type StateType, statesAsFloat32 } from "./stateStore.js";
import { withInlineWeights } from "./onnxSkeleton.js";
import { encodeModel, LayerLayoutError, type LayerTensors } from "./transformerLayers.js";

export interface StreamedModelOptions {
  outputs?: readonly string[];
  executionProviders?: string[];
  threads?: number;
}

/** One segment's live session. */
export class SegmentSession {
  constructor(
    readonly segment: GraphSegment,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Runs one batch; `input` is the previous layer's states (null for the embeddings). */
  async run(batch: PaddedBatch, input: HiddenBatch | null): Promise<HiddenBatch> {
    const feeds = batchFeeds(batch, this.segment.graphInputs);
    if (this.segment.input !== null) {
      if (!input) throw new RangeError(`${this.segment.name} needs the previous layer's states`);
      feeds[this.segment.input] = new ort.Tensor(input.type, input.data, input.dims);
    }
    const output = this.segment.outputs[0]!;
    const out = await this.session.run(feeds, [output]);
    const t = out[output] as ort.Tensor;
    const dims = t.dims.map(Number);
    if (dims.length !== 3 || dims[0] !== batch.rows || dims[1] !== batch.length)
      throw new InputError(
        `${this.segment.name}: residual ${output} has shape [${dims.join(", ")}], expected [${batch.rows}, ${batch.length}, d]`,
      );
    if (t.type !== "float32" && t.type !== "float16")
      throw new InputError(`${this.segment.name}: hidden states of type ${t.type} (expected float32 or float16)`);
    const data = t.type === "float32" ? (t.data as Float32Array).slice() : (t.data as Uint16Array).slice();
    t.dispose?.();
    return { type: t.type, data, dims: dims as [number, number, number] };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export class StreamedModel {
  private constructor(
    readonly dir: string,
    readonly name: string,
    readonly modelFile: string,
    readonly layers: LayerTensors,
    readonly parameters: number,
    readonly tokenizer: ModelTokenizer,
    readonly segments: GraphSegment[],
    private readonly sessionOptions: ort.InferenceSession.SessionOptions,
  ) {}

  get layerCount(): number {
    return this.layers.tensors.length;
  }

  /** The segment with the most weight bytes (what one session holds at least). */
  get largestSegment(): GraphSegment {
    return this.segments.reduce((a, b) => (b.weightBytes > a.weightBytes ? b : a));
  }

  static async open(dir: string, options: StreamedModelOptions = {}): Promise<StreamedModel> {
    const info = await inspectModelFolder(dir, options.outputs, { skeleton: true });
    let segments: GraphSegment[];
    try {
      segments = splitBlocks(info.model, info.layers.tensors);
    } catch (e) {
      if (e instanceof LayerLayoutError) throw new InputError(e.message, { file: info.modelFile });
      throw e;
    }
    return new StreamedModel(
      info.folder,
      basename(info.folder),
      info.modelFile,
      info.layers,
      info.parameters,
      info.tokenizer,
      segments,
      {
        executionProviders: options.executionProviders ?? ["cpu"],
        graphOptimizationLevel: "all",
        ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      },
    );
  }

  /** Starts the session of layer `layer`'s segment (0 = embeddings, k = block k). */
  async openSegment(layer: number): Promise<SegmentSession> {
    const segment = this.segments[layer];
    if (!segment) throw new RangeError(`layer ${layer} out of range 0..${this.segments.length - 1}`);
    if (segment.weightBytes >= 2 ** 31)
      throw new InputError(
        `${segment.name} holds ${formatBytes(segment.weightBytes)} of weights; block streaming hands each segment to onnxruntime as one protobuf, which must stay under 2 GB`,
        { file: this.modelFile },
      );
    // Only this segment's weights are read (by offset from the model or its data files), handed
    // to onnxruntime as bytes, and dropped once the session holds its own copy.
    // (onnxruntime ≥ 1.20 refuses external data reached through links outside the graph's folder.)
    const folder = dirname(this.modelFile);
    const bytes = encodeModel(
      withInlineWeights(segment.model, (location) =>
        location === SKELETON_WEIGHTS ? this.modelFile : join(folder, location),
      ),
    );
    try {
      return new SegmentSession(segment, await ort.InferenceSession.create(bytes, this.sessionOptions));
    } catch (e) {
      throw new InputError(`onnxruntime could not load ${segment.name}: ${(e as Error).message}`, {
        file: this.modelFile,
      });
    }
  }

  /** Nothing is held between segments (each session is released when its segment is done). */
  async dispose(): Promise<void> {}
}

export interface StreamSettings {
  /** Bytes the segment weights and the held hidden states may take (undefined: no limit, nothing spilled). */
  memoryLimit?: number;
  /** Type of spilled states (default: the model's own). */
  spillPrecision?: StateType;
  log?: (message: string) => void;
}

/** A finished layer's states, batch by batch. */
export interface StoredLayer {
  layer: number;
  width: number;
  batches: number;
  /** float32 states of batch `index`, rows × length × width. */
  states(index: number): Float32Array;
}

/**
 * Runs `batches` through the segments up to the largest of `wanted`, one segment at a time,
 * and calls `visit` for each wanted layer once all its states exist (before the next
 * segment starts). With a memory limit the states are spilled to disk when two layers of
 * them would not fit beside the largest segment's weights.
 */
export async function streamLayers(
  model: StreamedModel,
  batches: readonly PaddedBatch[],
  wanted: readonly number[],
  settings: StreamSettings,
  visit: (layer: StoredLayer) => Promise<void>,
): Promise<{ spilledBytes: number }> {
  const last = Math.max(-1, ...wanted);
  const wantedSet = new Set(wanted);
  const budget =
    settings.memoryLimit === undefined ? Infinity : settings.memoryLimit - model.largestSegment.weightBytes;
  if (budget <= 0) {
    const s = model.largestSegment;
    throw new InputError(
      `--memory-limit ${formatBytes(settings.memoryLimit!)} is below the weights of ${s.name} alone (${formatBytes(s.weightBytes)})`,
    );
  }
  const spillDir = budget === Infinity ? null : mkdtempSync(join(tmpdir(), "glossa-states-"));
  let spilledBytes = 0;
  let spill: boolean | null = null;
  let previous: LayerStore | null = null;
  try {
    for (let layer = 0; layer <= last; layer++) {
      const session = await model.openSegment(layer);
      let current: LayerStore | null = null;
      try {
        for (let b = 0; b < batches.length; b++) {
          const out = await session.run(batches[b]!, previous?.get(b) ?? null);
          if (spill === null) {
            // Decided once, from the first batch: bytes of one layer for the whole corpus, two layers held.
            const perToken = (out.data.byteLength / (out.dims[0] * out.dims[1])) * 2;
            const tokens = batches.reduce((n, x) => n + x.rows * x.length, 0);
            spill = perToken * tokens > budget;
            if (spill)
              settings.log?.(
                `${model.name}: hidden states (2 × ${formatBytes((perToken / 2) * tokens)}) exceed the memory left beside the weights (${formatBytes(budget)}); spilling them to ${spillDir}`,
              );
          }
          current ??= new LayerStore(
            spill
              ? {
                  file: join(spillDir!, `layer-${layer}.bin`),
                  precision: settings.spillPrecision ?? out.type,
                }
              : null,
          );
          current.put(b, out);
        }
      } finally {
        await session.release();
      }
      previous?.clear();
      previous = current;
      if (!current) continue;
      spilledBytes += current.spilledBytes;
      if (wantedSet.has(layer)) {
        const store = current;
        const width = batches.length ? store.get(0).dims[2] : 0;
        await visit({
          layer,
          width,
          batches: batches.length,
          states: (index) => statesAsFloat32(store.get(index)),
        });
      }
    }
  } finally {
    previous?.clear();
    if (spillDir) rmSync(spillDir, { recursive: true, force: true });
  }
  return { spilledBytes };
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

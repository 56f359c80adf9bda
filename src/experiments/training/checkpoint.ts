/**
 * NODE ONLY: the one checkpoint format of every trained experiment. A checkpoint is one
 * JSON file tagged `{format: "glossa-checkpoint", version: 1, experiment}` holding named
 * groups of float32 arrays (base64; e.g. "parameters", "adam.m", "adam.v") and a JSON
 * object of anything else the experiment restores (step or epoch, the optimiser's step
 * count, a baseline, the rows of the last commit, the settings it was made with).
 * Written atomically (temporary file, then rename): a checkpoint is the old or the new one,
 * never half. A damaged, foreign or other experiment's file is an InputError naming it.
 */
import fs from "node:fs";
import path from "node:path";
import { InputError } from "../../io/errors.js";
import { writeAtomically } from "../../io/runFolder.js";
import type { AdamState } from "./adam.js";

export const CHECKPOINT_FORMAT = "glossa-checkpoint";
export const CHECKPOINT_VERSION = 1;

export type ArrayGroups = Record<string, Map<string, Float32Array>>;

export interface Checkpoint<D = Record<string, unknown>> {
  /** Experiment that wrote it (a checkpoint of another experiment is refused). */
  experiment: string;
  data: D;
  arrays: ArrayGroups;
}

function encode(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

function decode(text: string, file: string, name: string): Float32Array {
  if (typeof text !== "string")
    throw new InputError(`damaged checkpoint: array "${name}" is not base64 text`, { file });
  const bytes = Buffer.from(text, "base64");
  if (bytes.byteLength % 4 !== 0)
    throw new InputError(`damaged checkpoint: array "${name}" has ${bytes.byteLength} bytes, not float32s`, { file });
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function saveCheckpoint(file: string, checkpoint: Checkpoint<object>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const arrays = Object.fromEntries(
    Object.entries(checkpoint.arrays).map(([group, m]) => [
      group,
      Object.fromEntries([...m].map(([k, v]) => [k, encode(v)])),
    ]),
  );
  const json = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    experiment: checkpoint.experiment,
    data: checkpoint.data,
    arrays,
  };
  writeAtomically(file, JSON.stringify(json));
}

/** Reads a checkpoint of `experiment`; undefined when the file does not exist. */
export function loadCheckpoint<D = Record<string, unknown>>(
  file: string,
  experiment: string,
): Checkpoint<D> | undefined {
  if (!fs.existsSync(file)) return undefined;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`damaged checkpoint (${(error as Error).message}); delete it to restart that run`, { file });
  }
  if (json === null || typeof json !== "object" || json.format !== CHECKPOINT_FORMAT)
    throw new InputError(`not a glossa checkpoint (expected format "${CHECKPOINT_FORMAT}")`, { file });
  if (json.version !== CHECKPOINT_VERSION)
    throw new InputError(
      `checkpoint version ${JSON.stringify(json.version)}; this glossa reads version ${CHECKPOINT_VERSION}`,
      { file },
    );
  if (json.experiment !== experiment)
    throw new InputError(`a checkpoint of the ${JSON.stringify(json.experiment)} experiment, not ${experiment}`, {
      file,
    });
  const rawArrays = json.arrays;
  if (rawArrays === null || typeof rawArrays !== "object" || typeof json.data !== "object" || json.data === null)
    throw new InputError("damaged checkpoint: no arrays or data", { file });
  const arrays: ArrayGroups = {};
  for (const [group, entries] of Object.entries(rawArrays as Record<string, Record<string, string>>)) {
    if (entries === null || typeof entries !== "object")
      throw new InputError(`damaged checkpoint: group "${group}"`, { file });
    arrays[group] = new Map(Object.entries(entries).map(([k, v]) => [k, decode(v, file, `${group}/${k}`)]));
  }
  return { experiment, data: json.data as D, arrays };
}

/** Array groups and data fields of an Adam state ("adam.m", "adam.v"; `adamStep`). */
export function adamToCheckpoint(state: AdamState): { arrays: ArrayGroups; adamStep: number } {
  return { arrays: { "adam.m": state.m, "adam.v": state.v }, adamStep: state.step };
}

export function adamFromCheckpoint(checkpoint: Checkpoint<{ adamStep?: unknown }>, file: string): AdamState {
  const step = checkpoint.data.adamStep;
  if (typeof step !== "number" || !Number.isInteger(step) || step < 0)
    throw new InputError("damaged checkpoint: no optimiser step count", { file });
  return { step, m: checkpoint.arrays["adam.m"] ?? new Map(), v: checkpoint.arrays["adam.v"] ?? new Map() };
}

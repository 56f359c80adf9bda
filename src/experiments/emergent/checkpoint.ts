/**
 * NODE ONLY: a run's checkpoint — the trainer's full state (weights, Adam moments and step,
 * REINFORCE baseline, epochs done) plus the result rows of its last epoch — as one JSON file,
 * float32 arrays in base64, written atomically (temporary file, then rename).
 *
 * Order of writes per epoch: checkpoint first, then the journal rows. After an interruption
 * the journal therefore never runs ahead of the checkpoint; rows of the checkpoint's epoch
 * that did not reach the journal are appended from the checkpoint on resume.
 */
import fs from "node:fs";
import path from "node:path";
import { InputError } from "../../io/errors.js";
import type { ResultRow } from "../../io/runFolder.js";
import type { TrainerState } from "./trainer.js";

const FORMAT = "glossa-emergent-checkpoint-v1";

export interface Checkpoint {
  run: string;
  /** JSON of the settings the run depends on; a resume with other settings is refused. */
  settings: string;
  state: TrainerState;
  /** Rows of epoch state.epoch. */
  rows: ResultRow[];
}

function encode(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

function decode(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

const encodeMap = (m: Map<string, Float32Array>) => Object.fromEntries([...m].map(([k, v]) => [k, encode(v)]));
const decodeMap = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, decode(v)]));

export function checkpointPath(dir: string, run: string): string {
  return path.join(dir, "checkpoints", `${run}.json`);
}

export function saveCheckpoint(file: string, checkpoint: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const { state } = checkpoint;
  const json = {
    format: FORMAT,
    run: checkpoint.run,
    settings: checkpoint.settings,
    epoch: state.epoch,
    baseline: state.baseline,
    optimizer: { step: state.optimizer.step, m: encodeMap(state.optimizer.m), v: encodeMap(state.optimizer.v) },
    parameters: encodeMap(state.parameters),
    rows: checkpoint.rows,
  };
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(json));
  fs.renameSync(`${file}.tmp`, file);
}

export function loadCheckpoint(file: string): Checkpoint | undefined {
  if (!fs.existsSync(file)) return undefined;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`unreadable checkpoint (${(error as Error).message}); delete it to restart that run`, {
      file,
    });
  }
  if (json.format !== FORMAT) throw new InputError(`not a ${FORMAT} file`, { file });
  const optimizer = json.optimizer as { step: number; m: Record<string, string>; v: Record<string, string> };
  return {
    run: json.run as string,
    settings: json.settings as string,
    state: {
      epoch: json.epoch as number,
      baseline: json.baseline as TrainerState["baseline"],
      parameters: decodeMap(json.parameters as Record<string, string>),
      optimizer: { step: optimizer.step, m: decodeMap(optimizer.m), v: decodeMap(optimizer.v) },
    },
    rows: json.rows as ResultRow[],
  };
}

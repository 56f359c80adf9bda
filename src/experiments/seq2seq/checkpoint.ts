/**
 * Checkpoints of a seq2seq trainer for exact resume: parameters and Adam state (step count,
 * first and second moments) as raw float32 in one `.bin`, described by a `.json` index.
 * Both are written to temporary names and renamed, the index last, so a checkpoint is either
 * complete or absent. Node-only (file I/O).
 */
import fs from "node:fs";
import path from "node:path";
import type { TrainerSnapshot } from "./trainer.js";

interface Entry {
  group: "param" | "m" | "v";
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

interface CheckpointIndex {
  format: "glossa.seq2seq-checkpoint";
  version: 1;
  step: number;
  adamT: number;
  bytes: number;
  entries: Entry[];
  /** Anything the caller wants restored with the weights (e.g. the measurement schedule position). */
  extra: Record<string, unknown>;
}

export function saveCheckpoint(file: string, snapshot: TrainerSnapshot, extra: Record<string, unknown> = {}): void {
  const entries: Entry[] = [];
  const arrays: Float32Array[] = [];
  let offset = 0;
  const add = (group: Entry["group"], name: string, shape: number[], values: Float32Array): void => {
    entries.push({ group, name, shape, offset, length: values.length });
    arrays.push(values);
    offset += values.length;
  };
  for (const [name, p] of snapshot.params) add("param", name, p.shape, p.values);
  for (const [name, values] of snapshot.adam.m) add("m", name, snapshot.params.get(name)!.shape, values);
  for (const [name, values] of snapshot.adam.v) add("v", name, snapshot.params.get(name)!.shape, values);
  const all = new Float32Array(offset);
  let at = 0;
  for (const a of arrays) {
    all.set(a, at);
    at += a.length;
  }
  const index: CheckpointIndex = {
    format: "glossa.seq2seq-checkpoint",
    version: 1,
    step: snapshot.step,
    adamT: snapshot.adam.t,
    bytes: all.byteLength,
    entries,
    extra,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.bin.tmp`, new Uint8Array(all.buffer, all.byteOffset, all.byteLength));
  fs.writeFileSync(`${file}.json.tmp`, JSON.stringify(index));
  fs.renameSync(`${file}.bin.tmp`, `${file}.bin`);
  fs.renameSync(`${file}.json.tmp`, `${file}.json`);
}

export function checkpointExists(file: string): boolean {
  return fs.existsSync(`${file}.json`) && fs.existsSync(`${file}.bin`);
}

export function loadCheckpoint(file: string): { snapshot: TrainerSnapshot; extra: Record<string, unknown> } {
  const index = JSON.parse(fs.readFileSync(`${file}.json`, "utf8")) as CheckpointIndex;
  if (index.format !== "glossa.seq2seq-checkpoint" || index.version !== 1)
    throw new Error(`${file}.json is not a glossa seq2seq checkpoint (version 1)`);
  const raw = fs.readFileSync(`${file}.bin`);
  if (raw.byteLength !== index.bytes)
    throw new Error(`${file}.bin has ${raw.byteLength} bytes, its index says ${index.bytes}`);
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const snapshot: TrainerSnapshot = {
    step: index.step,
    params: new Map(),
    adam: { t: index.adamT, m: new Map(), v: new Map() },
  };
  for (const e of index.entries) {
    const values = all.slice(e.offset, e.offset + e.length);
    if (e.group === "param") snapshot.params.set(e.name, { shape: e.shape, values });
    else snapshot.adam[e.group].set(e.name, values);
  }
  return { snapshot, extra: index.extra };
}

/**
 * Reads an ONNX model file's graph without its weight bytes: every large initializer stored
 * inline (raw_data) is turned into an external-data reference into the model file itself
 * (location, offset, length), so the decoded model costs kilobytes of memory whatever the
 * weights weigh, and onnxruntime later reads only the weights of the graph it is given.
 *
 * The file is scanned field by field with positioned reads (protobuf wire format: a varint
 * tag `field << 3 | wire type`, then a varint, 8/4 fixed bytes, or a length-prefixed run).
 * Every field but the graph's initializers is copied as it is; protobuf decodes a
 * concatenation of fields as their merge, so the kept bytes plus re-encoded initializers
 * decode to the same model with the weights left where they are.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import onnxProto from "onnx-proto";
import { InputError } from "../io/errors.js";
import type { ElementReader } from "./transformerLayers.js";

const { onnx } = onnxProto;
type Model = InstanceType<typeof onnx.ModelProto>;

/** Initializers with fewer raw bytes than this stay inline (not worth a reference). */
const INLINE_BYTES = 4096;
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const CHUNK = 1 << 20;

/** Buffered positioned reads over an open file. */
class FileCursor {
  private buffer = Buffer.alloc(CHUNK);
  private start = 0;
  private end = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  bytes(position: number, length: number): Buffer {
    if (position < this.start || position + length > this.end) {
      if (length > this.buffer.length) this.buffer = Buffer.alloc(length);
      this.start = position;
      this.end = position + readSync(this.fd, this.buffer, 0, this.buffer.length, position);
      if (position + length > this.end) throw new RangeError("truncated");
    }
    return this.buffer.subarray(position - this.start, position - this.start + length);
  }

  /** The varint at `position` and the position after it (numbers, not 32-bit: lengths may pass 2 GB). */
  varint(position: number): [number, number] {
    let value = 0;
    let scale = 1;
    for (let p = position; p < position + 10; p++) {
      const b = this.bytes(p, 1)[0]!;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return [value, p + 1];
    }
    throw new RangeError("bad varint");
  }
}

interface Field {
  field: number;
  /** First byte of the tag. */
  start: number;
  /** First byte of the payload (after the length prefix for length-delimited fields). */
  payload: number;
  /** One past the last byte. */
  end: number;
}

function* fields(cursor: FileCursor, from: number, to: number): Generator<Field> {
  let p = from;
  while (p < to) {
    const [tag, afterTag] = cursor.varint(p);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let payload = afterTag;
    let end: number;
    if (wire === 0) end = cursor.varint(afterTag)[1];
    else if (wire === 1) end = afterTag + 8;
    else if (wire === 5) end = afterTag + 4;
    else if (wire === 2) {
      const [length, afterLength] = cursor.varint(afterTag);
      payload = afterLength;
      end = afterLength + length;
    } else throw new RangeError(`unsupported wire type ${wire}`);
    if (end > to) throw new RangeError("field runs past its message");
    yield { field, start: p, payload, end };
    p = end;
  }
}

function lengthPrefix(field: number, length: number): Buffer {
  const out: number[] = [];
  for (let v = field * 8 + 2; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out.push(v);
      break;
    }
    out.push((v % 128) | 0x80);
  }
  for (let v = length; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out.push(v);
      break;
    }
    out.push((v % 128) | 0x80);
  }
  return Buffer.from(out);
}

/** One initializer, its large raw_data replaced by a reference to `weightsName` at the data's file offset. */
function initializerWithoutData(cursor: FileCursor, field: Field, weightsName: string): Buffer {
  const kept: Buffer[] = [];
  let raw: Field | undefined;
  for (const f of fields(cursor, field.payload, field.end)) {
    if (f.field === TENSOR_RAW_DATA && f.end - f.payload >= INLINE_BYTES) raw = f;
    else kept.push(Buffer.from(cursor.bytes(f.start, f.end - f.start)));
  }
  if (!raw) return Buffer.from(cursor.bytes(field.start, field.end - field.start));
  const tensor = onnx.TensorProto.decode(Buffer.concat(kept));
  tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  tensor.externalData = [
    onnx.StringStringEntryProto.create({ key: "location", value: weightsName }),
    onnx.StringStringEntryProto.create({ key: "offset", value: String(raw.payload) }),
    onnx.StringStringEntryProto.create({ key: "length", value: String(raw.end - raw.payload) }),
  ];
  const bytes = onnx.TensorProto.encode(tensor).finish();
  return Buffer.concat([lengthPrefix(GRAPH_INITIALIZER, bytes.length), bytes]);
}

/**
 * The model in `file` with every inline initializer of ≥ 4 KiB pointing into the file itself
 * under the name `weightsName` (the caller links that name to `file` beside the graphs it
 * writes). Initializers already stored as external data are left as they are.
 */
export function readModelSkeleton(file: string, weightsName: string): Model {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw new InputError(`cannot open the model: ${(e as Error).message}`, { file });
  }
  try {
    const size = fstatSync(fd).size;
    const cursor = new FileCursor(fd, size);
    const top: Buffer[] = [];
    for (const f of fields(cursor, 0, size)) {
      if (f.field !== MODEL_GRAPH) {
        top.push(Buffer.from(cursor.bytes(f.start, f.end - f.start)));
        continue;
      }
      const graph: Buffer[] = [];
      for (const g of fields(cursor, f.payload, f.end)) {
        graph.push(
          g.field === GRAPH_INITIALIZER
            ? initializerWithoutData(cursor, g, weightsName)
            : Buffer.from(cursor.bytes(g.start, g.end - g.start)),
        );
      }
      const body = Buffer.concat(graph);
      top.push(lengthPrefix(MODEL_GRAPH, body.length), body);
    }
    return onnx.ModelProto.decode(Buffer.concat(top));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`not a readable ONNX model: ${(e as Error).message}`, { file });
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads single float32 entries of initializers stored as external data (`pathOf` maps a
 * location to its file), 4 bytes at a time: what parameterCount needs to recognise a tied
 * head without loading it.
 */
export function externalElements(pathOf: (location: string) => string): ElementReader {
  return (t, index) => {
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
    const entry = (key: string) => (t.externalData ?? []).find((e) => e.key === key)?.value ?? undefined;
    const location = entry("location");
    if (!location) return undefined;
    const position = Number(entry("offset") ?? 0) + 4 * index;
    const bytes = Buffer.alloc(4);
    const fd = openSync(pathOf(location), "r");
    try {
      if (readSync(fd, bytes, 0, 4, position) !== 4) return undefined;
    } finally {
      closeSync(fd);
    }
    return bytes.readFloatLE(0);
  };
}

/**
 * A copy of `model` whose external-data initializers are read back inline (`pathOf` maps a
 * location to its file): only this model's weights are read. The copy is for handing to
 * onnxruntime as bytes, so it must stay under protobuf's 2 GB.
 */
export function withInlineWeights(model: Model, pathOf: (location: string) => string): Model {
  const graph = model.graph;
  if (!graph) return model;
  const initializer = (graph.initializer ?? []).map((t) => {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return t;
    const entry = (key: string) => (t.externalData ?? []).find((e) => e.key === key)?.value ?? undefined;
    const location = entry("location");
    const length = entry("length");
    if (!location || length === undefined)
      throw new InputError(`initializer ${t.name} has external data without a location and length`);
    const file = pathOf(location);
    const bytes = Buffer.alloc(Number(length));
    const fd = openSync(file, "r");
    try {
      const offset = Number(entry("offset") ?? 0);
      let read = 0;
      while (read < bytes.length) {
        const n = readSync(fd, bytes, read, bytes.length - read, offset + read);
        if (n === 0) throw new InputError(`the data of initializer ${t.name} ends early`, { file });
        read += n;
      }
    } finally {
      closeSync(fd);
    }
    return onnx.TensorProto.create({
      ...t,
      externalData: [],
      dataLocation: onnx.TensorProto.DataLocation.DEFAULT,
      rawData: bytes,
    });
  });
  return onnx.ModelProto.create({ ...model, graph: onnx.GraphProto.create({ ...graph, initializer }) });
}

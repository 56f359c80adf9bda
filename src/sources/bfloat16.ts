/**
 * Turns a bfloat16 ONNX graph into a float32 one, in place, so that onnxruntime-node runs it
 * (its CPU provider has no bf16 MatMul/LayerNorm kernels, and its JavaScript tensors no bf16 type).
 *
 * A bf16 value is the upper 16 bits of a float32 (ONNX spec), so every weight converts exactly.
 * What an exporter emits for a bf16 model, and what happens to each here:
 *  - initializers and Constant / ConstantOfShape tensors typed BFLOAT16 (raw_data, or int32_data
 *    holding one value per element in its low 16 bits) → FLOAT with the same values;
 *  - Cast / random-op `to` / `dtype` attributes naming BFLOAT16 → FLOAT (a Cast from float to
 *    bf16 becomes float → float: the graph then computes in float32, more precisely than bf16);
 *  - graph inputs, outputs and value_info typed BFLOAT16 → FLOAT; subgraphs (If/Loop) likewise.
 * Not convertible, each an InputError naming the file and tensor: bf16 weights stored as external
 * data (the separate weight file would have to be rewritten) and bf16 sparse initializers.
 *
 * No I/O: the caller caches (see onnxModel.ts).
 */
import onnxProto from "onnx-proto";
import { InputError } from "../io/errors.js";

const { onnx } = onnxProto;
type Model = InstanceType<typeof onnx.ModelProto>;
type Graph = onnxProto.onnx.IGraphProto;
type Tensor = onnxProto.onnx.ITensorProto;
type TypeProto = onnxProto.onnx.ITypeProto;

const BF16 = onnx.TensorProto.DataType.BFLOAT16;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
/** Attributes whose integer value is a tensor element type (Cast, RandomNormal, EyeLike, …). */
const TYPE_ATTRIBUTES = new Set(["to", "dtype"]);

/** Number of places that named bfloat16 (0: the model is untouched). */
export function convertBfloat16(model: Model, file: string): number {
  return model.graph ? convertGraph(model.graph, file) : 0;
}

function convertGraph(graph: Graph, file: string): number {
  let changed = 0;
  for (const t of graph.initializer ?? []) changed += convertTensor(t, file);
  for (const s of graph.sparseInitializer ?? []) {
    if (s.values?.dataType === BF16)
      throw new InputError(`sparse initializer ${s.values.name ?? "?"} is bfloat16, which glossa cannot convert`, {
        file,
      });
  }
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    if (v.type) changed += convertType(v.type);
  }
  for (const node of graph.node ?? []) {
    for (const a of node.attribute ?? []) {
      if (TYPE_ATTRIBUTES.has(a.name ?? "") && Number(a.i) === BF16) {
        a.i = FLOAT;
        changed++;
      }
      if (a.t) changed += convertTensor(a.t, file, node.name ?? node.opType ?? "?");
      for (const t of a.tensors ?? []) changed += convertTensor(t, file, node.name ?? node.opType ?? "?");
      if (a.g) changed += convertGraph(a.g, file);
      for (const g of a.graphs ?? []) changed += convertGraph(g, file);
      if (a.tp) changed += convertType(a.tp);
    }
  }
  return changed;
}

function convertType(type: TypeProto): number {
  if (type.tensorType?.elemType === BF16) {
    type.tensorType.elemType = FLOAT;
    return 1;
  }
  if (type.sequenceType?.elemType) return convertType(type.sequenceType.elemType);
  if (type.optionalType?.elemType) return convertType(type.optionalType.elemType);
  if (type.mapType?.valueType) return convertType(type.mapType.valueType);
  return 0;
}

/** Rewrites one bf16 tensor as float32 (exact); 0 for any other type. */
function convertTensor(t: Tensor, file: string, node?: string): number {
  if (t.dataType !== BF16) return 0;
  const where = `bfloat16 tensor ${t.name || "(unnamed)"}${node ? ` in node ${node}` : ""}`;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
    throw new InputError(
      `${where} is stored as external data, which glossa cannot convert to float32 (export the model in float16 or float32)`,
      { file },
    );
  const count = (t.dims ?? []).reduce<number>((p, d) => p * Number(d), 1);
  let bits: Uint16Array;
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== count * 2)
      throw new InputError(`${where} has ${t.rawData.length} bytes of data, expected ${count * 2}`, { file });
    const raw = t.rawData;
    bits = new Uint16Array(count);
    for (let i = 0; i < count; i++) bits[i] = raw[2 * i]! | (raw[2 * i + 1]! << 8); // little-endian
  } else {
    const ints = t.int32Data ?? [];
    if (ints.length !== count) throw new InputError(`${where} has ${ints.length} values, expected ${count}`, { file });
    bits = Uint16Array.from(ints, (v) => v & 0xffff);
  }
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = bits[i]! << 16;
  t.dataType = FLOAT;
  t.rawData = new Uint8Array(words.buffer);
  t.int32Data = [];
  return 1;
}

/** bf16 bit pattern of a float32, rounded to nearest even (how PyTorch rounds); for tests and tools. */
export function float32ToBfloat16Bits(x: number): number {
  const word = new Uint32Array(new Float32Array([x]).buffer)[0]!;
  if (Number.isNaN(x)) return 0x7fc0;
  return ((word + 0x7fff + ((word >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Builds the small ONNX model behind the anchor kernel, in code (no model file):
 *
 *   X [B, d] ──MatMul(Wᵀ/ε [d, n])──► dots [B, n]
 *   X ──ReduceSumSquare(axis 1)──Sqrt──► norms [B, 1]
 *   dots / norms ──► cos/ε ──Softmax(axis −1)──► assignments     (soft mode)
 *   (scores mode: W without 1/ε, output cos = dots / norms)
 *   optionally Cast(float64) → ReduceSum(axis 0) of the output ──► column sums [n], float64
 *
 * Dividing the n dot products by ‖z‖ equals normalising the d inputs first, at n/d of
 * the cost, and folding 1/ε into the anchors saves a pass over the scores (ReduceSumSquare
 * + Sqrt measured faster than ReduceL2 here). Opset 17 (reductions other than ReduceSum
 * take `axes` as an attribute; ReduceSum takes it as an input).
 */
import onnxProto from "onnx-proto";
import type { AnchorKernelSpec } from "./types.js";

const { onnx } = onnxProto;
const OPSET = 17;

export const GRAPH_INPUT = "rows";
export const GRAPH_OUTPUT = "values";
export const GRAPH_NORMS = "norms";
export const GRAPH_SUMS = "column_sums";

/**
 * Serialised ModelProto for the anchor kernel of `spec`. `inputType: "float16"` takes float16
 * rows and casts them to float32 first (measured in bench (k): no faster than float32 input on
 * this CPU, so the back end does not use it).
 */
export function buildAnchorModel(spec: AnchorKernelSpec, options: { inputType?: "float16" } = {}): Uint8Array {
  const { n, d, anchors } = spec;
  const scale = spec.mode === "soft" ? spec.inverseTemperature : 1;
  const transposed = new Float32Array(d * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < d; j++) transposed[j * n + k] = anchors[k * d + j]! * scale;

  const nodes: InstanceType<typeof onnx.NodeProto>[] = [
    node("MatMul", ["rows", "anchors_t"], ["dots"]),
    node("ReduceSumSquare", ["rows"], ["squared_norms"], [intsAttribute("axes", [1]), intAttribute("keepdims", 1)]),
    node("Sqrt", ["squared_norms"], [GRAPH_NORMS]),
    node("Div", ["dots", GRAPH_NORMS], [spec.mode === "soft" ? "logits" : GRAPH_OUTPUT]),
  ];
  if (options.inputType === "float16") {
    for (const each of nodes) each.input = each.input.map((name) => (name === GRAPH_INPUT ? "rows_f32" : name));
    nodes.unshift(node("Cast", [GRAPH_INPUT], ["rows_f32"], [intAttribute("to", onnx.TensorProto.DataType.FLOAT)]));
  }
  const initializers = [floatTensor("anchors_t", [d, n], transposed)];
  if (spec.mode === "soft") nodes.push(node("Softmax", ["logits"], [GRAPH_OUTPUT], [intAttribute("axis", -1)]));
  const outputs = [valueInfo(GRAPH_OUTPUT, ["batch", n]), valueInfo(GRAPH_NORMS, ["batch", 1])];
  if (spec.columnSums) {
    // summed in float64, like every count that matters (and exact for identical rows)
    initializers.push(int64Tensor("sum_axes", [1], [0]));
    nodes.push(node("Cast", [GRAPH_OUTPUT], ["values_f64"], [intAttribute("to", onnx.TensorProto.DataType.DOUBLE)]));
    nodes.push(node("ReduceSum", ["values_f64", "sum_axes"], [GRAPH_SUMS], [intAttribute("keepdims", 0)]));
    outputs.push(valueInfo(GRAPH_SUMS, [n], onnx.TensorProto.DataType.DOUBLE));
  }
  const graph = onnx.GraphProto.create({
    name: "glossa_anchor_kernel",
    node: nodes,
    initializer: initializers,
    input: [
      valueInfo(
        GRAPH_INPUT,
        ["batch", d],
        options.inputType === "float16" ? onnx.TensorProto.DataType.FLOAT16 : onnx.TensorProto.DataType.FLOAT,
      ),
    ],
    output: outputs,
  });
  return encodeModel(graph);
}

/** A one-node model computing X [batch, d] × W [d, n] (the benchmark's bare baseline). */
export function buildMatMulModel(d: number, n: number, weights: Float32Array): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: "glossa_matmul",
    node: [node("MatMul", ["rows", "weights"], [GRAPH_OUTPUT])],
    initializer: [floatTensor("weights", [d, n], weights)],
    input: [valueInfo(GRAPH_INPUT, ["batch", d])],
    output: [valueInfo(GRAPH_OUTPUT, ["batch", n])],
  });
  return encodeModel(graph);
}

function encodeModel(graph: InstanceType<typeof onnx.GraphProto>): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "glossa",
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: "", version: OPSET })],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

function node(
  opType: string,
  input: string[],
  output: string[],
  attribute: InstanceType<typeof onnx.AttributeProto>[] = [],
) {
  return onnx.NodeProto.create({ opType, input, output, attribute, name: `${opType}_${output[0]}` });
}

function intAttribute(name: string, i: number) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
}

function intsAttribute(name: string, ints: number[]) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
}

function floatTensor(name: string, dims: number[], values: Float32Array) {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
}

function int64Tensor(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
}

export function valueInfo(
  name: string,
  shape: (number | string)[],
  elemType: number = onnx.TensorProto.DataType.FLOAT,
) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: shape.map((s) =>
            typeof s === "number"
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: s })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: s }),
          ),
        }),
      }),
    }),
  });
}

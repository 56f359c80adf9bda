/**
 * Cuts an exported transformer graph into segments that run one after another: the
 * embeddings (graph inputs → layer 0's residual stream), each block (layer k − 1's residual
 * → layer k's) and the head (last residual → the graph's own outputs, e.g. logits).
 *
 * A segment is the backward slice of its output: every node needed to compute it, stopping
 * at the residual tensor it is fed, the graph inputs and the initializers. What the blocks
 * share (the attention mask built from `attention_mask`, position tables, LayerNorm weights
 * de-duplicated behind Identity nodes) is small and is recomputed inside each segment, so a
 * segment needs nothing from the others but the one residual tensor.
 * A `Shape` of an earlier residual (exporters read the batch and sequence sizes that way) is
 * rewired to the fed residual, which has the same shape; any other use of an earlier layer
 * (a skip connection across blocks) cannot be streamed and is a LayerLayoutError.
 * No I/O: works on a decoded ModelProto (weights inline or as external-data references).
 */
import onnxProto from "onnx-proto";
import { LayerLayoutError } from "./transformerLayers.js";

const { onnx } = onnxProto;
type Model = InstanceType<typeof onnx.ModelProto>;
type Node = onnxProto.onnx.INodeProto;
type Graph = onnxProto.onnx.IGraphProto;
type Tensor = onnxProto.onnx.ITensorProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;

export interface GraphSegment {
  /** `embeddings`, `block 3` (1-based, = layer 3), or `head`. */
  name: string;
  /** The residual tensor fed in (null for the embeddings, which read the graph inputs only). */
  input: string | null;
  /** The tensors it returns: one residual, or the graph outputs for the head. */
  outputs: string[];
  /** The graph inputs (input_ids, attention_mask, …) it reads. */
  graphInputs: string[];
  model: Model;
  /** Bytes of the weights it holds (inline or external). */
  weightBytes: number;
}

const ELEMENT_BYTES: Record<number, number> = {
  1: 4,
  2: 1,
  3: 1,
  4: 2,
  5: 2,
  6: 4,
  7: 8,
  9: 1,
  10: 2,
  11: 8,
  12: 4,
  13: 8,
  16: 2,
};

/** Bytes of an initializer's data, wherever it is stored. */
export function tensorBytes(t: Tensor): number {
  const length = (t.externalData ?? []).find((e) => e.key === "length")?.value;
  if (length !== undefined && length !== null) return Number(length);
  if (t.rawData && t.rawData.length > 0) return t.rawData.length;
  const count = (t.dims ?? []).reduce<number>((n, d) => n * Number(d), 1);
  return count * (ELEMENT_BYTES[t.dataType ?? 1] ?? 4);
}

/** Names a node reads from its enclosing graph, including those its subgraphs (If/Loop bodies) read. */
function nodeReads(node: Node): string[] {
  const reads = [...(node.input ?? [])];
  for (const a of node.attribute ?? []) {
    for (const g of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) reads.push(...outerReads(g));
  }
  return reads.filter((n) => n !== "");
}

function outerReads(graph: Graph): string[] {
  const local = new Set<string>([
    ...(graph.input ?? []).map((i) => i.name ?? ""),
    ...(graph.initializer ?? []).map((t) => t.name ?? ""),
  ]);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) local.add(o);
  return (graph.node ?? []).flatMap(nodeReads).filter((n) => !local.has(n));
}

/** Element type of a tensor from value_info / outputs, or the model's compute type. */
function elemTypeOf(graph: Graph, name: string): number {
  for (const v of [...(graph.valueInfo ?? []), ...(graph.output ?? []), ...(graph.input ?? [])])
    if (v.name === name && v.type?.tensorType?.elemType) return v.type.tensorType.elemType;
  return graph.output?.[0]?.type?.tensorType?.elemType ?? onnx.TensorProto.DataType.FLOAT;
}

function residualInfo(graph: Graph, name: string): ValueInfo {
  const dims = ["batch", "sequence", "width"].map((dimParam) => onnx.TensorShapeProto.Dimension.create({ dimParam }));
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: elemTypeOf(graph, name),
        shape: onnx.TensorShapeProto.create({ dim: dims }),
      }),
    }),
  });
}

/**
 * The segments of `model` for the residual tensors `residuals` (embeddings first, then one
 * per block, as findLayerTensors gives them): embeddings, one per block, and, when `head`,
 * the head (omitted when the graph's outputs are residuals themselves).
 */
export function splitBlocks(
  model: Model,
  residuals: readonly string[],
  options: { head?: boolean } = {},
): GraphSegment[] {
  const graph = model.graph;
  if (!graph) throw new LayerLayoutError("the model has no graph");
  if (residuals.length === 0) throw new LayerLayoutError("no residual tensors to split at");
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output ?? []) producer.set(o, i);
  });
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? "", t]));
  const inputs = new Map((graph.input ?? []).map((v) => [v.name ?? "", v]));
  const layerOf = new Map(residuals.map((r, i) => [r, i]));

  const segment = (name: string, fed: string | null, outputs: string[]): GraphSegment => {
    const fedLayer = fed === null ? -1 : layerOf.get(fed)!;
    const included = new Set<number>();
    const rewired = new Map<number, Node>();
    const usedInitializers = new Set<string>();
    const usedInputs = new Set<string>();
    const stack = [...outputs];
    const seen = new Set<string>();
    while (stack.length) {
      const tensor = stack.pop()!;
      if (seen.has(tensor)) continue;
      seen.add(tensor);
      if (tensor === fed) continue;
      if (initializers.has(tensor)) {
        usedInitializers.add(tensor);
        continue;
      }
      const index = producer.get(tensor);
      if (index === undefined) {
        if (inputs.has(tensor)) {
          usedInputs.add(tensor);
          continue;
        }
        throw new LayerLayoutError(`${name}: tensor ${tensor} has no producer, and is no graph input or initializer`);
      }
      if (included.has(index)) continue;
      included.add(index);
      const node = nodes[index]!;
      for (const read of nodeReads(node)) {
        const layer = layerOf.get(read);
        if (fed !== null && layer !== undefined && layer < fedLayer && !outputs.includes(read)) {
          if (node.opType !== "Shape")
            throw new LayerLayoutError(
              `${name} reads layer ${layer}'s residual ${read} directly (node ${node.name ?? node.opType}); block streaming needs each block to read only the previous layer`,
            );
          rewired.set(index, { ...node, input: (node.input ?? []).map((i) => (i === read ? fed : i)) });
          stack.push(fed);
          continue;
        }
        stack.push(read);
      }
    }
    const keptNodes = nodes.flatMap((n, i) => (included.has(i) ? [rewired.get(i) ?? n] : []));
    const keptInitializers = [...usedInitializers].map((n) => initializers.get(n)!);
    const graphInputs = (graph.input ?? []).filter((v) => usedInputs.has(v.name ?? "")).map((v) => v.name ?? "");
    const produced = new Set(keptNodes.flatMap((n) => n.output ?? []));
    const segmentGraph = onnx.GraphProto.create({
      name: `${graph.name ?? "graph"} ${name}`,
      node: keptNodes,
      initializer: keptInitializers,
      input: [...(fed === null ? [] : [residualInfo(graph, fed)]), ...graphInputs.map((n) => inputs.get(n)!)],
      output: outputs.map((o) => (graph.output ?? []).find((v) => v.name === o) ?? residualInfo(graph, o)),
      valueInfo: (graph.valueInfo ?? []).filter((v) => produced.has(v.name ?? "") && !outputs.includes(v.name ?? "")),
    });
    return {
      name,
      input: fed,
      outputs,
      graphInputs,
      model: onnx.ModelProto.create({
        irVersion: model.irVersion,
        opsetImport: model.opsetImport,
        producerName: model.producerName,
        producerVersion: model.producerVersion,
        domain: model.domain,
        functions: model.functions,
        graph: segmentGraph,
      }),
      weightBytes: keptInitializers.reduce((sum, t) => sum + tensorBytes(t), 0),
    };
  };

  const segments = [segment("embeddings", null, [residuals[0]!])];
  for (let k = 1; k < residuals.length; k++) segments.push(segment(`block ${k}`, residuals[k - 1]!, [residuals[k]!]));
  const graphOutputs = (graph.output ?? []).map((o) => o.name ?? "").filter((o) => !layerOf.has(o));
  if (options.head && graphOutputs.length)
    segments.push(segment("head", residuals[residuals.length - 1]!, graphOutputs));
  return segments;
}

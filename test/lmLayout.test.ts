/**
 * Layer finding on graphs shaped like the usual Hugging Face / Optimum exports (node names,
 * op types and wiring only — enough for findLayerTensors, which never runs the graph).
 * The GPT-2 and GPT-NeoX layouts are also checked end to end on real fixtures (lmSource.test.ts).
 */
import { describe, expect, it } from "vitest";
import onnxProto from "onnx-proto";
import { findLayerTensors, exposeTensors, embeddingRows } from "../src/sources/transformerLayers.js";

const { onnx } = onnxProto;

/** A graph from [name, opType, inputs] triples; each node's output is `${name}_output_0`. */
function graph(nodes: [string, string, string[]][], initializers: { name: string; dims: number[] }[] = []) {
  return onnx.ModelProto.create({
    graph: onnx.GraphProto.create({
      node: nodes.map(([name, opType, input]) =>
        onnx.NodeProto.create({ name, opType, input, output: [`${name}_output_0`] }),
      ),
      input: [onnx.ValueInfoProto.create({ name: "input_ids" })],
      output: [onnx.ValueInfoProto.create({ name: "logits", type: { tensorType: { elemType: 10 } } })],
      initializer: initializers.map((i) => onnx.TensorProto.create({ name: i.name, dims: i.dims, dataType: 1 })),
    }),
  });
}
const out = (name: string) => `${name}_output_0`;

/** A pre-norm decoder block: norm → attention → Add(residual) → norm → MLP → Add_1. */
function preNormBlock(scope: string, residualIn: string, norm: string): [string, string, string[]][] {
  return [
    [`${scope}/${norm}/Pow`, "Pow", [residualIn]],
    [`${scope}/${norm}/Add`, "Add", [out(`${scope}/${norm}/Pow`)]], // RMSNorm's epsilon Add: not block-level
    [`${scope}/self_attn/o_proj/MatMul`, "MatMul", [out(`${scope}/${norm}/Add`)]],
    [`${scope}/Add`, "Add", [residualIn, out(`${scope}/self_attn/o_proj/MatMul`)]],
    [`${scope}/post_attention_layernorm/Mul`, "Mul", [out(`${scope}/Add`)]],
    [`${scope}/mlp/down_proj/MatMul`, "MatMul", [out(`${scope}/post_attention_layernorm/Mul`)]],
    [`${scope}/Add_1`, "Add", [out(`${scope}/Add`), out(`${scope}/mlp/down_proj/MatMul`)]],
  ];
}

describe("residual stream in export layouts", () => {
  it("Llama / Mistral (/model/layers.N/Add_1, embeddings from /model/embed_tokens)", () => {
    const nodes: [string, string, string[]][] = [
      ["/model/embed_tokens/Gather", "Gather", ["model.embed_tokens.weight", "input_ids"]],
    ];
    let residual = out("/model/embed_tokens/Gather");
    for (let k = 0; k < 3; k++) {
      nodes.push(...preNormBlock(`/model/layers.${k}`, residual, "input_layernorm"));
      residual = out(`/model/layers.${k}/Add_1`);
    }
    nodes.push(["/model/norm/Mul", "Mul", [residual]], ["/lm_head/MatMul", "MatMul", [out("/model/norm/Mul")]]);
    const model = graph(nodes, [{ name: "model.embed_tokens.weight", dims: [32000, 16] }]);
    expect(findLayerTensors(model)).toEqual({
      layout: "llama",
      blockScope: "/model/layers",
      tensors: [
        "/model/embed_tokens/Gather_output_0",
        "/model/layers.0/Add_1_output_0",
        "/model/layers.1/Add_1_output_0",
        "/model/layers.2/Add_1_output_0",
      ],
    });
    expect(embeddingRows(model)).toBe(32000);
    exposeTensors(model, findLayerTensors(model).tensors);
    expect(model.graph!.output!.map((o) => o.name)).toEqual([
      "logits",
      "/model/embed_tokens/Gather_output_0",
      "/model/layers.0/Add_1_output_0",
      "/model/layers.1/Add_1_output_0",
      "/model/layers.2/Add_1_output_0",
    ]);
    expect(model.graph!.output![1]!.type!.tensorType!.elemType).toBe(10); // float16 model → float16 outputs
  });

  it("BERT (post-norm: /bert/encoder/layer.N/output/LayerNorm, decomposed or fused)", () => {
    const nodes: [string, string, string[]][] = [
      ["/bert/embeddings/word_embeddings/Gather", "Gather", ["w", "input_ids"]],
      ["/bert/embeddings/Add", "Add", [out("/bert/embeddings/word_embeddings/Gather")]],
      ["/bert/embeddings/LayerNorm/LayerNormalization", "LayerNormalization", [out("/bert/embeddings/Add")]],
      ["/bert/Mul", "Mul", ["attention_mask"]],
    ];
    let residual = out("/bert/embeddings/LayerNorm/LayerNormalization");
    for (let k = 0; k < 2; k++) {
      const s = `/bert/encoder/layer.${k}`;
      nodes.push(
        [`${s}/attention/self/Add`, "Add", [residual, out("/bert/Mul")]], // the mask Add: its outside input is not the stream
        [`${s}/attention/output/dense/MatMul`, "MatMul", [out(`${s}/attention/self/Add`)]],
        [`${s}/attention/output/Add`, "Add", [out(`${s}/attention/output/dense/MatMul`), residual]],
        [
          `${s}/attention/output/LayerNorm/LayerNormalization`,
          "LayerNormalization",
          [out(`${s}/attention/output/Add`)],
        ],
        [`${s}/output/dense/MatMul`, "MatMul", [out(`${s}/attention/output/LayerNorm/LayerNormalization`)]],
        [
          `${s}/output/Add`,
          "Add",
          [out(`${s}/output/dense/MatMul`), out(`${s}/attention/output/LayerNorm/LayerNormalization`)],
        ],
        // opset < 17: the LayerNorm is decomposed; its last node (here Add_1) is the block output
        [`${s}/output/LayerNorm/ReduceMean`, "ReduceMean", [out(`${s}/output/Add`)]],
        [`${s}/output/LayerNorm/Add_1`, "Add", [out(`${s}/output/LayerNorm/ReduceMean`)]],
      );
      residual = out(`${s}/output/LayerNorm/Add_1`);
    }
    nodes.push(["/pooler/Gather", "Gather", [residual]]);
    expect(findLayerTensors(graph(nodes))).toEqual({
      layout: "bert",
      blockScope: "/bert/encoder/layer",
      tensors: [
        out("/bert/embeddings/LayerNorm/LayerNormalization"),
        out("/bert/encoder/layer.0/output/LayerNorm/Add_1"),
        out("/bert/encoder/layer.1/output/LayerNorm/Add_1"),
      ],
    });
  });

  it("unnamed graphs, ambiguous stacks and dead-end blocks give errors that list candidates", () => {
    const unnamed = graph([["", "Add", ["input_ids"]]]);
    expect(() => findLayerTensors(unnamed)).toThrow(
      /no node names[\s\S]*candidate tensors:\n {2}_output_0 \(Add node ""\)/,
    );
    const twoStacks = graph([
      ["/encoder/block.0/Add", "Add", ["input_ids"]],
      ["/decoder/block.0/Add", "Add", ["input_ids"]],
    ]);
    expect(() => findLayerTensors(twoStacks)).toThrow(/several block stacks of equal depth/);
    const deadEnd = graph([
      ["/transformer/h.0/Add", "Add", ["input_ids"]],
      ["/transformer/h.0/attn/Mul", "Mul", [out("/transformer/h.0/Add")]],
    ]);
    expect(() => findLayerTensors(deadEnd)).toThrow(/feeds nothing outside block 0/);
  });
});

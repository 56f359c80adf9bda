/**
 * Writes a randomly initialised GPT-2-layout transformer as an ONNX model folder, built here
 * with onnx-proto, weights in float16 as external data (`model.onnx` + `model.onnx_data`),
 * written tensor by tensor so that a model far larger than memory costs one tensor of it.
 * Used by `npm run bench -- lmStream` for a ≥ 1.3B-parameter model (no Python exporter can
 * trace a float16 model of that size on a CPU-only machine in reasonable memory).
 *
 * The graph (opset 17, node names as torch.onnx gives them, so findLayerTensors finds the
 * blocks): token + position embeddings; per block pre-norm attention with a causal and padding
 * mask and a GELU MLP (`/transformer/h.k/Add`, `/transformer/h.k/Add_1` = the residual
 * output); final LayerNorm; tied LM head. Weights are stored in float16 and cast to float32
 * where they are used: the model computes in float32 (onnxruntime's CPU kernels for float16
 * are few), so each weight is widened when its session starts. Initialisation as GPT-2:
 * matrices uniform with standard deviation 0.02, LayerNorm gains 1 and biases 0.
 * The tokenizer files are copied from a given folder.
 *
 *   node dist/bench/randomTransformer.js DIR [--layers 24] [--width 2048] [--heads 16] [--tokenizer test/fixtures/lm/gpt2-tiny]
 */
import { closeSync, copyFileSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import onnxProto from "onnx-proto";
import { valueInfo } from "../compute/onnxGraph.js";
import { floatToHalfBits } from "../sources/stateStore.js";

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
const INT64 = onnx.TensorProto.DataType.INT64;
const DATA_FILE = "model.onnx_data";

export interface RandomTransformerConfig {
  layers: number;
  width: number;
  heads: number;
  vocab: number;
  context: number;
  seed: number;
}

export const GPT2_1_3B: RandomTransformerConfig = {
  layers: 24,
  width: 2048,
  heads: 16,
  vocab: 50257,
  context: 1024,
  seed: 1,
};

/** Parameters the config gives (embeddings, blocks, final norm; the tied head adds none). */
export function randomTransformerParameters(c: RandomTransformerConfig): number {
  const d = c.width;
  const block = 4 * d + (3 * d * d + 3 * d) + (d * d + d) + (4 * d * d + 4 * d) + (4 * d * d + d);
  return c.vocab * d + c.context * d + c.layers * block + 2 * d;
}

type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;

class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private offset = 0;
  private state: number;

  constructor(
    private readonly fd: number,
    seed: number,
  ) {
    this.state = seed >>> 0 || 1;
  }

  node(
    name: string,
    opType: string,
    inputs: string[],
    attributes: Record<string, number | number[]> = {},
    outputs = 1,
  ) {
    const out = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
    const attribute = Object.entries(attributes).map(([key, v]) =>
      Array.isArray(v)
        ? onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.INTS, ints: v })
        : Number.isInteger(v)
          ? onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.INT, i: v })
          : onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.FLOAT, f: v }),
    );
    this.nodes.push(onnx.NodeProto.create({ name, opType, input: inputs, output: out, attribute }));
    return out.length === 1 ? out[0]! : out;
  }

  one(name: string, opType: string, inputs: string[], attributes: Record<string, number | number[]> = {}): string {
    return this.node(name, opType, inputs, attributes) as string;
  }

  int64(name: string, values: number[]): string {
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [values.length], dataType: INT64, int64Data: values }),
    );
    return name;
  }

  /** A float32 scalar as a Constant node (not an initializer, so not counted as a parameter). */
  scalar(name: string, value: number): string {
    const t = onnx.TensorProto.create({
      dims: [],
      dataType: FLOAT,
      rawData: new Uint8Array(new Float32Array([value]).buffer),
    });
    const attribute = [
      onnx.AttributeProto.create({ name: "value", type: onnx.AttributeProto.AttributeType.TENSOR, t }),
    ];
    this.nodes.push(
      onnx.NodeProto.create({ name: `/constants/${name}`, opType: "Constant", output: [name], attribute }),
    );
    return name;
  }

  private uniform(): number {
    // xorshift32 → uniform in [-1, 1)
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 31 - 1;
  }

  /** A float16 weight in the data file, cast to float32 by a node named after it; returns the float32 tensor. */
  weight(name: string, dims: number[], fill: "random" | "ones" | "zeros", castNode: string): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const bits = new Uint16Array(count);
    const scale = 0.02 * Math.sqrt(3); // uniform with standard deviation 0.02
    if (fill === "ones") bits.fill(0x3c00);
    else if (fill === "random") for (let i = 0; i < count; i++) bits[i] = floatToHalfBits(this.uniform() * scale);
    const bytes = new Uint8Array(bits.buffer);
    let written = 0;
    while (written < bytes.length)
      written += writeSync(this.fd, bytes, written, bytes.length - written, this.offset + written);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: FLOAT16,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          onnx.StringStringEntryProto.create({ key: "location", value: DATA_FILE }),
          onnx.StringStringEntryProto.create({ key: "offset", value: String(this.offset) }),
          onnx.StringStringEntryProto.create({ key: "length", value: String(bytes.length) }),
        ],
      }),
    );
    this.offset += bytes.length;
    return this.one(castNode, "Cast", [name], { to: FLOAT });
  }
}

/** Writes the model folder `dir`; returns its parameter count. */
export function writeRandomTransformer(dir: string, config: RandomTransformerConfig, tokenizerFrom: string): number {
  const { layers, width: d, heads, vocab, context } = config;
  if (d % heads !== 0) throw new RangeError(`width ${d} is not a multiple of heads ${heads}`);
  const hd = d / heads;
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, DATA_FILE), "w");
  const g = new GraphBuilder(fd, config.seed);
  try {
    // Embeddings: wte[input_ids] + wpe[0..T-1].
    const wte = g.weight("transformer.wte.weight", [vocab, d], "random", "/transformer/wte/Cast");
    const wpe = g.weight("transformer.wpe.weight", [context, d], "random", "/transformer/wpe/Cast");
    const shape = g.one("/transformer/Shape", "Shape", ["input_ids"]);
    const length = g.one("/transformer/Gather", "Gather", [shape, g.int64("one_index", [1])], { axis: 0 });
    const zero = g.int64("zero", [0]);
    const oneStep = g.int64("one", [1]);
    const squeezedLength = g.one("/transformer/Squeeze", "Squeeze", [length, zero]);
    const positions = g.one("/transformer/Range", "Range", [
      g.one("/transformer/Squeeze_1", "Squeeze", [zero, zero]),
      squeezedLength,
      g.one("/transformer/Squeeze_2", "Squeeze", [oneStep, zero]),
    ]);
    const tokens = g.one("/transformer/wte/Gather", "Gather", [wte, "input_ids"]);
    const places = g.one("/transformer/wpe/Gather", "Gather", [wpe, positions]);
    let x = g.one("/transformer/Add", "Add", [tokens, places]);

    // Additive mask [B,1,T,T]: 0 where a query may attend a key (causal and not padding), -1e9 elsewhere.
    const square = g.one("/transformer/Concat", "Concat", [length, length], { axis: 0 });
    const ones = g.one("/transformer/ConstantOfShape", "ConstantOfShape", [square]);
    (g.nodes.at(-1)!.attribute ??= []).push(
      onnx.AttributeProto.create({
        name: "value",
        type: onnx.AttributeProto.AttributeType.TENSOR,
        t: onnx.TensorProto.create({
          dims: [1],
          dataType: FLOAT,
          rawData: new Uint8Array(new Float32Array([1]).buffer),
        }),
      }),
    );
    const causal = g.one("/transformer/Trilu", "Trilu", [ones], { upper: 0 });
    const keys = g.one("/transformer/Cast", "Cast", ["attention_mask"], { to: FLOAT });
    const keys4 = g.one("/transformer/Unsqueeze", "Unsqueeze", [keys, g.int64("mask_axes", [1, 2])]);
    const allowed = g.one("/transformer/Mul", "Mul", [keys4, causal]);
    const blocked = g.one("/transformer/Sub", "Sub", [allowed, g.scalar("one_float", 1)]);
    const mask = g.one("/transformer/Mul_1", "Mul", [blocked, g.scalar("big", 1e9)]);

    const headsShape = g.int64("heads_shape", [0, 0, heads, hd]);
    const mergedShape = g.int64("merged_shape", [0, 0, d]);
    const invSqrt = g.scalar("inv_sqrt_head", 1 / Math.sqrt(hd));
    const half = g.scalar("half", 0.5);
    const invSqrt2 = g.scalar("inv_sqrt2", Math.SQRT1_2);
    const oneFloat = "one_float";
    for (let k = 0; k < layers; k++) {
      const s = `/transformer/h.${k}`;
      const p = `transformer.h.${k}`;
      const ln = (name: string, input: string) =>
        g.one(
          `${s}/${name}/LayerNormalization`,
          "LayerNormalization",
          [
            input,
            g.weight(`${p}.${name}.weight`, [d], "ones", `${s}/${name}/Cast`),
            g.weight(`${p}.${name}.bias`, [d], "zeros", `${s}/${name}/Cast_1`),
          ],
          { axis: -1, epsilon: 1e-5 },
        );
      const linear = (name: string, input: string, n: number, m: number) =>
        g.one(`${s}/${name}/Add`, "Add", [
          g.one(`${s}/${name}/MatMul`, "MatMul", [
            input,
            g.weight(`${p}.${name}.weight`, [n, m], "random", `${s}/${name}/Cast`),
          ]),
          g.weight(`${p}.${name}.bias`, [m], "zeros", `${s}/${name}/Cast_1`),
        ]);
      // Attention.
      const qkv = linear("attn.c_attn", ln("ln_1", x), d, 3 * d);
      const [q, kk, v] = g.node(
        `${s}/attn/Split`,
        "Split",
        [qkv, g.int64(`${p}.split`, [d, d, d])],
        { axis: 2 },
        3,
      ) as string[];
      const split = (t: string, name: string, perm: number[]) =>
        g.one(
          `${s}/attn/Transpose_${name}`,
          "Transpose",
          [g.one(`${s}/attn/Reshape_${name}`, "Reshape", [t, headsShape])],
          {
            perm,
          },
        );
      const scores = g.one(`${s}/attn/MatMul`, "MatMul", [split(q!, "q", [0, 2, 1, 3]), split(kk!, "k", [0, 2, 3, 1])]);
      const scaled = g.one(`${s}/attn/Mul`, "Mul", [scores, invSqrt]);
      const weights = g.one(`${s}/attn/Softmax`, "Softmax", [g.one(`${s}/attn/Add`, "Add", [scaled, mask])], {
        axis: -1,
      });
      const mixed = g.one(`${s}/attn/MatMul_1`, "MatMul", [weights, split(v!, "v", [0, 2, 1, 3])]);
      const merged = g.one(`${s}/attn/Reshape`, "Reshape", [
        g.one(`${s}/attn/Transpose`, "Transpose", [mixed], { perm: [0, 2, 1, 3] }),
        mergedShape,
      ]);
      x = g.one(`${s}/Add`, "Add", [x, linear("attn.c_proj", merged, d, d)]);
      // MLP with exact GELU: h · ½ (1 + erf(h / √2)).
      const h = linear("mlp.c_fc", ln("ln_2", x), d, 4 * d);
      const erf = g.one(`${s}/mlp/Erf`, "Erf", [g.one(`${s}/mlp/Mul`, "Mul", [h, invSqrt2])]);
      const gate = g.one(`${s}/mlp/Mul_1`, "Mul", [g.one(`${s}/mlp/Add`, "Add", [erf, oneFloat]), half]);
      const gelu = g.one(`${s}/mlp/Mul_2`, "Mul", [h, gate]);
      x = g.one(`${s}/Add_1`, "Add", [x, linear("mlp.c_proj", gelu, 4 * d, d)]);
    }
    const final = g.one(
      "/transformer/ln_f/LayerNormalization",
      "LayerNormalization",
      [
        x,
        g.weight("transformer.ln_f.weight", [d], "ones", "/transformer/ln_f/Cast"),
        g.weight("transformer.ln_f.bias", [d], "zeros", "/transformer/ln_f/Cast_1"),
      ],
      { axis: -1, epsilon: 1e-5 },
    );
    // Tied head: logits = final · wteᵀ.
    const head = g.one("/lm_head/Transpose", "Transpose", [wte], { perm: [1, 0] });
    g.nodes.push(
      onnx.NodeProto.create({ name: "/lm_head/MatMul", opType: "MatMul", input: [final, head], output: ["logits"] }),
    );
  } finally {
    closeSync(fd);
  }
  const graph = onnx.GraphProto.create({
    name: "random_gpt2",
    node: g.nodes,
    initializer: g.initializers,
    input: [
      valueInfo("input_ids", ["batch", "sequence"], INT64),
      valueInfo("attention_mask", ["batch", "sequence"], INT64),
    ],
    output: [valueInfo("logits", ["batch", "sequence", vocab], FLOAT)],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "glossa randomTransformer",
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: "", version: 17 })],
    graph,
  });
  writeFileSync(join(dir, "model.onnx"), onnx.ModelProto.encode(model).finish());
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) copyFileSync(join(tokenizerFrom, f), join(dir, f));
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      model_type: "gpt2",
      vocab_size: vocab,
      n_embd: d,
      n_layer: layers,
      n_head: heads,
      n_positions: context,
    }),
  );
  return randomTransformerParameters(config);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const dir = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
  const option = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  if (!dir) {
    console.error(
      "usage: node dist/bench/randomTransformer.js DIR [--layers 24] [--width 2048] [--heads 16] [--tokenizer DIR]",
    );
    process.exit(2);
  }
  const t = args.indexOf("--tokenizer");
  const config = {
    ...GPT2_1_3B,
    layers: option("layers", GPT2_1_3B.layers),
    width: option("width", GPT2_1_3B.width),
    heads: option("heads", GPT2_1_3B.heads),
  };
  const n = writeRandomTransformer(dir, config, t >= 0 ? args[t + 1]! : "test/fixtures/lm/gpt2-tiny");
  console.log(`wrote ${dir}: ${n.toLocaleString("en")} parameters (float16 weights in ${DATA_FILE})`);
}

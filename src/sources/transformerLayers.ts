/**
 * Finds the residual stream of an exported transformer in its ONNX graph, and edits the
 * graph so that stream is returned at every layer.
 *
 * Exporters (torch.onnx, Hugging Face Optimum) name nodes after module paths, so a block's
 * nodes share a scope such as `/transformer/h.3/` (GPT-2), `/gpt_neox/layers.3/` (Pythia),
 * `/model/layers.3/` (Llama, Mistral, Qwen) or `/bert/encoder/layer.3/` (BERT). Rules:
 * - pre-norm blocks (GPT-2, NeoX, Llama): the block's residual output is the output of
 *   the LAST `Add` node directly in the block's scope (`/transformer/h.3/Add_1`; the NeoX
 *   parallel residual `mlp + attn + x` also ends in the block's last Add);
 * - post-norm blocks (BERT): the output of the last node of the block's
 *   `output/LayerNorm` scope;
 * - embeddings (layer 0): the input of block 0's residual Add that is produced outside
 *   block 0 (pre-norm), or of `attention/output/Add` (post-norm).
 * Layer k ≥ 1 is block k − 1's output, before any final norm (so the last layer is the raw
 * residual stream, not the `ln_f` output Hugging Face reports as its last hidden state).
 * When these rules fail the error lists candidate tensors; callers may name tensors instead.
 * No I/O: works on a decoded ModelProto.
 */
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
type Model = InstanceType<typeof onnx.ModelProto>;
type Node = onnxProto.onnx.INodeProto;

export class LayerLayoutError extends Error {
  override name = "LayerLayoutError";
}

/** The tensor carrying each layer's residual stream: index 0 = embeddings, k = block k − 1's output. */
export interface LayerTensors {
  /** Known family the block scope matched (`gpt2`, `gpt-neox`, `llama`, `bert`), `generic`, or `explicit`. */
  layout: string;
  /** Block scope prefix, e.g. `/transformer/h` (empty when tensors were named explicitly). */
  blockScope: string;
  tensors: string[];
}

const KNOWN_SCOPES: [RegExp, string][] = [
  [/\/transformer\/h$/, "gpt2"],
  [/\/gpt_neox\/layers$/, "gpt-neox"],
  [/\/model\/layers$/, "llama"],
  [/\/(bert|roberta|electra)\/encoder\/layer$/, "bert"],
];

/** `/a/b/layers.12/...` → scope `/a/b/layers`, index 12. */
const BLOCK_SCOPE = /^((?:\/[^/]+)*?\/(?:h|layers|layer|blocks|block))\.(\d+)\//;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Block scopes in the graph with their block counts, most blocks first. */
export function blockScopes(model: Model): { scope: string; blocks: number }[] {
  const seen = new Map<string, Set<number>>();
  for (const node of model.graph?.node ?? []) {
    const m = BLOCK_SCOPE.exec(node.name ?? "");
    if (!m) continue;
    let set = seen.get(m[1]!);
    if (!set) seen.set(m[1]!, (set = new Set()));
    set.add(Number(m[2]));
  }
  return [...seen].map(([scope, s]) => ({ scope, blocks: s.size })).sort((a, b) => b.blocks - a.blocks);
}

/** Up to `limit` tensors that could be residual outputs: outputs of Add / LayerNorm-ish nodes. */
export function candidateTensors(model: Model, limit = 40): string[] {
  const out: string[] = [];
  for (const node of model.graph?.node ?? []) {
    if (/^(Add|LayerNormalization|SimplifiedLayerNormalization|SkipLayerNormalization)$/.test(node.opType ?? "")) {
      out.push(`${node.output?.[0]} (${node.opType} node "${node.name ?? ""}")`);
    }
  }
  return out.length > limit ? [...out.slice(0, limit), `… and ${out.length - limit} more`] : out;
}

function layoutError(model: Model, why: string): LayerLayoutError {
  const scopes = blockScopes(model).map((s) => `${s.scope} (${s.blocks} blocks)`);
  return new LayerLayoutError(
    `cannot find the per-layer residual stream: ${why}.\n` +
      `block scopes seen: ${scopes.length ? scopes.join(", ") : "none (are the nodes named?)"}\n` +
      `candidate tensors:\n  ${candidateTensors(model).join("\n  ") || "(none)"}\n` +
      `name the tensors explicitly (embeddings first, then one per block) with --outputs NAME,NAME,…`,
  );
}

/** Locates the residual-stream tensor of every layer (embeddings + one per block). */
export function findLayerTensors(model: Model): LayerTensors {
  const nodes = model.graph?.node ?? [];
  const scopes = blockScopes(model);
  if (scopes.length === 0) throw layoutError(model, "no node names of the form …/h.N/…, …/layers.N/… or …/layer.N/…");
  if (scopes.length > 1 && scopes[1]!.blocks === scopes[0]!.blocks) {
    throw layoutError(
      model,
      `several block stacks of equal depth (${scopes.map((s) => s.scope).join(", ")}), e.g. an encoder and a decoder`,
    );
  }
  const scope = scopes[0]!.scope;
  const layout = KNOWN_SCOPES.find(([re]) => re.test(scope))?.[1] ?? "generic";
  const producer = new Map<string, Node>();
  for (const node of nodes) for (const o of node.output ?? []) producer.set(o, node);
  const consumers = new Map<string, Node[]>();
  for (const node of nodes) {
    for (const i of node.input ?? []) {
      let list = consumers.get(i);
      if (!list) consumers.set(i, (list = []));
      list.push(node);
    }
  }
  const blocks = scopes[0]!.blocks;
  const inBlock = (node: Node | undefined, k: number) => (node?.name ?? "").startsWith(`${scope}.${k}/`);
  const lastMatching = (re: RegExp): Node | undefined => {
    let found: Node | undefined;
    for (const node of nodes) if (re.test(node.name ?? "")) found = node;
    return found;
  };

  const tensors: string[] = [];
  let postNorm = false;
  for (let k = 0; k < blocks; k++) {
    const base = escapeRegExp(`${scope}.${k}/`);
    let out = lastMatching(new RegExp(`^${base}Add(_\\d+)?$`));
    if (!out) {
      out = lastMatching(new RegExp(`^${base}output/LayerNorm(/|$)`));
      postNorm = out !== undefined;
    }
    if (!out) throw layoutError(model, `block ${scope}.${k} has neither a block-level Add nor an output/LayerNorm`);
    const tensor = out.output?.[0];
    if (!tensor) throw layoutError(model, `node ${out.name} has no output`);
    // The residual output must feed something outside its own block (the next block, the final norm, or the graph output).
    const usedOutside =
      (consumers.get(tensor) ?? []).some((c) => !inBlock(c, k)) ||
      (model.graph?.output ?? []).some((o) => o.name === tensor);
    if (!usedOutside)
      throw layoutError(model, `the last residual node of block ${k} ("${out.name}") feeds nothing outside block ${k}`);
    tensors.push(tensor);
  }

  const firstAdds = new RegExp(`^${escapeRegExp(`${scope}.0/`)}${postNorm ? "attention/output/" : ""}Add(_\\d+)?$`);
  let embeddings: string | undefined;
  for (const node of nodes) {
    if (!firstAdds.test(node.name ?? "")) continue;
    embeddings = (node.input ?? []).find((i) => {
      const p = producer.get(i);
      return p ? !inBlock(p, 0) : (model.graph?.input ?? []).some((g) => g.name === i);
    });
    if (embeddings) break;
  }
  if (!embeddings)
    throw layoutError(
      model,
      `no residual Add in block ${scope}.0 takes an input from outside the block (the embeddings)`,
    );
  return { layout, blockScope: scope, tensors: [embeddings, ...tensors] };
}

/** Checks explicitly named tensors exist in the graph. */
export function explicitLayerTensors(model: Model, names: readonly string[]): LayerTensors {
  if (names.length === 0) throw new LayerLayoutError("--outputs needs at least one tensor name");
  const known = new Set<string>();
  for (const node of model.graph?.node ?? []) for (const o of node.output ?? []) known.add(o);
  for (const i of model.graph?.input ?? []) known.add(i.name ?? "");
  const missing = names.filter((n) => !known.has(n));
  if (missing.length) {
    throw new LayerLayoutError(
      `tensor(s) not in the graph: ${missing.join(", ")}\ncandidate tensors:\n  ${candidateTensors(model).join("\n  ")}`,
    );
  }
  return { layout: "explicit", blockScope: "", tensors: [...names] };
}

/** Element type of the graph's first output (the model's compute type), float32 if unknown. */
function computeElemType(model: Model): number {
  return model.graph?.output?.[0]?.type?.tensorType?.elemType ?? onnx.TensorProto.DataType.FLOAT;
}

/** Adds each tensor as a graph output (in place), typed from value_info when present. */
export function exposeTensors(model: Model, tensors: readonly string[]): void {
  const graph = model.graph!;
  const declared = new Map((graph.valueInfo ?? []).map((v) => [v.name ?? "", v]));
  const already = new Set((graph.output ?? []).map((o) => o.name ?? ""));
  const fallback = computeElemType(model);
  for (const name of tensors) {
    if (already.has(name)) continue;
    const elemType = declared.get(name)?.type?.tensorType?.elemType ?? fallback;
    (graph.output ??= []).push(
      onnx.ValueInfoProto.create({
        name,
        type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType }) }),
      }),
    );
    already.add(name);
  }
}

const FLOAT_TYPES = new Set([1, 10, 11, 16]); // float, float16, double, bfloat16

type Tensor = onnxProto.onnx.ITensorProto;

/** float32 view of an initializer's raw bytes, or null (other types, external or typed-field storage). */
function rawFloat32(t: Tensor): Float32Array | null {
  const raw = t.rawData;
  if (t.dataType !== 1 || !raw || raw.length === 0) return null;
  const copy = new Uint8Array(raw); // raw may be unaligned inside the model buffer
  return new Float32Array(copy.buffer, 0, copy.length / 4);
}

/** Entry `index` of a float32 initializer, or undefined when its data cannot be read. */
export type ElementReader = (t: Tensor, index: number) => number | undefined;

/** Reads inline (raw_data) float32 initializers. */
function inlineElements(): ElementReader {
  const views = new Map<Tensor, Float32Array | null>();
  return (t, index) => {
    if (!views.has(t)) views.set(t, rawFloat32(t));
    return views.get(t)?.[index];
  };
}

/**
 * Whether `b` is the transpose of the 2-D `a` — how exporters store a tied LM head
 * (GPT-2's `lm_head = wteᵀ` becomes a second, transposed initializer after constant folding).
 * Checked on 256 evenly spread entries.
 */
function isTransposeOf(a: Tensor, b: Tensor, element: ElementReader): boolean {
  const [r, c] = (a.dims ?? []).map(Number);
  const [r2, c2] = (b.dims ?? []).map(Number);
  if ((a.dims ?? []).length !== 2 || (b.dims ?? []).length !== 2 || r !== c2 || c !== r2 || r === c) return false;
  if (a.dataType !== 1 || b.dataType !== 1) return false;
  const total = r! * c!;
  const step = Math.max(1, Math.floor(total / 256));
  for (let k = 0; k < total; k += step) {
    const i = Math.floor(k / c!);
    const j = k % c!;
    const x = element(a, k);
    if (x === undefined || x !== element(b, j * r! + i)) return false;
  }
  return true;
}

/**
 * Number of floating-point parameters stored as initializers. Masks and index constants
 * (non-float) are not counted; a tied weight stored a second time as its transpose (a tied
 * LM head) is counted once. `element` reads weights kept outside the model (default: inline only).
 */
export function parameterCount(model: Model, element: ElementReader = inlineElements()): number {
  const floats = (model.graph?.initializer ?? []).filter((t) => FLOAT_TYPES.has(t.dataType ?? 0));
  const size = (t: Tensor) => (t.dims ?? []).reduce<number>((n, d) => n * Number(d), 1);
  let total = 0;
  const matrices: Tensor[] = [];
  for (const t of floats) {
    if ((t.dims ?? []).length === 2 && matrices.some((m) => size(m) === size(t) && isTransposeOf(m, t, element)))
      continue;
    if ((t.dims ?? []).length === 2) matrices.push(t);
    total += size(t);
  }
  return total;
}

/** Rows of the token-embedding matrix (the model's vocabulary size), from the Gather that reads `input_ids`, if found. */
export function embeddingRows(model: Model, inputName = "input_ids"): number | undefined {
  const graph = model.graph;
  if (!graph) return undefined;
  const init = new Map((graph.initializer ?? []).map((t) => [t.name ?? "", t]));
  // input_ids may pass through casts or reshapes on its way to the Gather.
  const derived = new Set([inputName]);
  for (const node of graph.node ?? []) {
    if (
      /^(Cast|Identity|Reshape|Unsqueeze|Squeeze|Flatten)$/.test(node.opType ?? "") &&
      derived.has(node.input?.[0] ?? "")
    ) {
      for (const o of node.output ?? []) derived.add(o);
    }
    if (node.opType === "Gather" && derived.has(node.input?.[1] ?? "")) {
      const table = init.get(node.input?.[0] ?? "");
      if (table && (table.dims ?? []).length === 2) return Number(table.dims![0]);
    }
  }
  return undefined;
}

/** Whether any initializer's bytes live in a separate file (models over 2 GB). */
export function hasExternalData(model: Model): boolean {
  return (model.graph?.initializer ?? []).some((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
}

/** File names of the external data the model refers to. */
export function externalDataFiles(model: Model): string[] {
  const files = new Set<string>();
  for (const t of model.graph?.initializer ?? []) {
    for (const entry of t.externalData ?? []) if (entry.key === "location" && entry.value) files.add(entry.value);
  }
  return [...files];
}

export function decodeModel(bytes: Uint8Array): Model {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: Model): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

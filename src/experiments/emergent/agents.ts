/**
 * The two agents of the reconstruction game (METHODS §6.1), as hand-written GRUs on tfjs ops.
 *
 * Sender: meaning (one-hot per role, concatenated) → linear → initial hidden state; then L
 * GRU steps, the first fed a learned start embedding, each later one fed the embedding of the
 * symbol just emitted; each step's hidden state → logits over the alphabet. Symbols are drawn
 * by the Gumbel-max trick (argmax of logits + Gumbel noise, an exact sample of the softmax)
 * while training and by argmax (greedy) at evaluation.
 * Receiver: zero initial state; L GRU steps over the embedded symbols; the last hidden state →
 * one softmax per role.
 *
 * Signal convention (default): there is no end-of-sequence symbol. Every signal has exactly L
 * symbols from the alphabet, the receiver reads all L of them, and the analyses count every
 * position (METHODS §3.1's default).
 * With `zeroEndsMessage` (EGG's convention, as in the ICLR 2023 reference): symbol 0 ends a
 * message. EGG's sender appends a 0 after its L symbols, and a message's length is the
 * position of its first 0 plus one (`find_lengths`), so at most L + 1. Only positions before
 * that length count: the sender's log-probability sums over them and its entropy is their sum
 * divided by the length; the receiver reads up to and including the first 0 (its state stops
 * changing after it) and predicts from that state. Masks are built from the one-hot symbols'
 * 0 column, so they carry no gradient of their own.
 *
 * GRU cell (PyTorch's convention and weight layout, gates r | z | n side by side):
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 * Gates are computed from per-gate weight slices (slicing a [B, 3H] activation costs more on
 * wasm than three narrower matmuls), and the symbol embedding is folded into the input
 * projection: onehot · (embed · W_x,g).
 *
 * Weights are initialised from the seeded `Random` (PyTorch's default ranges), so the same seed
 * gives the same agents on every back end.
 */
import type * as tfNs from "@tensorflow/tfjs";
import { Random } from "../../util/random.js";

type TF = typeof tfNs;
type Tensor = tfNs.Tensor;
type Tensor2D = tfNs.Tensor2D;
type Tensor1D = tfNs.Tensor1D;

export interface AgentShape {
  /** Atoms per role. */
  atoms: number[];
  signalLength: number;
  alphabetSize: number;
  hiddenSize: number;
  embeddingSize: number;
  /** Symbol 0 ends a message (EGG's convention); default false: fixed length L. */
  zeroEndsMessage?: boolean;
}

/** Parameter names (in a fixed order) and shapes. */
export function parameterShapes(shape: AgentShape): [string, number[]][] {
  const M = shape.atoms.reduce((a, b) => a + b, 0);
  const { hiddenSize: H, embeddingSize: E, alphabetSize: C } = shape;
  return [
    ["sender.meaning.W", [M, H]],
    ["sender.meaning.b", [H]],
    ["sender.start", [1, E]],
    ["sender.embed", [C, E]],
    ["sender.gru.Wx", [E, 3 * H]],
    ["sender.gru.Wh", [H, 3 * H]],
    ["sender.gru.bx", [3 * H]],
    ["sender.gru.bh", [3 * H]],
    ["sender.out.W", [H, C]],
    ["sender.out.b", [C]],
    ["receiver.embed", [C, E]],
    ["receiver.gru.Wx", [E, 3 * H]],
    ["receiver.gru.Wh", [H, 3 * H]],
    ["receiver.gru.bx", [3 * H]],
    ["receiver.gru.bh", [3 * H]],
    ["receiver.out.W", [H, M]],
    ["receiver.out.b", [M]],
  ];
}

/** Initial values: embeddings ~ N(0, 1); GRU weights ~ U(±1/√H); linear layers ~ U(±1/√fan_in). */
export function initialParameters(shape: AgentShape, seed: number): Map<string, Float32Array> {
  const rng = new Random(seed);
  const M = shape.atoms.reduce((a, b) => a + b, 0);
  const out = new Map<string, Float32Array>();
  for (const [name, dims] of parameterShapes(shape)) {
    const size = dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (name.endsWith("embed") || name === "sender.start") {
      for (let i = 0; i < size; i++) values[i] = standardNormal(rng);
    } else {
      const fanIn = name.includes(".gru.")
        ? shape.hiddenSize
        : name.startsWith("sender.meaning")
          ? M
          : shape.hiddenSize;
      const bound = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < size; i++) values[i] = (2 * rng.uniform53() - 1) * bound;
    }
    out.set(name, values);
  }
  return out;
}

function standardNormal(rng: Random): number {
  // Box–Muller; 1 − u keeps the log finite.
  const u = 1 - rng.uniform53();
  const v = rng.uniform53();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Concatenated one-hot codes of the given meanings: rows × Σ|A_r|. */
export function meaningOneHot(meanings: Int32Array, atoms: readonly number[], rows: ArrayLike<number>): Float32Array {
  const R = atoms.length;
  const M = atoms.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows.length * M);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    let offset = 0;
    for (let r = 0; r < R; r++) {
      out[k * M + offset + meanings[i * R + r]!] = 1;
      offset += atoms[r]!;
    }
  }
  return out;
}

/** Gumbel(0, 1) noise, count values, from the seeded generator. */
export function gumbelNoise(rng: Random, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const u = (rng.nextUint32() + 0.5) / 4294967296; // strictly inside (0, 1)
    out[i] = -Math.log(-Math.log(u));
  }
  return out;
}

export interface SenderOutput {
  /** One-hot symbol per step: L tensors of shape [B, C]. */
  symbols: Tensor2D[];
  /** Symbol index per step: L int32 tensors of shape [B]. */
  choices: Tensor1D[];
  /** Σ_t log π(symbol_t), shape [B]. */
  logProb: Tensor1D;
  /** Mean over steps of the policy's entropy, shape [B]. */
  entropy: Tensor1D;
  /**
   * With zeroEndsMessage: L + 1 masks [B, 1], 1 where that position is read (position L is
   * the appended 0, read when no earlier 0 ended the message). Absent otherwise.
   */
  reads?: Tensor2D[];
}

/** Per-gate pieces of a GRU's weights, sliced once per forward pass. */
interface GruGates {
  /** Input projections from one-hot symbols: (embed · W_x,g) [C, H], gates r, z, n. */
  symbolIn: [Tensor2D, Tensor2D, Tensor2D];
  /** Input biases: b_x,g (+ b_h,g for r and z, which enter the same sum) [H]. */
  bias: [Tensor1D, Tensor1D, Tensor1D];
  hidden: [Tensor2D, Tensor2D, Tensor2D];
  /** b_h,n, which sits inside r ⊙ (·). */
  hiddenBiasN: Tensor1D;
  inputWeights: [Tensor2D, Tensor2D, Tensor2D];
}

/** The agents' variables plus their forward passes. Call inside tf.tidy / variableGrads. */
export class Agents {
  readonly variables: Map<string, tfNs.Variable>;
  /**
   * matMul with a gradient built from explicit transposes: the wasm back end's matMul with
   * transpose flags (what tfjs's own gradient uses) is about 15× slower than transpose + matMul.
   */
  readonly matMul: (a: Tensor, b: Tensor) => Tensor2D;

  constructor(
    private readonly tf: TF,
    readonly shape: AgentShape,
    values: Map<string, Float32Array>,
  ) {
    this.variables = new Map();
    for (const [name, dims] of parameterShapes(shape)) {
      const v = values.get(name);
      if (!v) throw new RangeError(`missing parameter "${name}"`);
      const size = dims.reduce((a, b) => a * b, 1);
      if (v.length !== size)
        throw new RangeError(`parameter "${name}" has ${v.length} values, expected ${size} (${dims.join("×")})`);
      this.variables.set(name, tf.variable(tf.tensor(v, dims), true));
    }
    this.matMul = tf.customGrad((a, b, save) => {
      (save as tfNs.GradSaveFunc)([a as Tensor, b as Tensor]);
      return {
        value: tf.matMul(a as Tensor2D, b as Tensor2D),
        gradFunc: (dy: Tensor, saved: Tensor[]) => [
          tf.matMul(dy as Tensor2D, tf.transpose(saved[1]!) as Tensor2D),
          tf.matMul(tf.transpose(saved[0]!) as Tensor2D, dy as Tensor2D),
        ],
      };
    }) as (a: Tensor, b: Tensor) => Tensor2D;
  }

  private p(name: string): tfNs.Variable {
    return this.variables.get(name)!;
  }

  private gates(prefix: "sender" | "receiver"): GruGates {
    const tf = this.tf;
    const H = this.shape.hiddenSize;
    const E = this.shape.embeddingSize;
    const wx = this.p(`${prefix}.gru.Wx`);
    const wh = this.p(`${prefix}.gru.Wh`);
    const bx = this.p(`${prefix}.gru.bx`);
    const bh = this.p(`${prefix}.gru.bh`);
    const embed = this.p(`${prefix}.embed`);
    const g = [0, 1, 2] as const;
    const inputWeights = g.map((k) => tf.slice(wx, [0, k * H], [E, H])) as unknown as GruGates["inputWeights"];
    const bxs = g.map((k) => tf.slice(bx, [k * H], [H]));
    const bhs = g.map((k) => tf.slice(bh, [k * H], [H]));
    return {
      inputWeights,
      symbolIn: inputWeights.map((w) => this.matMul(embed, w)) as GruGates["symbolIn"],
      bias: [tf.add(bxs[0]!, bhs[0]!), tf.add(bxs[1]!, bhs[1]!), bxs[2]!] as GruGates["bias"],
      hidden: g.map((k) => tf.slice(wh, [0, k * H], [H, H])) as unknown as GruGates["hidden"],
      hiddenBiasN: bhs[2]! as Tensor1D,
    };
  }

  /** One GRU step from gate inputs x_g (biases included) and state h (null: zero state). */
  private gru(x: Tensor[], h: Tensor2D | null, gates: GruGates): Tensor2D {
    const tf = this.tf;
    const [xr, xz, xn] = x as [Tensor, Tensor, Tensor];
    if (h === null) {
      // h = 0: W_h h vanishes, and h' = (1 − z) ⊙ n.
      const r0 = tf.sigmoid(xr);
      const z0 = tf.sigmoid(xz);
      const n0 = tf.tanh(tf.add(xn, tf.mul(r0, gates.hiddenBiasN)));
      return tf.sub(n0, tf.mul(z0, n0)) as Tensor2D;
    }
    const r = tf.sigmoid(tf.add(xr, this.matMul(h, gates.hidden[0])));
    const z = tf.sigmoid(tf.add(xz, this.matMul(h, gates.hidden[1])));
    const n = tf.tanh(tf.add(xn, tf.mul(r, tf.add(this.matMul(h, gates.hidden[2]), gates.hiddenBiasN))));
    return tf.add(n, tf.mul(z, tf.sub(h, n))) as Tensor2D;
  }

  /** Gate inputs for a batch of one-hot symbols [B, C]. */
  private symbolInputs(onehot: Tensor2D, gates: GruGates): Tensor[] {
    return gates.symbolIn.map((w, k) => this.tf.add(this.matMul(onehot, w), gates.bias[k]!));
  }

  /**
   * Runs the sender on one-hot meanings [B, M]. `noise` (L tensors [B, C] of Gumbel noise)
   * samples; without it the sender is greedy.
   */
  sender(meanings: Tensor2D, noise?: Tensor2D[]): SenderOutput {
    const tf = this.tf;
    const { signalLength: L, alphabetSize: C } = this.shape;
    const gates = this.gates("sender");
    let h = tf.add(this.matMul(meanings, this.p("sender.meaning.W")), this.p("sender.meaning.b")) as Tensor2D;
    const start = this.p("sender.start");
    let x: Tensor[] = gates.inputWeights.map((w, k) => tf.add(this.matMul(start, w), gates.bias[k]!));
    const outW = this.p("sender.out.W");
    const outB = this.p("sender.out.b");
    const symbols: Tensor2D[] = [];
    const choices: Tensor1D[] = [];
    let logProb: Tensor | undefined;
    let entropy: Tensor | undefined;
    const ends = this.shape.zeroEndsMessage === true;
    const B = meanings.shape[0];
    // reads[t]: 1 while position t is inside the message (before or at its first 0).
    const reads: Tensor2D[] = ends ? [tf.ones([B, 1]) as Tensor2D] : [];
    for (let t = 0; t < L; t++) {
      h = this.gru(x, h, gates);
      const logits = tf.add(this.matMul(h, outW), outB);
      const logp = tf.logSoftmax(logits);
      let ent = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1));
      const choice = tf.argMax(noise ? tf.add(logits, noise[t]!) : logits, 1) as Tensor1D;
      const onehot = tf.cast(tf.oneHot(choice, C), "float32") as Tensor2D;
      let lp = tf.sum(tf.mul(onehot, logp), 1);
      if (ends) {
        const read = tf.reshape(reads[t]!, [B]);
        lp = tf.mul(lp, read);
        ent = tf.mul(ent, read);
        const isZero = tf.slice(onehot, [0, 0], [B, 1]);
        reads.push(tf.mul(reads[t]!, tf.sub(1, isZero)) as Tensor2D);
      }
      logProb = logProb ? tf.add(logProb, lp) : lp;
      entropy = entropy ? tf.add(entropy, ent) : ent;
      symbols.push(onehot);
      choices.push(choice);
      if (t + 1 < L) x = this.symbolInputs(onehot, gates);
    }
    if (!ends) return { symbols, choices, logProb: logProb as Tensor1D, entropy: tf.div(entropy!, L) as Tensor1D };
    // Length = positions read among the L symbols, + 1 for the appended 0 when no 0 came earlier.
    const length = tf.reshape(tf.addN(reads), [B]);
    return { symbols, choices, logProb: logProb as Tensor1D, entropy: tf.div(entropy!, length) as Tensor1D, reads };
  }

  /**
   * Runs the receiver on L one-hot symbol tensors [B, C]; returns role logits [B, Σ|A_r|].
   * With `reads` (from the sender, zeroEndsMessage) it also reads the appended 0 and keeps
   * its state unchanged at positions outside the message.
   */
  receiver(symbols: Tensor2D[], reads?: Tensor2D[]): Tensor2D {
    const tf = this.tf;
    const gates = this.gates("receiver");
    let h: Tensor2D | null = null;
    if (!reads) for (const s of symbols) h = this.gru(this.symbolInputs(s, gates), h, gates);
    else {
      const B = symbols[0]!.shape[0];
      const zero = tf.oneHot(tf.zeros([B], "int32") as Tensor1D, this.shape.alphabetSize).cast("float32") as Tensor2D;
      [...symbols, zero].forEach((s, t) => {
        const next = this.gru(this.symbolInputs(s, gates), h, gates);
        h = h === null ? next : (tf.add(h, tf.mul(reads[t]!, tf.sub(next, h))) as Tensor2D);
      });
    }
    return tf.add(this.matMul(h!, this.p("receiver.out.W")), this.p("receiver.out.b")) as Tensor2D;
  }

  /** Per-role log-softmax of receiver logits, concatenated back to [B, Σ|A_r|]. */
  roleLogProbs(logits: Tensor2D): Tensor2D {
    const tf = this.tf;
    const parts = tf.split(logits, this.shape.atoms, 1).map((part) => tf.logSoftmax(part));
    return tf.concat(parts, 1) as Tensor2D;
  }

  /** Per-role argmax of receiver logits: [B, R] int32. */
  predictions(logits: Tensor2D): Tensor2D {
    const tf = this.tf;
    const parts = tf.split(logits, this.shape.atoms, 1).map((part) => tf.argMax(part, 1));
    return tf.stack(parts, 1) as Tensor2D;
  }

  /** Current parameter values (copies). */
  values(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.variables) out.set(name, Float32Array.from(v.dataSync() as Float32Array));
    return out;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
  }
}

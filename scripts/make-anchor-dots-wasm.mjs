// Assembles src/compute/anchorDotsWasm.ts: a small WebAssembly SIMD kernel for the TypeScript
// back end's dot products, written out instruction by instruction (no toolchain needed).
// Run: node scripts/make-anchor-dots-wasm.mjs   (the output is committed; rerun after editing).
//
// dots(rows, count, d, anchorPairs, n4, n, out): for rows i < count (a multiple of 4) and anchors
// k < n4 (a multiple of 4), out[i·n + k] (f64) = Σ_j rows[i·d + j] · anchor_k[j], every product and
// sum in f64 in the order j = 0, 1, …: bit for bit what the JavaScript loop computes. Each f64x2
// lane is one (row, anchor) pair, so the per-pair order of additions is the JavaScript one.
// anchorPairs: for anchor pair P (anchors 2P, 2P+1), d consecutive f64x2 (a_2P[j], a_2P+1[j]).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const uleb = (v) => {
  const out = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const sleb = (v) => {
  const out = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const vec = (items) => [...uleb(items.length), ...items.flat()];

const I32 = 0x7f,
  V128 = 0x7b;
const get = (i) => [0x20, ...uleb(i)];
const set = (i) => [0x21, ...uleb(i)];
const i32 = (v) => [0x41, ...sleb(v)];
const add = 0x6a,
  mul = 0x6c,
  shl = 0x74,
  geU = 0x4f;
const simd = (op) => [0xfd, ...uleb(op)];
const v128Load = (offset) => [...simd(0), 4, ...uleb(offset)];
const v128Store = (offset) => [...simd(11), 4, ...uleb(offset)];
const f32Load = [0x2a, 2, 0];
const promote = 0xbb;
const splat = simd(20),
  f64x2Add = simd(240),
  f64x2Mul = simd(242);
const zero = [...simd(12), ...new Array(16).fill(0)];

// params
const ROWS = 0,
  COUNT = 1,
  D = 2,
  ANCHORS = 3,
  N4 = 4,
  N = 5,
  OUT = 6;
// i32 locals
const I = 7,
  K = 8,
  RP = 9,
  REND = 10,
  AP = 11,
  RB = 12,
  RB2 = 13,
  RB3 = 14,
  AD = 15,
  O = 16,
  NB = 17;
// v128 locals
const ACC = 18,
  W0 = 26,
  W1 = 27,
  X = 28;

const rowTerm = (rowOffsetLocal, acc) => [
  ...get(RP),
  ...(rowOffsetLocal === null ? [] : [...get(rowOffsetLocal), add]),
  ...f32Load,
  promote,
  ...splat,
  ...set(X),
  ...get(acc),
  ...get(X),
  ...get(W0),
  ...f64x2Mul,
  ...f64x2Add,
  ...set(acc),
  ...get(acc + 1),
  ...get(X),
  ...get(W1),
  ...f64x2Mul,
  ...f64x2Add,
  ...set(acc + 1),
];

const body = [
  ...get(D),
  ...i32(2),
  shl,
  ...set(RB),
  ...get(RB),
  ...i32(1),
  shl,
  ...set(RB2),
  ...get(RB2),
  ...get(RB),
  add,
  ...set(RB3),
  ...get(D),
  ...i32(4),
  shl,
  ...set(AD),
  ...get(N),
  ...i32(3),
  shl,
  ...set(NB),
  ...i32(0),
  ...set(I),
  0x02,
  0x40,
  0x03,
  0x40, // block, loop over rows (4 at a time)
  ...get(I),
  ...get(COUNT),
  geU,
  0x0d,
  1,
  ...i32(0),
  ...set(K),
  0x02,
  0x40,
  0x03,
  0x40, // block, loop over anchors (4 at a time)
  ...get(K),
  ...get(N4),
  geU,
  0x0d,
  1,
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((a) => [...zero, ...set(ACC + a)]),
  ...get(ROWS),
  ...get(I),
  ...get(RB),
  mul,
  add,
  ...set(RP),
  ...get(RP),
  ...get(RB),
  add,
  ...set(REND),
  ...get(ANCHORS),
  ...get(K),
  ...get(D),
  ...i32(3),
  shl,
  mul,
  add,
  ...set(AP),
  0x02,
  0x40,
  0x03,
  0x40, // block, loop over j
  ...get(RP),
  ...get(REND),
  geU,
  0x0d,
  1,
  ...get(AP),
  ...v128Load(0),
  ...set(W0),
  ...get(AP),
  ...get(AD),
  add,
  ...v128Load(0),
  ...set(W1),
  ...rowTerm(null, ACC),
  ...rowTerm(RB, ACC + 2),
  ...rowTerm(RB2, ACC + 4),
  ...rowTerm(RB3, ACC + 6),
  ...get(RP),
  ...i32(4),
  add,
  ...set(RP),
  ...get(AP),
  ...i32(16),
  add,
  ...set(AP),
  0x0c,
  0,
  0x0b,
  0x0b, // br loop j; end loop; end block
  // o = out + (i·n + k)·8; row r at o + r·n·8
  ...get(OUT),
  ...get(I),
  ...get(N),
  mul,
  ...get(K),
  add,
  ...i32(3),
  shl,
  add,
  ...set(O),
  ...[0, 1, 2, 3].flatMap((r) => [
    ...get(O),
    ...get(ACC + 2 * r),
    ...v128Store(0),
    ...get(O),
    ...get(ACC + 2 * r + 1),
    ...v128Store(16),
    ...get(O),
    ...get(NB),
    add,
    ...set(O),
  ]),
  ...get(K),
  ...i32(4),
  add,
  ...set(K),
  0x0c,
  0,
  0x0b,
  0x0b,
  ...get(I),
  ...i32(4),
  add,
  ...set(I),
  0x0c,
  0,
  0x0b,
  0x0b,
  0x0b, // end function
];
const locals = vec([
  [...uleb(11), I32],
  [...uleb(11), V128],
]);
const code = [...locals, ...body];

const module = [
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  ...section(1, vec([[0x60, ...vec(new Array(7).fill([I32])), 0]])), // type: (i32 × 7) → ()
  ...section(3, vec([[0]])), // function 0 has type 0
  ...section(5, vec([[0x00, 1]])), // one memory, min 1 page
  ...section(
    7,
    vec([
      [...vec([..."dots"].map((c) => [c.charCodeAt(0)])), 0x00, 0],
      [...vec([..."memory"].map((c) => [c.charCodeAt(0)])), 0x02, 0],
    ]),
  ),
  ...section(10, vec([[...uleb(code.length), ...code]])),
];
const bytes = Uint8Array.from(module);
if (!WebAssembly.validate(bytes)) throw new Error("the assembled module does not validate");
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "compute", "anchorDotsWasm.ts");
fs.writeFileSync(
  out,
  `/** Generated by scripts/make-anchor-dots-wasm.mjs (read it for what the kernel computes); do not edit. */\nexport const ANCHOR_DOTS_WASM_BASE64 =\n  "${Buffer.from(bytes).toString("base64")}";\n`,
);
console.log(`${out}: ${bytes.length} bytes of WebAssembly`);

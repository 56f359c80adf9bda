// Assembles src/vector/labelCellsWasm.ts: a small WebAssembly SIMD (f64x2) kernel for the per-cell
// work of the label-set estimate in result() (src/vector/countEstimate.ts), written out instruction
// by instruction (no toolchain needed). Run: node scripts/make-label-cells-wasm.mjs
// (the output is committed; rerun after editing).
//
// Two functions. cells(rows, count, stride, width, ref, invRef, lnRef, mixture, meta, out, normal): for
// each value t < count, its block of `width` f64 counts at rows + t·stride (bytes), against the group's
// reference (ref[k] = group sum, invRef[k] = 1 / ref[k] or NaN where that overflows, lnRef[k] = ln ref[k]),
// with normal = 1 where the caller vouches that no p or ½(p + q) is subnormal (the logarithms then skip
// their subnormal test), meta[2t] = weight and
// meta[2t+1] = 1 when the value has a complement (0 otherwise), writes out[2t] = H(P) and
// out[2t+1] = JSD(P ‖ Q) (Q = ref − own, clipped at 0) and adds weight · P into mixture: what
// valueCells / valueEntropy in countEstimate.ts compute, two cells per f64x2, branch-free per
// cell (cells of P = 0 or Q = 0 are masked out). The logarithm is fastLog's (src/info/fastLog.ts):
// a 128-entry table of 1 / c and ln c (at address 0, written by src/vector/labelCells.ts), then
// ln(1 + r) to r⁸ by Estrin's scheme, with no division; subnormals are scaled by 2^54 first. The
// short dependency chains (no division, Estrin instead of Horner) are what made it faster: the
// kernel is bound by latency, not by the number of instructions.
// addRows(rows, count, stride, width, target, least) adds values' counts into target (the group sums) and
// lowers the f64 at `least` to the least positive count.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { section, sleb, uleb, vec } from "./wasm-encoding.mjs";

const f64Bytes = (x) => [...new Uint8Array(Float64Array.of(x).buffer)];
const i64Bytes = (hex) => [...new Uint8Array(BigInt64Array.of(BigInt.asIntN(64, BigInt(hex))).buffer)];

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

// locals: parameters first, then i32, f64 and v128 locals, allocated by name
const PARAMS = ["rows", "count", "stride", "width", "ref", "invRef", "lnRef", "mixture", "meta", "out", "normal"];
const I32_LOCALS = ["t", "row", "i", "pairEnd", "j0", "j1"];
const F64_LOCALS = ["so", "sc", "weight", "hp", "scale"];
const V128_LOCALS = [
  ...["o", "p", "c", "cm", "q", "x", "x2", "x4", "l1m", "big", "lnq", "mid", "lp", "lm"],
  ...["accO", "accC", "accP", "accQ", "accM", "perOwn", "perComplement", "ownScale", "complementScale"],
  ...["lnSc", "weightV"],
  ...["lx", "adj", "lt", "ix", "dk", "lr", "lr2", "lr4", "lqTmp"],
];
const index = new Map();
[...PARAMS, ...I32_LOCALS, ...F64_LOCALS, ...V128_LOCALS].forEach((name, i) => index.set(name, i));
const L = (name) => {
  const i = index.get(name);
  if (i === undefined) throw new Error(`no local ${name}`);
  return uleb(i);
};
const get = (name) => [0x20, ...L(name)];
// v128 constants live in locals set once per call (V8 rebuilds a v128.const at every use)
const constants = new Map(); // local name → bytes of its v128.const
const constant = (bytes) => {
  const key = bytes.join(",");
  let name = [...constants.entries()].find(([, b]) => b.join(",") === key)?.[0];
  if (!name) {
    name = `k${constants.size}`;
    constants.set(name, bytes);
    index.set(name, index.size);
    V128_LOCALS.push(name);
  }
  return [0x20, ...L(name)];
};
const set = (name) => [0x21, ...L(name)];
const tee = (name) => [0x22, ...L(name)];
const i32 = (v) => [0x41, ...sleb(v)];
const f64 = (v) => [0x44, ...f64Bytes(v)];
const I = {
  add: 0x6a,
  sub: 0x6b,
  mul: 0x6c,
  and: 0x71,
  shl: 0x74,
  shrU: 0x76,
  ltU: 0x49,
  geU: 0x4f,
  eqz: 0x45,
  wrap: 0xa7,
};
const F = { add: 0xa0, sub: 0xa1, mul: 0xa2, div: 0xa3, min: 0xa4, max: 0xa5, eq: 0x61, ne: 0x62, lt: 0x63, le: 0x65 };
const f64Load = (offset) => [0x2b, 3, ...uleb(offset)];
const f64Store = (offset) => [0x39, 3, ...uleb(offset)];
const simd = (op) => [0xfd, ...uleb(op)];
const V = {
  load: (offset = 0) => [...simd(0x00), 4, ...uleb(offset)],
  load64Zero: (offset = 0) => [...simd(0x5d), 3, ...uleb(offset)],
  load64Lane: (offset, lane) => [...simd(0x57), 3, ...uleb(offset), lane],
  i64Extract: (lane) => [...simd(0x1d), lane],
  store: (offset = 0) => [...simd(0x0b), 4, ...uleb(offset)],
  constF64: (a, b = a) => constant([...simd(0x0c), ...f64Bytes(a), ...f64Bytes(b)]),
  constI64: (hex) => constant([...simd(0x0c), ...i64Bytes(hex), ...i64Bytes(hex)]),
  splat: simd(0x14),
  extract: (lane) => [...simd(0x21), lane],
  and: simd(0x4e),
  or: simd(0x50),
  bitselect: simd(0x52),
  anyTrue: simd(0x53),
  lt: simd(0x49),
  gt: simd(0x4a),
  le: simd(0x4b),
  andNot: simd(0x4f),
  i64Add: simd(0xce),
  i64ShrU: simd(0xcd),
  add: simd(0xf0),
  sub: simd(0xf1),
  pmin: simd(0xf6),
  mul: simd(0xf2),
  div: simd(0xf3),
};

const block = (...body) => [0x02, 0x40, ...body.flat(), 0x0b];
const loop = (...body) => [0x03, 0x40, ...body.flat(), 0x0b];
const ifThen = (...body) => [0x04, 0x40, ...body.flat(), 0x0b];
const ifElse = (thenBody, elseBody) => [0x04, 0x40, ...thenBody.flat(), 0x05, ...elseBody.flat(), 0x0b];
const br = (depth) => [0x0c, depth];
const brIf = (depth) => [0x0d, depth];

// The logarithm's table (LOG_TABLE_BYTES at address 0, written by src/vector/labelCells.ts): for each
// j = the top 7 mantissa bits of x, at j · 16 the reciprocal of a centre c_j of m's interval and at
// j · 16 + 8 ln c_j, where m is x's mantissa taken into [0.70703125, 1.4140625) (j ≥ 53 halved), so
// ln x = k ln 2 + ln c_j + ln(1 + r), r = m / c_j − 1, |r| < 1/128; the two intervals next to 1 have
// c = 1, where r = m − 1 is exact and ln x near 0 keeps its relative accuracy.
const LOG_TABLE_BITS = 7;
/** m's interval that straddles the halving point (1 + 53/128) starts it, so no interval is split. */
const LOG_HALVING = 53;

/**
 * dst = ln(src) lane-wise for src > 0 (any finite value elsewhere; callers mask those lanes).
 * `checked` false: the caller knows no lane is subnormal (0 is fine: its logarithm comes out
 * finite, −1023 ln 2), so the test and scaling for subnormals are left out.
 */
const logV = (src, dst, checked = true) => (checked ? checkedLog(src, dst) : logOf(src, dst, false));

const checkedLog = (src, dst) => [
  // subnormals (and 0, whose logarithm comes out finite, about −746): scale by 2^54 (exact) and take
  // 54 off the exponent; a branch, as they are rare
  ...get(src),
  ...set("lx"),
  ...V.constF64(0),
  ...set("adj"),
  ...get(src),
  ...V.constF64(2 ** -1022),
  ...V.lt,
  ...tee("lt"),
  ...V.anyTrue,
  ...ifThen(
    get(src),
    V.constF64(2 ** 54),
    V.mul,
    get(src),
    get("lt"),
    V.bitselect,
    set("lx"),
    get("lt"),
    V.constF64(54),
    V.and,
    set("adj"),
  ),
  ...logOf("lx", dst, true),
];

/** dst = ln(x) for normal x (or 0), the table logarithm; `adjusted`: minus adj (54 for scaled subnormals). */
const logOf = (x, dst, adjusted) => [
  // the table entries' byte offsets, j · 16, one lane at a time
  ...get(x),
  ...i32(52 - LOG_TABLE_BITS - 4),
  ...V.i64ShrU,
  ...V.constI64(`0x${(((1 << LOG_TABLE_BITS) - 1) << 4).toString(16)}`),
  ...V.and,
  ...tee("ix"),
  ...V.i64Extract(0),
  I.wrap,
  ...set("j0"),
  ...get("ix"),
  ...V.i64Extract(1),
  I.wrap,
  ...set("j1"),
  // ix = bits + (1 − halving point's high word) << 32: the exponent of m in [0.70703125, 1.4140625) goes into k
  ...get(x),
  ...V.constI64(`0x${(0x3ff00000 - halvingHigh()).toString(16).padStart(8, "0")}00000000`),
  ...V.i64Add,
  ...set("ix"),
  // dk = k as f64: biased exponent | 2^52's bits, minus 2^52 + 1023 (exact), minus 54 for subnormals
  ...get("ix"),
  ...i32(52),
  ...V.i64ShrU,
  ...V.constI64("0x4330000000000000"),
  ...V.or,
  ...V.constF64(2 ** 52 + 1023),
  ...V.sub,
  ...(adjusted ? [...get("adj"), ...V.sub] : []),
  ...set("dk"),
  // r = m · (1 / c_j) − 1
  ...get("ix"),
  ...V.constI64("0x000fffffffffffff"),
  ...V.and,
  ...V.constI64(`0x${halvingHigh().toString(16)}00000000`),
  ...V.i64Add,
  ...get("j1"),
  ...get("j0"),
  ...V.load64Zero(0),
  ...V.load64Lane(0, 1),
  ...V.mul,
  ...V.constF64(1),
  ...V.sub,
  ...set("lr"),
  // k ln 2 + ln c_j + (r − r²(1/2 − r(1/3 − … − r/8))), fastLog's order
  ...get("dk"),
  ...V.constF64(Math.LN2),
  ...V.mul,
  ...get("j1"),
  ...get("j0"),
  ...V.load64Zero(8),
  ...V.load64Lane(8, 1),
  ...V.add,
  ...get("lr"),
  ...get("lr"),
  ...get("lr"),
  ...V.mul,
  ...tee("lr2"),
  ...estrin("lr", "lr2", "lr4", [1 / 2, -1 / 3, 1 / 4, -1 / 5, 1 / 6, -1 / 7, 1 / 8]),
  ...V.mul,
  ...V.sub,
  ...V.add,
  ...set(dst),
];

/**
 * c0 + c1 x + … + c6 x⁶ by Estrin's scheme ((c0 + c1 x) + x²(c2 + c3 x) + x⁴((c4 + c5 x) + x² c6)):
 * shorter dependency chains than Horner's, so consecutive cells overlap in the CPU. x2 must hold
 * x²; x4 is set here.
 */
function estrin(x, x2, x4, c) {
  if (c.length !== 7) throw new Error("estrin: 7 coefficients");
  const pair = (a, b) => [...get(x), ...V.constF64(b), ...V.mul, ...V.constF64(a), ...V.add];
  return [
    ...get(x2),
    ...get(x2),
    ...V.mul,
    ...set(x4),
    ...pair(c[0], c[1]),
    ...get(x2),
    ...pair(c[2], c[3]),
    ...V.mul,
    ...V.add,
    ...get(x4),
    ...pair(c[4], c[5]),
    ...get(x2),
    ...V.constF64(c[6]),
    ...V.mul,
    ...V.add,
    ...V.mul,
    ...V.add,
  ];
}

/** The high word of the halving point 1 + LOG_HALVING/128, halved: m's lower end (0x3fe6a000). */
function halvingHigh() {
  const bits = new DataView(Float64Array.of((1 + LOG_HALVING / (1 << LOG_TABLE_BITS)) / 2).buffer);
  return bits.getUint32(4, true);
}

/** acc −= mask & (a · b) (masked lanes add nothing, even where a · b is NaN); no mask: acc −= a · b. */
const subtractMasked = (acc, a, b, mask = null) => [
  ...get(acc),
  ...get(a),
  ...get(b),
  ...V.mul,
  ...(mask ? [...mask, ...V.and] : []),
  ...V.sub,
  ...set(acc),
];

/** Load the cell pair at byte offset i of a block (or, in the tail, the last cell with a zero lane). */
const loads = (tail) => {
  const load = tail ? V.load64Zero() : V.load();
  const at = (base) => [...get(base), ...get("i"), I.add, ...load];
  return { at };
};

/** mixture[i] += weight · p (the tail writes its one lane back as a scalar). */
const mixtureUpdate = (tail) => [
  ...get("mixture"),
  ...get("i"),
  I.add,
  ...(tail
    ? [...get("mixture"), ...get("i"), I.add, ...f64Load(0)]
    : [...get("mixture"), ...get("i"), I.add, ...V.load()]),
  ...(tail ? [...get("weightV"), ...V.extract(0), ...get("p"), ...V.extract(0), F.mul, F.add] : []),
  ...(tail ? [] : [...get("weightV"), ...get("p"), ...V.mul, ...V.add]),
  ...(tail ? f64Store(0) : V.store()),
];

/** First pass: accO += o, accC += (c > 0 ? c : 0). */
const sumsBody = (tail) => {
  const { at } = loads(tail);
  return [
    ...at("row"),
    ...set("o"),
    ...get("accO"),
    ...get("o"),
    ...V.add,
    ...set("accO"),
    ...at("ref"),
    ...get("o"),
    ...V.sub,
    ...tee("c"),
    ...get("c"),
    ...V.constF64(0),
    ...V.gt,
    ...V.and,
    ...get("accC"),
    ...V.add,
    ...set("accC"),
  ];
};

/** Entropy alone: accP −= p ln p (p > 0), mixture += weight · p. */
const entropyBody = (checked) => (tail) => {
  const { at } = loads(tail);
  return [
    ...at("row"),
    ...get("ownScale"),
    ...V.mul,
    ...get("perOwn"),
    ...V.mul,
    ...set("p"),
    ...mixtureUpdate(tail),
    ...logV("p", "lp", checked),
    ...subtractMasked("accP", "p", "lp"), // p ≥ 0, and 0 · ln 0 = 0 here
  ];
};

/** H(P), H(Q) and H(M) terms of a cell pair, with ln q = ln ref + ln(1 − o/ref) − ln sc. */
const fullBody = (checked) => (tail) => {
  const { at } = loads(tail);
  return [
    ...at("row"),
    ...tee("o"),
    ...get("ownScale"),
    ...V.mul,
    ...get("perOwn"),
    ...V.mul,
    ...set("p"),
    ...mixtureUpdate(tail),
    ...at("ref"),
    ...get("o"),
    ...V.sub,
    ...tee("c"),
    ...V.constF64(0),
    ...V.gt,
    ...set("cm"),
    ...get("c"),
    ...get("complementScale"),
    ...V.mul,
    ...get("perComplement"),
    ...V.mul,
    ...get("cm"),
    ...V.and,
    ...set("q"),
    // x = o · (1 / ref); ln(1 − x) by its series to x⁷ (x ≤ 1/1024), else by the logarithm of c / ref
    ...get("o"),
    ...at("invRef"),
    ...V.mul,
    ...set("x"),
    ...V.constF64(0),
    ...get("x"),
    ...get("x"),
    ...get("x"),
    ...V.mul,
    ...set("x2"),
    ...estrin("x", "x2", "x4", [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6, 1 / 7]),
    ...V.mul,
    ...V.sub,
    ...set("l1m"),
    // big = cm & !(x ≤ 1/1024): x > 1/1024, or NaN where 1 / ref overflows (ref below 2^-1024)
    ...get("cm"),
    ...get("x"),
    ...V.constF64(1 / 1024),
    ...V.le,
    ...V.andNot,
    ...tee("big"),
    ...V.anyTrue,
    ...ifThen(
      get("c"),
      at("ref"),
      V.div,
      set("x"),
      logV("x", "lqTmp"),
      get("lqTmp"),
      get("l1m"),
      get("big"),
      V.bitselect,
      set("l1m"),
    ),
    ...at("lnRef"),
    ...get("l1m"),
    ...V.add,
    ...get("lnSc"),
    ...V.sub,
    ...set("lnq"),
    ...subtractMasked("accQ", "q", "lnq", get("cm")),
    ...logV("p", "lp", checked),
    ...subtractMasked("accP", "p", "lp"), // p ≥ 0, and 0 · ln 0 = 0 here
    ...V.constF64(0.5),
    ...get("p"),
    ...V.mul,
    ...V.constF64(0.5),
    ...get("q"),
    ...V.mul,
    ...V.add,
    ...set("mid"),
    ...logV("mid", "lm", checked),
    ...subtractMasked("accM", "mid", "lm"),
  ];
};

/** Run `body` over the block's cell pairs (i = 0, 16, … < pairEnd), then over the odd last cell. */
const overCells = (body) => [
  ...i32(0),
  ...set("i"),
  ...block(loop(get("i"), get("pairEnd"), [I.geU], brIf(1), body(false), get("i"), i32(16), [I.add], set("i"), br(0))),
  ...get("width"),
  ...i32(1),
  I.and,
  ...ifThen(body(true)),
];

/** overCells with the unchecked logarithms where the caller vouches that no p or ½(p + q) is subnormal (`normal`), else the checked ones. */
const overCellsEither = (body) => [...get("normal"), ...ifElse([overCells(body(false))], [overCells(body(true))])];

const zeroV = (name) => [...V.constF64(0), ...set(name)];
const horizontal = (name) => [...get(name), ...V.extract(0), ...get(name), ...V.extract(1), F.add];
const storeOut = (offset, value) => [
  ...get("out"),
  ...get("t"),
  ...i32(4),
  I.shl,
  I.add,
  ...value,
  ...f64Store(offset),
];

/**
 * Cells are normalised as (cell · scale) · (1 / (sum · scale)): scale = 1, or 2^100 where the sum
 * is below 2^-1000 (subnormal sums, whose reciprocal would overflow).
 */
const scaled = (sum, scaleName, perName) => [
  ...f64(2 ** 100),
  ...f64(1),
  ...get(sum),
  ...f64(2 ** -1000),
  F.lt,
  0x1b, // select
  ...tee("scale"),
  ...V.splat,
  ...set(scaleName),
  ...f64(1),
  ...get(sum),
  ...get("scale"),
  F.mul,
  F.div,
  ...V.splat,
  ...set(perName),
];

const perValue = [
  ...get("rows"),
  ...get("t"),
  ...get("stride"),
  I.mul,
  I.add,
  ...set("row"),
  ...get("meta"),
  ...get("t"),
  ...i32(4),
  I.shl,
  I.add,
  ...f64Load(0),
  ...tee("weight"),
  ...V.splat,
  ...set("weightV"),
  ...zeroV("accO"),
  ...zeroV("accC"),
  ...zeroV("accP"),
  ...zeroV("accQ"),
  ...zeroV("accM"),
  ...overCells(sumsBody),
  ...horizontal("accO"),
  ...set("so"),
  ...horizontal("accC"),
  ...set("sc"),
  ...get("so"),
  ...f64(0),
  F.eq,
  ...ifElse(
    [storeOut(0, f64(0)), storeOut(8, f64(0))],
    [
      scaled("so", "ownScale", "perOwn"),
      // no complement (or an empty one): the entropy alone
      get("meta"),
      get("t"),
      i32(4),
      [I.shl, I.add],
      f64Load(8),
      f64(0),
      [F.eq],
      get("sc"),
      f64(0),
      [F.eq],
      [0x72], // i32.or
      ifElse(
        [overCellsEither(entropyBody), storeOut(0, [...f64(0), ...horizontal("accP"), F.max]), storeOut(8, f64(0))],
        [
          scaled("sc", "complementScale", "perComplement"),
          get("sc"),
          V.splat,
          set("x"),
          logV("x", "lnSc"),
          overCellsEither(fullBody),
          f64(0),
          horizontal("accP"),
          [F.max],
          set("hp"),
          storeOut(0, get("hp")),
          // jsd = max(0, hm − ½ hp − ½ max(0, hq))
          storeOut(8, [
            ...f64(0),
            ...horizontal("accM"),
            ...f64(0.5),
            ...get("hp"),
            F.mul,
            F.sub,
            ...f64(0.5),
            ...f64(0),
            ...horizontal("accQ"),
            F.max,
            F.mul,
            F.sub,
            F.max,
          ]),
        ],
      ),
    ],
  ),
];

const prologue = () => [...constants.entries()].flatMap(([name, bytes]) => [...bytes, ...set(name)]);
const body = [
  ...prologue(),
  // pairEnd = (width & ~1) · 8
  ...get("width"),
  ...i32(-2),
  I.and,
  ...i32(3),
  I.shl,
  ...set("pairEnd"),
  ...i32(0),
  ...set("t"),
  ...block(loop(get("t"), get("count"), [I.geU], brIf(1), perValue, get("t"), i32(1), [I.add], set("t"), br(0))),
  0x0b, // end function
];
const locals = vec([
  [...uleb(I32_LOCALS.length), I32],
  [...uleb(F64_LOCALS.length), F64],
  [...uleb(V128_LOCALS.length), V128],
]);
const code = [...locals, ...body];

// addRows(rows, count, stride, width, target, least): target[k] += row_t[k] for t = 0, 1, … < count, each
// cell summed in value order (bit for bit the JavaScript loop's sums), and the f64 at `least` lowered to
// the least positive count seen (it tells result() whether its logarithms can skip the subnormal test).
// Locals by number: params 0–5, then t 6, row 7, i 8, pairEnd 9 (i32), o 10, leastV 11 (v128).
const [A_ROWS, A_COUNT, A_STRIDE, A_WIDTH, A_TARGET, A_LEAST, A_T, A_ROW, A_I, A_END, A_O, A_LEASTV] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
];
const inlineF64x2 = (x) => [...simd(0x0c), ...f64Bytes(x), ...f64Bytes(x)];
const lget = (i) => [0x20, ...uleb(i)];
const lset = (i) => [0x21, ...uleb(i)];
const addCell = (tail) => {
  const addr = (base) => [...lget(base), ...lget(A_I), I.add];
  // the pair (or the tail's one cell with a zero lane, which is not positive) goes through local o
  const own = tail ? [...addr(A_ROW), ...V.load64Zero(), ...lset(A_O)] : [];
  return [
    ...own,
    ...addr(A_TARGET),
    ...addr(A_TARGET),
    ...(tail ? f64Load(0) : V.load()),
    ...(tail ? [...lget(A_O), ...V.extract(0), F.add] : [...addr(A_ROW), ...V.load(), 0x22, ...uleb(A_O), ...V.add]),
    ...(tail ? f64Store(0) : V.store()),
    // leastV = pmin(leastV, o > 0 ? o : ∞)
    ...lget(A_O),
    ...inlineF64x2(Infinity),
    ...lget(A_O),
    ...inlineF64x2(0),
    ...V.gt,
    ...V.bitselect,
    ...lget(A_LEASTV),
    ...V.pmin,
    ...lset(A_LEASTV),
  ];
};
const addRowsBody = [
  ...inlineF64x2(Infinity),
  ...lset(A_LEASTV),
  ...lget(A_WIDTH),
  ...i32(-2),
  I.and,
  ...i32(3),
  I.shl,
  ...lset(A_END),
  ...i32(0),
  ...lset(A_T),
  ...block(
    loop(
      lget(A_T),
      lget(A_COUNT),
      [I.geU],
      brIf(1),
      lget(A_ROWS),
      lget(A_T),
      lget(A_STRIDE),
      [I.mul, I.add],
      lset(A_ROW),
      i32(0),
      lset(A_I),
      block(
        loop(lget(A_I), lget(A_END), [I.geU], brIf(1), addCell(false), lget(A_I), i32(16), [I.add], lset(A_I), br(0)),
      ),
      lget(A_WIDTH),
      i32(1),
      [I.and],
      ifThen(addCell(true)),
      lget(A_T),
      i32(1),
      [I.add],
      lset(A_T),
      br(0),
    ),
  ),
  // least = min(least, leastV's lanes)
  ...lget(A_LEAST),
  ...lget(A_LEAST),
  ...f64Load(0),
  ...lget(A_LEASTV),
  ...V.extract(0),
  ...lget(A_LEASTV),
  ...V.extract(1),
  F.min,
  F.min,
  ...f64Store(0),
  0x0b,
];
const addRowsCode = [
  ...vec([
    [...uleb(4), I32],
    [...uleb(2), V128],
  ]),
  ...addRowsBody,
];

const module = [
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(
    1,
    vec([
      [0x60, ...vec(new Array(PARAMS.length).fill([I32])), 0], // type 0: (i32 × 11) → ()
      [0x60, ...vec(new Array(6).fill([I32])), 0], // type 1: (i32 × 6) → ()
    ]),
  ),
  ...section(3, vec([[0], [1]])), // cells: type 0, addRows: type 1
  ...section(5, vec([[0x00, 1]])), // one memory, min 1 page
  ...section(
    7,
    vec([
      [...vec([..."cells"].map((c) => [c.charCodeAt(0)])), 0x00, 0],
      [...vec([..."addRows"].map((c) => [c.charCodeAt(0)])), 0x00, 1],
      [...vec([..."memory"].map((c) => [c.charCodeAt(0)])), 0x02, 0],
    ]),
  ),
  ...section(
    10,
    vec([
      [...uleb(code.length), ...code],
      [...uleb(addRowsCode.length), ...addRowsCode],
    ]),
  ),
];
const bytes = Uint8Array.from(module);
if (!WebAssembly.validate(bytes)) {
  try {
    new WebAssembly.Module(bytes);
  } catch (error) {
    throw new Error(`the assembled module does not validate: ${error.message}`);
  }
}
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "vector", "labelCellsWasm.ts");
fs.writeFileSync(
  out,
  `/** Generated by scripts/make-label-cells-wasm.mjs (read it for what the kernel computes); do not edit. */\nexport const LABEL_CELLS_WASM_BASE64 =\n  "${Buffer.from(bytes).toString("base64")}";\n`,
);
console.log(`${out}: ${bytes.length} bytes of WebAssembly`);

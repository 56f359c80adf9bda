/**
 * The TypeScript back end's dot products on WebAssembly SIMD (scripts/make-anchor-dots-wasm.mjs
 * assembles the kernel): f64x2 lanes hold two (row, anchor) pairs, each summed in the same
 * order and precision as the JavaScript loop, so results are identical bit for bit. Pure: runs
 * in browsers and Node; where WebAssembly (or its SIMD) is missing, `createWasmDots` returns
 * null and the JavaScript loop is used.
 */
import { ANCHOR_DOTS_WASM_BASE64 } from "./anchorDotsWasm.js";
import { lazyWasmModule } from "../util/wasmModule.js";

/** Rows copied into WebAssembly memory per call (a multiple of 4). */
const CHUNK_ROWS = 256;
const PAGE = 65536;

export interface WasmDots {
  /** Anchors handled (the largest multiple of 4 ≤ n); the caller computes the rest. */
  readonly anchors: number;
  /** out[i·n + k] = rows_i · anchor_k for i < rowCount (a multiple of 4) and k < `anchors`. */
  run(rows: Float32Array, rowCount: number, out: Float64Array): void;
}

const compiled = lazyWasmModule(ANCHOR_DOTS_WASM_BASE64);

/** A kernel holding the n × d anchors, or null where WebAssembly SIMD is unavailable. */
export function createWasmDots(anchors: Float32Array, n: number, d: number): WasmDots | null {
  const n4 = n - (n % 4);
  const wasm = n4 > 0 ? compiled() : null;
  if (!wasm) return null;
  const instance = new WebAssembly.Instance(wasm);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const dots = instance.exports.dots as (...args: number[]) => void;
  const pairBytes = n4 * d * 8;
  const rowsAt = pairBytes;
  const outAt = align16(rowsAt + CHUNK_ROWS * d * 4);
  const bytes = outAt + CHUNK_ROWS * n * 8;
  const pages = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
  if (pages > 0) memory.grow(pages);
  const pairs = new Float64Array(memory.buffer, 0, n4 * d);
  for (let p = 0; p < n4 / 2; p++)
    for (let j = 0; j < d; j++) {
      pairs[(p * d + j) * 2] = anchors[2 * p * d + j]!;
      pairs[(p * d + j) * 2 + 1] = anchors[(2 * p + 1) * d + j]!;
    }
  const rowView = new Float32Array(memory.buffer, rowsAt, CHUNK_ROWS * d);
  const outView = new Float64Array(memory.buffer, outAt, CHUNK_ROWS * n);
  return {
    anchors: n4,
    run(rows, rowCount, out) {
      for (let start = 0; start < rowCount; start += CHUNK_ROWS) {
        const m = Math.min(CHUNK_ROWS, rowCount - start);
        rowView.set(rows.subarray(start * d, (start + m) * d));
        dots(rowsAt, m, d, 0, n4, n, outAt);
        out.set(outView.subarray(0, m * n), start * n);
      }
    },
  };
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

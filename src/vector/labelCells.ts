/**
 * The per-cell work of the label-set estimate (H(P), JSD(P ‖ Q) and the mixture of each label
 * value's block) on WebAssembly SIMD: scripts/make-label-cells-wasm.mjs assembles the kernel
 * (two cells per f64x2, a table logarithm as fastLog's). The same quantities as the JavaScript loop in
 * countEstimate.ts up to rounding (tested to 1e-12 relative). Pure: runs in browsers and Node;
 * where WebAssembly SIMD is missing, `labelCellsKernel` returns null and the JavaScript loop is used.
 *
 * Memory (bytes, 16-aligned regions): the logarithm's table, the least positive count of the last
 * sums (one f64), the group's reference, its reciprocal and its logarithm (width cells each), the
 * mixture (width), then per value of a chunk its meta (weight, has a complement), its output
 * (entropy, JSD) and its counts (width).
 */
import { fastLog } from "../info/fastLog.js";
import { LABEL_CELLS_WASM_BASE64 } from "./labelCellsWasm.js";
import { lazyWasmModule } from "../util/wasmModule.js";

/** Bytes of value counts copied into WebAssembly memory per chunk (cache-sized). */
const CHUNK_BYTES = 1 << 19;
const PAGE = 65536;
/** The logarithm's table at address 0: 128 entries of (1 / c_j, ln c_j). */
const LOG_TABLE_BYTES = 128 * 16;
/** The table interval from which m is halved (1 + 53/128 = 1.4140625, just below √2). */
const LOG_HALVING = 53;

type CellsFunction = (
  rows: number,
  count: number,
  stride: number,
  width: number,
  ref: number,
  invRef: number,
  lnRef: number,
  mixture: number,
  meta: number,
  out: number,
  normal: number,
) => void;
type AddRowsFunction = (
  rows: number,
  count: number,
  stride: number,
  width: number,
  target: number,
  least: number,
) => void;

export interface LabelCellsKernel {
  /** Values per chunk: `loadValues` takes at most this many. */
  readonly chunk: number;
  /** Per chunk value i: out[2i] = H(P), out[2i + 1] = JSD(P ‖ Q) of the block last run. */
  readonly out: Float64Array;
  /** Per chunk value i: meta[2i] = its weight in the mixture, meta[2i + 1] = 1 if it has a complement, else 0. */
  readonly meta: Float64Array;
  /** The mixture (width cells; block b at b · blockWidth), zeroed by `setReference`. */
  readonly mixture: Float64Array;
  /** Take the group's cell sums as the reference (Q of a value = reference − own) and zero the mixture. */
  setReference(reference: Float64Array): void;
  /** target = Σ over slots kept[from .. to) of their counts, each cell summed in that order (as a JavaScript loop would). */
  sumValues(counts: Float64Array, kept: Int32Array, from: number, to: number, target: Float64Array): void;
  /** Copy the counts of slots kept[from .. to) (to − from ≤ chunk) into the chunk. */
  loadValues(counts: Float64Array, kept: Int32Array, from: number, to: number): void;
  /** Fill `out` for the chunk's first `count` values over the block at cell offset `offset` (blockWidth cells). */
  run(count: number, offset: number, blockWidth: number): void;
}

const compiled = lazyWasmModule(LABEL_CELLS_WASM_BASE64);

/** One instance, reused across calls and grown to the largest width asked for. */
let instance: {
  memory: WebAssembly.Memory;
  cells: CellsFunction;
  addRows: AddRowsFunction;
} | null = null;

/**
 * A kernel for tables of `width` cells per value, or null where WebAssembly SIMD is unavailable.
 * Kernels share one memory: a kernel is valid until the next call of this function.
 */
export function labelCellsKernel(width: number): LabelCellsKernel | null {
  const wasm = width > 0 ? compiled() : null;
  if (!wasm) return null;
  if (!instance) {
    const made = new WebAssembly.Instance(wasm);
    writeLogTable(new Float64Array((made.exports.memory as WebAssembly.Memory).buffer, 0, LOG_TABLE_BYTES / 8));
    instance = {
      memory: made.exports.memory as WebAssembly.Memory,
      cells: made.exports.cells as CellsFunction,
      addRows: made.exports.addRows as AddRowsFunction,
    };
  }
  const { memory, cells, addRows } = instance;
  const chunk = Math.max(1, Math.min(4096, Math.floor(CHUNK_BYTES / (width * 8))));
  const cellsBytes = align16(width * 8);
  const leastAt = LOG_TABLE_BYTES; // the least positive count of the last sumValues (16 bytes)
  const refAt = leastAt + 16;
  const invRefAt = refAt + cellsBytes;
  const lnRefAt = invRefAt + cellsBytes;
  const mixtureAt = lnRefAt + cellsBytes;
  const metaAt = mixtureAt + cellsBytes;
  const outAt = metaAt + chunk * 16;
  const rowsAt = outAt + chunk * 16;
  const bytes = rowsAt + chunk * width * 8;
  const pages = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
  if (pages > 0) memory.grow(pages);
  const buffer = memory.buffer;
  const ref = new Float64Array(buffer, refAt, width);
  const invRef = new Float64Array(buffer, invRefAt, width);
  const least = new Float64Array(buffer, leastAt, 1);
  // the last sumValues' sums and least positive count: a reference equal to them vouches for its cells
  const lastSum = new Float64Array(width);
  let lastLeast = Number.NaN;
  let normal = 0;
  const lnRef = new Float64Array(buffer, lnRefAt, width);
  const rows = new Float64Array(buffer, rowsAt, chunk * width);
  const mixture = new Float64Array(buffer, mixtureAt, width);
  const loadValues = (counts: Float64Array, kept: Int32Array, from: number, to: number) => {
    // runs of consecutive slots (all of an ungrouped set without drops) copy in one call
    let t = from;
    while (t < to) {
      let end = t + 1;
      while (end < to && kept[end] === kept[end - 1]! + 1) end++;
      const s = kept[t]!;
      rows.set(counts.subarray(s * width, (s + end - t) * width), (t - from) * width);
      t = end;
    }
  };
  return {
    chunk,
    out: new Float64Array(buffer, outAt, chunk * 2),
    meta: new Float64Array(buffer, metaAt, chunk * 2),
    mixture,
    setReference(reference) {
      ref.set(reference);
      let total = 0;
      let same = true;
      for (let k = 0; k < width; k++) {
        total += reference[k]!;
        if (reference[k] !== lastSum[k]) same = false;
        lnRef[k] = fastLog(reference[k]!); // −Infinity where 0 (masked in the kernel)
        // NaN where 1 / ref is not finite: the kernel then divides (ref = 0 is masked there anyway)
        const inverse = 1 / reference[k]!;
        invRef[k] = Number.isFinite(inverse) ? inverse : Number.NaN;
      }
      mixture.fill(0);
      normal = same && noSubnormalCells(lastLeast, total) ? 1 : 0;
    },
    sumValues(counts, kept, from, to, target) {
      ref.fill(0);
      least[0] = Infinity;
      for (let start = from; start < to; start += chunk) {
        const end = Math.min(to, start + chunk);
        loadValues(counts, kept, start, end);
        addRows(rowsAt, end - start, width * 8, width, refAt, leastAt);
      }
      target.set(ref);
      lastSum.set(ref);
      lastLeast = least[0]!;
    },
    loadValues,
    run(count, offset, blockWidth) {
      const at = offset * 8;
      cells(
        rowsAt + at,
        count,
        width * 8,
        blockWidth,
        refAt + at,
        invRefAt + at,
        lnRefAt + at,
        mixtureAt + at,
        metaAt,
        outAt,
        normal,
      );
    },
  };
}

/**
 * The kernel logarithm's table (see scripts/make-label-cells-wasm.mjs): for j = x's top 7 mantissa
 * bits, 1 / c_j and ln c_j, where c_j is the centre of m's interval, m = x's mantissa in [1, 2),
 * halved from interval 53 on (m then lies in [0.70703125, 1)); the intervals next to 1 (j = 0, 127)
 * take c = 1, so r = m − 1 is exact there.
 */
function writeLogTable(table: Float64Array): void {
  const size = LOG_TABLE_BYTES / 16;
  for (let j = 0; j < size; j++) {
    const halved = j >= LOG_HALVING;
    const centre = j === 0 || j === size - 1 ? 1 : (1 + (j + 0.5) / size) / (halved ? 2 : 1);
    table[2 * j] = 1 / centre;
    table[2 * j + 1] = -Math.log(table[2 * j]!); // the logarithm of exactly the reciprocal used
  }
}

/**
 * Whether no cell's p = own / Σ own, q = (reference − own) / Σ complement or ½(p + q) can be
 * subnormal, given the least positive count of the group and the sum of its reference: p ≥ least /
 * total; a positive reference − own is at least the ulp of own or is the reference itself, so q ≥
 * least · 2^-53 / total; ½(p + q) ≥ half the larger. The margin (2^-56, 2^-1020) covers rounding.
 */
export function noSubnormalCells(leastPositive: number, total: number): boolean {
  if (leastPositive === Infinity) return true; // no positive count: every cell is 0
  return leastPositive > 0 && total > 0 && (leastPositive * 2 ** -56) / total >= 2 ** -1020;
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

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
  /** 1 when the last reference vouched that no cell is subnormal (the kernel's logarithms skip that test), else 0. */
  readonly normal: number;
  /** Write the reference (ref, 1 / ref, ln ref: 3 · width cells) for a CellsJob. */
  copyReference(target: Float64Array): void;
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

/** The compiled kernel module (null where WebAssembly SIMD is missing), for a helper thread's own instance. */
export function labelCellsModule(): WebAssembly.Module | null {
  return compiled();
}

/** One instance, reused across calls and grown to the largest width asked for. */
let instance: CellsInstance | null = null;

/**
 * A kernel for tables of `width` cells per value, or null where WebAssembly SIMD is unavailable.
 * Kernels share one memory: a kernel is valid until the next call of this function.
 */
export function labelCellsKernel(width: number): LabelCellsKernel | null {
  const wasm = width > 0 ? compiled() : null;
  if (!wasm) return null;
  instance ??= cellsInstance(wasm);
  const { memory, cells, addRows } = instance;
  const { chunk, leastAt, refAt, invRefAt, lnRefAt, mixtureAt, metaAt, outAt, rowsAt } = growFor(instance, width);
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
  const loadValues = (counts: Float64Array, kept: Int32Array, from: number, to: number) =>
    copyValues(rows, counts, kept, from, to, width);
  return {
    chunk,
    out: new Float64Array(buffer, outAt, chunk * 2),
    meta: new Float64Array(buffer, metaAt, chunk * 2),
    mixture,
    get normal() {
      return normal;
    },
    copyReference(target) {
      target.set(ref, 0);
      target.set(invRef, width);
      target.set(lnRef, 2 * width);
    },
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

/** An instance of the kernel module with the logarithm's table written. */
export interface CellsInstance {
  memory: WebAssembly.Memory;
  cells: CellsFunction;
  addRows: AddRowsFunction;
}

/**
 * A range of a group's values computed apart (on a helper thread, see LabelCellsHelper): the cells
 * of values kept[from .. to) of `counts` against the group's reference (ref, 1 / ref, ln ref: 3 ·
 * width cells, as `copyReference` writes them), meta as the kernel's (2 per value, from `from`).
 * `out` receives, chunk by chunk (chunks of the kernel's size, from `from`), per block b the chunk's
 * (H, JSD) pairs: the pair of value t of the chunk starting at c is at 2((c − from) · blocks + b ·
 * chunkLength + t − c); `mixture` receives the range's Σ weight · P (width cells).
 */
export interface CellsJob {
  counts: Float64Array;
  kept: Int32Array;
  from: number;
  to: number;
  width: number;
  blocks: number;
  blockWidth: number;
  reference: Float64Array;
  normal: number;
  meta: Float64Array;
  out: Float64Array;
  mixture: Float64Array;
}

// The functions below to runCellsRange are SELF-CONTAINED ON PURPOSE: they use nothing but their
// arguments and each other, so a worker thread evaluates their source text (labelCellsThread.node.ts).

/** A fresh instance of the kernel module, its logarithm's table written. */
export function cellsInstance(module: WebAssembly.Module): CellsInstance {
  const made = new WebAssembly.Instance(module);
  const memory = made.exports.memory as WebAssembly.Memory;
  writeLogTable(new Float64Array(memory.buffer, 0, 256));
  return { memory, cells: made.exports.cells as CellsFunction, addRows: made.exports.addRows as AddRowsFunction };
}

/**
 * The byte offsets of the kernel memory's regions for `width` cells (see the header), the memory
 * grown to hold them: the logarithm's table (128 · 16 bytes), the least count (16), ref, 1 / ref and
 * ln ref, the mixture (width cells each, 16-aligned), meta and out (chunk · 16) and the chunk's
 * counts; a chunk is as many values as fit in 512 KiB (cache-sized), 1 to 4,096.
 */
export function growFor(instance: { memory: WebAssembly.Memory }, width: number) {
  const chunk = Math.max(1, Math.min(4096, Math.floor((1 << 19) / (width * 8))));
  const cellsBytes = Math.ceil((width * 8) / 16) * 16;
  const leastAt = 128 * 16;
  const refAt = leastAt + 16;
  const invRefAt = refAt + cellsBytes;
  const lnRefAt = invRefAt + cellsBytes;
  const mixtureAt = lnRefAt + cellsBytes;
  const metaAt = mixtureAt + cellsBytes;
  const outAt = metaAt + chunk * 16;
  const rowsAt = outAt + chunk * 16;
  const bytes = rowsAt + chunk * width * 8;
  const pages = Math.ceil(bytes / 65536) - instance.memory.buffer.byteLength / 65536;
  if (pages > 0) instance.memory.grow(pages);
  return { chunk, leastAt, refAt, invRefAt, lnRefAt, mixtureAt, metaAt, outAt, rowsAt };
}

/** Copy the counts of slots kept[from .. to) into `rows`; runs of consecutive slots (an ungrouped set without drops) in one call. */
export function copyValues(
  rows: Float64Array,
  counts: Float64Array,
  kept: Int32Array,
  from: number,
  to: number,
  width: number,
): void {
  let t = from;
  while (t < to) {
    let end = t + 1;
    while (end < to && kept[end] === kept[end - 1]! + 1) end++;
    const s = kept[t]!;
    rows.set(counts.subarray(s * width, (s + end - t) * width), (t - from) * width);
    t = end;
  }
}

/** Compute a CellsJob on `instance` (whose memory it overwrites). */
export function runCellsRange(instance: CellsInstance, job: CellsJob): void {
  const { counts, kept, from, to, width, blocks, blockWidth, reference, normal, meta, out, mixture } = job;
  const at = growFor(instance, width);
  const buffer = instance.memory.buffer;
  new Float64Array(buffer, at.refAt, width).set(reference.subarray(0, width));
  new Float64Array(buffer, at.invRefAt, width).set(reference.subarray(width, 2 * width));
  new Float64Array(buffer, at.lnRefAt, width).set(reference.subarray(2 * width, 3 * width));
  const sum = new Float64Array(buffer, at.mixtureAt, width);
  sum.fill(0);
  const rows = new Float64Array(buffer, at.rowsAt, at.chunk * width);
  const chunkMeta = new Float64Array(buffer, at.metaAt, at.chunk * 2);
  const chunkOut = new Float64Array(buffer, at.outAt, at.chunk * 2);
  for (let start = from; start < to; start += at.chunk) {
    const end = Math.min(to, start + at.chunk);
    copyValues(rows, counts, kept, start, end, width);
    chunkMeta.set(meta.subarray(2 * (start - from), 2 * (end - from)));
    for (let b = 0; b < blocks; b++) {
      const offset = b * blockWidth * 8;
      instance.cells(
        at.rowsAt + offset,
        end - start,
        width * 8,
        blockWidth,
        at.refAt + offset,
        at.invRefAt + offset,
        at.lnRefAt + offset,
        at.mixtureAt + offset,
        at.metaAt,
        at.outAt,
        normal,
      );
      out.set(chunkOut.subarray(0, 2 * (end - start)), 2 * ((start - from) * blocks + b * (end - start)));
    }
  }
  mixture.set(sum);
}

/**
 * The kernel logarithm's table (see scripts/make-label-cells-wasm.mjs): for j = x's top 7 mantissa
 * bits, 1 / c_j and ln c_j, where c_j is the centre of m's interval, m = x's mantissa in [1, 2),
 * halved from interval 53 on (1 + 53/128 = 1.4140625, just below √2: m then lies in [0.70703125, 1));
 * the intervals next to 1 (j = 0, 127) take c = 1, so r = m − 1 is exact there.
 */
export function writeLogTable(table: Float64Array): void {
  const size = table.length / 2;
  for (let j = 0; j < size; j++) {
    const halved = j >= 53;
    const centre = j === 0 || j === size - 1 ? 1 : (1 + (j + 0.5) / size) / (halved ? 2 : 1);
    table[2 * j] = 1 / centre;
    table[2 * j + 1] = -Math.log(table[2 * j]!); // the logarithm of exactly the reciprocal used
  }
}

/**
 * A second thread for the cells of large groups (Node registers one: labelCellsThread.node.ts;
 * none by default, and in browsers, whose main thread may not block). `start` hands it a job
 * whose arrays it gave out (`buffers`, shared memory) and returns a wait that blocks until the job
 * is done: true, or false when the thread failed (the caller then computes the range itself).
 */
export interface LabelCellsHelper {
  /** Groups of fewer cells (values × width) stay on the calling thread (the break-even). */
  readonly minCells: number;
  /**
   * The share of a split group's values the helper takes (the calling thread also sums the group,
   * and adds every value's results, so an even load gives the helper more than half).
   */
  readonly share: number;
  /** Whether the thread can read `counts` in place (shared memory). */
  reads(counts: Float64Array): boolean;
  buffers(
    values: number,
    width: number,
    blocks: number,
  ): Pick<CellsJob, "kept" | "meta" | "out" | "reference" | "mixture">;
  start(job: CellsJob): () => boolean;
}

let helper: LabelCellsHelper | null = null;

/** Register (or, with null, remove) the helper thread for the label-set cells. */
export function setLabelCellsHelper(next: LabelCellsHelper | null): void {
  helper = next;
}

export function labelCellsHelper(): LabelCellsHelper | null {
  return helper;
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

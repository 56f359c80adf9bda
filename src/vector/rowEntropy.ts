/**
 * Each soft row's own entropy −Σ z ln z, for the within-value bias estimate (METHODS
 * "Small-sample bias"). A row has n cells, so Math.log per cell would cost n calls a row (measured
 * about four times the row's table add); instead ln z is read from the float32 bits of z: the
 * exponent gives e·ln 2 and the top 12 mantissa bits index a table of ln(1 + j/4096), linearly
 * interpolated with the remaining 11 bits (error below 8e-9 in ln z, so below 1e-8 in a row's
 * entropy). A pure function of the row's float32 values.
 */

const INDEX_BITS = 12;
const LN_MANTISSA = Float64Array.from({ length: (1 << INDEX_BITS) + 1 }, (_, j) => Math.log1p(j / (1 << INDEX_BITS)));
const FRACTION_BITS = 23 - INDEX_BITS;
const FRACTION_SCALE = 1 / (1 << FRACTION_BITS);

/** ln z for a positive normal float32 z given by its bits. */
function lnFromBits(bits: number): number {
  const exponent = (bits >>> 23) - 127;
  const index = (bits >>> FRACTION_BITS) & ((1 << INDEX_BITS) - 1);
  const fraction = (bits & ((1 << FRACTION_BITS) - 1)) * FRACTION_SCALE;
  const low = LN_MANTISSA[index]!;
  return exponent * Math.LN2 + low + fraction * (LN_MANTISSA[index + 1]! - low);
}

/** −Σ z ln z of each of `count` rows of `width` cells (cells ≤ 0 or subnormal contribute 0). */
export function rowEntropies(values: Float32Array, count: number, width: number): Float64Array {
  const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let h = 0;
    for (let k = i * width, end = k + width; k < end; k++) {
      const b = bits[k]!;
      if (b >= 0x00800000) h -= values[k]! * lnFromBits(b); // positive and normal (sign bit clear, exponent > 0)
    }
    out[i] = h;
  }
  return out;
}

/**
 * Random distinct codes (fixed-width symbol tuples) for the synthetic languages.
 */
import { InputError } from "../util/inputError.js";
import type { Random } from "../util/random.js";

/** Tuple spaces up to this size are enumerated (dense); larger ones are sampled. */
const DENSE_LIMIT = 1 << 20;
const ATTEMPTS_PER_CODE = 1000;

/**
 * Draws `items × variants` distinct codes of `width` symbols from an alphabet of `alphabetSize`,
 * laid out as codes[(item · variants + v) · width + t]. Guarantees:
 * - every code differs from every other;
 * - the variants of one item differ at every slot (so each variant changes every symbol);
 * - when items × variants ≤ alphabetSize, every slot alone tells all codes apart (no two
 *   codes share a symbol at any slot).
 * Throws RangeError when the alphabet is too small for that.
 */
export function drawCodes(
  items: number,
  variants: number,
  width: number,
  alphabetSize: number,
  rng: Random,
): Int32Array {
  const n = items * variants;
  if (width < 1) throw new RangeError(`codes need at least one symbol, got width ${width}`);
  if (variants > alphabetSize) {
    throw new InputError(
      `${variants} variants per code must differ at every slot, which needs an alphabet of at least ${variants} symbols, got ${alphabetSize}`,
    );
  }
  const space = alphabetSize ** width;
  if (n > space) {
    const needed = Math.ceil(n ** (1 / width) - 1e-9);
    throw new InputError(
      `${n} distinct codes of ${width} symbol(s) need an alphabet of at least ${needed} symbols, got ${alphabetSize}`,
    );
  }
  const codes = new Int32Array(n * width);
  if (n <= alphabetSize) {
    for (let t = 0; t < width; t++) {
      const perm = rng.permutation(alphabetSize);
      for (let j = 0; j < n; j++) codes[j * width + t] = perm[j]!;
    }
    return codes;
  }
  const tuple = new Int32Array(width);
  const toTuple = (id: number): void => {
    for (let t = width - 1; t >= 0; t--) {
      tuple[t] = id % alphabetSize;
      id = Math.floor(id / alphabetSize);
    }
  };
  // Does the tuple clash, at some slot, with an earlier variant of the same item?
  const clashes = (j: number): boolean => {
    const first = j - (j % variants);
    for (let k = first; k < j; k++) {
      for (let t = 0; t < width; t++) if (codes[k * width + t] === tuple[t]) return true;
    }
    return false;
  };
  const place = (j: number): void => codes.set(tuple, j * width);
  if (space <= DENSE_LIMIT) {
    const order = rng.permutation(space);
    const used = new Uint8Array(space);
    let firstUnused = 0; // every order[k] with k < firstUnused is used
    for (let j = 0; j < n; j++) {
      while (firstUnused < space && used[order[firstUnused]!]) firstUnused++;
      let found = false;
      for (let k = firstUnused; k < space && !found; k++) {
        const id = order[k]!;
        if (used[id]) continue;
        toTuple(id);
        if (clashes(j)) continue;
        used[id] = 1;
        place(j);
        found = true;
      }
      if (!found)
        throw new InputError(
          `could not find ${n} codes of width ${width} over ${alphabetSize} symbols whose variants differ at every slot`,
        );
    }
    return codes;
  }
  const seen = new Set<string>();
  for (let j = 0; j < n; j++) {
    let found = false;
    for (let attempt = 0; attempt < ATTEMPTS_PER_CODE && !found; attempt++) {
      for (let t = 0; t < width; t++) tuple[t] = rng.int(alphabetSize);
      const key = tuple.join(",");
      if (seen.has(key) || clashes(j)) continue;
      seen.add(key);
      place(j);
      found = true;
    }
    if (!found)
      throw new InputError(
        `could not draw ${n} distinct codes of width ${width} over ${alphabetSize} symbols (the code space is nearly full)`,
      );
  }
  return codes;
}

// Byte encodings shared by the hand-assembled WebAssembly kernels (scripts/make-*-wasm.mjs).

/** Unsigned LEB128. */
export const uleb = (v) => {
  const out = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};

/** Signed LEB128. */
export const sleb = (v) => {
  const out = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};

/** A module section: id, byte length, bytes. */
export const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];

/** A vector: count, then the items' bytes. */
export const vec = (items) => [...uleb(items.length), ...items.flat()];

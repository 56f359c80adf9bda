/**
 * FNV-1a 64-bit hash (Fowler–Noll–Vo), streaming, in plain 16-bit-limb arithmetic so it is
 * fast without BigInt and identical on every engine. Used for short, stable fingerprints.
 */
export class Fnv1a64 {
  // 64-bit state as four 16-bit limbs, h0 lowest; starts at the offset basis 0xcbf29ce484222325.
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;

  /** Feeds bytes; returns this for chaining. */
  update(bytes: Uint8Array): this {
    let { h0, h1, h2, h3 } = this;
    for (let i = 0; i < bytes.length; i++) {
      h0 ^= bytes[i]!;
      // multiply by the prime 2^40 + 0x1b3 modulo 2^64
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
      const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
      h0 = t0 & 0xffff;
      h1 = t1 & 0xffff;
      h2 = t2 & 0xffff;
      h3 = t3 & 0xffff;
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    return this;
  }

  /** Feeds a 32-bit unsigned integer as 4 little-endian bytes. */
  updateUint32(value: number): this {
    return this.update(Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff));
  }

  /** The hash as 16 lowercase hex digits. */
  hex(): string {
    return [this.h3, this.h2, this.h1, this.h0].map((limb) => limb.toString(16).padStart(4, "0")).join("");
  }
}

/** FNV-1a 64 of some bytes, as 16 hex digits. */
export function fnv1a64Hex(bytes: Uint8Array): string {
  return new Fnv1a64().update(bytes).hex();
}

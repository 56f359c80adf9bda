#!/usr/bin/env python3
"""Reference implementation of glossa's anchor generator "glossa-anchors-v1" (src/vector/anchors.ts)
in plain Python, for reproducing glossa's anchors in other tools.

    python3 scripts/anchors-reference.py N D SEED [OUT.npy]

Prints the FNV-1a 64 fingerprint (as `glossa anchors` does) and, with numpy, writes OUT.npy.
Python's math.log may differ from glossa's arithmetic-only log in the last bit, which very
rarely changes a float32 value by one ulp; use `glossa anchors --out` for bit-exact files."""
import math
import struct
import sys

M32 = 0xFFFFFFFF


def splitmix32_states(seed):
    x = seed & M32
    out = []
    for _ in range(4):
        x = (x + 0x9E3779B9) & M32
        z = x
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
        out.append((z ^ (z >> 16)) & M32)
    if not any(out):
        out[0] = 1
    return out


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Xoshiro128ss:
    def __init__(self, seed):
        self.s = splitmix32_states(seed)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result


def poly(coefficients, r):
    value = 0.0
    for c in coefficients:
        value = value * r + c
    return value


A = [2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457,
     13731.693765509461125, 1971.5909503065514427, 133.14166789178437745, 3.387132872796366608]
B = [5226.495278852854561, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867,
     5394.1960214247511077, 687.1870074920579083, 42.313330701600911252, 1.0]
C = [7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177, 1.27045825245236838258,
     3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959, 1.42343711074968357734]
D = [1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966, 0.14810397642748007459,
     0.68976733498510000455, 1.6763848301838038494, 2.05319162663775882187, 1.0]
E = [2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386, 0.026532189526576123093,
     0.29656057182850489123, 1.7848265399172913358, 5.4637849111641143699, 6.6579046435011037772]
F = [2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.868691311456132591e-4,
     0.0148753612908506148525, 0.13692988092273580531, 0.59983220655588793769, 1.0]


def inverse_normal_cdf(p):
    """Wichura's AS241 (PPND16)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * poly(A, r) / poly(B, r)
    r = math.sqrt(-math.log(p if q < 0 else 1 - p))
    if r <= 5:
        r -= 1.6
        value = poly(C, r) / poly(D, r)
    else:
        r -= 5
        value = poly(E, r) / poly(F, r)
    return -value if q < 0 else value


def make_anchors(n, d, seed):
    rng = Xoshiro128ss(seed)
    rows = []
    for _ in range(n):
        row = []
        for _ in range(d):
            k = (rng.next() >> 6) * 67108864 + (rng.next() >> 6)
            row.append(inverse_normal_cdf((2 * k + 1) / 9007199254740992))
        total = 0.0
        for z in row:  # in index order, like glossa (Python >= 3.12's sum() is compensated)
            total += z * z
        norm = math.sqrt(total)
        rows.append([struct.unpack("<f", struct.pack("<f", z / norm))[0] for z in row])
    return rows


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def fingerprint(rows, n, d):
    data = struct.pack("<II", n, d) + b"".join(struct.pack("<%df" % d, *row) for row in rows)
    return fnv1a64(data)


if __name__ == "__main__":
    n, d, seed = (int(a) for a in sys.argv[1:4])
    rows = make_anchors(n, d, seed)
    print(fingerprint(rows, n, d))
    if len(sys.argv) > 4:
        import numpy as np

        np.save(sys.argv[4], np.array(rows, dtype="<f4"))

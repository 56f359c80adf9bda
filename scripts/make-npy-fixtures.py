#!/usr/bin/env python3
"""Writes the small .npy and .safetensors fixtures in test/fixtures/npy/ with numpy, plus
expected.json (dtype, shape, values or the error each file must give). Run once; the tests
read the committed files and do not need Python.

    python3 scripts/make-npy-fixtures.py
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "npy")
os.makedirs(OUT, exist_ok=True)
expected = {}


def save(name, array, version=None, **extra):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        if version is None:
            np.save(f, array, allow_pickle=array.dtype == object)
        else:
            np.lib.format.write_array(f, array, version=version, allow_pickle=False)
    if array.dtype.kind in "fiub" and not array.dtype.names:
        values = array.ravel(order="C").tolist()
        if array.dtype.kind == "i" and array.dtype.itemsize == 8:
            values = [str(v) for v in values]  # JSON numbers cannot hold all int64 values
        elif array.dtype.kind == "b":
            values = [int(v) for v in values]
        else:
            values = [v if np.isfinite(v) else str(v) for v in values] if array.dtype.kind == "f" else values
        expected[name] = {"dtype": str(array.dtype.name), "shape": list(array.shape), "values": values, **extra}
    else:
        expected[name] = extra


base = (np.arange(6).reshape(2, 3) * 0.5 - 1).astype("<f4")
save("f4_le_2x3.npy", base)
save("f4_be_2x3.npy", base.astype(">f4"))
save("f8_be_2x2.npy", np.array([[1e-300, -2.5], [np.pi, 1e300]], dtype=">f8"))
save("f2_le_7.npy", np.array([0, 1, -2.5, 65504, 6e-8, 1 / 3, -0.0], dtype="<f2"))
save("f2_be_2.npy", np.array([0.099975586, -7], dtype=">f2"))
save("i4_le_4.npy", np.array([0, -1, 2147483647, -2147483648], dtype="<i4"))
save("i8_be_3.npy", np.array([2**40 + 1, -(2**62), 7], dtype=">i8"))
save("i8_le_2x2.npy", np.array([[1, 2], [3, -4]], dtype="<i8"))
save("u1_5.npy", np.array([0, 1, 128, 255, 7], dtype="u1"))
save("i1_3.npy", np.array([-128, 0, 127], dtype="i1"))
save("b1_3.npy", np.array([True, False, True]))
save("i2_be_2.npy", np.array([-300, 300], dtype=">i2"))
save("u2_le_2.npy", np.array([65535, 1], dtype="<u2"))
save("f4_3d_2x2x3.npy", np.arange(12, dtype="<f4").reshape(2, 2, 3))
save("f8_scalar.npy", np.array(2.75, dtype="<f8"))
save("f4_empty_0x5.npy", np.zeros((0, 5), dtype="<f4"))
save("f4_v2_2x3.npy", base, version=(2, 0))
save("f4_v3_2x3.npy", base, version=(3, 0))
save("f4_fortran_2x3.npy", np.asfortranarray(base), error="Fortran")
save("object.npy", np.array([1, "a", None], dtype=object), error="object")
save("structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]), error="structured")
save("c8_2.npy", np.zeros(2, dtype="<c8"), error="complex")
save("u4_2.npy", np.zeros(2, dtype="<u4"), error="unsupported")
with open(os.path.join(OUT, "f4_le_2x3.npy"), "rb") as f:
    whole = f.read()
with open(os.path.join(OUT, "truncated.npy"), "wb") as f:
    f.write(whole[:-3])
expected["truncated.npy"] = {"error": "truncated"}
with open(os.path.join(OUT, "trailing.npy"), "wb") as f:
    f.write(whole + b"\0\0\0\0")
expected["trailing.npy"] = {"error": "extra"}


def safetensors(name, tensors, metadata):
    """The safetensors layout: u64 LE header size, JSON header (space-padded to 8), data."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for tname, (dtype, shape, raw) in tensors.items():
        header[tname] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


bf16_values = np.array([1.5, -2, 0.15625, 3e38], dtype="<f4")
bf16 = (bf16_values.view("<u4") >> 16).astype("<u2")
tensors = {
    "embed.weight": ("F32", [2, 3], base.tobytes()),
    "half": ("F16", [7], np.array([0, 1, -2.5, 65504, 6e-8, 1 / 3, -0.0], dtype="<f2").tobytes()),
    "brain": ("BF16", [4], bf16.tobytes()),
    "double": ("F64", [2], np.array([np.e, -1e-200], dtype="<f8").tobytes()),
    "ids32": ("I32", [3], np.array([5, -6, 7], dtype="<i4").tobytes()),
    "ids64": ("I64", [2], np.array([2**40, -3], dtype="<i8").tobytes()),
}
safetensors("model.safetensors", tensors, {"format": "pt"})
expected["model.safetensors"] = {
    "embed.weight": base.ravel().tolist(),
    "half": np.array([0, 1, -2.5, 65504, 6e-8, 1 / 3, -0.0], dtype="<f2").astype("f8").tolist(),
    "brain": (bf16.astype("<u4") << 16).view("<f4").astype("f8").tolist(),
    "double": [np.e, -1e-200],
    "ids32": [5, -6, 7],
    "ids64": [str(2**40), "-3"],
}

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print("wrote", len(expected), "fixtures to", os.path.normpath(OUT))

"""Bench helper (not part of glossa): the published numpy soft-entropy accumulator on .npy files.

Usage: python3 soft_h_entropy.py SOFT_H_DIR ROWS.npy NAME=LABELS.npy ... [--batch 4096] [--n 100]
SOFT_H_DIR is a local checkout of github.com/hcoxec/soft_h. Streams ROWS in batches (memory-mapped),
calls SoftEntropyAccumulator(backend="numpy").update(z, labels={...}) per batch, then results(),
and prints one JSON line: {"seconds": whole-process wall time, "update": s, "results": s, "H": ...}.
The package's __init__ also imports its torch-based LLM helper; only the numpy modules are loaded.
"""
import json
import sys
import time
import types

START = time.perf_counter()
args = sys.argv[1:]
batch = 4096
n_bins = 100
if "--batch" in args:
    i = args.index("--batch")
    batch = int(args[i + 1])
    del args[i : i + 2]
if "--n" in args:
    i = args.index("--n")
    n_bins = int(args[i + 1])
    del args[i : i + 2]
root, rows_path, *label_args = args
package = types.ModuleType("soft_entropy")
package.__path__ = [root + "/soft_entropy"]
sys.modules["soft_entropy"] = package
import numpy as np  # noqa: E402
from soft_entropy.accumulator import SoftEntropyAccumulator  # noqa: E402

rows = np.load(rows_path, mmap_mode="r")
labels = {}
for arg in label_args:
    name, path = arg.split("=", 1)
    labels[name] = np.load(path)
acc = SoftEntropyAccumulator(d=rows.shape[1], n_bins=n_bins, seed=0, backend="numpy")
t0 = time.perf_counter()
for start in range(0, rows.shape[0], batch):
    z = np.asarray(rows[start : start + batch], dtype=np.float32)
    acc.update(z, labels={k: v[start : start + batch] for k, v in labels.items()} if labels else None)
t1 = time.perf_counter()
out = acc.results()
t2 = time.perf_counter()
print(json.dumps({"seconds": t2 - START, "update": t1 - t0, "results": t2 - t1, "H": float(acc.entropy())}))

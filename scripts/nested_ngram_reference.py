"""Independent numpy reference for the 2024 nested n-gram label sets (run by hand; not part of the product).

Builds the grouped label set the way the 2024 paper's code structures it (hcoxec/h, code/h.py:
a dict token -> {n-gram -> list of rows}, read by nested_conditional_counts / conditional_h /
disentanglement) on seeded token sequences with seeded hard bins (3 heads x 4 bins), and writes
test/fixtures/nested-ngram-reference.json with the inputs and, per n = 2, 3 and min count 1, 5:
  conditional      mean over tokens of the mean over kept sub-labels of H(Z | sub-label)
  disentanglement  per token with >= 2 kept sub-labels, mean JSD(sub-label || rest of the token's),
                   then mean over those tokens (glossa's definition)
  disentanglement_hpy  the authors' code as written: a token with one kept sub-label contributes
                   JSD against an all-zero complement, 0.5 ln 2 (glossa leaves such tokens out)
Every quantity is a mean over heads. Usage: python3 scripts/nested_ngram_reference.py
"""
import json
from collections import defaultdict

import numpy as np

rng = np.random.default_rng(11)
heads, bins = 3, 4
lengths = rng.integers(1, 9, 40)
vocab = 5
seqs = [list(rng.integers(1, vocab + 1, L)) for L in lengths]
rows = sum(int(L) for L in lengths)
cells = rng.integers(0, bins, (rows, heads))
onehot = np.zeros((rows, heads, bins))
for i in range(rows):
    for h in range(heads):
        onehot[i, h, cells[i, h]] = 1


def nested_labels(n):
    labels = defaultdict(lambda: defaultdict(list))
    row = 0
    for seq in seqs:
        for col, token in enumerate(seq):
            seen = set()
            for first in range(col - n + 1, col + 1):
                if first < 0 or first + n > len(seq):
                    continue
                gram = tuple(seq[first:first + n])
                if gram in seen:
                    continue
                seen.add(gram)
                labels[token][gram].append(row)
            row += 1
    return labels


def entropy(c):
    p = c / np.clip(c.sum(-1, keepdims=True), 1e-300, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(p > 0, -p * np.log(p), 0.0)
    return t.sum(-1)


def jsd(p, q):
    p = p / np.clip(p.sum(-1, keepdims=True), 1e-300, None)
    q = q / np.clip(q.sum(-1, keepdims=True), 1e-300, None)
    return entropy(0.5 * p + 0.5 * q) - 0.5 * entropy(p) - 0.5 * entropy(q)


def measure(n, min_count):
    labels = nested_labels(n)
    conditional, disentangled, hpy = [], [], []
    for token in labels:
        kept = [onehot[r].sum(0) for r in labels[token].values() if len(r) >= min_count]
        if not kept:
            continue
        counts = np.stack(kept)  # sub-labels x heads x bins
        conditional.append(entropy(counts).mean())
        rest = counts.sum(0) - counts
        if len(kept) >= 2:
            disentangled.append(jsd(counts, rest).mean())
            hpy.append(jsd(counts, rest).mean())
        else:
            hpy.append(0.5 * np.log(2))  # the authors' normalise() of an all-zero complement
    return {
        "conditional": float(np.mean(conditional)),
        "disentanglement": float(np.mean(disentangled)) if disentangled else 0.0,
        "disentanglement_hpy": float(np.mean(hpy)),
        "tokens": len(conditional),
    }


out = {
    "heads": heads,
    "bins": bins,
    "sequences": [[int(t) for t in s] for s in seqs],
    "cells": cells.tolist(),
    "expected": {f"{n}-{m}": measure(n, m) for n in (2, 3) for m in (1, 5)},
}
with open("test/fixtures/nested-ngram-reference.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out["expected"], indent=1))

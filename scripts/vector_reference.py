"""Independent numpy reference for the vector-engine tests (run by hand; not part of the product).

Writes test/fixtures/vector-reference.json: a small dataset (seeded numpy rows, two label sets),
anchors (any unit rows: taken from the dataset's generator here), ε, and the soft-entropy
H(Z), H(Z|X), I and label-vs-complement JSD, plus H_dw (B = 20, observed ranges, minCount 5,
unweighted conditionals), computed the straightforward way in float64.
Usage: python3 scripts/vector_reference.py
"""
import json
import numpy as np

rng = np.random.default_rng(7)
n_rows, d, n = 240, 16, 12
centres = rng.normal(size=(5, d))
meaning = rng.integers(0, 5, n_rows)
rows = (centres[meaning] + 0.8 * rng.normal(size=(n_rows, d))).astype(np.float32)
noise = rng.integers(0, 3, n_rows)
anchors = rng.normal(size=(n, d))
anchors = (anchors / np.linalg.norm(anchors, axis=1, keepdims=True)).astype(np.float32)
eps = 0.2

X = rows.astype(np.float64)
Z = X / np.linalg.norm(X, axis=1, keepdims=True)
S = Z @ anchors.astype(np.float64).T / eps
S -= S.max(1, keepdims=True)
A = np.exp(S)
A /= A.sum(1, keepdims=True)


def H(c):
    p = c / c.sum()
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def soft(labels):
    vals = np.unique(labels)
    cond = sum((labels == v).mean() * H(A[labels == v].sum(0)) for v in vals)
    jsd = np.mean([H((A[labels == v].sum(0) / (labels == v).sum() + A[labels != v].sum(0) / (labels != v).sum()) / 2)
                   - 0.5 * H(A[labels == v].sum(0)) - 0.5 * H(A[labels != v].sum(0)) for v in vals])
    return {"conditionalEntropy": cond, "mutualInformation": H(A.sum(0)) - cond, "disentanglement": float(jsd)}


lo, hi, B = X.min(0), X.max(0), 20


def hdw(Xs):
    hs = []
    for j in range(d):
        b = np.clip(np.floor((Xs[:, j] - lo[j]) / (hi[j] - lo[j]) * B).astype(int), 0, B - 1)
        hs.append(H(np.bincount(b, minlength=B).astype(float)))
    return float(np.mean(hs))


def binned(labels):
    kept = [v for v in np.unique(labels) if (labels == v).sum() >= 5]
    return {"conditionalEntropy": float(np.mean([hdw(X[labels == v]) for v in kept]))}


out = {
    "d": d, "n": n, "epsilon": eps,
    "rows": [float(v) for v in rows.ravel()],
    "anchors": [float(v) for v in anchors.ravel()],
    "labels": {"meaning": meaning.tolist(), "noise": noise.tolist()},
    "soft": {"entropy": H(A.sum(0)), "labelSets": {"meaning": soft(meaning), "noise": soft(noise)}},
    "binned": {"entropy": hdw(X), "labelSets": {"meaning": binned(meaning), "noise": binned(noise)}},
}
with open("test/fixtures/vector-reference.json", "w") as f:
    json.dump(out, f)

"""Measures of contextual vectors: self-similarity, MEV, Ethayarajh's anisotropy baselines, sense separation.

Pure numpy functions over arrays of word-occurrence vectors (Ethayarajh 2019, "How contextual are
contextualized word representations?"); the context_drift family composes them.
"""

from __future__ import annotations

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import unit_rows


def self_similarity(V) -> float:
    """Mean pairwise cosine of the rows of ``V`` (n ≥ 2): 1 when all rows point the same way."""
    U = unit_rows(V)
    n = U.shape[0]
    if U.ndim != 2 or n < 2:
        raise ShapeError(f"self-similarity needs at least 2 vectors, got shape {U.shape}")
    s = U.sum(axis=0)
    return float((s @ s - (U * U).sum()) / (n * (n - 1)))


def max_explainable_variance(V) -> float:
    """σ₁² / Σσ² of the uncentred matrix ``V`` (Ethayarajh 2019); 1 for rank-one ``V``."""
    V = np.asarray(V, dtype=np.float64)
    if V.ndim != 2 or V.shape[0] < 2:
        raise ShapeError(f"MEV needs at least 2 vectors, got shape {V.shape}")
    sigma2 = np.linalg.svd(V, compute_uv=False) ** 2
    total = sigma2.sum()
    return float(sigma2[0] / total) if total > 0 else 0.0


def random_groups(words, sentences, group_size: int) -> list[list[int]]:
    """Partition draws into groups of ``group_size`` with no repeated sentence or (case-folded) word.

    A draw joins the first open group it does not conflict with; incomplete groups are dropped.
    """
    groups: list[list[int]] = []
    keys: list[tuple[set, set]] = []
    for i, (w, s) in enumerate(zip(words, sentences)):
        w = w.lower()
        for g, (ws, ss) in zip(groups, keys):
            if len(g) < group_size and w not in ws and s not in ss:
                g.append(i)
                ws.add(w)
                ss.add(s)
                break
        else:
            groups.append([i])
            keys.append(({w}, {s}))
    return [g for g in groups if len(g) == group_size]


def ethayarajh(word_vectors: np.ndarray, random_vectors: np.ndarray, groups: list[list[int]]) -> dict:
    """Per-item values: ``word_vectors`` (n_words, n_contexts, d) raw; groups index ``random_vectors``."""
    if len(groups) < 2:
        raise ShapeError(f"the anisotropy baseline needs at least 2 random groups, got {len(groups)}")
    return {
        "self_similarity": np.array([self_similarity(v) for v in word_vectors]),
        "mev": np.array([max_explainable_variance(v) for v in word_vectors]),
        "anisotropy": np.array([self_similarity(random_vectors[g]) for g in groups]),
        "mev/baseline": np.array([max_explainable_variance(random_vectors[g]) for g in groups]),
    }


def loo_centroid_hits(Z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Leave-one-out nearest-centroid hits for one word: ``Z`` unit rows, ``labels`` ints."""
    senses = np.unique(labels)
    sums = np.stack([Z[labels == s].sum(axis=0) for s in senses])  # (S, d)
    counts = np.array([(labels == s).sum() for s in senses], dtype=np.float64)
    own = labels[:, None] == senses[None, :]  # (n, S)
    cent = sums[None, :, :] - own[:, :, None] * Z[:, None, :]  # (n, S, d)
    cnt = counts[None, :] - own
    cent = np.divide(cent, cnt[:, :, None], out=np.zeros_like(cent), where=cnt[:, :, None] > 0)
    norms = np.linalg.norm(cent, axis=2)
    scores = np.einsum("nsd,nd->ns", cent, Z) / np.where(norms > 0, norms, 1.0)
    scores[cnt == 0] = -np.inf
    return senses[np.argmax(scores, axis=1)] == labels


def sense_separation(Z: np.ndarray, labels: np.ndarray) -> float:
    """Mean within-sense cosine (pairs i ≠ j) minus mean across-sense cosine; ``Z`` unit rows."""
    G = Z @ Z.T
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(labels), dtype=bool)
    return float(G[same & off].mean() - G[~same].mean())

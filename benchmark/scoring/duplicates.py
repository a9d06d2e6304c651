"""Rows that are the same vector up to float rounding.

Two words a model cannot tell apart (the same tokens: ``January`` and ``january`` in an
uncased model) get the same vector, but only up to rounding: a transformer run on another
CPU, or in another batch, rounds them differently. Testing bit equality then depends on the
machine. :func:`duplicate_groups` groups rows whose difference is below a relative tolerance
far above float32 rounding (≈ 1e-7) and far below the distance of two different words.
"""

from __future__ import annotations

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import check_matrix

#: Rows closer than this, relative to the longer row, are one vector.
DUPLICATE_TOLERANCE = 1e-5
#: Random projections a candidate pair must be close in before its full distance is computed.
_PROJECTIONS = 3


def duplicate_groups(vectors, *, rel_tol: float = DUPLICATE_TOLERANCE) -> np.ndarray:
    """Group label of every row: the first row of its group of (near-)identical rows.

    Rows i and j are linked when ``‖x_i − x_j‖ ≤ rel_tol · max(‖x_i‖, ‖x_j‖)``; a group is a
    connected set of links, labelled by its smallest row index (a row alone is its own label).
    Candidates come from random projections, sorted by the first (a linked pair's projections differ by at
    most the pair's distance), so the cost is a sort plus a few vectorised passes, never n².

    Parameters
    ----------
    vectors : array_like, shape (n, d)
        Finite rows.
    rel_tol : float
        Relative tolerance, 0 ≤ rel_tol < 1 (0: bitwise-equal rows only, as float64 values).

    Returns
    -------
    ndarray, shape (n,), intp
        ``labels[i] <= i``; ``labels[i] == labels[j]`` iff rows i and j are one vector.

    Raises
    ------
    ShapeError
        A non-2-D or non-finite matrix, or a tolerance outside [0, 1).
    """
    X = check_matrix(vectors, "vectors", min_rows=0)
    if not 0.0 <= float(rel_tol) < 1.0:
        raise ShapeError(f"rel_tol must be in [0, 1), got {rel_tol!r}")
    n = X.shape[0]
    labels = np.arange(n, dtype=np.intp)
    if n < 2:
        return labels
    norms = np.linalg.norm(X, axis=1)
    directions = np.random.default_rng(0).standard_normal((X.shape[1], _PROJECTIONS))
    directions /= np.linalg.norm(directions, axis=0)
    proj = X @ directions  # (n, 3): a linked pair is at most its distance apart in each
    order = np.argsort(proj[:, 0], kind="stable")
    p, others = proj[order, 0], proj[order, 1:]
    window = float(rel_tol) * float(norms.max())  # no linked pair is farther apart than this in projection
    pairs_i, pairs_j = [], []
    offset = 1
    while offset < n:
        near = np.flatnonzero(p[offset:] - p[:-offset] <= window)
        if near.size == 0:
            break
        near = near[(np.abs(others[near + offset] - others[near]) <= window).all(axis=1)]
        a, b = order[near], order[near + offset]
        dist = np.linalg.norm(X[a] - X[b], axis=1)
        linked = dist <= float(rel_tol) * np.maximum(norms[a], norms[b])
        pairs_i.append(a[linked])
        pairs_j.append(b[linked])
        offset += 1
    if not pairs_i or not sum(x.size for x in pairs_i):
        return labels
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    i, j = np.concatenate(pairs_i), np.concatenate(pairs_j)
    graph = coo_matrix((np.ones(i.size, dtype=np.int8), (i, j)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    first = np.full(component.max() + 1, n, dtype=np.intp)
    np.minimum.at(first, component, np.arange(n, dtype=np.intp))
    return first[component]

"""Map-free similarity between two embedding spaces with paired rows.

All three indices compare ``X`` (n, d_x) and ``Y`` (n, d_y) whose row i describes the
same word; the dimensions may differ. They need no fitted map:

* :func:`rsa` -- correlation of the two cosine-similarity matrices' upper triangles;
* :func:`linear_cka` -- linear centred kernel alignment (Kornblith et al., 2019);
* :func:`mutual_knn` -- mean fraction of shared k nearest neighbours (cosine);
* :func:`pair_cosines` -- cosine of each row pair (after a map, X = mapped source rows):
  1 for an exact map whatever the dimensions, ≈ 0 for unrelated directions.

Solvers compute in float64 (:func:`rsa`, :func:`linear_cka`); neighbour search uses the
blocked float32 retrieval kernel.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import _unit_rows, check_choice, check_matrix, check_positive_int, check_same_rows
from benchmark.scoring.retrieval import CHUNK_FACTOR, DEFAULT_BLOCK, _stream_topk, _unit_f32

__all__ = ["rsa", "linear_cka", "mutual_knn", "pair_cosines"]

RSAMethod = Literal["spearman", "pearson"]
_RSA_METHODS: tuple[str, ...] = get_args(RSAMethod)


def _paired(X, Y, min_rows: int) -> tuple[np.ndarray, np.ndarray]:
    X = check_matrix(X, "X", min_rows=min_rows)
    Y = check_matrix(Y, "Y", min_rows=min_rows)
    check_same_rows(X, Y)
    return X, Y


def _upper_cosines(X: np.ndarray) -> np.ndarray:
    U = _unit_rows(np.array(X, dtype=np.float64))
    iu = np.triu_indices(U.shape[0], k=1)
    return (U @ U.T)[iu]


def rsa(X, Y, *, method: RSAMethod = "spearman") -> float:
    """Representational similarity analysis between two paired spaces.

    Parameters
    ----------
    X : array_like, shape (n, d_x)
    Y : array_like, shape (n, d_y)
        Rows paired; n >= 3. Memory is O(n²) (the two similarity matrices).
    method : {"spearman", "pearson"}
        Correlation between the upper triangles (i < j) of the cosine-similarity
        matrices of X and of Y.

    Returns
    -------
    float
        In [-1, 1]; 1 for identical spaces, invariant to rotations of either space.

    Raises
    ------
    UnknownNameError
        Unknown ``method``.
    ShapeError
        Bad arrays, different row counts, n < 3, or constant similarities.
    """
    check_choice(method, _RSA_METHODS, "RSA method")
    X, Y = _paired(X, Y, min_rows=3)
    a, b = _upper_cosines(X), _upper_cosines(Y)
    for name, v in (("X", a), ("Y", b)):
        if np.ptp(v) == 0:
            raise ShapeError(f"the cosine similarities of {name} (shape "
                             f"{X.shape if name == 'X' else Y.shape}) are all equal: "
                             "the correlation is undefined")
    if method == "spearman":
        from scipy import stats  # imported here: scipy.stats costs ~1 s at import

        return float(stats.spearmanr(a, b).statistic)
    return float(np.corrcoef(a, b)[0, 1])


def linear_cka(X, Y) -> float:
    """Linear centred kernel alignment (Kornblith et al., 2019).

    CKA = ‖Y_cᵀ X_c‖_F² / (‖X_cᵀ X_c‖_F · ‖Y_cᵀ Y_c‖_F), with X_c, Y_c column-centred.

    Parameters
    ----------
    X : array_like, shape (n, d_x)
    Y : array_like, shape (n, d_y)
        Rows paired; n >= 2.

    Returns
    -------
    float
        In [0, 1]; 1 for identical spaces, invariant to orthogonal maps and isotropic
        scaling of either space.

    Raises
    ------
    ShapeError
        Bad arrays, different row counts, n < 2, or a space whose rows are all equal.
    """
    X, Y = _paired(X, Y, min_rows=2)
    Xc = X - X.mean(axis=0)
    Yc = Y - Y.mean(axis=0)
    if Xc.shape[0] < max(Xc.shape[1], Yc.shape[1]):  # Gram form is cheaper
        K, L = Xc @ Xc.T, Yc @ Yc.T
        cross, nx, ny = np.vdot(K, L), np.linalg.norm(K), np.linalg.norm(L)
    else:
        cross = np.linalg.norm(Yc.T @ Xc) ** 2
        nx, ny = np.linalg.norm(Xc.T @ Xc), np.linalg.norm(Yc.T @ Yc)
    for name, nrm, arr in (("X", nx, X), ("Y", ny, Y)):
        if nrm == 0:
            raise ShapeError(f"{name} (shape {arr.shape}) has identical rows: CKA is undefined")
    return float(cross / (nx * ny))


def _knn_excluding_self(X: np.ndarray, k: int) -> np.ndarray:
    """Indices (n, k) of each row's k nearest other rows by cosine (ties: lower index)."""
    U = _unit_f32(X, "X")
    n = U.shape[0]
    idx = _stream_topk(U, U, k + 1, DEFAULT_BLOCK, DEFAULT_BLOCK * CHUNK_FACTOR,
                       with_index=True)[1]
    drop = idx == np.arange(n)[:, None]
    drop[~drop.any(axis=1), k] = True  # self not among the k + 1: drop the last
    return idx[~drop].reshape(n, k)


def mutual_knn(X, Y, k: int = 10) -> float:
    """Mean fraction of shared k nearest neighbours (cosine, self excluded).

    Parameters
    ----------
    X : array_like, shape (n, d_x)
    Y : array_like, shape (n, d_y)
        Rows paired.
    k : int
        Neighbourhood size, 1 <= k < n.

    Returns
    -------
    float
        mean_i |N_X(i) ∩ N_Y(i)| / k, in [0, 1]; 1 for identical spaces, about k/(n−1)
        for unrelated ones. Neighbours are found with the blocked float32 search
        (memory O(block²)).

    Raises
    ------
    ShapeError
        Bad arrays, different row counts, or k outside [1, n − 1].
    """
    X, Y = _paired(X, Y, min_rows=2)
    k = check_positive_int(k, "k")
    n = X.shape[0]
    if k >= n:
        raise ShapeError(f"k={k} must be smaller than the {n} rows of X and Y "
                         "(a row is not its own neighbour)")
    nx, ny = _knn_excluding_self(X, k), _knn_excluding_self(Y, k)
    shared = np.zeros(n, dtype=np.int64)
    for j in range(k):  # O(n·k²) comparisons, O(n·k) memory
        shared += (nx == ny[:, j:j + 1]).any(axis=1)
    return float(shared.mean() / k)


def pair_cosines(X, Y) -> np.ndarray:
    """Cosine of each pair of rows, cos(X[i], Y[i]), in float64.

    Parameters
    ----------
    X, Y : array_like, shape (n, d)
        Paired rows of the same dimension (e.g. mapped source vectors and their gold targets).

    Returns
    -------
    ndarray, shape (n,), float64
        Values in [-1, 1]; a pair with an all-zero row scores 0.

    Raises
    ------
    ShapeError
        Bad arrays, different row counts or different dimensions.
    """
    X, Y = _paired(X, Y, 1)
    if X.shape[1] != Y.shape[1]:
        raise ShapeError(f"X has shape {X.shape} but Y has shape {Y.shape}: pair cosines need equal dimensions")
    U = _unit_rows(X.copy())
    V = _unit_rows(Y.copy())
    return np.clip(np.einsum("ij,ij->i", U, V), -1.0, 1.0)

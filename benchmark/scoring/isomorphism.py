"""What predicts translatability: isomorphism measures between two spaces, and their ρ.

* :func:`eigenvector_similarity` -- Søgaard et al. (2018): the Laplacian spectra of the
  k-nearest-neighbour graphs of each space's most frequent words (no pairs needed);
  the squared distance between the leading eigenvalues. 0 for isometric spaces, higher
  is less isomorphic.
* :func:`relational_similarity` -- Vulić et al. (2020): Pearson correlation between the
  cosine similarities of all pairs of source words and of their translations (needs
  translation pairs; the task uses the train split, never test).
* :func:`isoscore` -- Rudman et al. (2022)'s IsoScore of one space: how uniformly its
  variance spreads over the principal directions (1 isotropic, 0 one direction).
* :func:`rank_correlation_ci` -- Spearman ρ between a measure and an accuracy over pairs,
  with a percentile-bootstrap CI over the pairs.

Solvers compute in float64; neighbour search uses the blocked float32 kernel.
"""

from __future__ import annotations

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import check_finite, check_matrix, check_positive_int
from benchmark.scoring.similarity import _knn_excluding_self, rsa

__all__ = ["laplacian_spectrum", "eigenvector_similarity", "relational_similarity", "isoscore",
           "rank_correlation_ci"]


def laplacian_spectrum(X, *, k: int = 10) -> np.ndarray:
    """Eigenvalues of the Laplacian L = D − A of the symmetric kNN graph of the rows of ``X``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        n >= 2 points; A_ij = 1 when j is among i's ``k`` nearest neighbours by cosine
        (self excluded) or i among j's, else 0.
    k : int
        Neighbours per point, 1 <= k < n.

    Returns
    -------
    ndarray, shape (n,), float64
        Largest first, all >= 0 (up to rounding).
    """
    X = check_matrix(X, "X", min_rows=2)
    k = check_positive_int(k, "k")
    n = X.shape[0]
    if k >= n:
        raise ShapeError(f"k={k} must be smaller than the {n} rows of X")
    nbrs = _knn_excluding_self(X, k)
    A = np.zeros((n, n), dtype=np.float64)
    A[np.repeat(np.arange(n), k), nbrs.ravel()] = 1.0
    A = np.maximum(A, A.T)
    L = np.diag(A.sum(axis=1)) - A
    from scipy import linalg

    return linalg.eigvalsh(L)[::-1]


def _energy_rank(eigenvalues: np.ndarray, share: float) -> int:
    total = eigenvalues.sum()
    if total <= 0:
        return 1
    return int(np.searchsorted(np.cumsum(eigenvalues) / total, share) + 1)


def eigenvector_similarity(X, Y, *, n_words: int = 1_000, k: int = 10, energy: float = 0.9) -> float:
    """Søgaard et al. (2018)'s eigenvector similarity of two spaces' neighbour graphs.

    Parameters
    ----------
    X : array_like, shape (n_x, d_x)
    Y : array_like, shape (n_y, d_y)
        Rows most frequent first; the words need not correspond (no dictionary).
    n_words : int
        Most frequent words per space forming the graph (capped at n_x, n_y).
        Memory O(n_words²), time O(n_words³).
    k : int
        Neighbours per word in the kNN graph.
    energy : float
        The sum runs over the first m eigenvalues, m the smaller of the two spaces'
        smallest counts whose eigenvalues hold ``energy`` of their total.

    Returns
    -------
    float
        Σ_{i < m} (λ_i(X) − λ_i(Y))², >= 0; 0 for isometric spaces (lower is more
        isomorphic).
    """
    n = check_positive_int(n_words, "n_words")
    if not 0.0 < float(energy) <= 1.0:
        raise ShapeError(f"energy must be in (0, 1], got {energy!r}")
    X = check_matrix(X, "X", min_rows=2)
    Y = check_matrix(Y, "Y", min_rows=2)
    n = min(n, X.shape[0], Y.shape[0])
    lx, ly = laplacian_spectrum(X[:n], k=k), laplacian_spectrum(Y[:n], k=k)
    m = min(_energy_rank(lx, float(energy)), _energy_rank(ly, float(energy)))
    return float(np.sum((lx[:m] - ly[:m]) ** 2))


def relational_similarity(X, Y) -> float:
    """Vulić et al. (2020)'s relational similarity of paired words.

    The Pearson correlation between cos(x_i, x_j) and cos(y_i, y_j) over all pairs
    i < j of the given translation pairs: :func:`~benchmark.scoring.similarity.rsa` with
    ``method="pearson"``.

    Parameters
    ----------
    X : array_like, shape (n, d_x)
    Y : array_like, shape (n, d_y)
        Row i of X translates to row i of Y; n >= 3, memory O(n²).

    Returns
    -------
    float
        In [-1, 1]; higher is more isomorphic.
    """
    return rsa(X, Y, method="pearson")


def isoscore(X) -> float:
    """IsoScore (Rudman et al., 2022) of a point cloud.

    The covariance's eigenvalues σ (d of them) are scaled to ‖σ̂‖ = √d; the isotropy
    defect δ = ‖σ̂ − 1‖ / √(2(d − √d)); IsoScore = ((d − δ²(d − √d))² − d) / (d(d − 1)).

    Parameters
    ----------
    X : array_like, shape (n, d)
        n >= 2 points, d >= 2 dimensions, not all equal.

    Returns
    -------
    float
        In [0, 1]: 1 when the variance is spread equally over all d directions, 0 when
        it lies along one.
    """
    X = check_matrix(X, "X", min_rows=2)
    d = X.shape[1]
    if d < 2:
        raise ShapeError(f"X has shape {X.shape}: IsoScore needs at least 2 dimensions")
    sigma = np.linalg.eigvalsh(np.cov(X, rowvar=False))[::-1].clip(min=0.0)
    norm = np.linalg.norm(sigma)
    if norm == 0:
        raise ShapeError(f"X (shape {X.shape}) has identical rows: IsoScore is undefined")
    scaled = sigma * np.sqrt(d) / norm
    defect = np.linalg.norm(scaled - 1.0) / np.sqrt(2.0 * (d - np.sqrt(d)))
    return float(((d - defect**2 * (d - np.sqrt(d))) ** 2 - d) / (d * (d - 1)))


def rank_correlation_ci(x, y, *, n_resamples: int = 1_000, confidence: float = 0.95,
                        seed: int = 0) -> tuple[float, float, float]:
    """Spearman ρ between ``x`` and ``y`` with a percentile-bootstrap CI over items.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        One value per item (e.g. per model pair), n >= 3, finite.
    n_resamples : int
        Bootstrap resamples of the items (with replacement). A resample in which either
        side is constant (ρ undefined) is left out; the interval uses the rest.
    confidence : float
        Coverage of the interval, in (0, 1).
    seed : int
        Seed of the ``numpy.random.Generator``.

    Returns
    -------
    (rho, low, high) : tuple of float
        ``nan`` for all three when x or y is constant.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size < 3:
        raise ShapeError(f"x and y must be 1-D of the same length >= 3, got shapes {x.shape} and {y.shape}")
    check_finite(x, "x")
    check_finite(y, "y")
    n_resamples = check_positive_int(n_resamples, "n_resamples")
    if not 0.0 < float(confidence) < 1.0:
        raise ShapeError(f"confidence must be in (0, 1), got {confidence}")
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan"), float("nan")
    from scipy import stats  # imported here: scipy.stats costs ~1 s at import, and most runs never rank

    rho = float(stats.spearmanr(x, y).statistic)
    idx = np.random.default_rng(seed).integers(0, x.size, size=(n_resamples, x.size))
    xs, ys = x[idx], y[idx]
    ok = (np.ptp(xs, axis=1) > 0) & (np.ptp(ys, axis=1) > 0)
    if not ok.any():
        return rho, float("nan"), float("nan")
    rx = stats.rankdata(xs[ok], axis=1)
    ry = stats.rankdata(ys[ok], axis=1)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    boot = (rx * ry).sum(axis=1) / np.sqrt((rx**2).sum(axis=1) * (ry**2).sum(axis=1))
    alpha = 100.0 * (1.0 - float(confidence)) / 2.0
    low, high = np.percentile(boot, [alpha, 100.0 - alpha])
    return rho, float(low), float(high)

"""A second unsupervised initialisation by optimal transport: Gromov-Wasserstein.

Alvarez-Melis & Jaakkola (2018): the ``n_words`` most frequent words of each space are
two metric spaces (cosine distances, scaled to a maximum of 1); the Gromov-Wasserstein
coupling between them (uniform weights, square loss; POT's entropic solver as in the
paper, or its conditional-gradient one) matches words
whose distances to all other words agree, without any shared coordinates, so the
dimensions may differ. Each word's translation is the argmax of its row (forward) and
of its column (backward) of the coupling.

POT (``pip install pot``) is imported inside :func:`gromov_wasserstein_init` only.
"""

from __future__ import annotations

import warnings
from typing import Literal, get_args

import numpy as np

from benchmark.errors import ModelLoadError, ShapeError
from benchmark.scoring.normalize import _unit_rows, check_choice, check_matrix, check_positive_int
from benchmark.scoring.unsupervised import Dictionary

__all__ = ["GWSolver", "gromov_wasserstein_init"]

GWSolver = Literal["conditional_gradient", "entropic"]
_SOLVERS: tuple[str, ...] = get_args(GWSolver)


def _cosine_distances(X: np.ndarray) -> np.ndarray:
    """(n, n) cosine distances of the rows of ``X``, scaled so the largest is 1."""
    U = _unit_rows(np.array(X, dtype=np.float64))
    D = np.clip(1.0 - U @ U.T, 0.0, None)
    np.fill_diagonal(D, 0.0)
    top = D.max()
    return D / top if top > 0 else D


def gromov_wasserstein_init(X, Y, *, n_words: int = 500, solver: GWSolver = "entropic",
                            epsilon: float = 5e-4, max_iter: int = 500, tol: float = 1e-9) -> Dictionary:
    """Initial dictionary from a Gromov-Wasserstein coupling (POT).

    Parameters
    ----------
    X : array_like, shape (n_x, d_x)
    Y : array_like, shape (n_y, d_y)
        Normalised spaces, rows most frequent first.
    n_words : int
        Words per side (capped at min(n_x, n_y)); memory O(n_words²), time
        O(n_words³) per outer iteration.
    solver : {"entropic", "conditional_gradient"}
        ``ot.gromov.entropic_gromov_wasserstein`` (default: it recovers permuted rotated
        copies reliably) or ``ot.gromov.gromov_wasserstein`` (conditional gradient from the
        product coupling: faster, but it stalls in local optima on small spaces).
    epsilon : float
        Entropic regularisation (> 0, relative to distances scaled to [0, 1]); only for
        ``"entropic"``.
    max_iter : int
        Outer iterations of POT's solver.
    tol : float
        POT's stopping tolerance on the coupling.

    Returns
    -------
    Dictionary
        2 · n pairs: every source word with the argmax of its coupling row, then every
        target word with the argmax of its coupling column.

    Raises
    ------
    ModelLoadError
        POT is not installed.
    UnknownNameError
        Unknown ``solver``.
    ShapeError
        Bad arrays or settings, or a coupling that is not finite.
    """
    check_choice(solver, _SOLVERS, "Gromov-Wasserstein solver")
    try:
        import ot
    except ImportError:
        raise ModelLoadError("the Gromov-Wasserstein initialisation needs POT: `pip install pot`") from None
    X = check_matrix(X, "X", min_rows=2)
    Y = check_matrix(Y, "Y", min_rows=2)
    n = min(check_positive_int(n_words, "n_words"), X.shape[0], Y.shape[0])
    epsilon = float(epsilon)
    if not np.isfinite(epsilon) or epsilon <= 0:
        raise ShapeError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    C1, C2 = _cosine_distances(X[:n]), _cosine_distances(Y[:n])
    weights = np.full(n, 1.0 / n)
    max_iter = check_positive_int(max_iter, "max_iter")
    with warnings.catch_warnings():  # POT warns about unconverged inner Sinkhorn loops; the argmax is what counts
        warnings.simplefilter("ignore", UserWarning)
        if solver == "entropic":
            coupling = ot.gromov.entropic_gromov_wasserstein(
                C1, C2, weights, weights, loss_fun="square_loss", epsilon=epsilon, max_iter=max_iter, tol=float(tol))
        else:
            coupling = ot.gromov.gromov_wasserstein(
                C1, C2, weights, weights, loss_fun="square_loss", max_iter=max_iter, tol_rel=float(tol),
                tol_abs=float(tol))
    coupling = np.asarray(coupling, dtype=np.float64)
    if not np.isfinite(coupling).all():
        raise ShapeError(f"the Gromov-Wasserstein coupling is not finite (epsilon={epsilon} may be too small)")
    rows = np.arange(n, dtype=np.int64)
    return Dictionary(
        source=np.concatenate([rows, coupling.argmax(axis=0)]),
        target=np.concatenate([coupling.argmax(axis=1), rows]),
    )

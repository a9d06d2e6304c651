"""Linear maps between embedding spaces: orthogonal Procrustes and least squares.

Rows of ``X`` (n, d_x) and ``Y`` (n, d_y) are paired (dictionary pairs). All solvers
compute in float64 (inputs of any real dtype are converted); fitted maps return float64.

* :func:`orthogonal_procrustes` -- W = U Vᵀ from the thin SVD of XᵀY. The dimensions may
  differ: W is (d_x, d_y) semi-orthogonal, WᵀW = I when d_x >= d_y, W Wᵀ = I otherwise.
  Optional centring and the optimal global scale (scaled orthogonal baseline).
* :func:`linear_map` -- unconstrained least squares Y ≈ X W + b (the textbook baseline),
  optional ridge on W only (never on b).
* :func:`procrustes_residual` -- ‖f(X) − Y‖_F / ‖Y‖_F.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import check_finite, check_matrix, check_same_rows

__all__ = ["ProcrustesFit", "LinearFit", "orthogonal_procrustes", "linear_map",
           "procrustes_residual"]


def _check_transform_input(X, d_in: int) -> np.ndarray:
    X = check_matrix(X, "X")
    if X.shape[1] != d_in:
        raise ShapeError(f"X has shape {X.shape} but the map expects {d_in} columns")
    return X


@dataclass(frozen=True)
class ProcrustesFit:
    """A fitted (scaled) orthogonal map ``f(X) = scale · (X − x_mean) · W + y_mean``.

    Attributes
    ----------
    W : ndarray, shape (d_x, d_y), float64
        Semi-orthogonal: WᵀW = I_{d_y} if d_x >= d_y, else W Wᵀ = I_{d_x}.
    scale : float
        Global scale s; 1.0 unless fitted with ``scale=True``.
    x_mean : ndarray, shape (d_x,), float64
        Source mean subtracted before mapping (zeros unless ``center=True``).
    y_mean : ndarray, shape (d_y,), float64
        Target mean added after mapping (zeros unless ``center=True``).
    """

    W: np.ndarray
    scale: float
    x_mean: np.ndarray
    y_mean: np.ndarray

    def transform(self, X) -> np.ndarray:
        """Map rows of ``X`` (m, d_x) into the target space; returns (m, d_y) float64."""
        X = _check_transform_input(X, self.W.shape[0])
        return self.scale * ((X - self.x_mean) @ self.W) + self.y_mean


@dataclass(frozen=True)
class LinearFit:
    """A fitted affine map ``f(X) = X · W + b``.

    Attributes
    ----------
    W : ndarray, shape (d_x, d_y), float64
    b : ndarray, shape (d_y,), float64
        Zeros when fitted with ``bias=False``.
    """

    W: np.ndarray
    b: np.ndarray

    def transform(self, X) -> np.ndarray:
        """Map rows of ``X`` (m, d_x) into the target space; returns (m, d_y) float64."""
        X = _check_transform_input(X, self.W.shape[0])
        return X @ self.W + self.b


def _paired(X, Y) -> tuple[np.ndarray, np.ndarray]:
    X = check_matrix(X, "X")
    Y = check_matrix(Y, "Y")
    check_same_rows(X, Y)
    return X, Y


def _means(X: np.ndarray, Y: np.ndarray, center: bool) -> tuple[np.ndarray, np.ndarray]:
    if center:
        return X.mean(axis=0), Y.mean(axis=0)
    return np.zeros(X.shape[1]), np.zeros(Y.shape[1])


def orthogonal_procrustes(X, Y, *, center: bool = False, scale: bool = False) -> ProcrustesFit:
    """Fit the (scaled) orthogonal map minimising ‖s·(X − x̄)·W + ȳ − Y‖_F.

    Parameters
    ----------
    X : array_like, shape (n, d_x)
        Source vectors, row i paired with row i of ``Y``.
    Y : array_like, shape (n, d_y)
        Target vectors. ``d_y`` may differ from ``d_x`` (e.g. 50 -> 300 or 300 -> 50).
    center : bool
        Subtract the column means of X and Y before fitting; the fit stores them and
        :meth:`ProcrustesFit.transform` re-applies them.
    scale : bool
        Also fit the optimal global scale s = trace(Σ) / ‖X_c·W‖_F², Σ the singular values
        of X_cᵀ Y_c (the scaled orthogonal baseline). Otherwise s = 1. The denominator is
        ‖X_c·W‖_F, not ‖X_c‖_F: they agree only when W·Wᵀ = I (d_x <= d_y); for d_x > d_y
        the map drops the part of X_c outside W's row space.

    Returns
    -------
    ProcrustesFit
        ``W`` (d_x, d_y) = U Vᵀ from the thin SVD U Σ Vᵀ of X_cᵀ Y_c, in float64.

    Raises
    ------
    ShapeError
        Non-finite or non-2-D inputs, or different row counts.
    """
    X, Y = _paired(X, Y)
    x_mean, y_mean = _means(X, Y, center)
    Xc, Yc = X - x_mean, Y - y_mean
    U, sigma, Vt = np.linalg.svd(Xc.T @ Yc, full_matrices=False)
    W = U @ Vt
    s = 1.0
    if scale:
        mapped = Xc @ W
        denom = float(np.einsum("ij,ij->", mapped, mapped))
        s = float(sigma.sum() / denom) if denom > 0 else 1.0
    return ProcrustesFit(W=W, scale=s, x_mean=x_mean, y_mean=y_mean)


def linear_map(X, Y, *, bias: bool = True, ridge: float = 0.0) -> LinearFit:
    """Fit the unconstrained least-squares map Y ≈ X·W + b.

    Parameters
    ----------
    X : array_like, shape (n, d_x)
    Y : array_like, shape (n, d_y)
        Paired rows.
    bias : bool
        Fit an intercept ``b`` (solved by centring, so it is never penalised).
    ridge : float
        L2 penalty λ on W: minimises ‖X_c W − Y_c‖_F² + λ‖W‖_F². ``0`` uses ``lstsq``
        (minimum-norm solution when X is rank deficient).

    Returns
    -------
    LinearFit
        ``W`` (d_x, d_y) and ``b`` (d_y,), float64.

    Raises
    ------
    ShapeError
        Bad arrays, different row counts, or a negative / non-finite ``ridge``.
    """
    X, Y = _paired(X, Y)
    ridge = float(ridge)
    if not np.isfinite(ridge) or ridge < 0:
        raise ShapeError(f"ridge must be a finite number >= 0, got {ridge}")
    x_mean, y_mean = _means(X, Y, bias)
    Xc, Yc = X - x_mean, Y - y_mean
    if ridge > 0:
        gram = Xc.T @ Xc
        gram[np.diag_indices_from(gram)] += ridge
        W = np.linalg.solve(gram, Xc.T @ Yc)
    else:
        W = np.linalg.lstsq(Xc, Yc, rcond=None)[0]
    return LinearFit(W=W, b=y_mean - x_mean @ W)


def procrustes_residual(X, Y, fit=None, *, normalized: bool = True) -> float:
    """Residual of a map on paired rows: ‖f(X) − Y‖_F / ‖Y‖_F.

    Parameters
    ----------
    X : array_like, shape (n, d_x)
    Y : array_like, shape (n, d_y)
        Paired rows (test pairs, after the task's normalisation).
    fit : object with ``.transform(X) -> (n, d_y)``, optional
        A :class:`ProcrustesFit`, :class:`LinearFit` or any compatible object. ``None``
        means the identity map (requires d_x == d_y).
    normalized : bool
        Divide by ‖Y‖_F (default); ``False`` returns the plain Frobenius norm.

    Returns
    -------
    float

    Raises
    ------
    ShapeError
        Bad arrays, different row counts, identity with d_x != d_y, a ``fit`` whose
        output shape is not (n, d_y), or ``normalized=True`` with an all-zero Y.
    """
    X, Y = _paired(X, Y)
    if fit is None:
        if X.shape[1] != Y.shape[1]:
            raise ShapeError(f"X has shape {X.shape} but Y has shape {Y.shape}: the identity "
                             "map needs equal dimensions (pass a fit)")
        mapped = X
    else:
        mapped = np.asarray(fit.transform(X), dtype=np.float64)
        if mapped.shape != Y.shape:
            raise ShapeError(f"fit.transform(X) has shape {mapped.shape} but Y has shape "
                             f"{Y.shape}")
        check_finite(mapped, "fit.transform(X)")
    err = float(np.linalg.norm(mapped - Y))
    if not normalized:
        return err
    ref = float(np.linalg.norm(Y))
    if ref == 0.0:
        raise ShapeError(f"Y (shape {Y.shape}) is all zeros: the normalised residual is "
                         "undefined (use normalized=False)")
    return err / ref

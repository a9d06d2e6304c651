"""Row/column normalisation of embedding matrices, and the input checks shared by scoring.

Scoring conventions (the project's, stated in every task's protocol text):

* vectors are stored and searched in **float32** (:mod:`benchmark.scoring.retrieval`);
* solvers (Procrustes, least squares, similarity indices) compute in **float64**, so
  :func:`normalize` always returns a new float64 array;
* a task declares one normalisation and applies it to source and target alike, before
  fitting.

Every array check raises :class:`~benchmark.errors.ShapeError` naming the argument and
its shape; an unknown method name raises :class:`~benchmark.errors.UnknownNameError`
with a "did you mean" suggestion.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from benchmark.errors import ShapeError, UnknownNameError
from benchmark.registry import did_you_mean

__all__ = ["NormalizeMethod", "normalize", "standardize", "unit_rows"]

NormalizeMethod = Literal["none", "unit", "center", "unit+center+unit"]
_METHODS: tuple[str, ...] = get_args(NormalizeMethod)


# --------------------------------------------------------------------------- checks
# Shared by every scoring module (kept here so the package stays a handful of files).


def check_matrix(X, name: str, *, dtype=np.float64, min_rows: int = 1) -> np.ndarray:
    """Return ``X`` as a finite 2-D array of ``dtype`` (no copy when it already is one).

    Parameters
    ----------
    X : array_like, shape (n, d)
        The matrix to check.
    name : str
        Argument name used in error messages.
    dtype : numpy dtype
        Result dtype (float64 for solvers, float32 for retrieval).
    min_rows : int
        Smallest acceptable ``n``.

    Returns
    -------
    ndarray, shape (n, d)

    Raises
    ------
    ShapeError
        Not 2-D, not real numbers, fewer than ``min_rows`` rows, zero columns, or a
        NaN/Inf entry (the message gives the first offending row).
    """
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ShapeError(f"{name} must be a 2-D array (n, d), got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
            or arr.dtype == np.bool_):
        raise ShapeError(f"{name} must hold real numbers, got dtype {arr.dtype} "
                         f"(shape {arr.shape})")
    if arr.shape[0] < min_rows:
        raise ShapeError(f"{name} has shape {arr.shape}: need at least {min_rows} row(s)")
    if arr.shape[1] < 1:
        raise ShapeError(f"{name} has shape {arr.shape}: need at least one column")
    arr = np.asarray(arr, dtype=dtype)
    check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise :class:`ShapeError` if ``arr`` holds a NaN or an infinity."""
    if arr.size and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = f"row {bad[0]}" if arr.ndim == 2 else f"index {tuple(int(i) for i in bad)}"
        raise ShapeError(f"{name} (shape {arr.shape}) contains NaN or Inf (first at {where})")


def check_same_rows(X: np.ndarray, Y: np.ndarray, xname: str = "X", yname: str = "Y") -> None:
    """Raise :class:`ShapeError` unless ``X`` and ``Y`` have the same number of rows."""
    if X.shape[0] != Y.shape[0]:
        raise ShapeError(f"{xname} has shape {X.shape} but {yname} has shape {Y.shape}: "
                         "row counts differ")


def check_same_cols(X: np.ndarray, Y: np.ndarray, xname: str = "X", yname: str = "Y") -> None:
    """Raise :class:`ShapeError` unless ``X`` and ``Y`` have the same number of columns."""
    if X.shape[1] != Y.shape[1]:
        raise ShapeError(f"{xname} has shape {X.shape} but {yname} has shape {Y.shape}: "
                         "dimensions differ")


def check_choice(value: str, choices, what: str) -> str:
    """Return ``value`` if it is one of ``choices``, else raise :class:`UnknownNameError`."""
    if value not in choices:
        raise UnknownNameError(
            f"unknown {what} {value!r}{did_you_mean(str(value), choices)}; "
            f"choose one of: {', '.join(repr(c) for c in choices)}"
        )
    return value


def check_positive_int(value, name: str) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= 1, else raise :class:`ShapeError`."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ShapeError(f"{name} must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ShapeError(f"{name}={value} must be >= 1")
    return int(value)


# --------------------------------------------------------------------------- normalise


def unit_rows(X) -> np.ndarray:
    """A float64 copy of ``X`` (..., d) with every vector along the last axis scaled to unit L2 norm.

    Zero vectors stay zero.
    """
    X = np.array(X, dtype=np.float64)
    if X.ndim < 1 or X.shape[-1] == 0:
        raise ShapeError(f"unit_rows needs vectors along a non-empty last axis, got shape {X.shape}")
    return _unit_rows(X.reshape(-1, X.shape[-1])).reshape(X.shape)


def _unit_rows(X: np.ndarray) -> np.ndarray:
    """Scale rows of a float64 array to unit L2 norm in place; zero rows stay zero."""
    norms = np.sqrt(np.einsum("ij,ij->i", X, X))
    norms[norms == 0.0] = 1.0
    X /= norms[:, None]
    return X


def _center_cols(X: np.ndarray) -> np.ndarray:
    """Subtract the column means of a float64 array in place."""
    X -= X.mean(axis=0, keepdims=True)
    return X


def normalize(X, method: NormalizeMethod) -> np.ndarray:
    """Normalise an embedding matrix, returning a new float64 array.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Embeddings, one row per word. Any real dtype; float32 storage is typical.
    method : {"none", "unit", "center", "unit+center+unit"}
        ``"none"``: a float64 copy. ``"unit"``: every row scaled to unit L2 norm (an
        all-zero row stays zero). ``"center"``: the column mean subtracted.
        ``"unit+center+unit"``: VecMap's recipe, unit rows, centre, unit rows again.

    Returns
    -------
    ndarray, shape (n, d), float64
        Solvers compute in float64; cast back to float32 for storage or retrieval.

    Raises
    ------
    UnknownNameError
        ``method`` is not one of the four names (with a "did you mean").
    ShapeError
        ``X`` is not a finite 2-D real array.
    """
    check_choice(method, _METHODS, "normalisation method")
    out = np.array(check_matrix(X, "X"), dtype=np.float64, copy=True)
    if method == "unit":
        _unit_rows(out)
    elif method == "center":
        _center_cols(out)
    elif method == "unit+center+unit":
        _unit_rows(_center_cols(_unit_rows(out)))
    return out


def standardize(V) -> np.ndarray:
    """Per-dimension z-score over the rows (float64); constant dimensions become 0."""
    V = np.asarray(V, dtype=np.float64)
    sd = V.std(axis=0)
    return np.divide(V - V.mean(axis=0), sd, out=np.zeros_like(V), where=sd > 0)

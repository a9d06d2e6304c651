"""Bootstrap confidence intervals over test items.

Every headline number carries a 95 % percentile-bootstrap CI over test items
(DESIGN.md). Resampling is over axis 0 (items), with a seeded ``numpy`` Generator, so a
given (values, seed, n_resamples) always gives the same interval.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import check_finite, check_positive_int

__all__ = ["bootstrap_ci"]

#: Resample indices drawn at a time (bounds memory: ~32 MB of int64 indices).
_MAX_INDEX_ELEMENTS = 1 << 22


def bootstrap_ci(
    values,
    *,
    statistic: Callable[[np.ndarray], float] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of a statistic over items.

    Parameters
    ----------
    values : array_like, shape (n_items,) or (n_items, m)
        Per-item values (e.g. :func:`~benchmark.scoring.retrieval.hits_at_k`), or
        per-item columns for a ratio statistic.
    statistic : callable, optional
        Called on one resampled array (same shape as ``values``, rows drawn with
        replacement) and returning a scalar. Default: the mean (1-D ``values`` only;
        vectorised over resamples). E.g. a residual CI with
        ``values = np.column_stack([sq_err, sq_norm])`` and
        ``statistic = lambda a: np.sqrt(a[:, 0].sum() / a[:, 1].sum())``.
    n_resamples : int
        Number of bootstrap resamples (>= 1).
    confidence : float
        Coverage of the interval, in (0, 1).
    seed : int
        Seed of the ``numpy.random.Generator``; same inputs and seed, same interval.

    Returns
    -------
    (low, high) : tuple of float

    Raises
    ------
    ShapeError
        ``values`` empty, not 1-D/2-D, or non-finite; 2-D without a ``statistic``; a
        bad ``n_resamples``/``confidence``; or a statistic that returns a non-finite or
        non-scalar value.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim not in (1, 2) or v.shape[0] == 0:
        raise ShapeError(f"values must be a non-empty 1-D or 2-D array (items on axis 0), "
                         f"got shape {v.shape}")
    check_finite(v, "values")
    if statistic is None and v.ndim != 1:
        raise ShapeError(f"values has shape {v.shape}: pass a statistic for 2-D values")
    n_resamples = check_positive_int(n_resamples, "n_resamples")
    confidence = float(confidence)
    if not 0.0 < confidence < 1.0:
        raise ShapeError(f"confidence must be in (0, 1), got {confidence}")

    n = v.shape[0]
    rng = np.random.default_rng(seed)
    per_draw = max(1, min(n_resamples, _MAX_INDEX_ELEMENTS // n))
    boot = np.empty(n_resamples, dtype=np.float64)
    for s0 in range(0, n_resamples, per_draw):
        m = min(per_draw, n_resamples - s0)
        idx = rng.integers(0, n, size=(m, n))
        if statistic is None:
            boot[s0:s0 + m] = v[idx].mean(axis=1)
            continue
        for j in range(m):
            out = np.asarray(statistic(v[idx[j]]), dtype=np.float64)
            if out.shape != ():
                raise ShapeError(f"statistic must return a scalar, got shape {out.shape}")
            boot[s0 + j] = out
    if not np.isfinite(boot).all():
        raise ShapeError("statistic returned NaN or Inf on a resample "
                         f"(values shape {v.shape})")
    alpha = 100.0 * (1.0 - confidence) / 2.0
    low, high = np.percentile(boot, [alpha, 100.0 - alpha])
    return float(low), float(high)

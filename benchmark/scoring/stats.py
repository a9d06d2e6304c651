"""Bootstrap confidence intervals that resample the independent unit.

Every headline number carries a 95 % percentile-bootstrap CI that resamples the independent
unit: test words, or -- for observations clustered by word (occurrences of one word in several
sentences) -- whole words (:func:`cluster_bootstrap_ci`). A difference of two independent
samples resamples each sample on its own (:func:`difference_ci`). Resampling uses a seeded
``numpy`` Generator, so given (values, seed, n_resamples) always give the same interval.
"""

from __future__ import annotations

import math
import warnings
from typing import Callable, Mapping

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import check_finite, check_positive_int

__all__ = ["bootstrap_ci", "cluster_bootstrap_ci", "difference_ci"]

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
    confidence = _check_confidence(confidence)

    rng = np.random.default_rng(seed)
    boot = np.empty(n_resamples, dtype=np.float64)
    for s0, idx in _index_batches(rng, v.shape[0], n_resamples):
        if statistic is None:
            boot[s0:s0 + len(idx)] = v[idx].mean(axis=1)
            continue
        for j in range(len(idx)):
            out = np.asarray(statistic(v[idx[j]]), dtype=np.float64)
            if out.shape != ():
                raise ShapeError(f"statistic must return a scalar, got shape {out.shape}")
            boot[s0 + j] = out
    if not np.isfinite(boot).all():
        raise ShapeError("statistic returned NaN or Inf on a resample "
                         f"(values shape {v.shape})")
    return _percentile_interval(boot, confidence)


def _index_batches(rng: np.random.Generator, n: int, n_resamples: int):
    """Yield ``(first resample, indices (m, n))``: resamples of range(n) with replacement, memory-bounded."""
    per_draw = max(1, min(n_resamples, _MAX_INDEX_ELEMENTS // n))
    for s0 in range(0, n_resamples, per_draw):
        yield s0, rng.integers(0, n, size=(min(per_draw, n_resamples - s0), n))


def _check_confidence(confidence) -> float:
    confidence = float(confidence)
    if not 0.0 < confidence < 1.0:
        raise ShapeError(f"confidence must be in (0, 1), got {confidence}")
    return confidence


def _percentile_interval(boot: np.ndarray, confidence: float) -> tuple[float, float]:
    alpha = 100.0 * (1.0 - confidence) / 2.0
    low, high = np.percentile(boot, [alpha, 100.0 - alpha])
    return float(low), float(high)


def _sample(values, name: str) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or v.shape[0] == 0:
        raise ShapeError(f"{name} must be a non-empty 1-D array, got shape {v.shape}")
    check_finite(v, name)
    return v


def _resampled_means(v: np.ndarray, rng: np.random.Generator, n_resamples: int) -> np.ndarray:
    """Means of ``n_resamples`` resamples of ``v`` with replacement, drawn in memory-bounded batches."""
    out = np.empty(n_resamples, dtype=np.float64)
    for s0, idx in _index_batches(rng, v.shape[0], n_resamples):
        out[s0:s0 + len(idx)] = v[idx].mean(axis=1)
    return out


def cluster_bootstrap_ci(
    values,
    clusters,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of clustered observations, resampling whole clusters.

    Observations of one cluster (e.g. the 16 occurrences of one word) are not independent, so
    resampling them one by one gives intervals that are too narrow. Here a resample draws
    clusters with replacement and keeps all their observations; the statistic is the pooled
    mean (sum of the drawn clusters' values over their number of observations), which is the
    plain mean on the original sample.

    Parameters
    ----------
    values : array_like, shape (n_obs,)
        One value per observation (e.g. 0/1 hits).
    clusters : array_like, shape (n_obs,)
        The cluster label of each observation (any hashable values; e.g. the word).
    n_resamples, confidence, seed
        As in :func:`bootstrap_ci`.

    Returns
    -------
    (low, high) : tuple of float

    Raises
    ------
    ShapeError
        Empty or non-finite ``values``, ``clusters`` of another length, or bad
        ``n_resamples`` / ``confidence``.
    """
    v = _sample(values, "values")
    labels = np.asarray(clusters)
    if labels.shape != v.shape:
        raise ShapeError(f"clusters has shape {labels.shape} but values has shape {v.shape}")
    n_resamples = check_positive_int(n_resamples, "n_resamples")
    confidence = _check_confidence(confidence)
    _, inverse = np.unique(labels, return_inverse=True)
    sums = np.bincount(inverse, weights=v)
    counts = np.bincount(inverse).astype(np.float64)
    rng = np.random.default_rng(seed)
    boot = np.empty(n_resamples, dtype=np.float64)
    for s0, idx in _index_batches(rng, sums.shape[0], n_resamples):
        boot[s0:s0 + len(idx)] = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    return _percentile_interval(boot, confidence)


def difference_ci(
    a,
    b,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap CI of mean(a) − mean(b) for two independent samples.

    Each sample is resampled on its own (sizes fixed at len(a) and len(b)), as the two come
    from different units (e.g. corpus words and groups of random words).

    Parameters
    ----------
    a : array_like, shape (n_a,)
    b : array_like, shape (n_b,)
    n_resamples, confidence, seed
        As in :func:`bootstrap_ci`.

    Returns
    -------
    (low, high) : tuple of float

    Raises
    ------
    ShapeError
        Empty, non-1-D or non-finite samples, or bad ``n_resamples`` / ``confidence``.
    """
    a, b = _sample(a, "a"), _sample(b, "b")
    n_resamples = check_positive_int(n_resamples, "n_resamples")
    confidence = _check_confidence(confidence)
    rng = np.random.default_rng(seed)
    boot = _resampled_means(a, rng, n_resamples) - _resampled_means(b, rng, n_resamples)
    return _percentile_interval(boot, confidence)


def holm(pvalues: Mapping[str, float]) -> dict[str, float]:
    """Holm–Bonferroni adjusted p-values (step-down, monotone, capped at 1)."""
    order = sorted(pvalues, key=lambda k: (pvalues[k], k))
    m = len(order)
    out, running = {}, 0.0
    for i, k in enumerate(order):
        running = max(running, min(1.0, (m - i) * pvalues[k]))
        out[k] = running
    return out


def spearman_rho(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float | None, int]:
    """Spearman ρ of two ``key → value`` maps over their common keys, and that count.

    ρ is ``None`` with fewer than 3 common keys or a constant side.
    """
    from scipy.stats import spearmanr

    common = sorted(set(a) & set(b))
    x, y = [a[k] for k in common], [b[k] for k in common]
    if len(common) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None, len(common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = float(spearmanr(x, y).statistic)
    return (r if math.isfinite(r) else None), len(common)

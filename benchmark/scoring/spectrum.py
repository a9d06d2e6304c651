"""Singular-value spectra of word-category matrices and their sharpness.

A *category matrix* stacks the N word vectors of one category (``vehicles``,
``months`` ...) as the rows of an N×D matrix E.  Its singular spectrum says how
many directions the category spreads over: a category that lives on a few
dominant axes has a *sharp* spectrum.  Sharpness is only meaningful relative to
a control, so every observed metric is compared with a null distribution made
of random word sets of the same size, drawn from the same model
(:func:`null_distribution`, optionally frequency-matched with
:func:`frequency_matched_sampler`), and summarised by :func:`null_comparison`.

Conventions
-----------
- All arithmetic is float64, whatever the input dtype (vectors are stored as
  float32; solvers compute in float64).
- Rows are mean-centred by default.  After centring the rank is at most
  N − 1, so when N ≤ D the last singular value is zero up to rounding
  (σ_N / σ_1 below 1e-6 in float64; reported as ``zero_tail``).
- Metrics are computed from the *variance shares* p_i = σ_i² / Σ_j σ_j²
  (the eigenvalues of the sample covariance, normalised):

  ===================  ==============================  ===============
  name                 formula                         sharper when
  ===================  ==============================  ===============
  sigma1_share         p_1                             higher
  topk_share           Σ_{i≤k} p_i                     higher
  effective_rank       exp(−Σ p_i ln p_i)              lower
  participation_ratio  (Σσ²)² / Σσ⁴ = 1 / Σ p_i²       lower
  sigma1_over_sigma2   σ_1 / σ_2                       higher
  zero_tail            σ_min / σ_1                     (sanity check)
  ===================  ==============================  ===============

  Roy & Vetterli (2007) define the effective rank with p_i = σ_i / Σσ_j
  (shares of the singular values); we use σ² (shares of variance), as the
  participation ratio does, because published code disagrees on the choice
  and the variance form makes exp(H) ≥ 1/Σp² (Rényi order 1 ≥ order 2)
  directly comparable with the participation ratio.  Numbers computed with
  the σ form are *not* comparable with ours.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable, Literal, Mapping, NamedTuple, Sequence

import numpy as np

from benchmark.errors import ShapeError, UnknownNameError
from benchmark.registry import did_you_mean
from benchmark.scoring.threads import map_in_order, thread_local_buffer

__all__ = [
    "METRIC_NAMES",
    "SHARPER_IS_HIGHER",
    "FrequencyMatchedSampler",
    "NullDistribution",
    "SpectrumSummary",
    "compare_with_null",
    "frequency_matched_sampler",
    "null_comparison",
    "null_distribution",
    "draw_indices",
    "uniform_subsets",
    "sharper_is_higher",
    "singular_spectrum",
    "spectrum_metrics",
    "summarize_spectrum",
]

#: Metric names, in the column order used by :func:`null_distribution`.
METRIC_NAMES: tuple[str, ...] = (
    "sigma1_share",
    "topk_share",
    "effective_rank",
    "participation_ratio",
    "sigma1_over_sigma2",
    "zero_tail",
)

#: Direction of sharpness for each sharpness metric: ``True`` when a higher
#: value means a sharper (more concentrated) spectrum.  ``zero_tail`` is a
#: sanity check, not a sharpness metric, and is deliberately absent.
SHARPER_IS_HIGHER: dict[str, bool] = {
    "sigma1_share": True,
    "topk_share": True,
    "sigma1_over_sigma2": True,
    "effective_rank": False,
    "participation_ratio": False,
}

_ZERO_VARIANCE = "category matrix has zero variance after centring"

# Bound on the float64 bytes of one stacked (chunk, N, D) block in the null.
_DEFAULT_CHUNK_BYTES = 32 * 2**20


# --------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------


def _as_matrix(E, name: str = "E", *, min_rows: int = 2) -> np.ndarray:
    """Return ``E`` as a finite float64 2-D array or raise :class:`ShapeError`."""
    try:
        arr = np.asarray(E)
    except Exception as exc:  # ragged nested lists and the like
        raise ShapeError(f"{name} is not an array: {exc}") from exc
    if arr.ndim != 2:
        raise ShapeError(f"{name} must be a 2-D (N, D) matrix, got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise ShapeError(f"{name} must be numeric (real), got dtype {arr.dtype} with shape {arr.shape}")
    n, d = arr.shape
    if n < min_rows or d < 1:
        raise ShapeError(f"{name} needs at least {min_rows} rows and 1 column, got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    _check_finite(arr, name)
    return arr


def _check_finite(arr: np.ndarray, name: str, row_labels: np.ndarray | None = None) -> None:
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.argwhere(~finite)[0]
        pos = tuple(int(i) for i in bad)
        if row_labels is not None:
            pos = (int(row_labels[pos[0]]),) + pos[1:]
        raise ShapeError(f"{name} has a non-finite entry {float(arr[tuple(bad)])!r} at index {pos} (shape {arr.shape})")


def _centre(X: np.ndarray, axis: int) -> np.ndarray:
    """Subtract the mean along ``axis``; columns that are constant become exactly 0.

    The mean of identical floats need not equal them (0.1 + 0.1 + 0.1 ≠ 0.3),
    so a constant column would leave ~1e-17 residue; it is zeroed so that a
    constant matrix has an exactly zero spectrum.
    """
    Xc = X - X.mean(axis=axis, keepdims=True)
    const = np.ptp(X, axis=axis, keepdims=True) == 0
    if const.any():
        Xc = np.where(const, 0.0, Xc)
    return Xc


def _centre_in_place(X: np.ndarray, axis: int, mask: np.ndarray) -> None:
    """:func:`_centre` written into ``X`` itself (bitwise the same values); ``mask`` is a bool scratch
    array of ``X``'s shape."""
    first = np.take(X, [0], axis=axis)
    const = np.equal(X, first, out=mask).all(axis=axis, keepdims=True)  # ptp == 0, before X changes
    X -= X.mean(axis=axis, keepdims=True)
    if const.any():
        np.copyto(X, 0.0, where=np.broadcast_to(const, X.shape))


def _resolve_metrics(metrics: Sequence[str] | None) -> tuple[str, ...]:
    if metrics is None:
        return METRIC_NAMES
    if isinstance(metrics, str):
        metrics = (metrics,)
    out = []
    for m in metrics:
        if m not in METRIC_NAMES:
            raise UnknownNameError(
                f"unknown spectrum metric {m!r}{did_you_mean(m, METRIC_NAMES)}; "
                f"known: {', '.join(METRIC_NAMES)}"
            )
        out.append(m)
    return tuple(out)


def sharper_is_higher(metric: str) -> bool:
    """Return whether a higher ``metric`` means a sharper spectrum.

    Raises
    ------
    UnknownNameError
        ``metric`` is not a sharpness metric (message suggests close names).
    """
    try:
        return SHARPER_IS_HIGHER[metric]
    except KeyError:
        raise UnknownNameError(
            f"unknown sharpness metric {metric!r}{did_you_mean(metric, SHARPER_IS_HIGHER)}; "
            f"known: {', '.join(SHARPER_IS_HIGHER)}"
        ) from None


# --------------------------------------------------------------------------
# spectrum and summary
# --------------------------------------------------------------------------


def singular_spectrum(E, *, center: bool = True) -> np.ndarray:
    """Singular values of a (mean-centred) category matrix, in descending order.

    Parameters
    ----------
    E : array_like, shape (N, D)
        One row per word vector, N ≥ 2, all entries finite.  Any real dtype;
        the computation is done in float64.
    center : bool, default True
        Subtract the column means (the category centroid) first.  After
        centring the rank is at most N − 1, so the last singular value is
        zero up to rounding when N ≤ D.

    Returns
    -------
    sigma : ndarray, shape (min(N, D),), float64
        Descending, non-negative singular values.

    Raises
    ------
    ShapeError
        ``E`` is not 2-D, has fewer than 2 rows, is not numeric, or has a
        non-finite entry (the message names the shape / the entry).
    """
    X = _as_matrix(E)
    if center:
        X = _centre(X, axis=0)
    return np.linalg.svd(X, compute_uv=False)


@dataclass(frozen=True)
class SpectrumSummary:
    """Sharpness summary of one singular spectrum.

    Attributes
    ----------
    sigma1_share : float
        σ1² / Σσ², the share of variance on the top direction, in (0, 1].
    topk_share : float
        Σ_{i≤k} σi² / Σσ² for ``top_k`` = k (all values when fewer than k).
    effective_rank : float
        exp(H(p)) with p = σ²/Σσ² and H the Shannon entropy in nats; in
        [1, number of nonzero σ].  NB: variance shares, not Roy & Vetterli's σ/Σσ.
    participation_ratio : float
        (Σσ²)² / Σσ⁴ = 1/Σp²; in [1, effective_rank].
    sigma1_over_sigma2 : float
        σ1/σ2; ``inf`` when σ2 = 0 exactly or there is a single singular
        value.  For rank-1 data σ2 is rounding noise, so the ratio is huge
        (~1e15) but not reproducible across rotations or platforms.
    zero_tail : float
        σ_min/σ1 (last singular value relative to the first); ≈ 0 after
        centring when N ≤ D.
    top_k : int
        The k used for ``topk_share``.
    n, d : int or None
        Shape of the category matrix, when known.
    """

    sigma1_share: float
    topk_share: float
    effective_rank: float
    participation_ratio: float
    sigma1_over_sigma2: float
    zero_tail: float
    top_k: int
    n: int | None = None
    d: int | None = None

    def metrics(self) -> dict[str, float]:
        """The six metrics of :data:`METRIC_NAMES` as a dict of floats."""
        return {name: getattr(self, name) for name in METRIC_NAMES}

    def as_dict(self) -> dict:
        """All fields (metrics, ``top_k``, ``n``, ``d``) as a plain dict."""
        return asdict(self)


def _summary_matrix(sig: np.ndarray, top_k: int) -> np.ndarray:
    """Vectorised metrics for a batch of spectra.

    Parameters
    ----------
    sig : ndarray, shape (B, r)
        Descending, non-negative singular values, one spectrum per row, with
        sigma_1 > 0.
    top_k : int

    Returns
    -------
    ndarray, shape (B, len(METRIC_NAMES)), columns in METRIC_NAMES order.
    """
    # every metric is scale-free: divide by sigma_1 first so that squaring
    # neither overflows (sigma ~ 1e200) nor underflows (sigma ~ 1e-200)
    sig = sig / sig[:, :1]
    s2 = sig * sig
    total = s2.sum(axis=1)
    p = s2 / total[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        entropy = -plogp.sum(axis=1)
        if sig.shape[1] >= 2:
            ratio = np.where(sig[:, 1] > 0, sig[:, 0] / sig[:, 1], np.inf)
        else:
            ratio = np.full(sig.shape[0], np.inf)
    out = np.empty((sig.shape[0], len(METRIC_NAMES)))
    out[:, 0] = p[:, 0]
    out[:, 1] = p[:, :top_k].sum(axis=1)
    out[:, 2] = np.exp(np.maximum(entropy, 0.0))
    out[:, 3] = 1.0 / (p * p).sum(axis=1)
    out[:, 4] = ratio
    out[:, 5] = sig[:, -1] / sig[:, 0]
    return out


def summarize_spectrum(sigma, *, top_k: int = 3, shape: tuple[int, int] | None = None) -> SpectrumSummary:
    """Sharpness metrics of one singular spectrum.

    Parameters
    ----------
    sigma : array_like, shape (r,)
        Singular values (any order; sorted descending here), finite and ≥ 0.
    top_k : int, default 3
        k for ``topk_share``; must be ≥ 1.
    shape : (int, int), optional
        (N, D) of the matrix the spectrum came from, stored as ``n``, ``d``.

    Returns
    -------
    SpectrumSummary
        See the class for formulas.  Shares use p = σ²/Σσ² (variance shares).

    Raises
    ------
    ShapeError
        ``sigma`` is not a non-empty 1-D finite non-negative array, or all
        σ are zero ("category matrix has zero variance after centring").
    """
    s = np.asarray(sigma, dtype=np.float64)
    if s.ndim != 1 or s.size == 0:
        raise ShapeError(f"sigma must be a non-empty 1-D array, got shape {s.shape}")
    _check_finite(s, "sigma")
    if (s < 0).any():
        raise ShapeError(f"sigma must be non-negative, got {float(s[s < 0][0])!r} at index {int(np.argmax(s < 0))}")
    if not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ShapeError(f"top_k must be a positive integer, got {top_k!r}")
    s = np.sort(s)[::-1]
    if not s[0] > 0:
        raise ShapeError(_ZERO_VARIANCE)
    row = _summary_matrix(s[None, :], int(top_k))[0]
    n, d = (None, None) if shape is None else (int(shape[0]), int(shape[1]))
    return SpectrumSummary(*(float(v) for v in row), top_k=int(top_k), n=n, d=d)


def spectrum_metrics(E, *, center: bool = True, top_k: int = 3) -> dict[str, float]:
    """:func:`singular_spectrum` then :func:`summarize_spectrum`, as a dict.

    Parameters
    ----------
    E : array_like, shape (N, D)
    center : bool, default True
    top_k : int, default 3

    Returns
    -------
    dict
        The six metrics of :data:`METRIC_NAMES` (floats) plus ``n`` and ``d``
        (ints).
    """
    X = _as_matrix(E)
    summary = summarize_spectrum(singular_spectrum(X, center=center), top_k=top_k, shape=X.shape)
    return {**summary.metrics(), "n": summary.n, "d": summary.d}


# --------------------------------------------------------------------------
# null distribution
# --------------------------------------------------------------------------


class NullDistribution(NamedTuple):
    """Metrics of random word sets: ``values[i, j]`` is metric ``names[j]`` of draw i.

    Unpacks as ``values, names = null_distribution(...)``.
    """

    values: np.ndarray
    names: tuple[str, ...]

    def column(self, name: str) -> np.ndarray:
        """The (n_draws,) column of metric ``name``."""
        if name not in self.names:
            raise UnknownNameError(
                f"metric {name!r} is not in this null distribution{did_you_mean(name, self.names)}; "
                f"columns: {', '.join(self.names)}"
            )
        return self.values[:, self.names.index(name)]


def null_distribution(
    vectors,
    set_size: int,
    n_draws: int = 1000,
    *,
    seed: int | None = 0,
    sampler: Callable[[np.random.Generator], np.ndarray] | None = None,
    metric_fn: Callable[[np.ndarray], Mapping[str, float]] | None = None,
    metrics: Sequence[str] | None = None,
    center: bool = True,
    top_k: int = 3,
    method: Literal["gram", "svd"] = "gram",
    max_chunk_bytes: int = _DEFAULT_CHUNK_BYTES,
    return_spectra: bool = False,
    indices: np.ndarray | None = None,
    workers: int | None = None,
) -> NullDistribution | tuple[NullDistribution, np.ndarray]:
    """Spectrum metrics of ``n_draws`` random row subsets of ``vectors``.

    Each draw takes ``set_size`` distinct rows (uniformly, or from
    ``sampler``), forms the (set_size, D) matrix X and centres it as
    :func:`singular_spectrum` does.  Spectra are computed in chunks over a
    stacked (chunk, set_size, D) float64 array of at most ``max_chunk_bytes``.

    The pool is whatever the caller passes: exclude the category's own words
    from it (or not) before calling, and say which.

    Parameters
    ----------
    vectors : array_like, shape (M, D)
        The candidate pool (one row per word).  Rows are read lazily, so a
        float32 memory map works; only drawn rows are checked for finiteness
        (the error names the pool row).
    set_size : int
        Rows per draw, 2 ≤ set_size ≤ M (the category size).
    n_draws : int, default 1000
    seed : int or None, default 0
        Seed of ``np.random.default_rng``; the same seed gives bit-identical
        results.
    sampler : callable, optional
        ``sampler(rng) -> indices``: returns ``set_size`` distinct row indices
        into ``vectors`` for one draw (e.g. :func:`frequency_matched_sampler`).
        Default: uniform without replacement within a draw.
    metric_fn : callable, optional
        ``metric_fn(sigma) -> mapping`` computing custom metrics from one
        descending spectrum; the column names are the first result's keys.
        Default: the built-in vectorised metrics of :data:`METRIC_NAMES`.
    metrics : sequence of str, optional
        Subset of :data:`METRIC_NAMES` to keep (ignored with ``metric_fn``).
    center : bool, default True
    top_k : int, default 3
    method : {"gram", "svd"}, default "gram"
        ``"svd"``: batched ``np.linalg.svd`` of X, exactly as
        :func:`singular_spectrum`.  ``"gram"``: σ = √eig of the smaller Gram
        matrix (X Xᵀ when N ≤ D, else Xᵀ X), negative rounding clamped to 0;
        5–10× faster for N ≪ D (N = 25, D = 640).  The eigenvalues σ² carry
        an absolute error of about eps·σ₁², so the variance shares (every
        sharpness metric) agree with ``"svd"`` to ~1e-15, while a zero tail
        reads ~1e-8·σ₁ instead of ~1e-16·σ₁.
    max_chunk_bytes : int, default 32 MiB
        Memory bound of one stacked chunk.
    return_spectra : bool, default False
        Also return every draw's descending spectrum.
    indices : ndarray, shape (n_draws, set_size), optional
        The draws themselves, as :func:`draw_indices` returns them (``seed``
        and ``sampler`` are then unused): callers that measure several
        spaces over the same rows and pool (the layers of one model) draw
        once and pass the same draws, with identical results.
    workers : int, optional
        Threads computing chunks at once (default: one per core,
        :data:`benchmark.scoring.threads.WORKERS`); results are bitwise the same
        for any number.

    Returns
    -------
    NullDistribution
        ``values`` (n_draws, n_metrics) float64 and ``names``.
    spectra : ndarray, shape (n_draws, min(set_size, D)), float64
        Only with ``return_spectra``.

    Raises
    ------
    ShapeError
        Bad pool, sizes or sampler output, or a draw with zero variance
        (a pool with duplicate rows, e.g. spaCy keys sharing a row).
    UnknownNameError
        An unknown name in ``metrics``.
    """
    pool = np.asarray(vectors)
    if pool.ndim != 2 or pool.dtype.kind not in "biuf":
        raise ShapeError(f"vectors must be a real 2-D (M, D) matrix, got shape {pool.shape} dtype {pool.dtype}")
    m, d = pool.shape
    if not isinstance(set_size, (int, np.integer)) or not 2 <= set_size <= m:
        raise ShapeError(f"set_size must be an integer in [2, {m}] for a pool of shape {pool.shape}, got {set_size!r}")
    if not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise ShapeError(f"n_draws must be a positive integer, got {n_draws!r}")
    if d < 1:
        raise ShapeError(f"vectors must have at least one column, got shape {pool.shape}")
    if not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ShapeError(f"top_k must be a positive integer, got {top_k!r}")
    if method not in ("gram", "svd"):
        raise UnknownNameError(f"unknown spectrum method {method!r}{did_you_mean(str(method), ('gram', 'svd'))}")
    set_size, n_draws = int(set_size), int(n_draws)
    names = _resolve_metrics(metrics) if metric_fn is None else None
    cols = None if names is None else [METRIC_NAMES.index(n) for n in names]

    if indices is None:
        indices = draw_indices(m, set_size, n_draws, seed=seed, sampler=sampler)
    else:
        indices = np.asarray(indices)
        if indices.shape != (n_draws, set_size) or indices.dtype.kind not in "iu":
            raise ShapeError(f"indices must be ({n_draws}, {set_size}) integers, got shape {indices.shape} "
                             f"dtype {indices.dtype}")
        if n_draws and (indices.min() < 0 or indices.max() >= m):
            raise ShapeError(f"indices holds a row outside [0, {m})")

    chunk = min(n_draws, max(1, int(max_chunk_bytes) // (8 * set_size * d)))
    # Every thread reuses one float64 block and one mask for its chunks: a fresh 32 MiB array per chunk
    # costs more in page faults than the arithmetic on it.
    scratch = thread_local_buffer(lambda: (np.empty((chunk * set_size, d), dtype=np.float64),
                                           np.empty((chunk * set_size, d), dtype=bool)))

    def chunk_spectra(start: int) -> np.ndarray:
        idx = indices[start:start + chunk]
        flat = idx.reshape(-1)
        block_buf, mask_buf = scratch.get()
        block = block_buf[:flat.size]
        block[...] = pool[flat]
        if not np.isfinite(block, out=mask_buf[:flat.size]).all():
            _check_finite(block, "vectors", row_labels=flat)
        block = block.reshape(idx.shape[0], set_size, d)
        if center:
            _centre_in_place(block, axis=1, mask=mask_buf[:flat.size].reshape(block.shape))
        sig = _batched_spectrum(block) if method == "gram" else np.linalg.svd(block, compute_uv=False)
        zero = ~(sig[:, 0] > 0)
        if zero.any():
            k = int(np.argmax(zero))
            raise ShapeError(
                f"{_ZERO_VARIANCE}: null draw {start + k} (pool rows {idx[k].tolist()[:10]}...) "
                "— the pool has duplicate rows"
            )
        return sig

    rows: list[np.ndarray] = []
    spectra: list[np.ndarray] = []
    for sig in map_in_order(chunk_spectra, range(0, n_draws, chunk), workers=workers):
        if return_spectra:
            spectra.append(sig)
        if metric_fn is None:
            rows.append(_summary_matrix(sig, int(top_k))[:, cols])
        else:
            for s in sig:
                res = metric_fn(s)
                if names is None:
                    names = tuple(str(k) for k in res)
                rows.append(np.array([[float(res[k]) for k in names]]))
    null = NullDistribution(np.concatenate(rows, axis=0), tuple(names))
    return (null, np.concatenate(spectra, axis=0)) if return_spectra else null


def draw_indices(
    m: int,
    set_size: int,
    n_draws: int,
    *,
    seed: int | None = 0,
    sampler: Callable[[np.random.Generator], np.ndarray] | None = None,
) -> np.ndarray:
    """The row draws of :func:`null_distribution`: ``n_draws`` sets of ``set_size`` distinct rows of ``m``.

    Parameters
    ----------
    m : int
        Pool size (rows of ``vectors``).
    set_size, n_draws, seed, sampler
        As in :func:`null_distribution`; each sampler output is checked
        (shape, range, distinct).

    Returns
    -------
    ndarray, shape (n_draws, set_size), intp
    """
    rng = np.random.default_rng(seed)
    indices = np.empty((n_draws, set_size), dtype=np.intp)
    for i in range(n_draws):
        if sampler is None:
            indices[i] = rng.choice(m, size=set_size, replace=False)
        else:
            indices[i] = _check_draw(sampler(rng), set_size, m, i)
    return indices


def _batched_spectrum(block: np.ndarray) -> np.ndarray:
    """Descending singular values of each (N, D) matrix of ``block`` from its smaller Gram matrix."""
    n, d = block.shape[1:]
    gram = block @ block.transpose(0, 2, 1) if n <= d else block.transpose(0, 2, 1) @ block
    eig = np.linalg.eigvalsh(gram)[:, ::-1]
    return np.sqrt(np.clip(eig, 0.0, None))


#: Bound on the random keys :func:`uniform_subsets` holds at once (float64 entries).
_SUBSET_KEYS_PER_CHUNK = 1 << 22


def uniform_subsets(rng: np.random.Generator, n: int, k: int, n_draws: int) -> np.ndarray:
    """``n_draws`` independent uniform k-subsets of ``range(n)``, one per row.

    Vectorised over draws; two exact methods, chosen by the size of the
    subset against the population (never by the data):

    - k(k − 1) ≤ n: k indices with replacement per row, and rows holding a
      repeat drawn again until none does.  A row accepted this way is uniform
      over the ordered k-tuples of distinct indices, so its set is uniform
      over k-subsets; at least ≈ 60 % of rows are accepted per round.
    - otherwise (n < k², a small population): n uniform keys per row and the
      indices of the k smallest, in blocks of at most
      :data:`_SUBSET_KEYS_PER_CHUNK` keys.

    Parameters
    ----------
    rng : numpy.random.Generator
    n : int
        Population size, n ≥ k.
    k : int
        Subset size, 1 ≤ k.
    n_draws : int
        Rows, ≥ 1.

    Returns
    -------
    ndarray, shape (n_draws, k), intp
        Distinct indices within each row, in no particular order.
    """
    n, k, n_draws = int(n), int(k), int(n_draws)
    if not 1 <= k <= n or n_draws < 1:
        raise ShapeError(f"uniform_subsets needs 1 ≤ k ≤ n and n_draws ≥ 1, got n={n}, k={k}, n_draws={n_draws}")
    if k * (k - 1) <= n:
        out = rng.integers(0, n, size=(n_draws, k), dtype=np.intp)
        redo = np.arange(n_draws)
        while redo.size:
            rows = np.sort(out[redo], axis=1)
            redo = redo[(rows[:, 1:] == rows[:, :-1]).any(axis=1)]
            out[redo] = rng.integers(0, n, size=(redo.size, k), dtype=np.intp)
        return out
    out = np.empty((n_draws, k), dtype=np.intp)
    step = max(1, _SUBSET_KEYS_PER_CHUNK // n)
    for start in range(0, n_draws, step):
        keys = rng.random((min(step, n_draws - start), n))
        out[start:start + keys.shape[0]] = np.argpartition(keys, k - 1, axis=1)[:, :k]
    return out


def _check_draw(idx, set_size: int, m: int, i: int) -> np.ndarray:
    arr = np.asarray(idx)
    if arr.shape != (set_size,) or arr.dtype.kind not in "iu":
        raise ShapeError(
            f"sampler must return {set_size} integer indices, got shape {arr.shape} dtype {arr.dtype} at draw {i}"
        )
    if arr.min() < 0 or arr.max() >= m:
        raise ShapeError(f"sampler returned an index outside [0, {m}) at draw {i}")
    if np.unique(arr).size != set_size:
        raise ShapeError(f"sampler returned duplicate indices at draw {i} (draws are without replacement)")
    return arr


class FrequencyMatchedSampler:
    """Draw index sets whose frequency-rank bins match a category's.

    Built by :func:`frequency_matched_sampler`; call it with a
    ``np.random.Generator`` to get ``set_size`` distinct pool indices, or ask
    :meth:`draws` for many draws at once (vectorised over draws: one call per
    bin instead of one per bin per draw).

    Attributes
    ----------
    set_size : int
        Number of category words (indices per draw).
    bin_edges : ndarray, shape (n_bins + 1,)
        Edges in log(1 + rank) space, after merging.
    target_counts : ndarray, shape (n_bins,)
        Category words per bin (drawn per bin per draw).
    pool_counts : ndarray, shape (n_bins,)
        Pool words available per bin.
    pool_bins : ndarray, shape (M,)
        Bin of each pool word, −1 outside the category's rank range.
    """

    def __init__(self, bin_edges, target_counts, pool_bins):
        self.bin_edges = np.asarray(bin_edges, dtype=np.float64)
        self.target_counts = np.asarray(target_counts, dtype=np.intp)
        self.pool_bins = np.asarray(pool_bins, dtype=np.intp)
        self.set_size = int(self.target_counts.sum())
        self._members = [np.flatnonzero(self.pool_bins == b) for b in range(len(self.target_counts))]
        self.pool_counts = np.array([len(x) for x in self._members], dtype=np.intp)

    def __call__(self, rng: np.random.Generator) -> np.ndarray:
        """One draw: ``set_size`` distinct pool indices, ``target_counts[b]`` of them from bin b."""
        return self.draws(rng, 1)[0]

    def draws(self, rng: np.random.Generator, n_draws: int) -> np.ndarray:
        """``n_draws`` independent draws at once: shape (n_draws, set_size), intp.

        Row i holds ``target_counts[b]`` distinct pool indices of bin b, for
        every bin in order, each subset uniform over the bin's pool words.
        The same generator state gives the same draws.
        """
        if not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
            raise ShapeError(f"n_draws must be a positive integer, got {n_draws!r}")
        parts = [members[uniform_subsets(rng, members.size, int(c), int(n_draws))]
                 for members, c in zip(self._members, self.target_counts) if c > 0]
        return np.concatenate(parts, axis=1).astype(np.intp, copy=False)

    def __repr__(self) -> str:
        return (
            f"FrequencyMatchedSampler(set_size={self.set_size}, bins={len(self.target_counts)}, "
            f"target_counts={self.target_counts.tolist()}, pool_counts={self.pool_counts.tolist()})"
        )


def frequency_matched_sampler(
    ranks_of_pool,
    target_ranks,
    *,
    bins: int = 10,
    min_pool_ratio: float = 2.0,
) -> FrequencyMatchedSampler:
    """A sampler for :func:`null_distribution` that matches word frequency.

    Random word sets drawn uniformly from a vocabulary are mostly rare words,
    whose vectors behave differently from a category of common words.  This
    sampler draws, per draw, as many pool words from each frequency band as
    the category has in it.

    Binning: each rank r becomes log(1 + r) (so 0-based and 1-based ranks
    both work).  Bin edges are the quantiles (linearly interpolated, at
    0, 1/bins, …, 1) of the *category's* log-ranks, so each bin holds about
    the same number of category words and the bins span exactly the
    category's rank range; duplicate edges are dropped.  Bins are half-open
    [lo, hi) except the last, which is closed.  Every pool word whose log-rank
    falls in a bin is a candidate for that bin; pool words outside the
    category's range are never drawn.  A bin whose pool holds fewer than
    ``ceil(min_pool_ratio × its category count)`` words is merged with its
    smaller neighbour, repeatedly, so that draws vary.

    Parameters
    ----------
    ranks_of_pool : array_like, shape (M,)
        Frequency rank (lower = more frequent, ≥ 0) of each pool row, aligned
        with the ``vectors`` passed to :func:`null_distribution`.
    target_ranks : array_like, shape (N,)
        Frequency ranks of the category's words (N ≥ 2).
    bins : int, default 10
        Number of quantile bins before merging.
    min_pool_ratio : float, default 2.0
        Minimum pool words per category word in every bin (≥ 1).

    Returns
    -------
    FrequencyMatchedSampler
        ``sampler(rng) -> ndarray (N,)`` of distinct pool indices, and
        ``sampler.draws(rng, n_draws) -> ndarray (n_draws, N)``; its
        ``bin_edges``, ``target_counts``, ``pool_counts`` document the match.

    Raises
    ------
    ShapeError
        Bad ranks, or the pool has too few words in the category's rank
        range even after merging all bins.
    """
    pool = np.asarray(ranks_of_pool, dtype=np.float64)
    target = np.asarray(target_ranks, dtype=np.float64)
    for name, arr in (("ranks_of_pool", pool), ("target_ranks", target)):
        if arr.ndim != 1:
            raise ShapeError(f"{name} must be 1-D, got shape {arr.shape}")
        _check_finite(arr, name)
        if (arr < 0).any():
            raise ShapeError(f"{name} must be ≥ 0, got {float(arr[arr < 0][0])!r} at index {int(np.argmax(arr < 0))}")
    if target.size < 2:
        raise ShapeError(f"target_ranks needs at least 2 words, got {target.size}")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ShapeError(f"bins must be a positive integer, got {bins!r}")
    if not min_pool_ratio >= 1:
        raise ShapeError(f"min_pool_ratio must be ≥ 1, got {min_pool_ratio!r}")

    lp, lt = np.log1p(pool), np.log1p(target)
    edges = np.unique(np.quantile(lt, np.linspace(0.0, 1.0, int(bins) + 1)))
    if edges.size == 1:  # all category words share one rank
        edges = np.array([edges[0], edges[0]])

    def assign(x: np.ndarray, e: np.ndarray) -> np.ndarray:
        b = np.searchsorted(e, x, side="right") - 1
        b[x == e[-1]] = len(e) - 2  # last bin is closed
        b[(x < e[0]) | (x > e[-1])] = -1
        return b

    while True:
        nb = len(edges) - 1
        tcount = np.bincount(assign(lt, edges), minlength=nb)[:nb]
        pb = assign(lp, edges)
        pcount = np.bincount(pb[pb >= 0], minlength=nb)[:nb]
        need = np.ceil(min_pool_ratio * tcount)
        short = np.flatnonzero(pcount < need)
        if short.size == 0:
            break
        if nb == 1:
            raise ShapeError(
                f"the pool has {int(pcount[0])} words with ranks in the category's range "
                f"[{float(np.expm1(edges[0])):.0f}, {float(np.expm1(edges[-1])):.0f}]; "
                f"frequency matching needs at least {int(need[0])} (min_pool_ratio={min_pool_ratio})"
            )
        b = int(short[0])
        if b == 0:
            other = 1
        elif b == nb - 1:
            other = b - 1
        else:
            other = b - 1 if pcount[b - 1] <= pcount[b + 1] else b + 1
        # merging bins b and other removes the edge between them
        edges = np.delete(edges, max(b, other))
    return FrequencyMatchedSampler(edges, tcount, pb)


# --------------------------------------------------------------------------
# comparison with the null
# --------------------------------------------------------------------------


def null_comparison(value: float, null_values, *, higher_is_sharper: bool = True) -> dict:
    """Compare an observed metric with its null distribution.

    Parameters
    ----------
    value : float
        The category's metric.
    null_values : array_like, shape (n,)
        The same metric on n ≥ 2 random sets (finite, or ``inf`` for
        ``sigma1_over_sigma2``; NaN is rejected).
    higher_is_sharper : bool, default True
        Direction of the one-sided test (see :data:`SHARPER_IS_HIGHER`).

    Returns
    -------
    dict
        ``z`` = (value − mean)/std (ddof=1; ±inf when std = 0 and value ≠
        mean, 0 when equal; its sign is *not* flipped for lower-is-sharper
        metrics), ``z_sharp`` (z signed so that positive = sharper),
        ``p_value`` = (1 + #{null at least as sharp as value}) / (1 + n), the
        empirical one-sided p-value, in (0, 1] (at least as sharp means
        null ≥ value when higher is sharper, null ≤ value otherwise),
        ``n_draws``, ``null_mean``, ``null_std``, ``null_p05``, ``null_p95``
        (5th/95th percentiles), ``higher_is_sharper``.
    """
    null = np.asarray(null_values, dtype=np.float64)
    if null.ndim != 1 or null.size < 2:
        raise ShapeError(f"null_values must be 1-D with at least 2 draws, got shape {null.shape}")
    if np.isnan(null).any():
        raise ShapeError(f"null_values has NaN at index {int(np.argmax(np.isnan(null)))}")
    value = float(value)
    if math.isnan(value):
        raise ShapeError("value is NaN")
    n = null.size
    with np.errstate(invalid="ignore", over="ignore"):
        mean = float(null.mean())
        std = float(null.std(ddof=1))
    if std > 0 and math.isfinite(std):
        z = (value - mean) / std
    elif value == mean:
        z = 0.0
    else:
        z = math.copysign(math.inf, value - mean) if not math.isnan(value - mean) else math.nan
    hits = int((null >= value).sum()) if higher_is_sharper else int((null <= value).sum())
    return {
        "z": z,
        "z_sharp": z if higher_is_sharper else -z,
        "p_value": (1 + hits) / (1 + n),
        "n_draws": n,
        "null_mean": mean,
        "null_std": std,
        "null_p05": float(np.percentile(null, 5)),
        "null_p95": float(np.percentile(null, 95)),
        "higher_is_sharper": bool(higher_is_sharper),
    }


def compare_with_null(observed: Mapping[str, float], null: NullDistribution) -> dict[str, dict]:
    """:func:`null_comparison` for every sharpness metric present in both.

    Parameters
    ----------
    observed : mapping
        E.g. the result of :func:`spectrum_metrics`.
    null : NullDistribution

    Returns
    -------
    dict
        metric name → :func:`null_comparison` dict, for the metrics of
        :data:`SHARPER_IS_HIGHER` found in ``null.names`` and ``observed``,
        in :data:`METRIC_NAMES` order.
    """
    out = {}
    for name in METRIC_NAMES:
        if name in SHARPER_IS_HIGHER and name in null.names and name in observed:
            out[name] = null_comparison(
                observed[name], null.column(name), higher_is_sharper=SHARPER_IS_HIGHER[name]
            )
    return out

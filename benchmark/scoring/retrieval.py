"""Blocked nearest-neighbour retrieval: NN cosine, CSLS and inverted softmax.

Conventions (the project's scoring conventions):

* Every input is cosine-normalised here (rows scaled to unit L2 norm, an all-zero row
  stays zero) into a **float32** copy; all score products are float32 matmuls.
* Memory is bounded: scores are computed for a block of ``block_size`` rows against a
  chunk of ``8 * block_size`` rows of the other space and reduced at once, so the extra
  memory is one float32 copy of each input plus O(block_size²) per worker thread, never
  O(n_queries × n_targets).
* Ranked indices are best first; equal scores are broken toward the lower target index.

Top-k selection is fused into the blocked loop (a full ``argpartition`` of every score
row would cost more than the matmul). A score chunk (b, c) is viewed as (b, 16, c/16);
one streaming ``max`` over the middle axis gives, per row, the maxima of c/16 groups
(group j = columns j, j + c/16, ...). Only groups whose maximum beats the running k-th
value can contribute; where more than k do, only those reaching the k-th largest group
maximum are kept (ties included). Their 16 entries each are gathered and merged with the
running top-k by a partition; a row where a tie straddles the k-th place is settled by a
lexicographic sort. The result is exactly that of a full sort by (−score, index).
Blocks run on ``WORKERS`` threads (one per core, single-threaded BLAS each, when
``threadpoolctl`` is installed), so the selection is parallel as well; results do not
depend on the scheduling.

CSLS(x, y) = 2 cos(x, y) − r_T(x) − r_S(y). r_T(x) is constant for a query, so it does
not change the ranking and is not computed (as in VecMap); ranking uses
cos(x, y) − r_S(y)/2, computed inside the matmul by appending a column (1 to queries,
−r_S/2 to targets). Inverted softmax ranks by β cos(q, t) − log Σ_s exp(β cos(s, t)),
i.e. by cos(q, t) − logZ(t)/β, the same way.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Literal, Sequence, get_args

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import check_choice, check_finite, check_matrix, check_positive_int, check_same_cols
from benchmark.scoring.threads import WORKERS as THREADS
from benchmark.scoring.threads import map_in_order, single_threaded_blas, thread_local_buffer

__all__ = ["Criterion", "retrieve", "csls_penalty", "isf_log_normalizer", "csls_penalty_and_isf_normalizer",
           "hits_at_k",
           "precision_at_k", "use_torch_device"]

Criterion = Literal["nn", "csls", "isf"]
_CRITERIA: tuple[str, ...] = get_args(Criterion)

#: Rows of a query/target block when ``block_size`` is None.
DEFAULT_BLOCK = 512
#: The chunk of the other space is ``CHUNK_FACTOR * block_size`` rows.  A 512 × 4,096 float32
#: chunk (8 MB a worker) is faster than 256 × 4,096: OpenBLAS re-packs the chunk for every
#: block, and the selection's per-chunk work is shared by twice the rows.
CHUNK_FACTOR = 8
#: Columns per group in the group-maximum pre-selection.
GROUP = 16
#: Threads running blocks concurrently (extra memory: one block × chunk buffer each).
WORKERS = THREADS
_NORM_ROWS = 1 << 15  # rows normalised at a time (bounds the float64 temporaries)


#: The torch device that retrieval runs on in this context (``None``: this module's numpy kernel).
_TORCH_DEVICE: contextvars.ContextVar[str | None] = contextvars.ContextVar("rosetta_torch_device", default=None)


@contextlib.contextmanager
def use_torch_device(device: str | None):
    """Within the block, :func:`retrieve`, :func:`csls_penalty` and :func:`isf_log_normalizer` run on
    torch on ``device`` (``"cuda"``, ``"cuda:1"``, ``"cpu"``; fp32, the same results contract) through
    :mod:`benchmark.scoring.retrieval_torch`; ``None`` keeps the numpy kernel.  ``run --device`` sets it."""
    token = _TORCH_DEVICE.set(device)
    try:
        yield
    finally:
        _TORCH_DEVICE.reset(token)


# --------------------------------------------------------------------------- helpers


def _block_sizes(block_size) -> tuple[int, int]:
    block = DEFAULT_BLOCK if block_size is None else check_positive_int(block_size, "block_size")
    return block, block * CHUNK_FACTOR


def _unit_f32(X, name: str, *, extra: int = 0) -> np.ndarray:
    """Float32 copy of ``X`` (n, d) with unit rows, in an (n, d + extra) C array.

    Norms are accumulated in float64; an all-zero row stays zero. The ``extra``
    trailing columns are left uninitialised for the caller to fill.
    """
    arr = np.asarray(X)
    if (arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1
            or arr.dtype not in (np.float32, np.float64)):
        arr = check_matrix(arr, name)  # raises on bad shapes/dtypes, converts ints
    n, d = arr.shape
    out = np.empty((n, d + extra), dtype=np.float32)
    for i0 in range(0, n, _NORM_ROWS):
        rows = out[i0:i0 + _NORM_ROWS, :d]
        with np.errstate(over="ignore"):
            rows[...] = arr[i0:i0 + _NORM_ROWS]
        if not np.isfinite(rows).all():
            bad = i0 + int(np.argwhere(~np.isfinite(rows))[0, 0])
            raise ShapeError(f"{name} (shape {arr.shape}) contains NaN or Inf, or a value "
                             f"too large for float32 (first at row {bad})")
        norms = np.sqrt(np.einsum("ij,ij->i", rows, rows, dtype=np.float64))
        norms[norms == 0.0] = 1.0
        rows /= norms.astype(np.float32)[:, None]
    return out


def _check_k(k, n: int, what: str, kname: str = "k") -> int:
    k = check_positive_int(k, kname)
    if k > n:
        raise ShapeError(f"{kname}={k} is larger than the {n} {what}")
    return k


def _check_vector(v, n: int, name: str, what: str) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    if v.shape != (n,):
        raise ShapeError(f"{name} has shape {v.shape} but there are {n} {what}: "
                         f"expected shape ({n},)")
    check_finite(v, name)
    return v


def _check_beta(beta, name: str = "beta") -> float:
    try:
        b = float(beta)
    except (TypeError, ValueError):
        raise ShapeError(f"{name} must be a number > 0, got {beta!r}") from None
    if not np.isfinite(b) or b <= 0:
        raise ShapeError(f"{name} must be a finite number > 0, got {beta!r}")
    return b


def _check_criterion_args(criterion, beta, target_penalty, target_log_normalizer) -> float | None:
    """Validate the criterion and the arguments that go with it; returns the checked ``beta``."""
    check_choice(criterion, _CRITERIA, "retrieval criterion")
    if target_penalty is not None and criterion != "csls":
        raise ShapeError(f"target_penalty is only used with criterion='csls', not {criterion!r}")
    if target_log_normalizer is not None and criterion != "isf":
        raise ShapeError(f"target_log_normalizer is only used with criterion='isf', not {criterion!r}")
    if criterion != "isf":
        return beta
    if beta is None:
        raise ShapeError("beta is required for criterion='isf' (choose it on dev)")
    return _check_beta(beta)


# --------------------------------------------------------------------------- kernels


class _Scratch:
    """One float32 scratch buffer per worker thread (so blocks can run concurrently)."""

    def __init__(self, size: int):
        self.size = size
        self._buffer = thread_local_buffer(lambda: np.empty(size, dtype=np.float32))

    def get(self) -> np.ndarray:
        return self._buffer.get()


_single_threaded_blas = single_threaded_blas


def _for_each_block(n_rows: int, block: int, fn) -> None:
    """Call ``fn(i0)`` for every block start; blocks write disjoint output rows.

    With two or more blocks, ``WORKERS`` threads run them with single-threaded BLAS
    (numpy releases the GIL in matmul and in the selection), so the selection runs in
    parallel too and no core idles while one thread selects. That needs
    ``threadpoolctl`` (used when installed, otherwise blocks run one after another on
    a multi-threaded BLAS). Results do not depend on the scheduling.
    """
    for _ in map_in_order(fn, range(0, n_rows, block), workers=WORKERS):
        pass


def _stream_topk(A: np.ndarray, B: np.ndarray, kk: int, block: int, chunk: int,
                 with_index: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Top-``kk`` of each row of ``A @ B.T`` without materialising it.

    Parameters
    ----------
    A : ndarray, shape (n_a, d), float32
    B : ndarray, shape (n_b, d), float32 (may be a strided view)
    kk : int
        1 <= kk <= n_b.
    block, chunk : int
        Rows of A and of B per product.
    with_index : bool
        Also return the column indices, sorted best first with ties toward the lower
        index (exact). Otherwise only the values are returned, unordered.

    Returns
    -------
    values : ndarray, shape (n_a, kk), float32
    indices : ndarray, shape (n_a, kk), int64, or None
    """
    n_a, n_b = A.shape[0], B.shape[0]
    values = np.empty((n_a, kk), dtype=np.float32)
    indices = np.empty((n_a, kk), dtype=np.int64) if with_index else None
    scratch = _Scratch(min(block, n_a) * (min(chunk, n_b) + GROUP))

    def one_block(i0: int) -> None:
        a = A[i0:i0 + block]
        b = a.shape[0]
        buf = scratch.get()
        # This block's running top-kk (unordered).
        run_v = np.full((b, kk), -np.inf, dtype=np.float32)
        run_i = np.full((b, kk), n_b, dtype=np.int64) if with_index else None
        for j0 in range(0, n_b, chunk):
            S = _padded_scores(a, B[j0:j0 + chunk], buf)
            run_v, run_i = _merge_chunk(S, j0, n_b, run_v, run_i, kk)
        if with_index:
            order = np.lexsort((run_i, -run_v), axis=1)
            values[i0:i0 + b] = np.take_along_axis(run_v, order, axis=1)
            indices[i0:i0 + b] = np.take_along_axis(run_i, order, axis=1)
        else:
            values[i0:i0 + b] = run_v

    _for_each_block(n_a, block, one_block)
    return values, indices


def _padded_scores(a: np.ndarray, Bc: np.ndarray, buf: np.ndarray) -> np.ndarray:
    """``a @ Bc.T`` (b, c) in the front of ``buf``, as (b, 16·⌈c/16⌉) with -inf in the padding columns."""
    b, c = a.shape[0], Bc.shape[0]
    ng = -(-c // GROUP)
    S = buf[:b * ng * GROUP].reshape(b, ng * GROUP)
    if ng * GROUP == c:
        np.matmul(a, Bc.T, out=S)
    else:
        S[:, :c] = a @ Bc.T
        S[:, c:] = -np.inf
    return S


def _candidates(S: np.ndarray, tau: np.ndarray, kk: int, j0: int, n_b: int,
                with_index: bool):
    """Gather the entries of the score chunk ``S`` that can enter the running top-``kk``.

    ``S`` (b, 16·ng) is viewed as 16 stripes of ng columns; group j holds the columns
    j + ng·t (t < 16), so the group maxima are one streaming ``max`` over the middle
    axis. A group can only contribute if its maximum beats the running ``kk``-th value
    ``tau`` (strictly: an equal value in a later chunk has a higher index and loses);
    where more than ``kk`` groups do, only those whose maximum reaches the ``kk``-th
    largest group maximum are kept (every other group is beaten ``kk`` times over, ties
    included, so the selection stays exact).

    Returns
    -------
    values : ndarray (b, 16·w) float32, padded with -inf, or None if nothing qualifies
    indices : ndarray (b, 16·w) int64 (global column numbers, padding ``n_b``), or None
    """
    b, width = S.shape
    ng = width // GROUP
    gmax = S.reshape(b, GROUP, ng).max(axis=1)  # (b, ng)
    hit = gmax > tau[:, None]
    cnt = np.count_nonzero(hit, axis=1)
    over = np.flatnonzero(cnt > kk)
    if over.size:
        g_over = gmax[over]
        g_tau = np.partition(g_over, ng - kk, axis=1)[:, ng - kk]
        h_over = hit[over] & (g_over >= g_tau[:, None])
        hit[over] = h_over
        cnt[over] = np.count_nonzero(h_over, axis=1)
    w = int(cnt.max())
    if w == 0:
        return None, None
    flat = np.flatnonzero(hit)  # row-major: rows ascending, groups ascending in a row
    r = flat // ng
    first_col = flat - r * ng + r * width  # flat position of each group's stripe-0 entry
    slot = np.arange(flat.size) - (np.cumsum(cnt) - cnt)[r]
    pos = first_col[:, None] + ng * np.arange(GROUP)  # (m, 16)
    values = np.full((b, w, GROUP), -np.inf, dtype=np.float32)
    values[r, slot] = S.ravel()[pos]
    if not with_index:
        return values.reshape(b, w * GROUP), None
    indices = np.full((b, w, GROUP), n_b, dtype=np.int64)
    indices[r, slot] = pos - (r * width - j0)[:, None]
    return values.reshape(b, w * GROUP), indices.reshape(b, w * GROUP)


def _merge_chunk(S, j0, n_b, run_v, run_i, kk):
    """Merge the score chunk ``S`` (b, 16·ng; columns >= c are -inf padding) into the
    running top-``kk`` of each row.

    The running set is unordered; with indices (``run_i`` not None) it is exactly the
    top-``kk`` by (−value, index) of all columns seen so far: rows where a tie straddles
    the ``kk``-th place are settled by a lexicographic sort.
    """
    with_index = run_i is not None
    cand_v, cand_i = _candidates(S, run_v.min(axis=1), kk, j0, n_b, with_index)
    if cand_v is None:
        return run_v, run_i
    V = np.concatenate([run_v, cand_v], axis=1)
    L = V.shape[1]
    if not with_index:
        return np.partition(V, L - kk, axis=1)[:, L - kk:], None
    Ix = np.concatenate([run_i, cand_i], axis=1)
    tau = np.partition(V, L - kk, axis=1)[:, L - kk]
    keep = V >= tau[:, None]
    for r in np.flatnonzero(np.count_nonzero(keep, axis=1) > kk):
        keep[r] = False
        keep[r, np.lexsort((Ix[r], -V[r]))[:kk]] = True
    return V[keep].reshape(-1, kk), Ix[keep].reshape(-1, kk)


def _stream_log_normalizer(A: np.ndarray, B: np.ndarray, betas: np.ndarray,
                           block: int, chunk: int) -> np.ndarray:
    """log Σ_j exp(β · A_i·B_j) for each β and row i, blocked; returns (n_betas, n_a) float64."""
    n_a, n_b = A.shape[0], B.shape[0]
    out = np.empty((betas.size, n_a), dtype=np.float64)
    size = min(block, n_a) * min(chunk, n_b)
    scratch = _Scratch(2 * size)

    def one_block(i0: int) -> None:
        a = A[i0:i0 + block]
        b = a.shape[0]
        buf = scratch.get()
        m = np.full(b, -np.inf, dtype=np.float32)  # running row max of the cosines
        acc = np.zeros((betas.size, b), dtype=np.float64)  # Σ exp(β (cos − m))
        for j0 in range(0, n_b, chunk):
            Bc = B[j0:j0 + chunk]
            c = Bc.shape[0]
            S = buf[:b * c].reshape(b, c)
            np.matmul(a, Bc.T, out=S)
            m = _add_exp_sums(S, m, acc, betas, buf[size:size + b * c].reshape(b, c))
        out[:, i0:i0 + b] = betas[:, None] * m.astype(np.float64) + np.log(acc)

    _for_each_block(n_a, block, one_block)
    return out


def _add_exp_sums(S: np.ndarray, m: np.ndarray, acc: np.ndarray, betas: np.ndarray, E: np.ndarray) -> np.ndarray:
    """Fold the cosine chunk ``S`` (b, c) into the running sums ``acc[t] = Σ exp(β_t (cos − m))`` (in place);
    returns the new running row maximum.  ``S`` is overwritten (by ``cos − m``, once for every β);
    ``E`` is (b, c) float32 scratch."""
    m_new = np.maximum(m, S.max(axis=1))
    shift = m.astype(np.float64) - m_new  # <= 0; -inf on the first chunk
    S -= m_new[:, None]
    for t, beta in enumerate(betas):
        acc[t] *= np.exp(beta * shift)
        np.multiply(S, np.float32(beta), out=E)
        np.exp(E, out=E)
        acc[t] += E.sum(axis=1, dtype=np.float64)
    return m_new


def _stream_target_terms(A: np.ndarray, B: np.ndarray, kk: int, betas: np.ndarray, block: int,
                         chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_stream_topk` values and :func:`_stream_log_normalizer` of ``A @ B.T`` from one product per chunk.

    Bitwise what the two give apart (the same chunks, the same per-chunk arithmetic); returns the top-``kk``
    values (n_a, kk) float32, unordered, and the log normalisers (n_betas, n_a) float64.
    """
    n_a, n_b = A.shape[0], B.shape[0]
    values = np.empty((n_a, kk), dtype=np.float32)
    out = np.empty((betas.size, n_a), dtype=np.float64)
    width = min(chunk, n_b) + GROUP
    scratch = _Scratch(2 * min(block, n_a) * width)

    def one_block(i0: int) -> None:
        a = A[i0:i0 + block]
        b = a.shape[0]
        buf = scratch.get()
        half = buf.size // 2
        run_v = np.full((b, kk), -np.inf, dtype=np.float32)
        m = np.full(b, -np.inf, dtype=np.float32)
        acc = np.zeros((betas.size, b), dtype=np.float64)
        for j0 in range(0, n_b, chunk):
            c = min(chunk, n_b - j0)
            S = _padded_scores(a, B[j0:j0 + chunk], buf)
            run_v, _ = _merge_chunk(S, j0, n_b, run_v, None, kk)  # first: the exp sums overwrite S
            m = _add_exp_sums(S[:, :c], m, acc, betas, buf[half:half + b * c].reshape(b, c))
        values[i0:i0 + b] = run_v
        out[:, i0:i0 + b] = betas[:, None] * m.astype(np.float64) + np.log(acc)

    _for_each_block(n_a, block, one_block)
    return values, out


# --------------------------------------------------------------------------- public


def csls_penalty(a, b, k: int, block_size: int | None = None) -> np.ndarray:
    """Mean of the ``k`` largest cosines of each row of ``a`` against all rows of ``b``.

    This is CSLS's neighbourhood term: r_S(y) = ``csls_penalty(targets, sources, k)`` and
    r_T(x) = ``csls_penalty(queries, targets, k)``. Compute it once and pass it to
    :func:`retrieve` as ``target_penalty`` to reuse it across query sets.

    Parameters
    ----------
    a : array_like, shape (n_a, d)
    b : array_like, shape (n_b, d)
        Cosine-normalised internally (float32).
    k : int
        Neighbourhood size, 1 <= k <= n_b.
    block_size : int, optional
        Rows of ``a`` per block (default 512); ``b`` is read in chunks of 8 × that.
        Extra memory is O(block_size²).

    Returns
    -------
    ndarray, shape (n_a,), float64

    Raises
    ------
    ShapeError
        Bad arrays, different dimensions, or k outside [1, n_b].
    """
    if _TORCH_DEVICE.get() is not None:
        from benchmark.scoring.retrieval_torch import csls_penalty_torch

        return csls_penalty_torch(a, b, k, device=_TORCH_DEVICE.get())
    block, chunk = _block_sizes(block_size)
    A = _unit_f32(a, "a")
    B = _unit_f32(b, "b")
    check_same_cols(A, B, "a", "b")
    k = _check_k(k, B.shape[0], "rows of b")
    vals, _ = _stream_topk(A, B, k, block, chunk, with_index=False)
    return vals.mean(axis=1, dtype=np.float64)


def csls_penalty_and_isf_normalizer(targets, sources, k: int, betas,
                                    block_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`csls_penalty` ``(targets, sources, k)`` and :func:`isf_log_normalizer` ``(sources, targets, betas)``
    in one pass: both reduce the same target × source cosines, so one product per chunk serves both.

    Parameters
    ----------
    targets : array_like, shape (n_targets, d)
    sources : array_like, shape (n_sources, d)
        The full (mapped) source space.
    k : int
        CSLS neighbourhood size, 1 <= k <= n_sources.
    betas : float or sequence of float, all > 0
    block_size : int, optional
        As in :func:`csls_penalty`.

    Returns
    -------
    penalty : ndarray, shape (n_targets,), float64
        Bitwise :func:`csls_penalty`'s.
    log_normalizer : ndarray, shape (len(betas), n_targets), float64
        Bitwise :func:`isf_log_normalizer`'s.

    Raises
    ------
    ShapeError
        As :func:`csls_penalty` and :func:`isf_log_normalizer`.
    """
    betas_arr = _check_betas(betas)
    if _TORCH_DEVICE.get() is not None:
        return csls_penalty(targets, sources, k), isf_log_normalizer(sources, targets, betas_arr)
    block, chunk = _block_sizes(block_size)
    T_ = _unit_f32(targets, "targets")
    S_ = _unit_f32(sources, "sources")
    check_same_cols(T_, S_, "targets", "sources")
    k = _check_k(k, S_.shape[0], "rows of sources")
    vals, log_norm = _stream_target_terms(T_, S_, k, betas_arr, block, chunk)
    return vals.mean(axis=1, dtype=np.float64), log_norm


def _check_betas(betas) -> np.ndarray:
    betas_arr = np.atleast_1d(np.asarray(betas, dtype=object))
    if betas_arr.ndim != 1 or betas_arr.size == 0:
        raise ShapeError(f"betas must be a number or a non-empty 1-D sequence, got {betas!r}")
    return np.array([_check_beta(x, "betas") for x in betas_arr], dtype=np.float64)


def isf_log_normalizer(sources, targets, betas, block_size: int | None = None) -> np.ndarray:
    """Inverted-softmax normaliser log Σ_{s ∈ sources} exp(β · cos(s, t)) for each target.

    Parameters
    ----------
    sources : array_like, shape (n_sources, d)
        The full (mapped) source space.
    targets : array_like, shape (n_targets, d)
    betas : float or sequence of float, all > 0
        Inverse temperatures; computing several in one pass shares the matmuls.
    block_size : int, optional
        Targets per block (default 512); sources are read in chunks of 8 × that.

    Returns
    -------
    ndarray, shape (len(betas), n_targets), float64
        Row ``i`` is the ``target_log_normalizer`` for ``betas[i]`` in :func:`retrieve`.

    Raises
    ------
    ShapeError
        Bad arrays, different dimensions, or a beta that is not a finite number > 0.
    """
    block, chunk = _block_sizes(block_size)
    betas_arr = _check_betas(betas)
    if _TORCH_DEVICE.get() is not None:
        from benchmark.scoring.retrieval_torch import isf_log_normalizer_torch

        return np.stack([isf_log_normalizer_torch(sources, targets, b, device=_TORCH_DEVICE.get())
                         for b in betas_arr])
    S_ = _unit_f32(sources, "sources")
    T_ = _unit_f32(targets, "targets")
    check_same_cols(S_, T_, "sources", "targets")
    return _stream_log_normalizer(T_, S_, betas_arr, block, chunk)


def retrieve(
    queries,
    targets,
    *,
    criterion: Criterion = "nn",
    k: int = 10,
    topk: int = 10,
    beta: float | None = None,
    sources=None,
    block_size: int | None = None,
    target_penalty=None,
    target_log_normalizer=None,
) -> np.ndarray:
    """Rank targets for each query, best first.

    Parameters
    ----------
    queries : array_like, shape (n_queries, d)
        Mapped source vectors to translate (the test words).
    targets : array_like, shape (n_targets, d)
        The full target search space.
    criterion : {"nn", "csls", "isf"}
        ``"nn"``: cosine. ``"csls"``: 2cos(x, y) − r_T(x) − r_S(y), r_S(y) the mean cosine
        of y to its ``k`` nearest ``sources``; r_T is constant per query and skipped.
        ``"isf"``: inverted softmax exp(β cos(q, t)) / Σ_{s ∈ sources} exp(β cos(s, t)),
        evaluated in log space.
    k : int
        CSLS neighbourhood size (used only by ``"csls"``); 1 <= k <= n_targets and
        k <= n_sources.
    topk : int
        Number of ranked targets returned per query, 1 <= topk <= n_targets.
    beta : float, optional
        Inverse temperature (> 0) for ``"isf"``; required there, chosen on dev.
    sources : array_like, shape (n_sources, d), optional
        The full mapped source space for r_S (CSLS) and the ISF normaliser. ``None``
        uses ``queries``. Ignored by ``"nn"``.
    block_size : int, optional
        Rows per block (default 512); the other space is read in chunks of 8 × that.
        Extra memory is O(block_size²) plus one float32 copy of each input.
    target_penalty : array_like, shape (n_targets,), optional
        Precomputed r_S (:func:`csls_penalty` (targets, sources, k)); skips that pass.
        Only with ``"csls"``.
    target_log_normalizer : array_like, shape (n_targets,), optional
        Precomputed row of :func:`isf_log_normalizer` for this ``beta``. Only with
        ``"isf"``.

    Returns
    -------
    ndarray, shape (n_queries, topk), int64
        Target indices, best first; equal scores are ordered by lower index.

    Raises
    ------
    UnknownNameError
        Unknown ``criterion``.
    ShapeError
        Non-2-D or non-finite arrays, different dimensions, ``k``/``topk`` out of
        range, missing or non-positive ``beta`` for ``"isf"``, a precomputed term of
        the wrong shape or given for the wrong criterion.
    """
    beta = _check_criterion_args(criterion, beta, target_penalty, target_log_normalizer)
    if _TORCH_DEVICE.get() is not None:
        from benchmark.scoring.retrieval_torch import retrieve_torch

        return retrieve_torch(queries, targets, criterion=criterion, k=k, topk=topk, beta=beta, sources=sources,
                              target_penalty=target_penalty, target_log_normalizer=target_log_normalizer,
                              device=_TORCH_DEVICE.get())
    block, chunk = _block_sizes(block_size)
    extra = 0 if criterion == "nn" else 1
    Q = _unit_f32(queries, "queries", extra=extra)
    T = _unit_f32(targets, "targets", extra=extra)
    d = T.shape[1] - extra
    check_same_cols(Q[:, :Q.shape[1] - extra], T[:, :d], "queries", "targets")
    n_t = T.shape[0]
    topk = _check_k(topk, n_t, "targets", "topk")
    if criterion == "nn":
        return _stream_topk(Q, T, topk, block, chunk, with_index=True)[1]

    Tn = T[:, :d]
    S = None
    need_sources = (criterion == "csls" and target_penalty is None) or (
        criterion == "isf" and target_log_normalizer is None)
    if need_sources:
        if sources is None:
            S = Q[:, :d]
        else:
            S = _unit_f32(sources, "sources")
            check_same_cols(S, Tn, "sources", "targets")
    if criterion == "csls":
        k = _check_k(k, n_t, "targets")
        if target_penalty is None:
            k = _check_k(k, S.shape[0], "sources")
            vals, _ = _stream_topk(Tn, S, k, block, chunk, with_index=False)
            r_s = vals.mean(axis=1, dtype=np.float64)
        else:
            r_s = _check_vector(target_penalty, n_t, "target_penalty", "targets")
        T[:, d] = -0.5 * r_s
    else:
        if target_log_normalizer is None:
            log_z = _stream_log_normalizer(Tn, S, np.array([beta]), block, chunk)[0]
        else:
            log_z = _check_vector(target_log_normalizer, n_t, "target_log_normalizer",
                                  "targets")
        T[:, d] = -log_z / beta
    Q[:, d] = 1.0
    return _stream_topk(Q, T, topk, block, chunk, with_index=True)[1]


# --------------------------------------------------------------------------- metrics


def _first_hit(ranked, gold) -> tuple[np.ndarray, int]:
    """Rank (0-based) of the first gold target in each row of ``ranked``; ``K`` if none."""
    R_ = np.asarray(ranked)
    if R_.ndim != 2:
        raise ShapeError(f"ranked must be a 2-D array (n_queries, topk), got shape {R_.shape}")
    if not np.issubdtype(R_.dtype, np.integer):
        raise ShapeError(f"ranked must hold integer target indices, got dtype {R_.dtype} "
                         f"(shape {R_.shape})")
    n, K = R_.shape
    if n == 0 or K == 0:
        raise ShapeError(f"ranked has shape {R_.shape}: need at least one query and one column")
    if R_.min() < 0:
        raise ShapeError(f"ranked (shape {R_.shape}) holds a negative target index")
    try:
        n_gold = len(gold)
    except TypeError:
        raise ShapeError(f"gold must be a sequence with one collection per query, got "
                         f"{type(gold).__name__}") from None
    if n_gold != n:
        raise ShapeError(f"gold has {n_gold} entries but ranked has shape {R_.shape}: "
                         "one gold collection per query (row) is needed")
    counts, flat = _gold_arrays(gold)
    M = int(max(R_.max(), flat.max() if flat.size else 0)) + 1
    gold_keys = np.repeat(np.arange(n, dtype=np.int64), counts) * M + flat
    hit = np.isin(np.arange(n, dtype=np.int64)[:, None] * M + R_, gold_keys)
    return np.where(hit.any(axis=1), hit.argmax(axis=1), K), K


def _gold_arrays(gold) -> tuple[np.ndarray, np.ndarray]:
    """(gold targets per query, all of them concatenated) as int64 arrays."""
    if len(gold) and not isinstance(gold[0], (set, frozenset)):  # one array when every entry has the same size
        try:
            table = np.asarray(gold)
        except ValueError:  # ragged
            table = None
        if (table is not None and table.ndim == 2 and table.shape[1] > 0
                and np.issubdtype(table.dtype, np.integer) and table.min() >= 0):
            return np.full(table.shape[0], table.shape[1], dtype=np.int64), table.astype(np.int64).reshape(-1)
    per = [_gold_entry(g, i) for i, g in enumerate(gold)]
    counts = np.array([p.size for p in per], dtype=np.int64)
    return counts, (np.concatenate(per) if per else np.zeros(0, dtype=np.int64))


def _gold_entry(g, i: int) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(sorted(g) if isinstance(g, (set, frozenset)) else g))
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0:
        raise ShapeError(f"gold[{i}] must be non-negative integer target indices, got {g!r}")
    return arr.astype(np.int64)


def _check_rank_k(k, K: int) -> int:
    k = check_positive_int(k, "k")
    if k > K:
        raise ShapeError(f"k={k} is larger than ranked's {K} columns (retrieve with topk >= {k})")
    return k


def hits_at_k(ranked, gold, k: int) -> np.ndarray:
    """Per-query hit indicator: is any gold target among the first ``k`` ranked?

    Parameters
    ----------
    ranked : array_like of int, shape (n_queries, topk)
        Output of :func:`retrieve`.
    gold : sequence of length n_queries
        ``gold[i]`` is a collection (or a single int) of acceptable target indices for
        query i; an empty collection never hits.
    k : int
        1 <= k <= topk.

    Returns
    -------
    ndarray of bool, shape (n_queries,)
        Per-item values, e.g. for :func:`benchmark.scoring.stats.bootstrap_ci`.
    """
    first, K = _first_hit(ranked, gold)
    return first < _check_rank_k(k, K)


def precision_at_k(ranked, gold, ks: Sequence[int] = (1, 5, 10)) -> dict[int, float]:
    """Precision@k: fraction of queries whose gold target is in the top ``k``.

    Parameters
    ----------
    ranked : array_like of int, shape (n_queries, topk)
        Output of :func:`retrieve`, best first. The caller passes unique queries.
    gold : sequence of length n_queries
        ``gold[i]``: collection of acceptable target indices for query i (any counts).
    ks : sequence of int
        Cut-offs, each 1 <= k <= topk.

    Returns
    -------
    dict[int, float]
        ``{k: precision}``, in [0, 1] and non-decreasing in k.

    Raises
    ------
    ShapeError
        ``ranked`` not a 2-D integer array, ``len(gold) != n_queries``, or a k out of range.
    """
    first, K = _first_hit(ranked, gold)
    return {int(k): float(np.mean(first < _check_rank_k(k, K))) for k in ks}

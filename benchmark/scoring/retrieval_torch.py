"""Blocked retrieval on torch (CUDA when present): NN, CSLS and inverted softmax.

The same results contract as :func:`benchmark.scoring.retrieval.retrieve`: inputs are
cosine-normalised, ranked target indices come best first, and in ``precision="fp32"`` equal
scores are broken toward the lower target index, exactly.  The score matrix is never
materialised: queries are taken ``block`` rows at a time against ``chunk`` target rows, each
(block × chunk) tile is reduced to its top-k at once (``torch.topk``) and merged into the
running top-k by one stable sort.  A tile whose k-th value is tied with values ``topk`` left
out is settled by a stable sort of those rows alone, so ties stay exact.

``precision``: ``"fp32"`` (IEEE float32 matmuls), ``"tf32"`` (TensorFloat-32 matmuls on
Ampere and later GPUs, float32 scores) or ``"bf16"`` (bfloat16 operands, scores returned in
float32).  The reduced precisions trade exactness for speed; ``python -m benchmark.perf.gpu``
measures their top-1 agreement with fp32 on planted pairs.  CSLS and ISF terms are added to
the float32 scores after each product, never folded into reduced-precision operands.

torch is imported when a function here is called (``import benchmark`` stays light).
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import check_choice, check_positive_int, check_same_cols
from benchmark.scoring.retrieval import (
    Criterion,
    _check_beta,
    _check_criterion_args,
    _check_k,
    _check_vector,
    _unit_f32,
)

__all__ = ["Precision", "resolve_device", "retrieve_torch", "csls_penalty_torch", "isf_log_normalizer_torch"]

Precision = Literal["fp32", "tf32", "bf16"]
_PRECISIONS: tuple[str, ...] = get_args(Precision)
#: Query rows and target rows per tile (a tile of scores is block × chunk float32).
DEFAULT_BLOCK = 2048
DEFAULT_CHUNK = 32768


def resolve_device(device: str | None = "auto") -> str:
    """``"auto"`` → ``"cuda"`` when torch sees a GPU, else ``"cpu"``; ``"cuda"`` without a GPU is an error."""
    import torch

    device = "auto" if device is None else str(device)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ShapeError(f"device {device!r} requested but torch sees no CUDA device (use 'cpu' or 'auto')")
    if device != "cpu" and not device.startswith("cuda"):
        raise ShapeError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}")
    return device


class _Products:
    """Tile products ``a @ b.T`` in the requested precision, float32 out."""

    def __init__(self, precision: str, device: str):
        import torch

        self.torch = torch
        self.precision = check_choice(precision, _PRECISIONS, "precision")
        self.device = device
        self.dtype = torch.bfloat16 if precision == "bf16" else torch.float32

    def put(self, X: np.ndarray):
        """A unit-row float32 numpy array on the device, in the operand dtype."""
        return self.torch.from_numpy(X).to(self.device).to(self.dtype)

    def __call__(self, a, b):
        if self.precision == "bf16" or not self.device.startswith("cuda"):
            return (a @ b.T).float()  # CPU float32 matmuls are IEEE; bf16 products come back as float32
        matmul = self.torch.backends.cuda.matmul
        old, matmul.allow_tf32 = matmul.allow_tf32, self.precision == "tf32"
        try:
            return a @ b.T
        finally:
            matmul.allow_tf32 = old


def _tile_topk(S, kk: int, offset: int):
    """Top-``kk`` of each row of the float32 tile ``S`` (b, c), best first, ties to the lower column.

    ``torch.topk`` may return any of several equal values at the k-th place; rows where such a
    tie reaches past the selection are re-ranked by a stable descending sort (lower index first).
    """
    torch = _torch()
    kk = min(kk, S.shape[1])
    vals, idx = torch.topk(S, kk, dim=1, largest=True, sorted=True)
    tau = vals[:, -1:]
    straddle = torch.nonzero((S >= tau).sum(dim=1) > kk).flatten()
    if straddle.numel():
        sv, si = torch.sort(S[straddle], dim=1, descending=True, stable=True)
        vals[straddle], idx[straddle] = sv[:, :kk], si[:, :kk]
    # equal values inside the selection: order them by index (a stable sort by value after one by index)
    order = torch.argsort(idx, dim=1)
    vals, idx = torch.gather(vals, 1, order), torch.gather(idx, 1, order)
    order = torch.sort(vals, dim=1, descending=True, stable=True).indices
    return torch.gather(vals, 1, order), torch.gather(idx, 1, order) + offset


def _merge(run_v, run_i, new_v, new_i, kk: int):
    """Merge two best-first lists whose indices are all smaller in ``run`` than in ``new``."""
    torch = _torch()
    if run_v is None:
        return new_v, new_i
    V = torch.cat([run_v, new_v], dim=1)
    Ix = torch.cat([run_i, new_i], dim=1)
    order = torch.sort(V, dim=1, descending=True, stable=True).indices[:, :kk]
    return torch.gather(V, 1, order), torch.gather(Ix, 1, order)


def _torch():
    import torch

    return torch


def _stream(Q, T, kk: int, products: _Products, block: int, chunk: int, column_shift=None,
            with_index: bool = True):
    """Top-``kk`` (values, indices) of ``Q @ T.T + column_shift`` per row, blocked over both axes."""
    torch = products.torch
    n_q, n_t = Q.shape[0], T.shape[0]
    out_v = np.empty((n_q, kk), dtype=np.float32)
    out_i = np.empty((n_q, kk), dtype=np.int64) if with_index else None
    with torch.inference_mode():
        for i0 in range(0, n_q, block):
            a = Q[i0:i0 + block]
            run_v = run_i = None
            for j0 in range(0, n_t, chunk):
                S = products(a, T[j0:j0 + chunk])
                if column_shift is not None:
                    S += column_shift[j0:j0 + chunk]
                v, ix = _tile_topk(S, kk, j0)
                run_v, run_i = _merge(run_v, run_i, v, ix, kk)
            out_v[i0:i0 + a.shape[0]] = run_v.cpu().numpy()
            if with_index:
                out_i[i0:i0 + a.shape[0]] = run_i.cpu().numpy()
    return out_v, out_i


def _sizes(block_size, chunk_size) -> tuple[int, int]:
    block = DEFAULT_BLOCK if block_size is None else check_positive_int(block_size, "block_size")
    chunk = DEFAULT_CHUNK if chunk_size is None else check_positive_int(chunk_size, "chunk_size")
    return block, chunk


def csls_penalty_torch(a, b, k: int, *, device: str = "auto", precision: Precision = "fp32",
                       block_size: int | None = None, chunk_size: int | None = None) -> np.ndarray:
    """:func:`~benchmark.scoring.retrieval.csls_penalty` on torch: mean of the ``k`` largest
    cosines of each row of ``a`` (n_a, d) against ``b`` (n_b, d); returns (n_a,) float64."""
    block, chunk = _sizes(block_size, chunk_size)
    A, B = _unit_f32(a, "a"), _unit_f32(b, "b")
    check_same_cols(A, B, "a", "b")
    k = _check_k(k, B.shape[0], "rows of b")
    products = _Products(precision, resolve_device(device))
    vals, _ = _stream(products.put(A), products.put(B), k, products, block, chunk, with_index=False)
    return vals.mean(axis=1, dtype=np.float64)


def isf_log_normalizer_torch(sources, targets, beta: float, *, device: str = "auto",
                             precision: Precision = "fp32", block_size: int | None = None,
                             chunk_size: int | None = None) -> np.ndarray:
    """log Σ_s exp(β cos(s, t)) for each target (n_targets,) float64, blocked, on torch."""
    block, chunk = _sizes(block_size, chunk_size)
    beta = _check_beta(beta)
    S_, T_ = _unit_f32(sources, "sources"), _unit_f32(targets, "targets")
    check_same_cols(S_, T_, "sources", "targets")
    products = _Products(precision, resolve_device(device))
    torch = products.torch
    Sd, Td = products.put(S_), products.put(T_)
    out = np.empty(T_.shape[0], dtype=np.float64)
    with torch.inference_mode():
        for i0 in range(0, Td.shape[0], block):
            acc = None
            for j0 in range(0, Sd.shape[0], chunk):
                part = torch.logsumexp(beta * products(Td[i0:i0 + block], Sd[j0:j0 + chunk]).double(), dim=1)
                acc = part if acc is None else torch.logaddexp(acc, part)
            out[i0:i0 + acc.shape[0]] = acc.cpu().numpy()
    return out


def retrieve_torch(
    queries,
    targets,
    *,
    criterion: Criterion = "nn",
    k: int = 10,
    topk: int = 10,
    beta: float | None = None,
    sources=None,
    target_penalty=None,
    target_log_normalizer=None,
    device: str = "auto",
    precision: Precision = "fp32",
    block_size: int | None = None,
    chunk_size: int | None = None,
) -> np.ndarray:
    """:func:`~benchmark.scoring.retrieval.retrieve` on torch; the same parameters and result.

    Parameters
    ----------
    queries : array_like, shape (n_queries, d)
    targets : array_like, shape (n_targets, d)
    criterion, k, topk, beta, sources, target_penalty, target_log_normalizer
        As in :func:`~benchmark.scoring.retrieval.retrieve`.
    device : str
        ``"auto"`` (CUDA when torch sees it), ``"cpu"`` or ``"cuda[:N]"``.
    precision : {"fp32", "tf32", "bf16"}
        Matmul precision; ``"fp32"`` keeps the exact ties-to-lower-index contract.
    block_size, chunk_size : int, optional
        Query rows and target rows per tile (default 2048 × 32768: 256 MB of float32 scores).

    Returns
    -------
    ndarray, shape (n_queries, topk), int64
        Target indices, best first.
    """
    beta = _check_criterion_args(criterion, beta, target_penalty, target_log_normalizer)
    block, chunk = _sizes(block_size, chunk_size)
    Q, T = _unit_f32(queries, "queries"), _unit_f32(targets, "targets")
    check_same_cols(Q, T, "queries", "targets")
    n_t = T.shape[0]
    topk = _check_k(topk, n_t, "targets", "topk")
    products = _Products(precision, resolve_device(device))
    torch = products.torch
    shift = None
    if criterion != "nn":
        S = Q if sources is None else _unit_f32(sources, "sources")
        check_same_cols(S, T, "sources", "targets")
        if criterion == "csls":
            k = _check_k(k, n_t, "targets")
            if target_penalty is None:
                k = _check_k(k, S.shape[0], "sources")
                r_s = csls_penalty_torch(T, S, k, device=products.device, precision=precision,
                                         block_size=block, chunk_size=chunk)
            else:
                r_s = _check_vector(target_penalty, n_t, "target_penalty", "targets")
            shift_np = (-0.5 * r_s).astype(np.float32)
        else:
            if target_log_normalizer is None:
                log_z = isf_log_normalizer_torch(S, T, beta, device=products.device, precision=precision,
                                                 block_size=block, chunk_size=chunk)
            else:
                log_z = _check_vector(target_log_normalizer, n_t, "target_log_normalizer", "targets")
            shift_np = (-log_z / beta).astype(np.float32)
        shift = torch.from_numpy(shift_np).to(products.device)
    _, idx = _stream(products.put(Q), products.put(T), topk, products, block, chunk, column_shift=shift)
    return idx

"""This project's retrieval kernel against faiss-cpu's ``IndexFlatIP``, same shapes, same threads.

``python -m benchmark.perf.faiss_side_by_side [--muse-200k] [--threads N]`` (also printed by
``python -m benchmark.perf.retrieval``). Each side of each shape runs in a fresh child process, so that
``ru_maxrss`` starts clean; the table gives both wall times, the ratio faiss / this kernel
(> 1: this kernel is faster), both peak extra memories (``ru_maxrss`` growth over the inputs)
and the fraction of queries whose top-1 target agrees. Shapes (random unit float32 rows,
seeded; queries are the first 1,500 sources; k = 10 neighbourhoods, top-10):

* ``csls-20k``: CSLS, 20,000 sources × 20,000 targets, 300 d.
* ``nn-20k``: NN top-10 of all 20,000 sources among 20,000 targets, 300 d (a full k-NN search).
* ``csls-100k``: CSLS, 100,000 × 100,000, 50 d.
* ``csls-200k`` (``--muse-200k``): MUSE's protocol at the kernel level, CSLS with
  neighbourhoods over 200,000 sources × 200,000 targets, 300 d (fastText-sized spaces).
  Minutes on 2 cores.

The faiss side does CSLS the way MUSE does with faiss: r_S(y) is the mean of the k inner
products returned by ``IndexFlatIP(sources).search(targets, k)``; the final top-10 is a faiss
search too, of the queries with a column of ones among the targets with a column −r_S/2
(the same ranking as 2 cos − r_T − r_S; r_T(x) is constant per query, so neither side
computes it, whereas MUSE computes it for every source). Both sides use the same number of
threads: this kernel's ``WORKERS`` (single-threaded BLAS each), faiss's OpenMP and BLAS
threads set to the same number. faiss-cpu wheels bundle an OpenBLAS that may predate the CPU
and fall back to a slow generic kernel (e.g. on Sapphire Rapids); unless
``OPENBLAS_CORETYPE`` is set, the faiss child sets it to ``SkylakeX`` on AVX-512 CPUs and
``Haswell`` on AVX2 ones, so that the reference is faiss at its best. Speed is reported,
never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Literal

import numpy as np

from benchmark.perf.common import maxrss_bytes, random_unit_rows
from benchmark.run.machine import cpu_description

Side = Literal["kernel", "faiss"]
N_QUERIES = 1500
K = 10
TOPK = 10

#: name: (criterion, n_sources = n_targets, d, all sources as queries)
SHAPES: dict[str, tuple[str, int, int, bool]] = {
    "csls-20k": ("csls", 20_000, 300, False),
    "nn-20k": ("nn", 20_000, 300, True),
    "csls-100k": ("csls", 100_000, 50, False),
    "csls-200k": ("csls", 200_000, 300, False),
}
DEFAULT_SHAPES = ("csls-20k", "nn-20k", "csls-100k")


def faiss_available() -> bool:
    """Whether ``faiss`` (the optional ``faiss`` extra, faiss-cpu) can be imported."""
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def _inputs(shape: str) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    criterion, n, d, all_queries = SHAPES[shape]
    rng = np.random.default_rng(0)
    sources = random_unit_rows(n, d, rng)
    targets = random_unit_rows(n, d, rng)
    queries = sources if all_queries else sources[:N_QUERIES]
    return criterion, queries, targets, sources


def _kernel_side(criterion, queries, targets, sources, threads: int):
    from benchmark.scoring import retrieval as R

    R.WORKERS = threads
    R.retrieve(queries[:64], targets[:4096], criterion=criterion, k=K, topk=TOPK)  # warm BLAS
    return lambda: R.retrieve(queries, targets, criterion=criterion, k=K, topk=TOPK, sources=sources)


def faiss_csls(queries: np.ndarray, targets: np.ndarray, sources: np.ndarray, k: int, topk: int) -> np.ndarray:
    """CSLS top-``topk`` with faiss ``IndexFlatIP`` (unit float32 rows, MUSE's r_S by k-NN search).

    Parameters
    ----------
    queries : ndarray, shape (n_queries, d), float32, unit rows
    targets : ndarray, shape (n_targets, d), float32, unit rows
    sources : ndarray, shape (n_sources, d), float32, unit rows
    k, topk : int
        Neighbourhood size and number of ranked targets.

    Returns
    -------
    ndarray, shape (n_queries, topk), int64
    """
    import faiss

    d = targets.shape[1]
    index = faiss.IndexFlatIP(d)
    index.add(sources)
    r_s = index.search(targets, k)[0].mean(axis=1)
    del index
    aug_t = np.empty((targets.shape[0], d + 1), dtype=np.float32)
    aug_t[:, :d] = targets
    aug_t[:, d] = -0.5 * r_s
    aug_q = np.ones((queries.shape[0], d + 1), dtype=np.float32)
    aug_q[:, :d] = queries
    final = faiss.IndexFlatIP(d + 1)
    final.add(aug_t)
    return final.search(aug_q, topk)[1]


def _faiss_side(criterion, queries, targets, sources, threads: int):
    import faiss
    from threadpoolctl import threadpool_limits

    faiss.omp_set_num_threads(threads)
    threadpool_limits(limits=threads)  # faiss's OpenMP and its bundled BLAS, for this child's life

    def nn():
        index = faiss.IndexFlatIP(targets.shape[1])
        index.add(targets)
        return index.search(queries, TOPK)[1]

    faiss_csls(queries[:64], targets[:4096], sources[:4096], K, TOPK)  # warm BLAS and OpenMP
    if criterion == "nn":
        return nn
    return lambda: faiss_csls(queries, targets, sources, K, TOPK)


def run_side(shape: str, side: Side, threads: int) -> dict:
    """Time one side on one shape in this process; returns the figures as a dict."""
    criterion, queries, targets, sources = _inputs(shape)
    make = _kernel_side if side == "kernel" else _faiss_side
    fn = make(criterion, queries, targets, sources, threads)
    rss0 = maxrss_bytes()
    t0 = time.perf_counter()
    ranked = fn()
    seconds = time.perf_counter() - t0
    return {"shape": shape, "side": side, "seconds": seconds, "maxrss_delta": maxrss_bytes() - rss0,
            "top1": np.asarray(ranked)[:, 0].tolist(), "threads": threads,
            "coretype": os.environ.get("OPENBLAS_CORETYPE", ""), "loadavg": os.getloadavg()[0]}


def _best_coretype() -> str:
    """An ``OPENBLAS_CORETYPE`` for faiss's bundled OpenBLAS on this CPU ("" when unknown)."""
    simd = cpu_description()["simd"]
    return "SkylakeX" if "avx512f" in simd else "Haswell" if "avx2" in simd else ""


def child(shape: str, side: Side, threads: int) -> dict:
    """Run :func:`run_side` in a fresh ``python -m benchmark.perf.faiss_side_by_side`` child process."""
    env = dict(os.environ)
    if side == "faiss" and "OPENBLAS_CORETYPE" not in env and (coretype := _best_coretype()):
        env["OPENBLAS_CORETYPE"] = coretype
    cmd = [sys.executable, "-m", "benchmark.perf.faiss_side_by_side", "--_shape", shape, "--_side", side,
           "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark shape {shape} ({side}) failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _describe(shape: str) -> str:
    criterion, n, d, all_queries = SHAPES[shape]
    queries = f"{n:,}" if all_queries else f"{N_QUERIES:,}"
    return f"{criterion.upper()} {n:,} x {n:,}, {d} d, {queries} queries"


def compare(shapes, threads: int, *, with_faiss: bool | None = None) -> list[dict]:
    """Run each shape on this kernel (and on faiss when importable); print one table."""
    if with_faiss is None:
        with_faiss = faiss_available()
    rows = []
    for shape in shapes:
        kernel = child(shape, "kernel", threads)
        print(f"{_describe(shape)}: kernel {kernel['seconds']:.2f} s, peak extra "
              f"{_mb(kernel['maxrss_delta'])} (load {kernel['loadavg']:.1f})", flush=True)
        fa = child(shape, "faiss", threads) if with_faiss else None
        rows.append({"shape": shape, "kernel": kernel, "faiss": fa})
        if fa is not None:
            _print_row(shape, kernel, fa)
    if not with_faiss:
        print("faiss is not installed (pip install faiss-cpu, the optional 'faiss' extra): "
              "this kernel's side only")
    else:
        coretype = rows[0]["faiss"]["coretype"] or "as detected"
        print(f"threads: {threads} on both sides; faiss's OpenBLAS core type: {coretype}")
    return rows


def _mb(x: float) -> str:
    return f"{x / 1024**2:,.0f} MB"


def _print_row(shape: str, kernel: dict, fa: dict) -> None:
    agree = np.mean(np.asarray(kernel["top1"]) == np.asarray(fa["top1"]))
    print(f"{' ' * len(_describe(shape))}  faiss {fa['seconds']:.2f} s, peak extra {_mb(fa['maxrss_delta'])}"
          f" (load {fa['loadavg']:.1f}) | faiss/kernel {fa['seconds'] / kernel['seconds']:.2f}x"
          f" | top-1 agreement {agree:.4f}", flush=True)


def default_threads() -> int:
    from benchmark.scoring import retrieval as R

    return R.WORKERS


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmark.perf.faiss_side_by_side", description=__doc__.split("\n")[0])
    ap.add_argument("--muse-200k", action="store_true",
                    help="also run MUSE's 200,000 x 200,000 x 300 d CSLS (minutes on 2 cores)")
    ap.add_argument("--threads", type=int, default=None, help="threads for both sides (default: one per core)")
    ap.add_argument("--_shape", choices=sorted(SHAPES), help=argparse.SUPPRESS)
    ap.add_argument("--_side", choices=["kernel", "faiss"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    threads = default_threads() if args.threads is None else args.threads
    if threads < 1:
        ap.error(f"--threads must be >= 1, got {threads}")
    if args._shape:
        print(json.dumps(run_side(args._shape, args._side, threads)))
        return 0
    shapes = list(DEFAULT_SHAPES) + (["csls-200k"] if args.muse_200k else [])
    compare(shapes, threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

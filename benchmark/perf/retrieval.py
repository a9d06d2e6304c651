"""Speed and memory benchmark of the blocked CSLS retrieval: ``python -m benchmark.perf.retrieval``.

Two cases, each run in a fresh child process so that ``ru_maxrss`` (peak resident set,
which also sees BLAS buffers) starts clean:

(a) CSLS, 20,000 sources × 20,000 targets, 300 d, top-10 for 1,500 queries, k = 10
    neighbourhoods over the full spaces. Reports wall time, peak extra memory and the
    ratio "bare float32 matmul time / CSLS time", where the bare time runs the very
    products CSLS performs (r_S: targets × sources, final: queries × targets; r_T is
    constant per query, so CSLS skips it) in the same blocks without any selection,
    both serially on BLAS's own threads and on CSLS's worker threads; the faster of
    the two is the reference. Target: ratio >= 0.7 (best of interleaved repeats).
(b) The same at 400,000 × 400,000, 50 d (``--quick``: 100,000). Reports wall time and
    peak extra memory. Target: < 2 GB.

(c) This kernel against faiss-cpu's ``IndexFlatIP`` (the library MUSE uses) at CSLS and NN
    20,000 × 20,000 × 300 d and CSLS 100,000 × 100,000 × 50 d, same threads on both sides,
    with the ratio (``--quick``: the two 20,000 shapes only); with ``--muse-200k`` also
    MUSE's 200,000 × 200,000 × 300 d CSLS (wall time and peak extra memory; minutes on 2
    cores). The faiss side is printed only when faiss is importable (the optional ``faiss``
    extra). See :mod:`benchmark.perf.faiss_side_by_side`.

Vectors are random unit float32 rows (seeded); queries are the first 1,500 sources.
Speed is reported, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from benchmark.perf import faiss_side_by_side as perf_faiss
from benchmark.perf.common import maxrss_bytes, random_unit_rows
from benchmark.scoring import retrieval as R

RATIO_TARGET = 0.7
MEMORY_TARGET = 2 * 1024**3
N_QUERIES = 1500
K = 10
TOPK = 10
REPEATS = 3


def _csls(queries, targets, sources):
    return R.retrieve(queries, targets, criterion="csls", k=K, topk=TOPK, sources=sources)


def _bare_matmul(queries, targets, sources, *, threaded: bool) -> float:
    """Time the products CSLS performs, in the same blocks, without any selection.

    ``threaded=False``: blocks one after another, BLAS with its default threads (plain
    numpy). ``threaded=True``: the block scheduling CSLS itself uses (``R.WORKERS``
    threads with single-threaded BLAS, when threadpoolctl is installed).
    """
    block = R.DEFAULT_BLOCK
    chunk = block * R.CHUNK_FACTOR
    d = targets.shape[1]
    q_aug = np.ones((queries.shape[0], d + 1), dtype=np.float32)
    q_aug[:, :d] = queries
    t_aug = np.ones((targets.shape[0], d + 1), dtype=np.float32)
    t_aug[:, :d] = targets
    scratch = R._Scratch(block * chunk)

    def products(A, B):
        def one_block(i0):
            a = A[i0:i0 + block]
            buf = scratch.get()
            for j0 in range(0, B.shape[0], chunk):
                Bc = B[j0:j0 + chunk]
                np.matmul(a, Bc.T, out=buf[:a.shape[0] * Bc.shape[0]].reshape(a.shape[0], -1))
        if threaded:
            R._for_each_block(A.shape[0], block, one_block)
        else:
            for i0 in range(0, A.shape[0], block):
                one_block(i0)

    t0 = time.perf_counter()
    products(t_aug[:, :d], sources)  # r_S: targets × sources
    products(q_aug, t_aug)  # final: queries × targets (+ the r_S column)
    return time.perf_counter() - t0


def _traced(fn, *args):
    """Run ``fn`` once; return (seconds, tracemalloc peak bytes, ru_maxrss delta bytes)."""
    rss0 = maxrss_bytes()
    tracemalloc.start()
    t0 = time.perf_counter()
    fn(*args)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, maxrss_bytes() - rss0


def run_case(case: str, n: int, d: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    sources = random_unit_rows(n, d, rng)
    targets = random_unit_rows(n, d, rng)
    queries = sources[:N_QUERIES]
    R.retrieve(queries[:64], targets[:4096], criterion="csls", k=K, topk=TOPK)  # warm BLAS
    seconds, peak, rss = _traced(_csls, queries, targets, sources)
    out = {"case": case, "n": n, "d": d, "seconds": seconds, "tracemalloc_peak": peak,
           "maxrss_delta": rss, "input_bytes": sources.nbytes + targets.nbytes}
    if repeats:
        csls_t, serial_t, threaded_t = [seconds], [], []
        for _ in range(repeats):  # interleaved, best of each: robust to a busy machine
            serial_t.append(_bare_matmul(queries, targets, sources, threaded=False))
            threaded_t.append(_bare_matmul(queries, targets, sources, threaded=True))
            t0 = time.perf_counter()
            _csls(queries, targets, sources)
            csls_t.append(time.perf_counter() - t0)
        bare = min(min(serial_t), min(threaded_t))
        out.update(csls_best=min(csls_t), bare_serial=min(serial_t),
                   bare_threaded=min(threaded_t), ratio=bare / min(csls_t))
    out["workers"] = R.WORKERS
    out["blas_limited"] = R._single_threaded_blas() is not None
    out["loadavg"] = os.getloadavg()[0]
    return out


def _child(case: str, n: int, d: int, repeats: int) -> dict:
    cmd = [sys.executable, "-m", "benchmark.perf.retrieval", "--_case", case, "--_n", str(n),
           "--_d", str(d), "--_repeats", str(repeats)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark case {case} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _mb(x: float) -> str:
    return f"{x / 1024**2:,.1f} MB"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmark.perf.retrieval", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="shrink case (b) to 100,000 x 100,000; (c) only at 20,000 x 20,000")
    ap.add_argument("--muse-200k", action="store_true",
                    help="also run MUSE's 200,000 x 200,000 x 300 d CSLS in (c) (minutes on 2 cores)")
    ap.add_argument("--_case", help=argparse.SUPPRESS)
    ap.add_argument("--_n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--_d", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--_repeats", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._case:
        print(json.dumps(run_case(args._case, args._n, args._d, args._repeats)))
        return 0

    n_b = 100_000 if args.quick else 400_000
    print(f"Rosetta Bench retrieval benchmark: CSLS k={K}, top-{TOPK} for {N_QUERIES:,} queries, "
          f"block {R.DEFAULT_BLOCK} x {R.DEFAULT_BLOCK * R.CHUNK_FACTOR}, "
          f"{os.cpu_count()} CPUs", flush=True)
    a = _child("a", 20_000, 300, repeats=REPEATS)
    b = _child("b", n_b, 50, repeats=0)
    rows = [
        ("(a) 20,000 x 20,000, 300 d", "CSLS wall time (first run)", f"{a['seconds']:.2f} s", "", ""),
        ("", f"CSLS wall time (best of {REPEATS + 1})", f"{a['csls_best']:.2f} s", "", ""),
        ("", f"bare matmul, serial BLAS threads (best of {REPEATS})", f"{a['bare_serial']:.2f} s", "", ""),
        ("", f"bare matmul, CSLS's {a['workers']} workers (best of {REPEATS})",
         f"{a['bare_threaded']:.2f} s", "", ""),
        ("", "ratio faster bare matmul / CSLS", f"{a['ratio']:.2f}", f">= {RATIO_TARGET}",
         _verdict(a["ratio"] >= RATIO_TARGET)),
        ("", "peak extra, tracemalloc", _mb(a["tracemalloc_peak"]), "", ""),
        ("", "peak extra, ru_maxrss delta", _mb(a["maxrss_delta"]), "", ""),
        (f"(b) {n_b:,} x {n_b:,}, 50 d", "CSLS wall time", f"{b['seconds']:.1f} s", "", ""),
        ("", "peak extra, tracemalloc", _mb(b["tracemalloc_peak"]), "< 2 GB",
         _verdict(b["tracemalloc_peak"] < MEMORY_TARGET)),
        ("", "peak extra, ru_maxrss delta", _mb(b["maxrss_delta"]), "< 2 GB",
         _verdict(b["maxrss_delta"] < MEMORY_TARGET)),
        ("", "(inputs, for scale)", _mb(b["input_bytes"]), "", ""),
    ]
    widths = [max(len(r[i]) for r in rows + [("case", "figure", "measured", "target", "")])
              for i in range(5)]
    header = ("case", "figure", "measured", "target", "")
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
    blas = "single-threaded BLAS per worker" if a["blas_limited"] else \
        "BLAS threads as configured (threadpoolctl not installed: blocks run serially)"
    print(f"workers: {a['workers']}, {blas}; 1-min load average at the end of (a) "
          f"{a['loadavg']:.2f}, of (b) {b['loadavg']:.2f} (other processes skew timings)")
    print("(c) this kernel against faiss IndexFlatIP (each side in a fresh process; faiss/kernel > 1: "
          "this kernel is faster)", flush=True)
    shapes = [s for s in perf_faiss.DEFAULT_SHAPES if not (args.quick and s == "csls-100k")]
    shapes += ["csls-200k"] if args.muse_200k else []
    perf_faiss.compare(shapes, R.WORKERS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""GPU retrieval benchmark: the torch backend's CSLS against a plain blocked ``torch.topk``, same run.

``python -m benchmark.perf.gpu [--n 2000000] [--dim 300] [--device auto]`` builds a planted pair
(targets random unit vectors, sources = targets + noise, so row i's translation is target i),
then times a full CSLS: r_S of every target over every source (top-10), then the top-10 of every
source query.  It prints, for each precision (fp32, tf32, bf16): wall time, peak device memory,
top-1 accuracy on the planted pairs and agreement of top-1 with fp32; and the same job through
a plain blocked ``torch.topk`` over full score rows (the reference), as a ratio.  On a machine
without CUDA it runs on CPU torch at a smaller default size and adds the numpy kernel as a
second reference.  A script, never a test: timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def planted(n: int, dim: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    T = rng.standard_normal((n, dim), dtype=np.float32)
    T /= np.linalg.norm(T, axis=1, keepdims=True)
    S = T + np.float32(noise / np.sqrt(dim)) * rng.standard_normal((n, dim), dtype=np.float32)
    return S.astype(np.float32), T


def plain_topk_csls(S, T, k: int, device: str, block: int) -> np.ndarray:
    """The reference: full score rows per block, ``torch.topk`` on each (memory block × n)."""
    import torch

    with torch.inference_mode():
        Sd = torch.nn.functional.normalize(torch.from_numpy(S).to(device), dim=1)
        Td = torch.nn.functional.normalize(torch.from_numpy(T).to(device), dim=1)
        r_s = torch.empty(Td.shape[0], device=device)
        for i0 in range(0, Td.shape[0], block):
            r_s[i0:i0 + block] = torch.topk(Td[i0:i0 + block] @ Sd.T, k, dim=1).values.mean(dim=1)
        out = torch.empty((Sd.shape[0], k), dtype=torch.int64, device=device)
        for i0 in range(0, Sd.shape[0], block):
            out[i0:i0 + block] = torch.topk(2 * (Sd[i0:i0 + block] @ Td.T) - r_s, k, dim=1).indices
        return out.cpu().numpy()


def _sync(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _peak(device: str) -> float | None:
    import torch

    return torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else None


def _reset_peak(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def main(argv=None) -> int:
    from benchmark.scoring.retrieval_torch import resolve_device, retrieve_torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=None, help="words per space (default 2,000,000 on CUDA, 50,000 on CPU)")
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--noise", type=float, default=0.8)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--precisions", default="fp32,tf32,bf16")
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    n = args.n or (2_000_000 if device.startswith("cuda") else 50_000)
    S, T = planted(n, args.dim, args.noise, seed=0)
    print(f"device {device}; {n:,} × {n:,} × {args.dim} CSLS (k = {args.k}): r_S of every target, "
          "then the top-10 of every source")
    gold = np.arange(n)
    results = {}
    for precision in args.precisions.split(","):
        _reset_peak(device)
        t0 = time.perf_counter()
        ranked = retrieve_torch(S, T, criterion="csls", k=args.k, topk=10, sources=S, device=device,
                                precision=precision)
        _sync(device)
        dt = time.perf_counter() - t0
        results[precision] = ranked
        agree = "" if precision == "fp32" else f", top-1 = fp32's {np.mean(ranked[:, 0] == results['fp32'][:, 0]):.5f}"
        peak = _peak(device)
        print(f"  ours {precision}: {dt:8.2f} s" + (f", peak {peak:.2f} GiB" if peak is not None else "")
              + f", planted P@1 {np.mean(ranked[:, 0] == gold):.4f}{agree}")
        results[f"{precision}:s"] = dt
    block = 4096 if device.startswith("cuda") else 1024
    _reset_peak(device)
    t0 = time.perf_counter()
    plain = plain_topk_csls(S, T, args.k, device, block)
    _sync(device)
    dt = time.perf_counter() - t0
    peak = _peak(device)
    print(f"  plain blocked torch.topk (fp32, block {block}): {dt:8.2f} s"
          + (f", peak {peak:.2f} GiB" if peak is not None else "")
          + f", planted P@1 {np.mean(plain[:, 0] == gold):.4f}; ours fp32 / plain = {results['fp32:s'] / dt:.2f}")
    if not device.startswith("cuda"):
        from benchmark.scoring import retrieve

        t0 = time.perf_counter()
        cpu = retrieve(S, T, criterion="csls", k=args.k, topk=10, sources=S)
        dt = time.perf_counter() - t0
        print(f"  numpy kernel: {dt:8.2f} s; ours fp32 / numpy = {results['fp32:s'] / dt:.2f}; "
              f"top-1 equal {np.mean(cpu[:, 0] == results['fp32'][:, 0]):.5f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

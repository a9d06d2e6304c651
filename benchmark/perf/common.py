"""What the benchmarks share: seeded random unit rows and the process's peak resident memory."""

from __future__ import annotations

import resource

import numpy as np


def random_unit_rows(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """(n, d) float32 standard normal rows scaled to unit length, made in 65,536-row blocks."""
    X = rng.standard_normal((n, d), dtype=np.float32)
    for i in range(0, n, 1 << 16):
        rows = X[i:i + (1 << 16)]
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return X


def maxrss_bytes() -> int:
    """Peak resident set of this process so far (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

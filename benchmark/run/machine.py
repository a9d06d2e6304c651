"""The machine a result was computed on, as its provenance records it.

Float32 kernels (BLAS, oneDNN) take different code paths on CPUs with
different vector extensions, so the same item recomputed on an AVX2 and an
AVX-512 machine can differ in the last digits (and its plots in bytes) while
it is bitwise reproducible on one machine.  The CPU model and its SIMD
extensions are therefore part of the record.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

# the extensions that select a kernel's code path, hence its rounding
SIMD_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni",
              "amx_bf16", "amx_int8", "asimd", "sve")


def cpu_description(cpuinfo: str | None = None) -> dict[str, object]:
    """``{"model": …, "simd": [...]}`` from /proc/cpuinfo (Linux); the platform's processor string elsewhere.

    ``cpuinfo`` is the file's text (read from /proc/cpuinfo when None).  ``simd``
    lists the extensions of ``SIMD_FLAGS`` the first CPU has, in that order.
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            cpuinfo = ""
    model, flags = "", set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if not model and key in ("model name", "cpu model", "hardware"):
            model = value.strip()
        elif not flags and key in ("flags", "features"):
            flags = set(value.split())
    return {"model": model or platform.processor() or platform.machine(),
            "simd": [f for f in SIMD_FLAGS if f in flags]}


def machine() -> dict[str, object]:
    """Python version, platform, CPU count, CPU model and its SIMD extensions, and the threads an item's
    array work ran on (1 in each worker of ``run --jobs 2`` on 2 cores: float sums in another order can move
    the last bits of a value, never a P@k)."""
    from benchmark.scoring.threads import WORKERS

    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "cpu": cpu_description(), "threads": WORKERS}

"""Running independent pieces of one computation on every core, with results in input order.

numpy releases the GIL in matmul, ``eigvalsh``, ufuncs and fancy indexing, so threads
give real parallelism on chunked array work.  While they run, BLAS is held to one
thread each (``threadpoolctl``, when installed), so the threads do not oversubscribe
the cores; results do not depend on the scheduling.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator, Sequence, TypeVar

__all__ = ["WORKERS", "usable_cores", "single_threaded_blas", "map_in_order", "thread_local_buffer"]

T = TypeVar("T")
R = TypeVar("R")

def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)  # pragma: no cover - platforms without affinity


#: Threads used by default: one per core this process may run on (at most 8).
WORKERS = min(8, usable_cores())

_BLAS_CONTROLLER: list = []  # lazily created threadpoolctl controller (or None)


def single_threaded_blas():
    """A context manager holding BLAS to one thread, or None without threadpoolctl."""
    if not _BLAS_CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
            _BLAS_CONTROLLER.append(ThreadpoolController())
        except Exception:  # not installed, or it failed to inspect the libraries
            _BLAS_CONTROLLER.append(None)
    controller = _BLAS_CONTROLLER[0]
    return None if controller is None else controller.limit(limits=1, user_api="blas")


def map_in_order(fn: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> Iterator[R]:
    """``fn(item)`` for every item, yielded in input order.

    With two or more items and workers, the calls run on a thread pool under
    single-threaded BLAS (without ``threadpoolctl`` they run one after another).  An
    exception is raised where the sequential loop would raise it: at the first item,
    in input order, whose call failed.
    """
    workers = min(WORKERS if workers is None else max(1, int(workers)), len(items))
    limit = single_threaded_blas() if workers > 1 else None
    if limit is None:
        for item in items:
            yield fn(item)
        return
    with limit, ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(fn, item) for item in items]
        try:
            for fut in futures:
                yield fut.result()
        finally:
            for fut in futures:
                fut.cancel()


class thread_local_buffer:
    """``get()`` returns this thread's array, made by ``make()`` on the thread's first call."""

    def __init__(self, make: Callable[[], object]):
        self._make = make
        self._local = threading.local()

    def get(self):
        buf = getattr(self._local, "buf", None)
        if buf is None:
            buf = self._local.buf = self._make()
        return buf

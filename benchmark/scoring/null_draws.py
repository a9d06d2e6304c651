"""A bounded memo of null draws, shared by spaces measured over the same rows and pool.

The layers of one contextual model (each word fed alone) hold the same words
in the same rows: every layer's frequency-matched null draws the same row
sets from the same seed, so the layer sweep draws once per set and reuses
the draws: drawing is vectorised over draws (about 1 ms per set), but the
reuse also keeps every layer's null over exactly the same word sets.  The
key is the content that the draws depend on (seed, sizes, pool rows, the sampler's bins), so a reuse is
bit-identical to drawing again; any difference in pool or bins is a new key.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Callable

import numpy as np

__all__ = ["NullDrawMemo", "draws_key"]


def draws_key(*parts) -> str:
    """sha256 over ``parts`` (ints, floats, strings, numpy arrays: dtype, shape and bytes)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            arr = np.ascontiguousarray(part)
            digest.update(f"a{arr.dtype.str}{arr.shape}".encode("ascii"))
            digest.update(arr.tobytes())
        else:
            digest.update(f"{type(part).__name__}:{part!r}".encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class NullDrawMemo:
    """Least-recently-used draws, at most ``max_bytes`` of index arrays.

    Parameters
    ----------
    max_bytes : int
        Bound on the summed ``nbytes`` of the stored arrays (the oldest go first).

    Attributes
    ----------
    hits, misses : int
        Lookups answered from the memo / computed.
    """

    def __init__(self, max_bytes: int = 64 << 20):
        self.max_bytes = int(max_bytes)
        self._store: OrderedDict[str, np.ndarray] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._store)

    def get(self, key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The draws stored under ``key``, else ``compute()`` (stored read-only, then returned)."""
        if key in self._store:
            self._store.move_to_end(key)
            self.hits += 1
            return self._store[key]
        self.misses += 1
        draws = np.asarray(compute())
        draws.setflags(write=False)
        if draws.nbytes <= self.max_bytes:
            self._store[key] = draws
            self._bytes += draws.nbytes
            while self._bytes > self.max_bytes:
                _, old = self._store.popitem(last=False)
                self._bytes -= old.nbytes
        return draws

    def clear(self) -> None:
        self._store.clear()
        self._bytes = 0

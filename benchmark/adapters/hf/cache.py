"""On-disk cache of computed embedding arrays.

A cached array is addressed by the sha256 of a canonical JSON rendering of a
``key_parts`` dict (model revision, layers, pooling, hash of the inputs ...).
Each entry is two files under ``root/<2 hex>/``::

    <key>.npy    the array (``np.save``, no pickle)
    <key>.json   a sidecar: shape, dtype, sha256 of the .npy bytes, key_parts

Both are written atomically (a temporary file in the same directory, then
``os.replace``); the sidecar is written last, so an entry without a sidecar is
incomplete.  On a read the sidecar, the file's sha256, shape and dtype are all
checked: a truncated, corrupted or half-written entry is never returned, it
is recomputed and overwritten.

Only numpy and the standard library are imported here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from benchmark.hashing import file_sha256
from benchmark.run.atomic import atomic_write

log = logging.getLogger(__name__)

__all__ = ["EmbeddingCache", "default_cache_dir", "cache_key", "canonical_json"]

_FORMAT = 1  # bump to invalidate every entry written by an older layout


def default_cache_dir() -> Path:
    """The Rosetta Bench user cache: ``$ROSETTA_CACHE_DIR`` or ``~/.cache/rosetta-bench``.

    Embedding arrays live under ``<default_cache_dir()>/embeddings``; converted
    model copies (gemma3-270m) under ``<default_cache_dir()>/models``.
    """
    env = os.environ.get("ROSETTA_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "rosetta-bench"


def _jsonable(obj: Any) -> Any:
    """Convert numpy scalars, tuples, paths ... into plain JSON values."""
    if isinstance(obj, Mapping):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise TypeError(f"cache key_parts keys must be str, got {k!r}")
            out[k] = _jsonable(v)
        return out
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError(f"cache key_parts cannot hold non-finite float {value!r}")
        return value
    if isinstance(obj, (str, np.str_)):
        return str(obj)
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if obj is None:
        return None
    raise TypeError(f"cache key_parts value of type {type(obj).__name__} is not JSON-able: {obj!r}")


def canonical_json(key_parts: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, ASCII only: equal dicts give equal strings."""
    return json.dumps(_jsonable(key_parts), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def cache_key(key_parts: Mapping[str, Any]) -> str:
    """sha256 hex digest of :func:`canonical_json` (plus the cache format version)."""
    payload = canonical_json({"__cache_format__": _FORMAT, **dict(key_parts)})
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


class EmbeddingCache:
    """A directory of ``.npy`` arrays addressed by the hash of their key parts.

    Parameters
    ----------
    root
        Directory of the entries; default ``default_cache_dir() / "embeddings"``.

    Attributes ``hits``, ``misses`` and ``recomputed`` (entries found corrupt)
    count what happened in this process.
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root).expanduser() if root is not None else default_cache_dir() / "embeddings"
        self.hits = 0
        self.misses = 0
        self.recomputed = 0

    def __repr__(self) -> str:
        return f"EmbeddingCache({str(self.root)!r})"

    def paths(self, key_parts: Mapping[str, Any]) -> tuple[Path, Path]:
        """``(array_path, sidecar_path)`` of the entry for ``key_parts``."""
        key = cache_key(key_parts)
        folder = self.root / key[:2]
        return folder / f"{key}.npy", folder / f"{key}.json"

    def load(self, key_parts: Mapping[str, Any]) -> np.ndarray | None:
        """The cached array, or ``None`` when absent or not intact."""
        array_path, meta_path = self.paths(key_parts)
        if not meta_path.exists() and not array_path.exists():
            return None
        reason = None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if file_sha256(array_path) != meta["sha256"]:
                reason = "sha256 mismatch"
            else:
                array = np.load(array_path, allow_pickle=False)
                if list(array.shape) != list(meta["shape"]) or str(array.dtype) != meta["dtype"]:
                    reason = f"shape/dtype {array.shape}/{array.dtype} != sidecar {meta['shape']}/{meta['dtype']}"
                else:
                    return array
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
        log.warning("embedding cache entry %s is not intact (%s); recomputing", array_path, reason)
        self.recomputed += 1
        return None

    def store(self, key_parts: Mapping[str, Any], array: np.ndarray) -> Path:
        """Write ``array`` atomically under ``key_parts``; return the array path."""
        if not isinstance(array, np.ndarray):
            raise TypeError(f"EmbeddingCache stores numpy arrays, got {type(array).__name__}")
        if array.dtype.hasobject:
            raise TypeError("EmbeddingCache does not store object arrays")
        array_path, meta_path = self.paths(key_parts)
        array_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(array_path, lambda fh: np.save(fh, array, allow_pickle=False))
        meta = {
            "shape": list(array.shape),
            "dtype": str(array.dtype),
            "sha256": file_sha256(array_path),
            "key_parts": _jsonable(key_parts),
        }
        text = json.dumps(meta, sort_keys=True, indent=1).encode("utf-8")
        atomic_write(meta_path, lambda fh: fh.write(text))
        return array_path

    def get_or_compute(self, key_parts: Mapping[str, Any], compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The cached array for ``key_parts``; on a miss call ``compute()``, store, return it."""
        cached = self.load(key_parts)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        array = compute()
        self.store(key_parts, array)
        return array

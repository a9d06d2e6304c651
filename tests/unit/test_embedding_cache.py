"""EmbeddingCache: round trip, hits, corruption, atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from benchmark.adapters.hf.cache import EmbeddingCache, cache_key, canonical_json, default_cache_dir


class Counter:
    def __init__(self, array):
        self.array = array
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.array


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


KEY = {"revision": "sha256:abc", "layers": [0, 3], "pooling": "mean", "inputs_sha256": "00ff"}


def test_round_trip_and_hit(tmp_path):
    cache = EmbeddingCache(tmp_path)
    arr = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    compute = Counter(arr)
    first = cache.get_or_compute(KEY, compute)
    second = cache.get_or_compute(KEY, compute)
    assert compute.calls == 1
    assert (cache.hits, cache.misses) == (1, 1)
    np.testing.assert_array_equal(first, arr)
    np.testing.assert_array_equal(second, arr)
    assert second.dtype == np.float32 and second.shape == (2, 3, 4)
    # a fresh cache object on the same folder also hits
    other = EmbeddingCache(tmp_path)
    np.testing.assert_array_equal(other.get_or_compute(KEY, Counter(None)), arr)
    assert other.hits == 1


def test_key_is_canonical(tmp_path):
    a = {"b": 1, "a": (1, 2), "c": {"y": np.int64(2), "x": "s"}}
    b = {"c": {"x": "s", "y": 2}, "a": [1, 2], "b": 1}
    assert canonical_json(a) == canonical_json(b)
    assert cache_key(a) == cache_key(b)
    assert cache_key(a) != cache_key({**b, "b": 2})
    cache = EmbeddingCache(tmp_path)
    cache.get_or_compute(a, lambda: np.zeros(3))
    compute = Counter(np.ones(3))
    np.testing.assert_array_equal(cache.get_or_compute(b, compute), np.zeros(3))
    assert compute.calls == 0
    np.testing.assert_array_equal(cache.get_or_compute({**b, "b": 2}, compute), np.ones(3))
    assert compute.calls == 1


def test_key_rejects_non_json(tmp_path):
    with pytest.raises(TypeError):
        canonical_json({"x": object()})
    with pytest.raises(TypeError):
        canonical_json({"x": float("nan")})


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "no_sidecar", "bad_sidecar", "shape_lie"])
def test_corrupt_entry_is_recomputed(tmp_path, damage):
    cache = EmbeddingCache(tmp_path)
    arr = np.random.default_rng(0).standard_normal((5, 7)).astype(np.float32)
    cache.get_or_compute(KEY, lambda: arr)
    npy, meta = cache.paths(KEY)
    raw = npy.read_bytes()
    if damage == "truncate":
        npy.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":
        npy.write_bytes(raw[:-4] + bytes(b ^ 0xFF for b in raw[-4:]))
    elif damage == "garbage":
        npy.write_bytes(b"not a numpy file at all")
    elif damage == "no_sidecar":
        meta.unlink()
    elif damage == "bad_sidecar":
        meta.write_text("{not json", encoding="utf-8")
    elif damage == "shape_lie":
        m = json.loads(meta.read_text())
        m["shape"] = [7, 5]
        meta.write_text(json.dumps(m))
    fresh = arr + 1
    compute = Counter(fresh)
    got = cache.get_or_compute(KEY, compute)
    assert compute.calls == 1
    np.testing.assert_array_equal(got, fresh)
    assert cache.recomputed == 1
    # the entry was rewritten and is intact again
    again = Counter(None)
    np.testing.assert_array_equal(EmbeddingCache(tmp_path).get_or_compute(KEY, again), fresh)
    assert again.calls == 0


def test_atomic_no_temp_left(tmp_path):
    cache = EmbeddingCache(tmp_path)
    for i in range(3):
        cache.get_or_compute({**KEY, "i": i}, lambda i=i: np.full((4, 4), i, dtype=np.float32))
    files = _files(tmp_path)
    assert len(files) == 6
    assert all(p.suffix in (".npy", ".json") and not p.name.startswith(".") for p in files)


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    cache = EmbeddingCache(tmp_path)

    def broken_save(fh, arr, allow_pickle=False):
        fh.write(b"\x93NUMPY partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        cache.get_or_compute(KEY, lambda: np.zeros(3))
    assert _files(tmp_path) == []


def test_failed_compute_leaves_nothing(tmp_path):
    cache = EmbeddingCache(tmp_path)

    def boom():
        raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError):
        cache.get_or_compute(KEY, boom)
    assert _files(tmp_path) == []


def test_rejects_non_arrays(tmp_path):
    cache = EmbeddingCache(tmp_path)
    with pytest.raises(TypeError):
        cache.get_or_compute(KEY, lambda: [1, 2, 3])
    with pytest.raises(TypeError):
        cache.get_or_compute(KEY, lambda: np.array([object()], dtype=object))


def test_default_cache_dir_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ROSETTA_CACHE_DIR", str(tmp_path / "rc"))
    assert default_cache_dir() == tmp_path / "rc"
    assert EmbeddingCache().root == tmp_path / "rc" / "embeddings"
    monkeypatch.delenv("ROSETTA_CACHE_DIR")
    assert default_cache_dir() == Path.home() / ".cache" / "rosetta-bench"


def test_sidecar_records_provenance(tmp_path):
    cache = EmbeddingCache(tmp_path)
    cache.get_or_compute(KEY, lambda: np.zeros((2, 2), dtype=np.float32))
    npy, meta = cache.paths(KEY)
    m = json.loads(meta.read_text())
    assert m["shape"] == [2, 2] and m["dtype"] == "float32" and m["key_parts"] == KEY
    assert len(m["sha256"]) == 64
    assert npy.parent.name == npy.stem[:2]
    assert os.path.getsize(npy) > 0

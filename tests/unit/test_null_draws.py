"""Shared null draws (benchmark.scoring.null_draws) and the faster paths of the spectrum family equal the old ones."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.categories import CategorySet
from benchmark.data.vocabulary import reference_words
from benchmark.errors import ShapeError
from benchmark.families.spectrum_by_category import measure as fam_measure
from benchmark.families.spectrum_by_category.params import as_params
from benchmark.families.spectrum_by_category.pool import build_pool, pool_share_of
from benchmark.scoring.null_draws import NullDrawMemo, draws_key
from benchmark.scoring.spectrum import draw_indices, frequency_matched_sampler, null_distribution


def _sampler_and_pool(seed=0, m=400, d=12):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(m, d))
    pool_rows = np.arange(20, m)
    fm = frequency_matched_sampler(np.arange(len(pool_rows), dtype=float), rng.integers(0, 200, size=9).astype(float))
    return vectors, pool_rows, fm


def test_given_draws_equal_drawing_them():
    vectors, pool_rows, fm = _sampler_and_pool()

    def sampler(rng):
        return pool_rows[fm(rng)]

    old, old_spectra = null_distribution(vectors, 9, 150, seed=7, sampler=sampler, return_spectra=True)
    draws = draw_indices(len(vectors), 9, 150, seed=7, sampler=sampler)
    new, new_spectra = null_distribution(vectors, 9, 150, indices=draws, return_spectra=True)
    np.testing.assert_array_equal(old.values, new.values)
    np.testing.assert_array_equal(old_spectra, new_spectra)
    assert old.names == new.names
    # the uniform default too
    np.testing.assert_array_equal(null_distribution(vectors, 5, 40, seed=3).values,
                                  null_distribution(vectors, 5, 40, indices=draw_indices(len(vectors), 5, 40, seed=3)).values)


def test_given_draws_are_checked():
    vectors, _, _ = _sampler_and_pool()
    with pytest.raises(ShapeError, match=r"indices must be \(10, 4\)"):
        null_distribution(vectors, 4, 10, indices=np.zeros((10, 5), dtype=np.intp))
    with pytest.raises(ShapeError, match="outside"):
        null_distribution(vectors, 2, 1, indices=np.array([[0, len(vectors)]]))


def test_memo_reuses_by_key_and_evicts_the_oldest():
    calls = []

    def compute(value):
        def run():
            calls.append(value)
            return np.full((10, 5), value, dtype=np.intp)  # 400 bytes
        return run

    memo = NullDrawMemo(max_bytes=1000)
    a = memo.get("a", compute(1))
    assert memo.get("a", compute(99)) is a and calls == [1] and (memo.hits, memo.misses) == (1, 1)
    assert not a.flags.writeable
    memo.get("b", compute(2))
    memo.get("a", compute(99))  # a is now the most recent
    memo.get("c", compute(3))  # 1200 bytes > 1000: b goes
    assert len(memo) == 2
    memo.get("a", compute(99))
    assert calls == [1, 2, 3]  # a and c stayed
    memo.get("b", compute(4))
    assert calls == [1, 2, 3, 4]


def test_draws_key_tells_arrays_apart_by_content_dtype_and_shape():
    x = np.arange(6)
    assert draws_key(1, x) == draws_key(1, x.copy())
    assert draws_key(1, x) != draws_key(2, x)
    assert draws_key(1, x) != draws_key(1, x.reshape(2, 3))
    assert draws_key(1, x) != draws_key(1, x.astype(np.int32))
    y = x.copy()
    y[-1] = 7
    assert draws_key(1, x) != draws_key(1, y)


def _old_pool_share_of(emb, pool_rows, member_rows):
    if len(pool_rows) == 0:
        return 0.0
    members = {emb.vectors[r].tobytes() for r in member_rows}
    return float(np.mean([emb.vectors[r].tobytes() in members for r in pool_rows]))


@pytest.mark.parametrize("seed", range(5))
def test_pool_share_of_equals_the_row_by_row_comparison(seed):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(60, 4)).astype(np.float32)
    vectors[rng.integers(0, 60, size=10)] = vectors[rng.integers(0, 60, size=10)]  # shared vectors
    vectors[5, 0], vectors[6, 0] = 0.0, -0.0  # equal floats, different bits
    vectors[7, 0] = vectors[8, 0]  # same first coordinate, different rest
    emb = StaticEmbeddings("toy", tuple(f"w{i}" for i in range(60)), vectors, "test")
    for _ in range(20):
        pool = rng.choice(60, size=int(rng.integers(0, 40)), replace=False)
        members = rng.choice(60, size=int(rng.integers(0, 8)), replace=False).tolist() + [6, 8]
        assert pool_share_of(emb, pool, members) == _old_pool_share_of(emb, pool, members)


def test_a_second_space_with_the_same_rows_reuses_the_draws_and_gets_the_same_entry(monkeypatch):
    words = [w for w in reference_words()[:3000] if w.isalpha()][:2000]
    rng = np.random.default_rng(1)
    cat = CategorySet(name="toyset", kind="semantic", words=tuple(words[100:1900:60]), source="test")
    params = as_params({"n_null": 60})
    # two "layers": the same words, different vectors
    layers = [StaticEmbeddings("toy", tuple(words), rng.normal(size=(len(words), 16)).astype(np.float32), "test")
              for _ in range(2)]
    memo = NullDrawMemo()
    monkeypatch.setattr(fam_measure, "NULL_DRAWS", memo)

    def measure(emb):
        match = fam_measure.match_words(emb, cat.words, fold_case=True)
        pool = build_pool(emb, exclude_rows=match["rows"])
        return fam_measure.measure_set(emb, cat, pool, params, seed=0, match=match)[0]

    shared = [measure(emb) for emb in layers]
    assert (memo.misses, memo.hits) == (1, 1)
    fresh = []
    for emb in layers:
        memo.clear()
        fresh.append(measure(emb))
    assert shared == fresh
    assert shared[0]["status"] == "ok" and shared[0]["z"] != shared[1]["z"]

"""benchmark.scoring.spectrum.uniform_subsets and FrequencyMatchedSampler.draws: exact, distinct, uniform."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from benchmark.errors import ShapeError
from benchmark.scoring.spectrum import frequency_matched_sampler, uniform_subsets

# (n, k) pairs on either side of the method switch k(k − 1) ≤ n
REJECTION = [(4, 2), (6, 2), (12, 3)]
KEYS = [(4, 3), (5, 3), (6, 4)]


@pytest.mark.parametrize("n,k", REJECTION + KEYS + [(1, 1), (7, 1), (5, 5)])
def test_rows_hold_distinct_indices_in_range(n, k):
    out = uniform_subsets(np.random.default_rng(0), n, k, 3000)
    assert out.shape == (3000, k) and out.dtype == np.intp
    assert out.min() >= 0 and out.max() < n
    rows = np.sort(out, axis=1)
    assert not (rows[:, 1:] == rows[:, :-1]).any()


@pytest.mark.parametrize("n,k", REJECTION + KEYS)
def test_every_subset_is_equally_likely(n, k):
    # chi-square over all C(n, k) subsets; a biased method (e.g. dropping repeats
    # instead of redrawing the row) fails this at p ≪ 1e-6 with these sizes
    draws = 20000
    out = np.sort(uniform_subsets(np.random.default_rng(1), n, k, draws), axis=1)
    index = {s: i for i, s in enumerate(itertools.combinations(range(n), k))}
    counts = np.bincount([index[tuple(r)] for r in out.tolist()], minlength=len(index))
    assert stats.chisquare(counts).pvalue > 1e-4


@pytest.mark.parametrize("n,k", [(1000, 20), (30, 20)])
def test_inclusion_frequency_is_k_over_n(n, k):
    draws = 4000
    out = uniform_subsets(np.random.default_rng(2), n, k, draws)
    freq = np.bincount(out.ravel(), minlength=n) / draws
    se = np.sqrt(k / n * (1 - k / n) / draws)
    assert np.abs(freq - k / n).max() < 6 * se


def test_same_seed_same_draws_and_chunking_does_not_matter(monkeypatch):
    a = uniform_subsets(np.random.default_rng(5), 40, 30, 500)
    np.testing.assert_array_equal(a, uniform_subsets(np.random.default_rng(5), 40, 30, 500))
    assert not np.array_equal(a, uniform_subsets(np.random.default_rng(6), 40, 30, 500))
    from benchmark.scoring import spectrum
    monkeypatch.setattr(spectrum, "_SUBSET_KEYS_PER_CHUNK", 40 * 7)  # 7 rows per chunk, a ragged last one
    np.testing.assert_array_equal(a, uniform_subsets(np.random.default_rng(5), 40, 30, 500))


@pytest.mark.parametrize("n,k,draws", [(3, 4, 1), (3, 0, 1), (3, 2, 0), (0, 1, 1)])
def test_bad_sizes_are_named(n, k, draws):
    with pytest.raises(ShapeError, match=f"n={n}, k={k}, n_draws={draws}"):
        uniform_subsets(np.random.default_rng(0), n, k, draws)


def test_sampler_draws_match_bins_and_are_uniform_within_a_bin():
    ranks = np.arange(1, 3001)
    target = np.array([2, 3, 5, 9, 20, 40, 80, 150, 300, 600, 1200, 2500])
    fm = frequency_matched_sampler(ranks, target, bins=3)
    out = fm.draws(np.random.default_rng(3), 2000)
    assert out.shape == (2000, target.size) and out.dtype == np.intp
    rows = np.sort(out, axis=1)
    assert not (rows[:, 1:] == rows[:, :-1]).any()
    bins = fm.pool_bins[out]
    assert (bins >= 0).all()
    for b, c in enumerate(fm.target_counts):
        np.testing.assert_array_equal((bins == b).sum(axis=1), c)
        members = np.flatnonzero(fm.pool_bins == b)
        hits = np.bincount(out[bins == b], minlength=len(ranks))[members]
        expected = 2000 * c / members.size
        assert stats.chisquare(hits, np.full(members.size, expected)).pvalue > 1e-4
    # one draw through __call__ is the first row of draws(rng, 1)
    np.testing.assert_array_equal(fm(np.random.default_rng(9)), fm.draws(np.random.default_rng(9), 1)[0])


def test_sampler_draws_rejects_bad_counts():
    fm = frequency_matched_sampler(np.arange(100), np.array([1, 5, 30]), bins=2)
    for bad in (0, -1, 2.5):
        with pytest.raises(ShapeError, match="n_draws"):
            fm.draws(np.random.default_rng(0), bad)


def test_perf_reference_is_the_per_draw_sampler_and_the_check_catches_bad_draws():
    from benchmark.perf.null_sampler import _checked, per_draw_reference
    fm = frequency_matched_sampler(np.arange(1, 3001), np.array([2, 3, 5, 9, 20, 40, 80, 150, 300, 600]), bins=3)
    ref = _checked(fm, per_draw_reference(fm, np.random.default_rng(4), 50))
    assert ref.shape == (50, fm.set_size)
    bad = ref.copy()
    bad[0, 1] = bad[0, 0]
    with pytest.raises(AssertionError, match="repeats"):
        _checked(fm, bad)
    swapped = ref.copy()
    swapped[:, 0] = np.flatnonzero(fm.pool_bins == len(fm.target_counts) - 1)[:50]
    with pytest.raises(AssertionError, match="misses bin"):
        _checked(fm, swapped)

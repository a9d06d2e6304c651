"""Bootstrap CIs that resample the independent unit (benchmark.scoring.stats)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.errors import ShapeError
from benchmark.scoring import bootstrap_ci, cluster_bootstrap_ci, difference_ci


def test_cluster_bootstrap_with_singleton_clusters_is_the_plain_bootstrap():
    v = np.random.default_rng(0).random(40)
    assert cluster_bootstrap_ci(v, np.arange(40), n_resamples=300, seed=3) == bootstrap_ci(
        v, n_resamples=300, seed=3)


def test_cluster_bootstrap_equals_the_bootstrap_of_cluster_means_for_equal_sizes():
    """With equal cluster sizes the pooled mean of drawn clusters is the mean of their means."""
    rng = np.random.default_rng(1)
    per_word = rng.integers(0, 2, size=(17, 16)).astype(float)
    words = np.repeat([f"w{i:02d}" for i in range(17)], 16)
    lo, hi = cluster_bootstrap_ci(per_word.ravel(), words, n_resamples=500, seed=0)
    ref = bootstrap_ci(per_word.mean(axis=1), n_resamples=500, seed=0)
    assert (lo, hi) == pytest.approx(ref, abs=1e-12)


def test_cluster_bootstrap_covers_the_truth_where_the_occurrence_bootstrap_does_not():
    """Clustered hits (a word's occurrences share its difficulty): resampling occurrences
    gives intervals far too narrow; resampling words keeps ≈ 95 % coverage."""
    rng = np.random.default_rng(2)
    n_words, k = 17, 16
    # the words are a sample too: the target is the population mean of a word's accuracy
    truth = np.clip(0.7 + 0.25 * np.random.default_rng(99).standard_normal(1_000_000), 0, 1).mean()
    covered_cluster = covered_naive = 0
    trials = 200
    for t in range(trials):
        p_word = np.clip(0.7 + 0.25 * rng.standard_normal(n_words), 0, 1)
        hits = (rng.random((n_words, k)) < p_word[:, None]).astype(float)
        labels = np.repeat(np.arange(n_words), k)
        true_mean = truth
        lo, hi = cluster_bootstrap_ci(hits.ravel(), labels, n_resamples=300, seed=t)
        covered_cluster += lo <= true_mean <= hi
        lo, hi = bootstrap_ci(hits.ravel(), n_resamples=300, seed=t)
        covered_naive += lo <= true_mean <= hi
    assert covered_cluster / trials >= 0.85  # percentile bootstrap on 17 units undercovers a little
    assert covered_naive / trials <= 0.70


def test_difference_ci_resamples_each_sample_on_its_own():
    """With a constant second sample the CI is exactly the first sample's CI, shifted."""
    a = np.random.default_rng(3).random(50)
    b = np.full(30, 0.25)
    lo, hi = difference_ci(a, b, n_resamples=400, seed=7)
    ref = bootstrap_ci(a, n_resamples=400, seed=7)
    assert (lo, hi) == pytest.approx((ref[0] - 0.25, ref[1] - 0.25), abs=1e-12)


def test_difference_ci_covers_truth():
    rng = np.random.default_rng(4)
    a, b = 0.7 + 0.05 * rng.standard_normal(200), 0.2 + 0.05 * rng.standard_normal(300)
    lo, hi = difference_ci(a, b, n_resamples=500, seed=0)
    assert lo < a.mean() - b.mean() < hi and hi - lo < 0.05


@pytest.mark.parametrize("call, match", [
    (lambda: cluster_bootstrap_ci([1.0, 2.0], [0]), "clusters has shape"),
    (lambda: cluster_bootstrap_ci([], []), "non-empty"),
    (lambda: cluster_bootstrap_ci([1.0, np.nan], [0, 1]), "NaN|finite"),
    (lambda: difference_ci([1.0], [], n_resamples=10), "non-empty"),
    (lambda: difference_ci([1.0], [2.0], confidence=1.5), "confidence"),
])
def test_named_errors(call, match):
    with pytest.raises(ShapeError, match=match):
        call()

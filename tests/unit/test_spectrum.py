"""Known answers and error paths of benchmark.scoring.spectrum."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmark.errors import ShapeError, UnknownNameError
from benchmark.scoring.spectrum import (
    METRIC_NAMES,
    SHARPER_IS_HIGHER,
    FrequencyMatchedSampler,
    NullDistribution,
    SpectrumSummary,
    compare_with_null,
    frequency_matched_sampler,
    null_comparison,
    null_distribution,
    sharper_is_higher,
    singular_spectrum,
    spectrum_metrics,
    summarize_spectrum,
)

# Centred rows [1, 1], [1, -1], [-2, 0]: XᵀX = diag(6, 2), so σ = (√6, √2).
CENTRED_3X2 = np.array([[1.0, 1.0], [1.0, -1.0], [-2.0, 0.0]])
OFFSET = np.array([5.0, -3.0])


# --------------------------------------------------------------------------
# singular_spectrum
# --------------------------------------------------------------------------


def test_known_spectrum_of_centred_3x2():
    np.testing.assert_allclose(singular_spectrum(CENTRED_3X2 + OFFSET), [math.sqrt(6), math.sqrt(2)], rtol=1e-14)


def test_known_spectrum_without_centring():
    E = np.array([[3.0, 0.0], [0.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(singular_spectrum(E, center=False), [4.0, 3.0], rtol=1e-14)
    # centring changes it: the mean row (1, 4/3) is removed
    assert not np.allclose(singular_spectrum(E), [4.0, 3.0])


def test_float32_input_computed_in_float64():
    E = (CENTRED_3X2 + OFFSET).astype(np.float32)
    sigma = singular_spectrum(E)
    assert sigma.dtype == np.float64
    np.testing.assert_allclose(sigma, [math.sqrt(6), math.sqrt(2)], rtol=1e-6)


def test_centred_tail_is_zero_when_n_le_d():
    rng = np.random.default_rng(1)
    E = rng.standard_normal((5, 50)).astype(np.float32) + 3.0
    sigma = singular_spectrum(E)
    assert sigma.shape == (5,)
    assert sigma[-1] / sigma[0] < 1e-6
    assert singular_spectrum(E, center=False)[-1] / sigma[0] > 1e-3


@pytest.mark.parametrize(
    "bad, fragment",
    [
        (np.ones(4), "2-D"),
        (np.ones((2, 3, 4)), "2-D"),
        (np.ones((1, 5)), "at least 2 rows"),
        (np.ones((3, 0)), "at least 2 rows"),
        (np.array([["a", "b"], ["c", "d"]]), "numeric"),
        (np.ones((2, 2), dtype=complex), "numeric"),
    ],
)
def test_bad_shapes_raise_shape_error_naming_the_shape(bad, fragment):
    with pytest.raises(ShapeError, match=fragment) as err:
        singular_spectrum(bad)
    assert str(bad.shape) in str(err.value)


def test_non_finite_entry_is_named():
    E = np.ones((3, 4))
    E[2, 1] = np.nan
    with pytest.raises(ShapeError, match=r"non-finite entry nan at index \(2, 1\)"):
        singular_spectrum(E)


# --------------------------------------------------------------------------
# summarize_spectrum / spectrum_metrics
# --------------------------------------------------------------------------


def test_metric_formulas_on_known_sigma():
    s = summarize_spectrum([1.0, 3.0, 2.0], top_k=2, shape=(4, 3))  # any order in
    p = np.array([9.0, 4.0, 1.0]) / 14.0
    assert isinstance(s, SpectrumSummary)
    assert s.sigma1_share == pytest.approx(9 / 14, rel=1e-15)
    assert s.topk_share == pytest.approx(13 / 14, rel=1e-15)
    assert s.effective_rank == pytest.approx(math.exp(-(p * np.log(p)).sum()), rel=1e-14)
    assert s.participation_ratio == pytest.approx(14.0**2 / (81 + 16 + 1), rel=1e-14)  # = 2
    assert s.sigma1_over_sigma2 == pytest.approx(1.5, rel=1e-15)
    assert s.zero_tail == pytest.approx(1 / 3, rel=1e-15)
    assert (s.top_k, s.n, s.d) == (2, 4, 3)
    assert list(s.metrics()) == list(METRIC_NAMES)
    assert s.as_dict()["n"] == 4


def test_effective_rank_uses_variance_shares_not_sigma_shares():
    s = summarize_spectrum([3.0, 1.0])
    p_var = np.array([0.9, 0.1])
    p_sig = np.array([0.75, 0.25])  # Roy & Vetterli's sigma / sum(sigma)
    assert s.effective_rank == pytest.approx(math.exp(-(p_var * np.log(p_var)).sum()))
    assert s.effective_rank != pytest.approx(math.exp(-(p_sig * np.log(p_sig)).sum()))


def test_top_k_larger_than_spectrum_and_zeros():
    s = summarize_spectrum([2.0, 0.0, 0.0], top_k=5)
    assert s.topk_share == 1.0
    assert s.effective_rank == 1.0
    assert s.sigma1_over_sigma2 == math.inf
    assert s.zero_tail == 0.0


def test_single_singular_value():
    m = spectrum_metrics(np.array([[1.0], [2.0], [4.0]]))
    assert m["sigma1_share"] == 1.0
    assert m["sigma1_over_sigma2"] == math.inf
    assert m["zero_tail"] == 1.0
    assert (m["n"], m["d"]) == (3, 1)


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_extreme_scales_neither_overflow_nor_underflow(scale):
    s = summarize_spectrum(np.array([3.0, 2.0, 1.0]) * scale, top_k=2)
    assert s.participation_ratio == pytest.approx(2.0, rel=1e-14)
    assert s.sigma1_share == pytest.approx(9 / 14, rel=1e-14)


def test_spectrum_metrics_known_answer():
    m = spectrum_metrics(CENTRED_3X2 + OFFSET, top_k=1)
    assert m["sigma1_share"] == pytest.approx(6 / 8)
    assert m["topk_share"] == pytest.approx(6 / 8)
    assert m["participation_ratio"] == pytest.approx(64 / 40)
    assert m["sigma1_over_sigma2"] == pytest.approx(math.sqrt(3))
    assert (m["n"], m["d"]) == (3, 2)


@pytest.mark.parametrize("value", [0.1, 7.0, -3.3])
def test_constant_matrix_has_zero_variance(value):
    E = np.full((3, 5), value)
    np.testing.assert_array_equal(singular_spectrum(E), 0.0)
    with pytest.raises(ShapeError, match="zero variance after centring"):
        spectrum_metrics(E)
    with pytest.raises(ShapeError, match="zero variance after centring"):
        summarize_spectrum(np.zeros(3))


@pytest.mark.parametrize(
    "sigma, top_k, fragment",
    [([], 3, "non-empty"), ([[1.0]], 3, "1-D"), ([1.0, -1.0], 3, "non-negative"),
     ([1.0, np.inf], 3, "non-finite"), ([1.0], 0, "top_k")],
)
def test_summarize_rejects_bad_input(sigma, top_k, fragment):
    with pytest.raises(ShapeError, match=fragment):
        summarize_spectrum(sigma, top_k=top_k)


def test_sharpness_directions_and_did_you_mean():
    assert SHARPER_IS_HIGHER == {
        "sigma1_share": True, "topk_share": True, "sigma1_over_sigma2": True,
        "effective_rank": False, "participation_ratio": False,
    }
    assert sharper_is_higher("effective_rank") is False
    with pytest.raises(UnknownNameError, match="did you mean 'effective_rank'"):
        sharper_is_higher("efective_rank")
    with pytest.raises(UnknownNameError, match="did you mean 'sigma1_share'"):
        null_distribution(np.eye(5), 3, 2, metrics=["sigma1_shar"])
    nd = null_distribution(np.eye(5), 3, 2)
    with pytest.raises(UnknownNameError, match="did you mean 'topk_share'"):
        nd.column("top_share")


# --------------------------------------------------------------------------
# null_distribution
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool():
    return np.random.default_rng(123).standard_normal((500, 16)).astype(np.float32)


def test_null_distribution_shape_and_determinism(pool):
    a = null_distribution(pool, 10, 50, seed=7)
    b = null_distribution(pool, 10, 50, seed=7)
    c = null_distribution(pool, 10, 50, seed=8)
    assert isinstance(a, NullDistribution)
    values, names = a
    assert values.shape == (50, len(METRIC_NAMES))
    assert names == METRIC_NAMES
    assert values.dtype == np.float64
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.array_equal(a.values, c.values)
    assert np.isfinite(values).all()


def test_null_distribution_chunking_does_not_change_results(pool):
    big = null_distribution(pool, 10, 40, seed=3)
    tiny = null_distribution(pool, 10, 40, seed=3, max_chunk_bytes=1)
    np.testing.assert_allclose(tiny.values, big.values, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("workers", [2, 3])
def test_null_distribution_is_bitwise_the_same_on_any_number_of_threads(pool, workers):
    kw = dict(seed=5, max_chunk_bytes=8 * 10 * 16 * 7, return_spectra=True)  # 7 draws a chunk: 9 chunks
    one, one_spectra = null_distribution(pool, 10, 60, workers=1, **kw)
    many, many_spectra = null_distribution(pool, 10, 60, workers=workers, **kw)
    assert one.values.tobytes() == many.values.tobytes()
    assert one_spectra.tobytes() == many_spectra.tobytes()


def test_null_distribution_centres_like_singular_spectrum_with_constant_columns():
    rng = np.random.default_rng(4)
    pool = rng.standard_normal((40, 6))
    pool[:, 2] = 0.1  # a constant column: its mean is not exactly 0.1, yet it must centre to exactly 0
    draws = np.stack([rng.choice(40, size=3, replace=False) for _ in range(12)])
    _, spectra = null_distribution(pool, 3, 12, indices=draws, return_spectra=True, method="svd",
                                   max_chunk_bytes=8 * 3 * 6 * 4)
    for row, idx in zip(spectra, draws):
        assert row.tobytes() == singular_spectrum(pool[idx]).tobytes()


def test_null_distribution_names_the_first_bad_chunk_in_order_on_threads():
    pool = np.random.default_rng(0).standard_normal((30, 4))
    pool[7, 3] = np.nan
    pool[21, 0] = np.inf
    draws = np.array([[0, 1, 2], [3, 4, 5], [20, 21, 22], [6, 7, 8]])
    with pytest.raises(ShapeError, match=r"non-finite entry inf at index \(21, 0\)"):
        null_distribution(pool, 3, 4, indices=draws, max_chunk_bytes=8 * 3 * 4, workers=2)


def test_null_rows_equal_spectrum_metrics_of_drawn_rows(pool):
    drawn = []

    def recording_sampler(rng):
        idx = rng.choice(len(pool), size=8, replace=False)
        drawn.append(idx)
        return idx

    nd = null_distribution(pool, 8, 5, seed=0, sampler=recording_sampler, top_k=2)
    for row, idx in zip(nd.values, drawn):
        expected = spectrum_metrics(pool[idx], top_k=2)
        np.testing.assert_allclose(row[:5], [expected[m] for m in METRIC_NAMES[:5]], rtol=1e-10)
        assert row[5] < 1e-6  # zero_tail: 8 rows in 16 dimensions


@pytest.mark.parametrize("set_size", [8, 16, 40])  # N < D, N = D, N > D (D = 16)
def test_gram_method_matches_svd(pool, set_size):
    scaled = pool * np.geomspace(10.0, 0.1, pool.shape[1], dtype=np.float32)  # anisotropic, well conditioned
    gram, spectra_g = null_distribution(scaled, set_size, 30, seed=5, method="gram", return_spectra=True)
    svd, spectra_s = null_distribution(scaled, set_size, 30, seed=5, method="svd", return_spectra=True)
    assert spectra_g.shape == spectra_s.shape == (30, min(set_size, 16))
    sharp = [METRIC_NAMES.index(m) for m in SHARPER_IS_HIGHER]
    np.testing.assert_allclose(gram.values[:, sharp], svd.values[:, sharp], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(spectra_g, spectra_s, rtol=1e-7, atol=1e-6 * spectra_s[:, :1].max())
    assert (np.diff(spectra_g, axis=1) <= 0).all()
    if set_size <= 16:
        assert gram.column("zero_tail").max() < 1e-6  # centred N ≤ D: the tail still reads as zero


def test_null_spectra_are_the_drawn_rows_spectra(pool):
    drawn = []

    def recording_sampler(rng):
        drawn.append(rng.choice(len(pool), size=6, replace=False))
        return drawn[-1]

    _, spectra = null_distribution(pool, 6, 4, seed=0, sampler=recording_sampler, return_spectra=True)
    for s, idx in zip(spectra, drawn):
        np.testing.assert_allclose(s[:-1], singular_spectrum(pool[idx])[:-1], rtol=1e-9)


def test_unknown_null_method_is_named(pool):
    with pytest.raises(UnknownNameError, match="'grams'.*did you mean 'gram'"):
        null_distribution(pool, 6, 4, method="grams")


def test_null_distribution_metric_subset_and_custom_fn(pool):
    nd = null_distribution(pool, 6, 4, metrics=["effective_rank", "sigma1_share"])
    assert nd.names == ("effective_rank", "sigma1_share")
    assert nd.values.shape == (4, 2)
    full = null_distribution(pool, 6, 4)
    np.testing.assert_array_equal(nd.column("effective_rank"), full.column("effective_rank"))

    custom = null_distribution(pool, 6, 4, metric_fn=lambda s: {"s1": s[0], "len": len(s)})
    assert custom.names == ("s1", "len")
    np.testing.assert_array_equal(custom.column("len"), 6.0)


def test_null_distribution_draws_distinct_rows():
    # a pool of distinct collinear rows: every draw of 2 distinct rows has one
    # nonzero singular value; a repeated row would give zero variance
    pool = np.arange(10.0)[:, None] * np.ones((1, 3))
    nd = null_distribution(pool, 2, 200, seed=1)
    assert nd.column("effective_rank") == pytest.approx(np.ones(200))


def test_null_distribution_errors(pool):
    with pytest.raises(ShapeError, match="set_size"):
        null_distribution(pool, 1, 10)
    with pytest.raises(ShapeError, match="set_size"):
        null_distribution(pool, 501, 10)
    with pytest.raises(ShapeError, match="n_draws"):
        null_distribution(pool, 5, 0)
    with pytest.raises(ShapeError, match="2-D"):
        null_distribution(pool[0], 5, 10)
    with pytest.raises(ShapeError, match="duplicate indices"):
        null_distribution(pool, 3, 2, sampler=lambda rng: np.array([1, 1, 2]))
    with pytest.raises(ShapeError, match="3 integer indices"):
        null_distribution(pool, 3, 2, sampler=lambda rng: np.array([1, 2]))
    with pytest.raises(ShapeError, match="outside"):
        null_distribution(pool, 3, 2, sampler=lambda rng: np.array([1, 2, 500]))


def test_null_distribution_names_a_non_finite_pool_row():
    pool = np.ones((4, 3)) * np.arange(4.0)[:, None]
    pool[2, 1] = np.inf
    with pytest.raises(ShapeError, match=r"index \(2, 1\)"):
        null_distribution(pool, 4, 1)


def test_null_distribution_rejects_duplicate_pool_rows():
    pool = np.ones((3, 4))
    with pytest.raises(ShapeError, match="zero variance.*duplicate rows"):
        null_distribution(pool, 2, 5)


# --------------------------------------------------------------------------
# frequency_matched_sampler
# --------------------------------------------------------------------------


def _bin_counts(sampler: FrequencyMatchedSampler, idx):
    return np.bincount(sampler.pool_bins[idx], minlength=len(sampler.target_counts))


def test_frequency_sampler_matches_bins():
    ranks = np.arange(1, 20001)  # 1-based pool ranks
    target = np.array([3, 10, 40, 90, 150, 300, 700, 1500, 3000, 6000, 12, 55, 220, 800, 2500, 5000])
    sampler = frequency_matched_sampler(ranks, target, bins=4)
    assert sampler.set_size == target.size
    assert sampler.target_counts.sum() == target.size
    assert (sampler.pool_counts >= 2 * sampler.target_counts).all()
    rng = np.random.default_rng(0)
    lo, hi = target.min(), target.max()
    for _ in range(20):
        idx = sampler(rng)
        assert idx.shape == (target.size,)
        assert np.unique(idx).size == idx.size
        np.testing.assert_array_equal(_bin_counts(sampler, idx), sampler.target_counts)
        assert lo <= ranks[idx].min() and ranks[idx].max() <= hi


def test_frequency_sampler_bins_are_quantiles_of_category_log_ranks():
    target = np.array([1, 2, 4, 8, 16, 32, 64, 128])
    sampler = frequency_matched_sampler(np.arange(100000), target, bins=4, min_pool_ratio=1.0)
    np.testing.assert_allclose(sampler.bin_edges, np.quantile(np.log1p(target), [0, 0.25, 0.5, 0.75, 1]))
    np.testing.assert_array_equal(sampler.target_counts, [2, 2, 2, 2])


def test_frequency_sampler_merges_sparse_bins():
    # pool without the category's own words: the most frequent band is empty
    target = np.array([0, 1, 2, 3, 500, 600, 700, 800])
    pool_ranks = np.arange(4, 5000)
    sampler = frequency_matched_sampler(pool_ranks, target, bins=4)
    assert len(sampler.target_counts) < 4
    assert (sampler.pool_counts >= 2 * sampler.target_counts).all()
    nd = null_distribution(np.random.default_rng(0).standard_normal((pool_ranks.size, 12)), 8, 10, sampler=sampler)
    assert nd.values.shape == (10, len(METRIC_NAMES))


def test_frequency_sampler_deterministic_with_null_seed():
    ranks = np.arange(3000)
    sampler = frequency_matched_sampler(ranks, np.array([5, 50, 500, 900, 1200]), bins=3)
    vecs = np.random.default_rng(1).standard_normal((3000, 8))
    a = null_distribution(vecs, 5, 30, seed=11, sampler=sampler)
    b = null_distribution(vecs, 5, 30, seed=11, sampler=sampler)
    np.testing.assert_array_equal(a.values, b.values)


def test_frequency_sampler_errors():
    with pytest.raises(ShapeError, match="pool has 2 words"):
        frequency_matched_sampler(np.array([1, 2, 5000]), np.array([1, 2, 3]))
    with pytest.raises(ShapeError, match="≥ 0"):
        frequency_matched_sampler(np.array([-1, 2]), np.array([1, 2]))
    with pytest.raises(ShapeError, match="at least 2"):
        frequency_matched_sampler(np.arange(10), np.array([1]))
    with pytest.raises(ShapeError, match="bins"):
        frequency_matched_sampler(np.arange(10), np.array([1, 2]), bins=0)


# --------------------------------------------------------------------------
# null_comparison / compare_with_null
# --------------------------------------------------------------------------


def test_null_comparison_known_values():
    null = [1.0, 2.0, 3.0, 4.0, 5.0]
    hi = null_comparison(4.5, null)
    assert hi["z"] == pytest.approx(1.5 / np.std(null, ddof=1))
    assert hi["z_sharp"] == hi["z"]
    assert hi["p_value"] == pytest.approx(2 / 6)  # only 5 >= 4.5
    assert hi["n_draws"] == 5
    assert hi["null_mean"] == 3.0
    assert hi["null_p05"] == pytest.approx(np.percentile(null, 5))
    assert hi["null_p95"] == pytest.approx(np.percentile(null, 95))
    lo = null_comparison(4.5, null, higher_is_sharper=False)
    assert lo["p_value"] == pytest.approx(5 / 6)  # 1..4 <= 4.5
    assert lo["z_sharp"] == -lo["z"]
    assert null_comparison(0.0, null, higher_is_sharper=False)["p_value"] == pytest.approx(1 / 6)
    assert null_comparison(9.0, null)["p_value"] == pytest.approx(1 / 6)
    assert null_comparison(-9.0, null)["p_value"] == 1.0


def test_null_comparison_constant_null():
    assert null_comparison(2.0, [2.0, 2.0, 2.0])["z"] == 0.0
    assert null_comparison(3.0, [2.0, 2.0, 2.0])["z"] == math.inf
    assert null_comparison(1.0, [2.0, 2.0, 2.0])["z"] == -math.inf


def test_null_comparison_errors():
    with pytest.raises(ShapeError, match="at least 2"):
        null_comparison(1.0, [1.0])
    with pytest.raises(ShapeError, match="NaN"):
        null_comparison(1.0, [1.0, np.nan])
    with pytest.raises(ShapeError, match="NaN"):
        null_comparison(np.nan, [1.0, 2.0])


def test_structured_category_is_sharper_than_isotropic_null():
    rng = np.random.default_rng(5)
    pool = rng.standard_normal((2000, 30))
    direction = rng.standard_normal(30)
    category = rng.standard_normal((20, 30)) * 0.3 + np.outer(rng.standard_normal(20) * 3, direction)
    observed = spectrum_metrics(category)
    nd = null_distribution(pool, 20, 200, seed=0)
    out = compare_with_null(observed, nd)
    assert list(out) == [m for m in METRIC_NAMES if m in SHARPER_IS_HIGHER]
    for name, res in out.items():
        assert res["p_value"] == pytest.approx(1 / 201), name
        assert res["z_sharp"] > 3, name

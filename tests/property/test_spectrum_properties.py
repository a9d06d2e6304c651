"""Properties of the category-spectrum metrics (benchmark.scoring.spectrum).

Matrices are built to be well-conditioned: X = Q·diag(s)·Vᵀ + offset, with Q
orthonormal columns orthogonal to the ones vector (so centring removes only the
offset) and s in [1, 10]·scale, so the expected centred spectrum is s exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from benchmark.scoring.spectrum import (
    METRIC_NAMES,
    null_comparison,
    singular_spectrum,
    spectrum_metrics,
    summarize_spectrum,
)

NORMALISED = [m for m in METRIC_NAMES if m != "zero_tail"]

seeds = st.integers(0, 2**32 - 1)
log_scales = st.floats(-3.0, 3.0)


@st.composite
def shapes_n_le_d(draw, max_n=12, max_d=24):
    n = draw(st.integers(2, max_n))
    d = draw(st.integers(n, max_d))
    return n, d


@st.composite
def any_shapes(draw, max_n=14, max_d=14):
    return draw(st.integers(2, max_n)), draw(st.integers(1, max_d))


def orthogonal(rng, d):
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def well_conditioned(rng, n, d, scale):
    """(X, s): X is n×d whose centred spectrum is s (descending), plus zeros."""
    r = min(n - 1, d)
    a = rng.standard_normal((n, r))
    a -= a.mean(axis=0)
    q, _ = np.linalg.qr(a)  # orthonormal, orthogonal to ones
    v, _ = np.linalg.qr(rng.standard_normal((d, r)))
    s = np.sort(rng.uniform(1.0, 10.0, size=r))[::-1] * scale
    offset = rng.normal(scale=10.0 * scale, size=d)
    return q @ np.diag(s) @ v.T + offset, s


def assert_metrics_close(a, b, rank, rtol=1e-9):
    for m in NORMALISED:
        if m == "sigma1_over_sigma2" and rank < 2:
            continue  # sigma_2 is rounding noise: the ratio is ~1e16, not reproducible
        np.testing.assert_allclose(a[m], b[m], rtol=rtol, err_msg=m)
    np.testing.assert_allclose(a["zero_tail"], b["zero_tail"], rtol=rtol, atol=1e-12)


@settings(deadline=None)
@given(shape=shapes_n_le_d(), seed=seeds, log_scale=log_scales)
def test_centred_tail_vanishes_when_n_le_d(shape, seed, log_scale):
    n, d = shape
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * 10.0**log_scale + rng.normal(size=d) * 10.0**log_scale
    sigma = singular_spectrum(X)
    assert sigma.shape == (n,)
    assert sigma[-1] / sigma[0] < 1e-6
    assert spectrum_metrics(X)["zero_tail"] < 1e-6


@settings(deadline=None)
@given(shape=any_shapes(), seed=seeds, log_scale=log_scales)
def test_spectrum_matches_construction(shape, seed, log_scale):
    n, d = shape
    rng = np.random.default_rng(seed)
    X, s = well_conditioned(rng, n, d, 10.0**log_scale)
    sigma = singular_spectrum(X)
    assert sigma.shape == (min(n, d),)
    assert np.all(np.diff(sigma) <= 0)
    np.testing.assert_allclose(sigma[: s.size], s, rtol=1e-8)
    np.testing.assert_allclose(sigma[s.size:], 0.0, atol=1e-8 * s[0])


@settings(deadline=None)
@given(shape=any_shapes(), seed=seeds, log_scale=log_scales)
def test_invariant_to_rotation_permutation_and_scaling(shape, seed, log_scale):
    n, d = shape
    rng = np.random.default_rng(seed)
    X, s = well_conditioned(rng, n, d, 10.0**log_scale)
    base_sigma = singular_spectrum(X)
    base = spectrum_metrics(X)

    rotated = X @ orthogonal(rng, d)
    np.testing.assert_allclose(singular_spectrum(rotated), base_sigma, rtol=1e-8, atol=1e-10 * base_sigma[0])
    assert_metrics_close(spectrum_metrics(rotated), base, s.size)

    permuted = X[rng.permutation(n)]
    np.testing.assert_allclose(singular_spectrum(permuted), base_sigma, rtol=1e-8, atol=1e-10 * base_sigma[0])
    assert_metrics_close(spectrum_metrics(permuted), base, s.size)

    c = float(rng.choice([-1.0, 1.0]) * 10.0 ** rng.uniform(-3, 3))
    scaled_sigma = singular_spectrum(c * X)
    np.testing.assert_allclose(scaled_sigma, abs(c) * base_sigma, rtol=1e-8, atol=1e-10 * abs(c) * base_sigma[0])
    assert_metrics_close(spectrum_metrics(c * X), base, s.size)


@settings(deadline=None)
@given(shape=any_shapes(), seed=seeds, log_scale=log_scales)
def test_rank_one_after_centring(shape, seed, log_scale):
    n, d = shape
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n)
    assume(np.ptp(a) > 1e-3)
    v = rng.standard_normal(d)
    v /= np.linalg.norm(v)
    X = 10.0**log_scale * (np.outer(a, v) + rng.normal(size=d))
    m = spectrum_metrics(X)
    assert m["effective_rank"] == pytest.approx(1.0, abs=1e-9)
    assert m["participation_ratio"] == pytest.approx(1.0, abs=1e-9)
    assert m["sigma1_share"] == pytest.approx(1.0, abs=1e-12)
    assert m["topk_share"] == pytest.approx(1.0, abs=1e-12)


@settings(deadline=None)
@given(shape=shapes_n_le_d(), seed=seeds, log_scale=log_scales)
def test_orthonormal_rows_have_maximal_effective_rank(shape, seed, log_scale):
    n, d = shape
    rng = np.random.default_rng(seed)
    rows = orthogonal(rng, d)[:n] * 10.0**log_scale
    m = spectrum_metrics(rows, center=False)
    assert m["effective_rank"] == pytest.approx(n, rel=1e-9)
    assert m["participation_ratio"] == pytest.approx(n, rel=1e-9)
    assert m["sigma1_share"] == pytest.approx(1.0 / n, rel=1e-9)


@settings(deadline=None)
@given(shape=shapes_n_le_d(), seed=seeds, log_scale=log_scales)
def test_centred_regular_simplex_has_maximal_effective_rank(shape, seed, log_scale):
    n, d = shape
    rng = np.random.default_rng(seed)
    # vertices e_1..e_n of a regular simplex, rotated, scaled and shifted
    X = 10.0**log_scale * (np.eye(n, d) @ orthogonal(rng, d) + rng.normal(size=d))
    m = spectrum_metrics(X)
    assert m["effective_rank"] == pytest.approx(n - 1, rel=1e-9)
    assert m["participation_ratio"] == pytest.approx(n - 1, rel=1e-9)


@settings(deadline=None)
@given(shape=any_shapes(), seed=seeds, log_scale=log_scales)
def test_effective_rank_bounded_by_nonzero_count(shape, seed, log_scale):
    n, d = shape
    rng = np.random.default_rng(seed)
    X, s = well_conditioned(rng, n, d, 10.0**log_scale)
    m = spectrum_metrics(X)
    assert 1.0 - 1e-12 <= m["effective_rank"] <= s.size * (1 + 1e-9)


spectra = st.lists(st.floats(0.0, 1e3), min_size=1, max_size=30).filter(lambda xs: max(xs) > 1e-3)


@settings(deadline=None)
@given(sigma=spectra, top_k=st.integers(1, 5))
def test_effective_rank_at_least_participation_ratio(sigma, top_k):
    # exp(H(p)) >= 1 / sum(p^2): Renyi entropy of order 1 >= order 2.
    s = summarize_spectrum(np.array(sigma), top_k=top_k)
    assert s.effective_rank >= s.participation_ratio * (1 - 1e-12)
    assert 1.0 - 1e-12 <= s.participation_ratio
    assert s.effective_rank <= np.count_nonzero(sigma) * (1 + 1e-12)
    assert 0.0 < s.sigma1_share <= s.topk_share <= 1.0 + 1e-12


@settings(deadline=None)
@given(
    value=st.floats(-1e6, 1e6),
    null=st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=50),
    higher=st.booleans(),
)
def test_null_p_value_in_unit_interval(value, null, higher):
    out = null_comparison(value, null, higher_is_sharper=higher)
    assert 0.0 < out["p_value"] <= 1.0
    assert out["p_value"] >= 1.0 / (1 + len(null))
    assert out["n_draws"] == len(null)
    assert out["null_p05"] <= out["null_p95"]

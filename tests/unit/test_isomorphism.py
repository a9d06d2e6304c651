"""Isomorphism measures (benchmark.scoring.isomorphism): known answers and the IsoScore package."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.errors import ShapeError
from benchmark.scoring import (
    eigenvector_similarity,
    isoscore,
    laplacian_spectrum,
    rank_correlation_ci,
    relational_similarity,
)


def rotated_shuffled(rng, X, extra=0):
    d = X.shape[1]
    Q = np.linalg.qr(rng.standard_normal((d + extra, d + extra)))[0][:d]
    perm = rng.permutation(X.shape[0])
    return X[perm] @ Q, perm


def test_isoscore_matches_the_isoscore_package():
    pytest.importorskip("torch")
    package = pytest.importorskip("IsoScore.IsoScore")
    rng = np.random.default_rng(0)
    for X in (rng.standard_normal((500, 10)) * np.linspace(3.0, 0.1, 10),
              rng.standard_normal((300, 40)),
              rng.standard_normal((200, 5)) @ rng.standard_normal((5, 20))):
        assert isoscore(X) == pytest.approx(float(package.IsoScore(X)), abs=1e-6)


def test_isoscore_extremes_and_invariance():
    rng = np.random.default_rng(1)
    iso = rng.standard_normal((20_000, 8))
    assert isoscore(iso) > 0.98
    line = np.outer(rng.standard_normal(500), rng.standard_normal(8))
    assert isoscore(line) == pytest.approx(0.0, abs=1e-9)
    X = rng.standard_normal((400, 8)) * np.linspace(2.0, 0.2, 8)
    assert isoscore(rotated_shuffled(rng, X)[0]) == pytest.approx(isoscore(X), abs=1e-9)
    with pytest.raises(ShapeError):
        isoscore(np.ones((5, 3)))


def test_eigenvector_similarity_is_zero_for_a_rotated_shuffled_copy_and_not_for_a_random_pair():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((300, 12))
    Y, _ = rotated_shuffled(rng, X, extra=8)
    assert eigenvector_similarity(X, Y, n_words=300, k=5) == pytest.approx(0.0, abs=1e-8)
    Z = rng.standard_normal((300, 20)) * np.linspace(1.0, 0.05, 20)
    assert eigenvector_similarity(X, Z, n_words=300, k=5) > 1.0


def test_laplacian_spectrum_of_a_graph():
    rng = np.random.default_rng(3)
    spectrum = laplacian_spectrum(rng.standard_normal((50, 4)), k=3)
    assert spectrum.shape == (50,)
    assert np.all(np.diff(spectrum) <= 1e-12)  # largest first
    assert spectrum[-1] == pytest.approx(0.0, abs=1e-9)  # a Laplacian always has eigenvalue 0
    with pytest.raises(ShapeError, match="k=50"):
        laplacian_spectrum(rng.standard_normal((50, 4)), k=50)


def test_relational_similarity_one_for_a_rotation_near_zero_for_unrelated_pairs():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((200, 16))
    Q = np.linalg.qr(rng.standard_normal((16, 16)))[0]
    assert relational_similarity(X, X @ Q) == pytest.approx(1.0, abs=1e-12)
    assert abs(relational_similarity(X, rng.standard_normal((200, 16)))) < 0.05


def test_rank_correlation_ci():
    x = np.arange(12.0)
    rho, low, high = rank_correlation_ci(x, x**3, n_resamples=200)
    assert (rho, low, high) == (1.0, 1.0, 1.0)
    rho, low, high = rank_correlation_ci(x, -x, n_resamples=200)
    assert rho == -1.0 and high == -1.0
    rng = np.random.default_rng(5)
    rho, low, high = rank_correlation_ci(rng.standard_normal(12), rng.standard_normal(12), n_resamples=500)
    assert low < rho < high and low < 0.0 < high or abs(rho) > 0.5
    assert all(np.isnan(v) for v in rank_correlation_ci(np.ones(5), x[:5]))
    with pytest.raises(ShapeError):
        rank_correlation_ci(x[:2], x[:2])

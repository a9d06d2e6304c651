"""Properties of the orthogonal Procrustes solver (benchmark.scoring.procrustes).

Matrices are well-conditioned by construction: X = Q·diag(s)·Rᵀ with Q, R orthonormal
columns (QR of Gaussian draws seeded by hypothesis) and singular values s in [1, 10].
"""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from benchmark.scoring import orthogonal_procrustes, procrustes_residual

seeds = st.integers(0, 2**32 - 1)


def orthonormal(rng: np.random.Generator, n: int, r: int) -> np.ndarray:
    """n × r matrix with orthonormal columns (r <= n)."""
    q, rr = np.linalg.qr(rng.standard_normal((n, r)))
    return q * np.sign(np.diag(rr))


def well_conditioned(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    r = min(n, d)
    s = rng.uniform(1.0, 10.0, size=r)
    return orthonormal(rng, n, r) @ np.diag(s) @ orthonormal(rng, d, r).T


@st.composite
def problems(draw, max_d=12, max_n=30):
    """(seed, n, d_x, d_y): square and rectangular shapes, n above and below d."""
    d_x = draw(st.integers(1, max_d))
    d_y = draw(st.integers(1, max_d))
    n = draw(st.integers(1, max_n))
    return draw(seeds), n, d_x, d_y


@given(problems())
@example((0, 5, 50, 300))
@example((1, 40, 300, 50))
@example((2, 60, 8, 8))
def test_map_is_semi_orthogonal(problem):
    seed, n, d_x, d_y = problem
    rng = np.random.default_rng(seed)
    X, Y = well_conditioned(rng, n, d_x), well_conditioned(rng, n, d_y)
    fit = orthogonal_procrustes(X, Y)
    W = fit.W
    assert W.shape == (d_x, d_y) and W.dtype == np.float64
    if d_x >= d_y:
        np.testing.assert_allclose(W.T @ W, np.eye(d_y), atol=1e-10)
    else:
        np.testing.assert_allclose(W @ W.T, np.eye(d_x), atol=1e-10)
    assert fit.scale == 1.0
    assert not fit.x_mean.any() and not fit.y_mean.any()


@st.composite
def embedding_problems(draw, max_d=10):
    """(seed, n, d_x, d_y) with d_x <= d_y and n >= d_x: Y = X·W0 is reachable exactly."""
    d_x = draw(st.integers(1, max_d))
    d_y = draw(st.integers(d_x, max_d + 4))
    n = draw(st.integers(d_x, 3 * max_d))
    return draw(seeds), n, d_x, d_y


@given(embedding_problems(), st.floats(0.1, 10.0), st.booleans())
@example((3, 60, 50, 300), 2.5, True)
def test_residual_vanishes_for_a_rotated_copy(problem, factor, center):
    seed, n, d_x, d_y = problem
    rng = np.random.default_rng(seed)
    X = well_conditioned(rng, n, d_x)
    W0 = orthonormal(rng, d_y, d_x).T  # (d_x, d_y), W0·W0ᵀ = I
    shift = rng.standard_normal(d_y) if center else np.zeros(d_y)

    Y = X @ W0 + shift
    fit = orthogonal_procrustes(X, Y, center=center)
    assert procrustes_residual(X, Y, fit) < 1e-9

    Ys = factor * (X @ W0) + shift
    scaled = orthogonal_procrustes(X, Ys, center=center, scale=True)
    assert procrustes_residual(X, Ys, scaled) < 1e-9
    if not center or n > 1:  # one centred row is all zeros: no scale to recover
        np.testing.assert_allclose(scaled.scale, factor, rtol=1e-9)


@given(seeds, st.integers(1, 10), st.integers(1, 30), st.booleans())
def test_optimal_map_beats_identity(seed, d, n, center):
    rng = np.random.default_rng(seed)
    X, Y = well_conditioned(rng, n, d), well_conditioned(rng, n, d)
    fit = orthogonal_procrustes(X, Y)
    assert procrustes_residual(X, Y, fit) <= procrustes_residual(X, Y) + 1e-12
    scaled = orthogonal_procrustes(X, Y, scale=True, center=center)
    unscaled = orthogonal_procrustes(X, Y, center=center)
    assert (procrustes_residual(X, Y, scaled, normalized=False)
            <= procrustes_residual(X, Y, unscaled, normalized=False) + 1e-9)


@given(problems(max_d=8, max_n=20))
def test_transform_matches_formula(problem):
    seed, n, d_x, d_y = problem
    rng = np.random.default_rng(seed)
    X, Y = well_conditioned(rng, n, d_x), well_conditioned(rng, n, d_y)
    fit = orthogonal_procrustes(X, Y, center=True, scale=True)
    Z = rng.standard_normal((3, d_x))
    expected = fit.scale * (Z - fit.x_mean) @ fit.W + fit.y_mean
    np.testing.assert_allclose(fit.transform(Z), expected, atol=1e-12)
    np.testing.assert_allclose(fit.x_mean, X.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(fit.y_mean, Y.mean(axis=0), atol=1e-12)


@st.composite
def scale_problems(draw, max_d=12):
    """(seed, n, d_x, d_y) with d_x <, = and > d_y all drawn; n large enough for a real fit."""
    d_x = draw(st.integers(1, max_d))
    d_y = draw(st.sampled_from([max(1, d_x - draw(st.integers(1, 6))), d_x, d_x + draw(st.integers(1, 6))]))
    n = draw(st.integers(max(d_x, d_y) + 2, 40))
    return draw(seeds), n, d_x, d_y


@given(scale_problems(), st.booleans())
@example((4, 60, 300, 50), False)  # the 300d -> 50d case where ‖X_c W‖ << ‖X_c‖
@example((5, 60, 50, 300), True)
@example((6, 30, 8, 8), True)
def test_fitted_scale_minimises_the_scaled_residual(problem, center):
    """s is the minimiser of ‖s·(X_c W) − Y_c‖_F for the fitted W, whatever the shapes."""
    from scipy.optimize import minimize_scalar

    seed, n, d_x, d_y = problem
    rng = np.random.default_rng(seed)
    X, Y = well_conditioned(rng, n, d_x), well_conditioned(rng, n, d_y)
    fit = orthogonal_procrustes(X, Y, center=center, scale=True)
    Xc = X - X.mean(axis=0) if center else X
    Yc = Y - Y.mean(axis=0) if center else Y
    mapped = Xc @ fit.W

    def loss(s):
        return float(np.sum((s * mapped - Yc) ** 2))

    best = minimize_scalar(loss, bracket=(0.0, 1.0), tol=1e-12).x
    np.testing.assert_allclose(fit.scale, best, rtol=1e-6, atol=1e-9)
    assert loss(fit.scale) <= loss(1.0) + 1e-9

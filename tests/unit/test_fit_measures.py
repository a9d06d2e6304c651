"""A fit figure readers can compare across pairs and dimensions: mean cosine of mapped test pairs."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.errors import ShapeError
from benchmark.scoring import normalize, orthogonal_procrustes, pair_cosines, procrustes_residual


def _orthonormal(rng, n, r):
    q, _ = np.linalg.qr(rng.standard_normal((n, r)))
    return q


@pytest.mark.parametrize("d_small, d_big", [(50, 300), (8, 20)])
def test_exact_relation_scores_one_in_both_directions(d_small, d_big):
    """Y = X·W0 exactly (W0 semi-orthogonal): mean cos is 1 for small→big and big→small alike."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, d_small))
    W0 = _orthonormal(rng, d_big, d_small).T  # (d_small, d_big), W0·W0ᵀ = I
    Y = X @ W0
    forward = orthogonal_procrustes(X, Y)
    backward = orthogonal_procrustes(Y, X)
    assert pair_cosines(forward.transform(X), Y).mean() == pytest.approx(1.0, abs=1e-9)
    assert pair_cosines(backward.transform(Y), X).mean() == pytest.approx(1.0, abs=1e-9)


def test_mean_cos_is_comparable_where_the_raw_residual_is_not():
    """Unrelated 50-d and 300-d spaces, map fitted on train, measured on held-out pairs: the raw
    residual reads ≈ √2 for 50 → 300 (W keeps norms) but ≈ √(1 + 50/300) for 300 → 50 (W drops
    the part of X outside its row space), as if the second fit were better; mean cos is ≈ 0 both ways."""
    rng = np.random.default_rng(1)
    small = normalize(rng.standard_normal((6000, 50)), "unit")
    big = normalize(rng.standard_normal((6000, 300)), "unit")
    train, test = slice(0, 5000), slice(5000, None)
    f = orthogonal_procrustes(small[train], big[train])
    b = orthogonal_procrustes(big[train], small[train])
    assert procrustes_residual(small[test], big[test], f) == pytest.approx(np.sqrt(2), abs=0.03)
    assert procrustes_residual(big[test], small[test], b) == pytest.approx(np.sqrt(1 + 50 / 300), abs=0.03)
    assert abs(pair_cosines(f.transform(small[test]), big[test]).mean()) < 0.03
    assert abs(pair_cosines(b.transform(big[test]), small[test]).mean()) < 0.03


def test_unrelated_spaces_score_near_zero_and_scale_does_not_matter():
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((3000, 30)), rng.standard_normal((3000, 30))
    assert abs(pair_cosines(A, B).mean()) < 0.01
    np.testing.assert_allclose(pair_cosines(3.0 * A, 0.5 * B), pair_cosines(A, B), atol=1e-12)
    zero = np.zeros((1, 30))
    assert pair_cosines(zero, B[:1])[0] == 0.0


def test_pair_cosines_named_errors():
    with pytest.raises(ShapeError, match="equal dimensions"):
        pair_cosines(np.ones((3, 2)), np.ones((3, 4)))
    with pytest.raises(ShapeError):
        pair_cosines(np.ones((3, 2)), np.ones((4, 2)))

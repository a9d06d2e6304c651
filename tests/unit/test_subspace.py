"""benchmark.scoring.subspace: retrieval in the span of a map's image gives the same cosines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.errors import ShapeError
from benchmark.scoring import csls_penalty, orthogonal_procrustes, retrieve
from benchmark.scoring.subspace import in_image_span


def _pair(seed: int, n: int = 300, d_s: int = 12, d_t: int = 48, center: bool = True):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d_s))
    Y = X @ rng.standard_normal((d_s, d_t)) + 0.5 * rng.standard_normal((n, d_t)) + 0.3
    fit = orthogonal_procrustes(X[:150], Y[:150], center=center)
    return fit, fit.transform(X), Y


def _cos(A, B):
    A = A / np.linalg.norm(A, axis=1, keepdims=True)
    B = B / np.linalg.norm(B, axis=1, keepdims=True)
    return A @ B.T


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), d_s=st.integers(1, 20), extra=st.integers(3, 40),
       center=st.booleans())
def test_cosines_are_those_of_the_full_space(seed, d_s, extra, center):
    fit, mapped, Y = _pair(seed, n=60, d_s=d_s, d_t=d_s + extra, center=center)
    S, T = in_image_span(mapped, Y, fit.W, offset=fit.y_mean)
    assert S.dtype == T.dtype == np.float32
    assert S.shape[1] == T.shape[1] <= d_s + 2
    np.testing.assert_allclose(np.linalg.norm(T.astype(np.float64), axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(_cos(S.astype(np.float64), T.astype(np.float64)), _cos(mapped, Y), atol=2e-6)


def test_rankings_and_csls_penalties_match_the_full_space():
    fit, mapped, Y = _pair(3, d_s=10, d_t=64)
    S, T = in_image_span(mapped, Y, fit.W, offset=fit.y_mean)
    assert S.shape[1] == 12  # 10 directions, the offset, the padding
    m32, y32 = mapped.astype(np.float32), Y.astype(np.float32)
    np.testing.assert_allclose(csls_penalty(T, S, 10), csls_penalty(y32, m32, 10), atol=1e-6)
    for criterion in ("nn", "csls"):
        full = retrieve(m32[:40], y32, criterion=criterion, k=10, topk=5, sources=m32)
        span = retrieve(S[:40], T, criterion=criterion, k=10, topk=5, sources=S)
        np.testing.assert_array_equal(span, full)


def test_no_smaller_span_returns_the_inputs():
    fit, mapped, Y = _pair(1, d_s=30, d_t=31)
    S, T = in_image_span(mapped, Y, fit.W)
    assert S.tobytes() == mapped.astype(np.float32).tobytes()
    assert T.tobytes() == Y.astype(np.float32).tobytes()


def test_a_zero_target_row_stays_zero():
    fit, mapped, Y = _pair(2)
    Y[5] = 0.0
    _, T = in_image_span(mapped, Y, fit.W, offset=fit.y_mean)
    assert not T[5].any()
    np.testing.assert_allclose(np.linalg.norm(T[6].astype(np.float64)), 1.0, atol=1e-6)


def test_rows_outside_the_span_are_refused():
    fit, mapped, Y = _pair(4)
    with pytest.raises(ShapeError, match="not in the span"):
        in_image_span(mapped, Y, fit.W)  # the fit was centred: without its offset the rows leave the span
    with pytest.raises(ShapeError, match="columns"):
        in_image_span(mapped, Y[:, :-1], fit.W)

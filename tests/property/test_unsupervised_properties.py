"""Properties of the unsupervised mapping engine (benchmark.scoring.unsupervised, .transport).

Spaces are well-conditioned by construction: Gaussian rows with a spectrum decaying
from 1 to 0.3, so no two words have near-identical signatures or distances. A
"rotated copy" is the same space with its rows shuffled, multiplied by a random
semi-orthogonal matrix into a possibly larger dimension (the word names play no part in
the engine: only the row order is hidden). Every word is "frequent" here (the
initialisation and the cutoff cover all rows).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.errors import ShapeError, UnknownNameError
from benchmark.scoring import (
    Dictionary,
    gromov_wasserstein_init,
    normalize,
    retrieve,
    self_learning,
    similarity_init,
    unsupervised_criterion,
)

pytest.importorskip("ot")

seeds = st.integers(0, 2**32 - 1)
#: Each example runs a whole unsupervised alignment (about a second): fewer examples than the profile's.
few = settings(max_examples=8)


def space(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    return rng.standard_normal((n, d)) * np.linspace(1.0, 0.3, d)


def rotated_copy(rng: np.random.Generator, X: np.ndarray, extra_dims: int):
    """(Y, gold): Y = X[perm] · Q with Q (d, d + extra) semi-orthogonal; gold[i] = row of X_i in Y."""
    d = X.shape[1]
    D = d + extra_dims
    Q = np.linalg.qr(rng.standard_normal((D, D)))[0][:d]
    perm = rng.permutation(X.shape[0])
    return X[perm] @ Q, np.argsort(perm)


def p_at_1(X, Y, fit, gold) -> float:
    ranked = retrieve((X @ fit.fit.W).astype(np.float32), Y.astype(np.float32), topk=1)[:, 0]
    return float(np.mean(ranked == gold))


@few
@given(seed=seeds, n=st.integers(120, 250), d=st.integers(8, 24), extra=st.sampled_from([0, 16]))
def test_similarity_init_recovers_a_rotated_shuffled_copy(seed, n, d, extra):
    rng = np.random.default_rng(seed)
    X = normalize(space(rng, n, d), "unit+center+unit")
    Y, gold = rotated_copy(rng, X, extra)
    Y = normalize(Y, "unit+center+unit")
    init = similarity_init(X, Y, n_words=n)
    assert np.mean(init.target[:n] == gold) > 0.5  # the signatures alone already match most words
    fit = self_learning(X, Y, init, vocab_cutoff=n, seed=seed)
    assert p_at_1(X, Y, fit, gold) == 1.0
    assert fit.converged
    assert unsupervised_criterion(X @ fit.fit.W, Y) > 0.99  # CSLS may prefer a close non-hub in 8 dims


@few
@given(seed=seeds, n=st.integers(120, 200), d=st.integers(8, 16), extra=st.sampled_from([0, 16]))
def test_gromov_wasserstein_init_recovers_a_rotated_shuffled_copy(seed, n, d, extra):
    rng = np.random.default_rng(seed)
    X = normalize(space(rng, n, d), "unit+center+unit")
    Y, gold = rotated_copy(rng, X, extra)
    Y = normalize(Y, "unit+center+unit")
    init = gromov_wasserstein_init(X, Y, n_words=n)  # entropic
    assert np.mean(init.target[:n] == gold) > 0.5
    fit = self_learning(X, Y, init, vocab_cutoff=n, seed=seed)
    assert p_at_1(X, Y, fit, gold) == 1.0


@few
@given(seed=seeds, n=st.integers(100, 140), d=st.integers(8, 24))
def test_a_random_pair_is_not_aligned(seed, n, d):
    """Independent spaces: P@1 near chance (1/n), and a criterion below the copy's."""
    rng = np.random.default_rng(seed)
    X = normalize(space(rng, n, d), "unit+center+unit")
    Z = normalize(space(rng, n, d), "unit+center+unit")
    gold = rng.permutation(n)  # any fixed "truth" is as good as another for unrelated spaces
    # GW does not converge between unrelated spaces: cap its outer iterations.
    for init in (similarity_init(X, Z, n_words=n), gromov_wasserstein_init(X, Z, n_words=n, max_iter=20)):
        fit = self_learning(X, Z, init, vocab_cutoff=n, seed=seed, max_iterations=8)
        assert p_at_1(X, Z, fit, gold) < 0.05
        assert unsupervised_criterion(X @ fit.fit.W, Z) < 0.9


def test_noisy_rotation_is_recovered_on_the_frequent_words():
    rng = np.random.default_rng(7)
    n, d = 600, 30
    X = space(rng, n, d)
    Y, gold = rotated_copy(rng, X, 10)
    Y = Y + 0.05 * rng.standard_normal(Y.shape) * np.linalg.norm(Y, axis=1, keepdims=True) / np.sqrt(Y.shape[1])
    X, Y = normalize(X, "unit+center+unit"), normalize(Y, "unit+center+unit")
    fit = self_learning(X, Y, similarity_init(X, Y, n_words=400), vocab_cutoff=400, seed=0)
    assert p_at_1(X[:400], Y, fit, gold[:400]) == 1.0


def test_stochastic_induction_depends_on_the_seed_only_through_the_rng():
    rng = np.random.default_rng(3)
    X = normalize(space(rng, 200, 12), "unit+center+unit")
    Y = normalize(space(rng, 200, 12), "unit+center+unit")
    init = similarity_init(X, Y, n_words=200)
    a = self_learning(X, Y, init, vocab_cutoff=200, seed=1, max_iterations=8)
    b = self_learning(X, Y, init, vocab_cutoff=200, seed=1, max_iterations=8)
    c = self_learning(X, Y, init, vocab_cutoff=200, seed=2, max_iterations=8)
    assert a.history == b.history
    np.testing.assert_array_equal(a.fit.W, b.fit.W)
    assert a.history != c.history


def test_conditional_gradient_solver_on_an_easy_copy():
    rng = np.random.default_rng(3)
    X = normalize(space(rng, 120, 16), "unit+center+unit")
    Y, gold = rotated_copy(rng, X, 0)
    Y = normalize(Y, "unit+center+unit")
    init = gromov_wasserstein_init(X, Y, n_words=120, solver="conditional_gradient")
    assert p_at_1(X, Y, self_learning(X, Y, init, vocab_cutoff=120), gold) == 1.0


def test_bad_settings_raise_named_errors():
    rng = np.random.default_rng(0)
    X = space(rng, 50, 5)
    init = Dictionary(np.arange(5), np.arange(5))
    with pytest.raises(ShapeError, match="keep_prob"):
        self_learning(X, X, init, keep_prob=0.0)
    with pytest.raises(ShapeError, match="outside"):
        self_learning(X, X, Dictionary(np.array([60]), np.array([0])))
    with pytest.raises(ShapeError, match="csls_k"):
        similarity_init(X, X, n_words=5, csls_k=10)
    with pytest.raises(UnknownNameError, match="did you mean"):
        gromov_wasserstein_init(X, X, solver="entropy")

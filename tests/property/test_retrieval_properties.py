"""Properties of the blocked retrieval engine (benchmark.scoring.retrieval, .stats).

The reference is a plain dense implementation written here: float32 unit rows, the
full score matrix, a full lexicographic sort by (−score, index). The blocked engine
must return the same ranking; where two scores are within float32 rounding of each
other (blocked and dense products may round differently) either order is accepted,
but the scores at every rank must agree and no index may repeat.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import logsumexp

from benchmark.scoring import (
    bootstrap_ci,
    csls_penalty,
    csls_penalty_and_isf_normalizer,
    hits_at_k,
    isf_log_normalizer,
    precision_at_k,
    retrieve,
)

seeds = st.integers(0, 2**32 - 1)
block_sizes = st.sampled_from([1, 3, 8, 64, None])
SCORE_TOL = 1e-5   # float32 rounding of cosines, amplified ×2 by CSLS
GAP = 1e-4         # scores further apart than this must be ranked exactly


# --------------------------------------------------------------------------- reference


def unit32(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    norms = np.linalg.norm(X.astype(np.float64), axis=1)
    norms[norms == 0] = 1.0
    return X / norms.astype(np.float32)[:, None]


def dense_topk_mean(A: np.ndarray, B: np.ndarray, k: int) -> np.ndarray:
    C = (unit32(A) @ unit32(B).T).astype(np.float64)
    return -np.sort(-C, axis=1)[:, :k].mean(axis=1)


def dense_scores(Q, T, criterion, k=10, beta=None, S=None) -> np.ndarray:
    S = Q if S is None else S
    cos = (unit32(Q) @ unit32(T).T).astype(np.float64)
    if criterion == "nn":
        return cos
    if criterion == "csls":
        r_t = dense_topk_mean(Q, T, k)
        r_s = dense_topk_mean(T, S, k)
        return 2 * cos - r_t[:, None] - r_s[None, :]
    log_z = logsumexp(beta * (unit32(T) @ unit32(S).T).astype(np.float64), axis=1)
    return beta * cos - log_z[None, :]


def dense_rank(scores: np.ndarray, topk: int) -> np.ndarray:
    n_t = scores.shape[1]
    return np.stack([np.lexsort((np.arange(n_t), -row))[:topk] for row in scores])


def assert_same_ranking(got: np.ndarray, scores: np.ndarray, topk: int, tol: float = SCORE_TOL):
    """``got`` is the dense ranking of ``scores`` up to ties within float32 rounding."""
    want = dense_rank(scores, topk)
    assert got.shape == want.shape and got.dtype == np.int64
    for i in range(got.shape[0]):
        assert len(set(got[i].tolist())) == topk, f"row {i} repeats an index: {got[i]}"
        np.testing.assert_allclose(scores[i, got[i]], scores[i, want[i]], atol=tol, rtol=0)
        full = np.sort(scores[i])[::-1]
        padded = np.concatenate([[np.inf], full, [-np.inf]])
        gap = np.minimum(padded[:-2] - padded[1:-1], padded[1:-1] - padded[2:])[:topk]
        clear = gap > GAP
        np.testing.assert_array_equal(got[i, clear], want[i, clear])


# --------------------------------------------------------------------------- strategies


@st.composite
def retrieval_problems(draw):
    rng = np.random.default_rng(draw(seeds))
    d = draw(st.integers(1, 8))
    n_q = draw(st.integers(1, 25))
    n_t = draw(st.integers(1, 150))
    Q = rng.standard_normal((n_q, d))
    T = rng.standard_normal((n_t, d))
    if draw(st.booleans()):  # exact duplicate targets: ties broken toward the lower index
        T[rng.integers(0, n_t, n_t // 3)] = T[rng.integers(0, n_t, n_t // 3)]
    S = rng.standard_normal((draw(st.integers(1, 60)), d)) if draw(st.booleans()) else None
    n_s = n_q if S is None else S.shape[0]
    kmax = min(n_t, n_s)
    k = draw(st.sampled_from(sorted({1, kmax, min(10, kmax), (kmax + 1) // 2})))
    topk = draw(st.sampled_from(sorted({1, n_t, min(10, n_t), (n_t + 1) // 2})))
    return Q, T, S, k, topk


criteria = st.sampled_from(["nn", "csls", "isf"])
betas = st.floats(0.5, 30.0)


def random_rotation(rng: np.random.Generator, d: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


# --------------------------------------------------------------------------- properties


@given(retrieval_problems(), criteria, block_sizes, betas)
def test_blocked_retrieve_equals_dense(problem, criterion, block_size, beta):
    Q, T, S, k, topk = problem
    got = retrieve(Q, T, criterion=criterion, k=k, topk=topk, beta=beta, sources=S,
                   block_size=block_size)
    assert_same_ranking(got, dense_scores(Q, T, criterion, k, beta, S), topk)


@st.composite
def tied_problems(draw):
    """Rows drawn from {0, ±e_i} (scaled): every cosine is exactly -1, 0 or 1 whatever
    the summation order, so equal NN and CSLS scores are exactly equal and ties must go
    to the lower index. (Not ISF: there, different targets can tie mathematically,
    e.g. 1 - log(2e + 1) = -log(2 + 1/e), and round differently.)"""
    rng = np.random.default_rng(draw(seeds))
    d = draw(st.integers(1, 4))
    basis = np.concatenate([np.eye(d), -np.eye(d), np.zeros((1, d))])

    def rows(n):
        return basis[rng.integers(0, basis.shape[0], n)] * rng.integers(1, 4, (n, 1))

    n_q, n_t = draw(st.integers(1, 20)), draw(st.integers(1, 200))
    Q, T = rows(n_q), rows(n_t)
    S = rows(draw(st.integers(1, 40))) if draw(st.booleans()) else None
    kmax = min(n_t, n_q if S is None else S.shape[0])
    k = draw(st.integers(1, kmax))
    topk = draw(st.sampled_from(sorted({1, min(2, n_t), n_t, min(10, n_t)})))
    return Q, T, S, k, topk


@given(tied_problems(), st.sampled_from(["nn", "csls"]), block_sizes)
def test_exact_ties_go_to_the_lower_index(problem, criterion, block_size):
    Q, T, S, k, topk = problem
    got = retrieve(Q, T, criterion=criterion, k=k, topk=topk, sources=S,
                   block_size=block_size)
    want = dense_rank(dense_scores(Q, T, criterion, k, None, S), topk)
    np.testing.assert_array_equal(got, want)


@given(retrieval_problems(), criteria, block_sizes, betas)
def test_precomputed_terms_give_the_same_ranking(problem, criterion, block_size, beta):
    Q, T, S, k, topk = problem
    S_ = Q if S is None else S
    kwargs = {}
    if criterion == "csls":
        kwargs["target_penalty"] = csls_penalty(T, S_, k, block_size=block_size)
    elif criterion == "isf":
        kwargs["target_log_normalizer"] = isf_log_normalizer(S_, T, [beta, 2 * beta])[0]
    got = retrieve(Q, T, criterion=criterion, k=k, topk=topk, beta=beta,
                   block_size=block_size, **kwargs)
    assert_same_ranking(got, dense_scores(Q, T, criterion, k, beta, S), topk)


@given(retrieval_problems(), criteria, seeds, betas)
def test_invariant_under_a_joint_rotation(problem, criterion, seed, beta):
    Q, T, S, k, topk = problem
    R = random_rotation(np.random.default_rng(seed), Q.shape[1])
    rotated = retrieve(Q @ R, T @ R, criterion=criterion, k=k, topk=topk, beta=beta,
                       sources=None if S is None else S @ R, block_size=8)
    assert_same_ranking(rotated, dense_scores(Q, T, criterion, k, beta, S), topk, tol=1e-4)


@given(seeds, st.integers(1, 8), st.integers(1, 80), st.integers(1, 80), block_sizes)
def test_csls_penalty_equals_dense(seed, d, n_a, n_b, block_size):
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((n_a, d)), rng.standard_normal((n_b, d))
    for k in sorted({1, n_b, min(10, n_b)}):
        got = csls_penalty(A, B, k, block_size=block_size)
        assert got.shape == (n_a,) and got.dtype == np.float64
        np.testing.assert_allclose(got, dense_topk_mean(A, B, k), atol=1e-6)


@given(seeds, st.integers(1, 6), st.integers(1, 50), st.integers(1, 50), block_sizes,
       st.lists(betas, min_size=1, max_size=3))
def test_isf_log_normalizer_equals_dense(seed, d, n_s, n_t, block_size, beta_list):
    rng = np.random.default_rng(seed)
    S, T = rng.standard_normal((n_s, d)), rng.standard_normal((n_t, d))
    got = isf_log_normalizer(S, T, beta_list, block_size=block_size)
    cos = (unit32(T) @ unit32(S).T).astype(np.float64)
    want = np.stack([logsumexp(b * cos, axis=1) for b in beta_list])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@given(seeds, st.integers(1, 8), st.integers(1, 90), st.integers(1, 90), block_sizes,
       st.lists(betas, min_size=1, max_size=3))
def test_one_pass_penalty_and_normalizer_are_bitwise_the_two_passes(seed, d, n_t, n_s, block_size, beta_list):
    """csls_penalty_and_isf_normalizer shares each product between CSLS's top-k and the inverted-softmax sum:
    the same bits as the two functions apart, at any block size (chunks not a multiple of 16 included)."""
    rng = np.random.default_rng(seed)
    T, S = rng.standard_normal((n_t, d)), rng.standard_normal((n_s, d))
    k = min(10, n_s)
    penalty, log_norm = csls_penalty_and_isf_normalizer(T, S, k, beta_list, block_size=block_size)
    np.testing.assert_array_equal(penalty, csls_penalty(T, S, k, block_size=block_size))
    np.testing.assert_array_equal(log_norm, isf_log_normalizer(S, T, beta_list, block_size=block_size))
    assert penalty.shape == (n_t,) and log_norm.shape == (len(beta_list), n_t)


@given(seeds, st.integers(1, 40), st.integers(1, 30), st.integers(1, 12))
def test_precision_is_a_fraction_non_decreasing_in_k(seed, n_q, n_t, topk):
    rng = np.random.default_rng(seed)
    topk = min(topk, n_t)
    ranked = np.stack([rng.permutation(n_t)[:topk] for _ in range(n_q)])
    gold = [set(rng.integers(0, n_t, rng.integers(0, 4)).tolist()) for _ in range(n_q)]
    ks = list(range(1, topk + 1))
    p = precision_at_k(ranked, gold, ks=ks)
    values = [p[k] for k in ks]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(a <= b for a, b in zip(values, values[1:]))
    for k in ks:
        assert p[k] == hits_at_k(ranked, gold, k).mean()


@given(seeds, st.integers(30, 300), st.floats(0.0, 5.0), st.floats(0.1, 3.0))
def test_bootstrap_ci_contains_point_estimate(seed, n, loc, spread):
    rng = np.random.default_rng(seed)
    values = rng.normal(loc, spread, size=n)
    low, high = bootstrap_ci(values, n_resamples=300, seed=seed % 1000)
    assert low <= values.mean() <= high

    pairs = np.column_stack([rng.uniform(0.0, 1.0, n), rng.uniform(1.0, 2.0, n)])
    ratio = lambda a: np.sqrt(a[:, 0].sum() / a[:, 1].sum())  # noqa: E731
    low, high = bootstrap_ci(pairs, statistic=ratio, n_resamples=200, seed=1)
    assert low <= ratio(pairs) <= high


# --------------------------------------------------------------------------- default blocks
# The hypothesis problems above fit in one default block and chunk; these span several
# blocks of queries and several chunks of targets and sources (ragged last ones included),
# so the default fast path (its block × chunk shapes, the threads running blocks, merges
# across chunks) is compared with the dense reference.


def _spanning_problem(tied: bool, seed: int):
    from benchmark.scoring import retrieval as R

    rng = np.random.default_rng(seed)
    block, chunk = R.DEFAULT_BLOCK, R.DEFAULT_BLOCK * R.CHUNK_FACTOR
    n_q, n_t, n_s = 2 * block + 37, chunk + 101, chunk + 57
    if tied:  # only 7 directions (and zero rows): masses of exactly equal scores
        d = 3
        basis = np.concatenate([np.eye(d), -np.eye(d), np.zeros((1, d))])

        def rows(n):
            return basis[rng.integers(0, basis.shape[0], n)] * rng.integers(1, 4, (n, 1))
    else:
        d = 6

        def rows(n):
            return rng.standard_normal((n, d))
    return rows(n_q), rows(n_t), rows(n_s)


@pytest.mark.parametrize("criterion", ["nn", "csls", "isf"])
def test_default_blocks_spanning_chunks_equal_dense(criterion):
    Q, T, S = _spanning_problem(tied=False, seed=11)
    got = retrieve(Q, T, criterion=criterion, k=10, topk=10, beta=12.0, sources=S)
    assert_same_ranking(got, dense_scores(Q, T, criterion, 10, 12.0, S), 10)


@pytest.mark.parametrize("criterion", ["nn", "csls"])
def test_default_blocks_spanning_chunks_break_exact_ties_to_the_lower_index(criterion):
    Q, T, S = _spanning_problem(tied=True, seed=12)
    got = retrieve(Q, T, criterion=criterion, k=10, topk=25, sources=S)
    np.testing.assert_array_equal(got, dense_rank(dense_scores(Q, T, criterion, 10, None, S), 25))


def test_default_blocks_spanning_chunks_penalty_equals_dense():
    Q, T, S = _spanning_problem(tied=False, seed=13)
    for A, B in ((T, S), (Q, T)):
        np.testing.assert_allclose(csls_penalty(A, B, 10), dense_topk_mean(A, B, 10), atol=1e-6)

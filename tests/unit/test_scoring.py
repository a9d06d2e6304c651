"""Known answers and error paths of the scoring engine (benchmark.scoring)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from benchmark.errors import BenchmarkError, ShapeError, UnknownNameError
from benchmark.scoring import (
    LinearFit,
    ProcrustesFit,
    bootstrap_ci,
    csls_penalty,
    hits_at_k,
    isf_log_normalizer,
    linear_cka,
    linear_map,
    mutual_knn,
    normalize,
    orthogonal_procrustes,
    precision_at_k,
    procrustes_residual,
    retrieve,
    rsa,
)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def rotation(rng, d):
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


E = np.eye(3)
HUB = np.ones(3) / np.sqrt(3.0)           # cos 1/√3 with each of e1, e2, e3
SPECIFIC = np.array([0.5, -np.sqrt(0.75), 0.0])  # cos 0.5, -0.866, 0 with e1, e2, e3


# --------------------------------------------------------------------------- package


def test_public_names_and_light_imports():
    import os
    import subprocess
    import sys
    from pathlib import Path

    import benchmark.scoring as scoring

    assert set(scoring.__all__) == {
        "normalize", "orthogonal_procrustes", "ProcrustesFit", "linear_map", "LinearFit",
        "procrustes_residual", "retrieve", "csls_penalty", "isf_log_normalizer", "csls_penalty_and_isf_normalizer",
        "precision_at_k", "hits_at_k", "rsa", "linear_cka", "mutual_knn", "pair_cosines", "bootstrap_ci",
        "cluster_bootstrap_ci", "difference_ci", "standardize", "holm", "spearman_rho",
        "Dictionary", "SelfLearningFit", "similarity_init", "gromov_wasserstein_init", "induce_dictionary",
        "self_learning", "unsupervised_criterion", "laplacian_spectrum", "eigenvector_similarity",
        "relational_similarity", "isoscore", "rank_correlation_ci"}
    code = ("import sys, benchmark.scoring; "
            "print(sorted(m for m in ('torch', 'gensim', 'pandas', 'transformers', 'spacy', 'ot') "
            "if m in sys.modules))")
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root, env=env)
    assert out.stdout.strip() == "[]"


def test_errors_are_benchmark_errors_and_value_errors():
    with pytest.raises(ShapeError) as info:
        retrieve(np.ones((2, 3)), np.ones((2, 4)))
    assert isinstance(info.value, BenchmarkError) and isinstance(info.value, ValueError)


# --------------------------------------------------------------------------- normalize


def test_normalize_methods(rng):
    X = rng.standard_normal((6, 4)).astype(np.float32) * 3 + 1
    X[2] = 0.0
    before = X.copy()

    none = normalize(X, "none")
    assert none.dtype == np.float64 and np.array_equal(none, X.astype(np.float64))

    unit = normalize(X, "unit")
    norms = np.linalg.norm(unit, axis=1)
    np.testing.assert_allclose(np.delete(norms, 2), 1.0, atol=1e-12)
    assert not unit[2].any()  # the zero row stays zero, no NaN

    centred = normalize(X, "center")
    np.testing.assert_allclose(centred.mean(axis=0), 0.0, atol=1e-12)

    vecmap = normalize(X, "unit+center+unit")
    manual = X.astype(np.float64)
    for step in ("unit", "center", "unit"):
        manual = normalize(manual, step)
    np.testing.assert_allclose(vecmap, manual, atol=1e-12)
    assert np.array_equal(X, before)  # input untouched


def test_normalize_errors():
    with pytest.raises(UnknownNameError, match=r"unknown normalisation method 'unti'.*did you mean 'unit'"):
        normalize(np.ones((2, 2)), "unti")
    with pytest.raises(ShapeError, match=r"X \(shape \(2, 2\)\) contains NaN or Inf \(first at row 1\)"):
        normalize(np.array([[1.0, 2.0], [np.inf, 0.0]]), "unit")
    with pytest.raises(ShapeError, match=r"X must be a 2-D array \(n, d\), got shape \(3,\)"):
        normalize(np.ones(3), "unit")
    with pytest.raises(ShapeError, match=r"X must hold real numbers, got dtype complex128"):
        normalize(np.ones((2, 2), dtype=complex), "none")


# --------------------------------------------------------------------------- procrustes


@pytest.mark.parametrize("d_x,d_y", [(50, 300), (300, 50), (20, 20)])
def test_procrustes_rectangular_is_semi_orthogonal(rng, d_x, d_y):
    X, Y = rng.standard_normal((400, d_x)), rng.standard_normal((400, d_y))
    fit = orthogonal_procrustes(X, Y)
    assert isinstance(fit, ProcrustesFit) and fit.W.shape == (d_x, d_y)
    r = min(d_x, d_y)
    gram = fit.W.T @ fit.W if d_x >= d_y else fit.W @ fit.W.T
    np.testing.assert_allclose(gram, np.eye(r), atol=1e-10)
    out = fit.transform(X[:5].astype(np.float32))
    assert out.shape == (5, d_y) and out.dtype == np.float64
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.scale = 2.0


def test_procrustes_recovers_a_scaled_shifted_rotation(rng):
    X = rng.standard_normal((100, 8))
    R = rotation(rng, 8)
    Y = 3.0 * X @ R + 5.0
    fit = orthogonal_procrustes(X, Y, center=True, scale=True)
    np.testing.assert_allclose(fit.W, R, atol=1e-10)
    assert fit.scale == pytest.approx(3.0)
    np.testing.assert_allclose(fit.transform(X), Y, atol=1e-9)
    assert procrustes_residual(X, Y, fit) < 1e-10
    plain = orthogonal_procrustes(X, Y)
    assert plain.scale == 1.0 and not plain.x_mean.any() and not plain.y_mean.any()


def test_residual_values():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert procrustes_residual(X, Y) == pytest.approx(math.sqrt(4.0) / math.sqrt(2.0))
    assert procrustes_residual(X, Y, normalized=False) == pytest.approx(2.0)
    swap = LinearFit(W=np.array([[0.0, 1.0], [1.0, 0.0]]), b=np.zeros(2))
    assert procrustes_residual(X, Y, swap) == 0.0


def test_linear_map_recovers_an_affine_map(rng):
    X = rng.standard_normal((60, 5))
    W0, b0 = rng.standard_normal((5, 3)), rng.standard_normal(3)
    Y = X @ W0 + b0
    fit = linear_map(X, Y)
    np.testing.assert_allclose(fit.W, W0, atol=1e-10)
    np.testing.assert_allclose(fit.b, b0, atol=1e-10)
    np.testing.assert_allclose(fit.transform(X), Y, atol=1e-10)
    assert procrustes_residual(X, Y, fit) < 1e-12

    no_bias = linear_map(X, X @ W0, bias=False)
    np.testing.assert_allclose(no_bias.W, W0, atol=1e-10)
    assert not no_bias.b.any()

    # A huge ridge shrinks W to 0 but never the (unpenalised) bias: b -> mean(Y).
    heavy = linear_map(X, Y, ridge=1e12)
    assert np.abs(heavy.W).max() < 1e-8
    np.testing.assert_allclose(heavy.b, Y.mean(axis=0), atol=1e-6)
    small = linear_map(X, Y, ridge=1e-9)
    np.testing.assert_allclose(small.W, W0, atol=1e-6)


def test_procrustes_errors(rng):
    with pytest.raises(ShapeError, match=r"X has shape \(3, 5\) but Y has shape \(4, 5\): row counts differ"):
        orthogonal_procrustes(np.ones((3, 5)), np.ones((4, 5)))
    with pytest.raises(ShapeError, match=r"X has shape \(3, 5\) but Y has shape \(4, 5\): row counts differ"):
        linear_map(np.ones((3, 5)), np.ones((4, 5)))
    with pytest.raises(ShapeError, match=r"Y \(shape \(2, 2\)\) contains NaN or Inf"):
        orthogonal_procrustes(np.ones((2, 2)), np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(ShapeError, match=r"identity map needs equal dimensions"):
        procrustes_residual(np.ones((3, 2)), np.ones((3, 4)))
    with pytest.raises(ShapeError, match=r"Y \(shape \(2, 2\)\) is all zeros"):
        procrustes_residual(np.ones((2, 2)), np.zeros((2, 2)))
    fit = orthogonal_procrustes(rng.standard_normal((10, 4)), rng.standard_normal((10, 3)))
    with pytest.raises(ShapeError, match=r"X has shape \(2, 5\) but the map expects 4 columns"):
        fit.transform(np.ones((2, 5)))
    with pytest.raises(ShapeError, match=r"fit.transform\(X\) has shape \(10, 3\) but Y has shape \(10, 4\)"):
        procrustes_residual(np.ones((10, 4)), np.ones((10, 4)), fit=_Const(np.ones((10, 3))))
    with pytest.raises(ShapeError, match=r"ridge must be a finite number >= 0, got -1.0"):
        linear_map(np.ones((3, 2)), np.ones((3, 2)), ridge=-1)


class _Const:
    def __init__(self, out):
        self.out = out

    def transform(self, X):
        return self.out


# --------------------------------------------------------------------------- retrieval


def test_nn_known_answer():
    targets = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0]])
    queries = np.array([[1.0, 0.1], [0.0, 2.0]])
    ranked = retrieve(queries, targets, topk=4)
    assert ranked.dtype == np.int64
    np.testing.assert_array_equal(ranked, [[0, 1, 2, 3], [2, 1, 0, 3]])


def test_csls_known_answer_demotes_a_hub():
    # sources e1, e2, e3; the hub has cosine 1/√3 with each; "specific" has 0.5 with e1.
    sources, targets, query = E, np.stack([HUB, SPECIFIC]), E[:1]
    r_s = csls_penalty(targets, sources, k=2)
    np.testing.assert_allclose(r_s, [1 / np.sqrt(3), (0.5 + 0.0) / 2], atol=1e-6)
    np.testing.assert_allclose(csls_penalty(targets, sources, k=1), [1 / np.sqrt(3), 0.5], atol=1e-6)
    # NN prefers the hub (0.577 > 0.5); CSLS(e1, ·) = 2cos − r_T − r_S:
    # hub 2(0.577) − r_T − 0.577 = 0.577 − r_T  <  specific 1.0 − r_T − 0.25 = 0.75 − r_T.
    np.testing.assert_array_equal(retrieve(query, targets, topk=2), [[0, 1]])
    np.testing.assert_array_equal(
        retrieve(query, targets, criterion="csls", k=2, topk=2, sources=sources), [[1, 0]])
    np.testing.assert_array_equal(
        retrieve(query, targets, criterion="csls", k=2, topk=2, target_penalty=r_s), [[1, 0]])
    # With k = 1 the penalties are 0.577 and 0.5: the hub stays first (0.577 > 0.5).
    np.testing.assert_array_equal(
        retrieve(query, targets, criterion="csls", k=1, topk=2, sources=sources), [[0, 1]])


def test_isf_known_answer_demotes_a_hub():
    sources, targets, query, beta = E, np.stack([HUB, SPECIFIC]), E[:1], 10.0
    log_z = isf_log_normalizer(sources, targets, [beta, 1.0])
    c = 1 / np.sqrt(3)
    want_hub = math.log(3 * math.exp(beta * c))
    want_spec = math.log(math.exp(beta * 0.5) + math.exp(-beta * math.sqrt(0.75)) + 1.0)
    np.testing.assert_allclose(log_z[0], [want_hub, want_spec], rtol=1e-6)
    assert log_z.shape == (2, 2)
    # score = β cos − logZ: hub 5.77 − 6.87 = −1.10 < specific 5 − 5.0067 = −0.007.
    np.testing.assert_array_equal(
        retrieve(query, targets, criterion="isf", beta=beta, topk=2, sources=sources), [[1, 0]])
    np.testing.assert_array_equal(
        retrieve(query, targets, criterion="isf", beta=beta, topk=2,
                 target_log_normalizer=log_z[0]), [[1, 0]])
    np.testing.assert_array_equal(retrieve(query, targets, topk=2), [[0, 1]])  # NN: hub


@pytest.mark.parametrize("criterion", ["nn", "csls", "isf"])
@pytest.mark.parametrize("block_size", [1, 3, None])
def test_ties_go_to_the_lower_index(criterion, block_size):
    e1, e2 = [1.0, 0.0], [0.0, 1.0]
    targets = np.array([e2, e1, e1, e2, e1])
    ranked = retrieve(np.array([e1, e2]), targets, criterion=criterion, k=1, topk=5,
                      beta=2.0, block_size=block_size, sources=np.array([e1, e2]))
    np.testing.assert_array_equal(ranked, [[1, 2, 4, 0, 3], [0, 3, 1, 2, 4]])


@pytest.mark.parametrize("block_size", [1, 3, 8, None])
def test_all_equal_targets_rank_in_index_order(block_size):
    targets = np.tile([[1.0, 2.0]], (300, 1))
    ranked = retrieve(np.array([[2.0, 4.0], [-1.0, 0.0]]), targets, topk=7, block_size=block_size)
    np.testing.assert_array_equal(ranked, np.tile(np.arange(7), (2, 1)))


def test_retrieve_zero_rows_and_dtypes():
    ranked = retrieve(np.zeros((1, 2), dtype=np.float32), np.array([[1, 0], [0, 1]]), topk=2)
    np.testing.assert_array_equal(ranked, [[0, 1]])  # all cosines 0: index order


def test_retrieve_errors():
    Q, T = np.ones((3, 5)), np.ones((12, 5))
    with pytest.raises(ShapeError, match=r"^k=50 is larger than the 12 targets$"):
        retrieve(Q, T, criterion="csls", k=50)
    with pytest.raises(ShapeError, match=r"^k=5 is larger than the 3 sources$"):
        retrieve(Q, T, criterion="csls", k=5, topk=1)
    with pytest.raises(ShapeError, match=r"^topk=20 is larger than the 12 targets$"):
        retrieve(Q, T, topk=20)
    with pytest.raises(ShapeError, match=r"^k=0 must be >= 1$"):
        retrieve(Q, T, criterion="csls", k=0)
    with pytest.raises(ShapeError, match=r"topk must be an integer >= 1, got 2.5"):
        retrieve(Q, T, topk=2.5)
    with pytest.raises(ShapeError, match=r"block_size=0 must be >= 1"):
        retrieve(Q, T, block_size=0)
    with pytest.raises(ShapeError, match=r"queries has shape \(3, 5\) but targets has shape \(4, 6\): dimensions differ"):
        retrieve(Q, np.ones((4, 6)))
    with pytest.raises(ShapeError, match=r"sources has shape \(2, 4\) but targets has shape \(12, 5\): dimensions differ"):
        retrieve(Q, T, criterion="csls", sources=np.ones((2, 4)), k=1)
    with pytest.raises(ShapeError, match=r"queries must be a 2-D array \(n, d\), got shape \(5,\)"):
        retrieve(np.ones(5), T)
    with pytest.raises(ShapeError, match=r"targets has shape \(0, 5\): need at least 1 row"):
        retrieve(Q, np.ones((0, 5)))
    bad = T.copy()
    bad[7, 2] = np.nan
    with pytest.raises(ShapeError, match=r"targets \(shape \(12, 5\)\) contains NaN or Inf.*row 7"):
        retrieve(Q, bad)
    with pytest.raises(ShapeError, match=r"queries .* too large for float32"):
        retrieve(np.full((1, 5), 1e300), T)
    with pytest.raises(ShapeError, match=r"beta is required for criterion='isf'"):
        retrieve(Q, T, criterion="isf")
    with pytest.raises(ShapeError, match=r"beta must be a finite number > 0, got -1"):
        retrieve(Q, T, criterion="isf", beta=-1)
    with pytest.raises(UnknownNameError, match=r"unknown retrieval criterion 'cls'.*did you mean 'csls'"):
        retrieve(Q, T, criterion="cls")
    with pytest.raises(ShapeError, match=r"target_penalty has shape \(3,\) but there are 12 targets"):
        retrieve(Q, T, criterion="csls", target_penalty=np.zeros(3), k=1)
    with pytest.raises(ShapeError, match=r"target_penalty is only used with criterion='csls'"):
        retrieve(Q, T, target_penalty=np.zeros(12))
    with pytest.raises(ShapeError, match=r"target_log_normalizer is only used with criterion='isf'"):
        retrieve(Q, T, criterion="csls", target_log_normalizer=np.zeros(12))
    with pytest.raises(ShapeError, match=r"target_log_normalizer \(shape \(12,\)\) contains NaN"):
        retrieve(Q, T, criterion="isf", beta=1, target_log_normalizer=np.full(12, np.nan))
    with pytest.raises(ShapeError, match=r"^k=13 is larger than the 12 rows of b$"):
        csls_penalty(Q, T, 13)
    with pytest.raises(ShapeError, match=r"betas must be a finite number > 0, got 0"):
        isf_log_normalizer(Q, T, [1.0, 0])
    with pytest.raises(ShapeError, match=r"betas must be a number or a non-empty 1-D sequence"):
        isf_log_normalizer(Q, T, [])


# --------------------------------------------------------------------------- P@k


def test_precision_at_k_known_answer():
    ranked = np.array([[4, 2, 7],
                       [1, 0, 3],
                       [5, 6, 9],
                       [8, 3, 2]])
    gold = [{2}, [9, 3], 5, []]  # hit at rank 2, rank 3, rank 1, never
    assert precision_at_k(ranked, gold, ks=(1, 2, 3)) == {1: 0.25, 2: 0.5, 3: 0.75}
    np.testing.assert_array_equal(hits_at_k(ranked, gold, 2), [True, False, True, False])
    assert precision_at_k(ranked, [np.array([4, 5])] * 4, ks=(1,)) == {1: 0.5}


def test_precision_errors():
    ranked = np.zeros((2, 3), dtype=np.int64)
    with pytest.raises(ShapeError, match=r"k=5 is larger than ranked's 3 columns"):
        precision_at_k(ranked, [[0], [1]], ks=(1, 5))
    with pytest.raises(ShapeError, match=r"k=4 is larger than ranked's 3 columns"):
        hits_at_k(ranked, [[0], [1]], 4)
    with pytest.raises(ShapeError, match=r"gold has 3 entries but ranked has shape \(2, 3\)"):
        precision_at_k(ranked, [[0], [1], [2]])
    with pytest.raises(ShapeError, match=r"ranked must hold integer target indices, got dtype float64"):
        precision_at_k(ranked.astype(float), [[0], [1]], ks=(1,))
    with pytest.raises(ShapeError, match=r"gold\[1\] must be non-negative integer target indices"):
        precision_at_k(ranked, [[0], ["cat"]], ks=(1,))


# --------------------------------------------------------------------------- similarity


def test_similarity_sanity(rng):
    X = rng.standard_normal((150, 12))
    R = rotation(rng, 12)
    other = rng.standard_normal((150, 7))
    assert rsa(X, X) == pytest.approx(1.0)
    assert rsa(X, 2.0 * X @ R, method="pearson") == pytest.approx(1.0)
    assert rsa(X, X @ R) == pytest.approx(1.0)
    assert abs(rsa(X, other)) < 0.1
    assert linear_cka(X, X) == pytest.approx(1.0)
    assert linear_cka(X, 3.0 * X @ R + 1.0) == pytest.approx(1.0)
    assert linear_cka(X, other) < 0.2
    assert linear_cka(X[:5], X[:5] @ R) == pytest.approx(1.0)  # Gram form (n < d)
    assert mutual_knn(X, X, k=10) == 1.0
    assert mutual_knn(X, X @ R, k=5) == pytest.approx(1.0)
    assert mutual_knn(X, other, k=10) < 0.25


def test_mutual_knn_known_answer():
    # Angles 0°, 6.3°, 14.0°, 90°. Nearest other row (k=1) in X: 0->1, 1->0, 2->1, 3->2.
    X = np.array([[1.0, 0.0], [0.9, 0.1], [0.8, 0.2], [0.0, 1.0]])
    assert mutual_knn(X, X, k=1) == 1.0
    # Y holds X's rows 2, 1, 0, 3: nearest in Y 0->1, 1->2, 2->1, 3->0. Shared: rows 0, 2.
    assert mutual_knn(X, X[[2, 1, 0, 3]], k=1) == 0.5
    # k=3 = all other rows: always shared.
    assert mutual_knn(X, X[[2, 1, 0, 3]], k=3) == 1.0


def test_similarity_errors():
    with pytest.raises(UnknownNameError, match=r"unknown RSA method 'kendal'"):
        rsa(np.eye(3), np.eye(3), method="kendal")
    with pytest.raises(ShapeError, match=r"X has shape \(2, 3\): need at least 3 row"):
        rsa(np.eye(2, 3), np.eye(2, 3))
    with pytest.raises(ShapeError, match=r"X has shape \(4, 3\) but Y has shape \(5, 3\): row counts differ"):
        linear_cka(np.ones((4, 3)), np.ones((5, 3)))
    with pytest.raises(ShapeError, match=r"X \(shape \(4, 3\)\) has identical rows"):
        linear_cka(np.ones((4, 3)), np.eye(4, 3))
    with pytest.raises(ShapeError, match=r"k=4 must be smaller than the 4 rows"):
        mutual_knn(np.eye(4), np.eye(4), k=4)
    with pytest.raises(ShapeError, match=r"cosine similarities of X .* are all equal"):
        rsa(np.ones((4, 2)), np.eye(4, 2))


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_ci_deterministic_and_sane(rng):
    values = rng.normal(2.0, 1.0, size=400)
    a = bootstrap_ci(values, seed=7)
    assert a == bootstrap_ci(values, seed=7)
    assert a != bootstrap_ci(values, seed=8)
    low, high = a
    assert low < values.mean() < high
    assert high - low == pytest.approx(2 * 1.96 / math.sqrt(400), rel=0.2)
    mean_stat = bootstrap_ci(values, statistic=np.mean, seed=7)
    np.testing.assert_allclose(mean_stat, a, rtol=1e-12)  # same resamples, same result
    assert bootstrap_ci(np.full(10, 3.0)) == (3.0, 3.0)
    narrow = bootstrap_ci(values, confidence=0.5, seed=7)
    assert a[0] < narrow[0] < narrow[1] < a[1]


def test_bootstrap_ratio_statistic(rng):
    sq_err = rng.uniform(0.0, 1.0, 300)
    sq_norm = rng.uniform(1.0, 2.0, 300)
    stat = lambda a: math.sqrt(a[:, 0].sum() / a[:, 1].sum())  # noqa: E731
    low, high = bootstrap_ci(np.column_stack([sq_err, sq_norm]), statistic=stat, n_resamples=300)
    assert low < math.sqrt(sq_err.sum() / sq_norm.sum()) < high


def test_bootstrap_errors():
    with pytest.raises(ShapeError, match=r"values has shape \(5, 2\): pass a statistic for 2-D values"):
        bootstrap_ci(np.ones((5, 2)))
    with pytest.raises(ShapeError, match=r"non-empty 1-D or 2-D array .* got shape \(0,\)"):
        bootstrap_ci([])
    with pytest.raises(ShapeError, match=r"confidence must be in \(0, 1\), got 95.0"):
        bootstrap_ci([1.0, 2.0], confidence=95)
    with pytest.raises(ShapeError, match=r"n_resamples=0 must be >= 1"):
        bootstrap_ci([1.0, 2.0], n_resamples=0)
    with pytest.raises(ShapeError, match=r"values \(shape \(2,\)\) contains NaN or Inf"):
        bootstrap_ci([1.0, np.nan])
    with pytest.raises(ShapeError, match=r"statistic must return a scalar"):
        bootstrap_ci([1.0, 2.0], statistic=lambda a: a)

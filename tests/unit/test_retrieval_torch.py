"""The torch retrieval backend (run here on CPU torch): the CPU kernel's results contract."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from benchmark.errors import ShapeError, UnknownNameError  # noqa: E402
from benchmark.scoring import csls_penalty, isf_log_normalizer, retrieve  # noqa: E402
from benchmark.scoring.retrieval_torch import (  # noqa: E402
    csls_penalty_torch,
    isf_log_normalizer_torch,
    resolve_device,
    retrieve_torch,
)


def _unit(X):
    X = np.asarray(X, dtype=np.float64)
    n = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(n == 0, 1, n)


def _reference(Q, T, criterion="nn", k=10, beta=None, S=None, topk=10):
    """Brute force in float64: full score matrix, sorted by (-score, index)."""
    Q, T = _unit(Q), _unit(T)
    S = Q if S is None else _unit(S)
    scores = Q @ T.T
    if criterion == "csls":
        r_s = np.sort(T @ S.T, axis=1)[:, -k:].mean(axis=1)
        scores = scores - r_s / 2
    elif criterion == "isf":
        z = T @ S.T * beta
        m = z.max(axis=1, keepdims=True)
        scores = scores - (m[:, 0] + np.log(np.exp(z - m).sum(axis=1))) / beta
    order = np.lexsort((np.broadcast_to(np.arange(T.shape[0]), scores.shape), -scores), axis=1)
    return order[:, :topk], np.take_along_axis(scores, order, axis=1)[:, :topk + 1]


@pytest.mark.parametrize("criterion, beta", [("nn", None), ("csls", None), ("isf", 20.0)])
def test_agrees_with_the_numpy_kernel_and_brute_force(criterion, beta):
    rng = np.random.default_rng(0)
    Q, T, S = rng.standard_normal((150, 24)), rng.standard_normal((900, 24)), rng.standard_normal((700, 24))
    kw = {"criterion": criterion, "k": 10, "topk": 10, "beta": beta, "sources": S}
    ours = retrieve_torch(Q, T, device="cpu", block_size=64, chunk_size=256, **kw)
    cpu = retrieve(Q, T, **kw)
    ref, scores = _reference(Q, T, criterion, 10, beta, S)
    clear = (np.diff(-scores, axis=1) > 1e-5).all(axis=1)  # rows with no near-tie in float32
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(ours[clear], ref[clear])
    np.testing.assert_array_equal(ours[clear], cpu[clear])


def test_exact_ties_go_to_the_lower_index_across_tiles():
    """Duplicated target rows score exactly the same: the lower index ranks first, whichever tile
    (and whichever side of a tile's top-k boundary) the copies fall in."""
    # Unit rows with four entries of ±0.5: every cosine is an exact multiple of 0.25 whatever the BLAS
    # kernel's summation order, so copies tie exactly in float32 on any CPU (random rows do not: a GEMM
    # may compute its edge rows with another micro-kernel, one rounding apart).
    rng = np.random.default_rng(1)
    patterns = set()
    while len(patterns) < 40:
        row = np.zeros(8, dtype=np.float32)
        row[rng.choice(8, size=4, replace=False)] = rng.choice([-0.5, 0.5], size=4)
        patterns.add(tuple(row))
    base = np.array(sorted(patterns), dtype=np.float32)[rng.permutation(40)]
    T = np.concatenate([base, base, base])  # row i, i + 40, i + 80 are equal
    Q = base[:13].copy()  # the query's own row is the unique best base row (cosine 1 vs at most 0.75)
    for block, chunk in ((5, 7), (13, 40), (4, 120)):
        got = retrieve_torch(Q, T, topk=6, device="cpu", block_size=block, chunk_size=chunk)
        ref, _ = _reference(Q, T, topk=6)
        np.testing.assert_array_equal(got, ref)
        assert (got[:, 0] < 40).all() and (got[:, 1] == got[:, 0] + 40).all() and (got[:, 2] == got[:, 0] + 80).all()
    np.testing.assert_array_equal(retrieve_torch(Q, T, topk=6, device="cpu", block_size=5, chunk_size=7),
                                  retrieve(Q, T, topk=6))


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(2, 60), st.integers(1, 8),
       st.integers(1, 9), st.integers(1, 17))
def test_property_matches_a_full_sort(seed, n_q, n_t, topk, block, chunk):
    """Any shapes and tile sizes: the exact order of a full sort by (-score, index), ties included."""
    rng = np.random.default_rng(seed)
    topk = min(topk, n_t)
    levels = rng.integers(0, 4, size=(n_t, 1)).astype(np.float32)  # few distinct rows → many exact ties
    T = np.concatenate([np.ones((n_t, 1), np.float32), levels], axis=1)
    Q = rng.integers(1, 3, size=(n_q, 2)).astype(np.float32)
    got = retrieve_torch(Q, T, topk=topk, device="cpu", block_size=block, chunk_size=chunk)
    # float32 scores on both sides, as the kernels compute them
    Qn, Tn = _unit(Q).astype(np.float32), _unit(T).astype(np.float32)
    scores = (Qn @ Tn.T).astype(np.float32)
    ref = np.lexsort((np.broadcast_to(np.arange(n_t), scores.shape), -scores), axis=1)[:, :topk]
    np.testing.assert_array_equal(got, ref)


def test_penalty_and_normalizer_match_the_numpy_ones():
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((300, 16)), rng.standard_normal((500, 16))
    np.testing.assert_allclose(csls_penalty_torch(A, B, 10, device="cpu", block_size=64, chunk_size=128),
                               csls_penalty(A, B, 10), atol=1e-6)
    np.testing.assert_allclose(isf_log_normalizer_torch(A, B, 30.0, device="cpu", block_size=64, chunk_size=128),
                               isf_log_normalizer(A, B, [30.0])[0], atol=1e-5)


def test_bf16_keeps_top1_on_planted_pairs():
    """Reduced precision trades exactness for speed: on well-separated planted pairs top-1 holds."""
    rng = np.random.default_rng(3)
    T = rng.standard_normal((2000, 64)).astype(np.float32)
    Q = T[:500] + 0.3 * rng.standard_normal((500, 64)).astype(np.float32)
    fp32 = retrieve_torch(Q, T, topk=1, device="cpu")
    bf16 = retrieve_torch(Q, T, topk=1, device="cpu", precision="bf16")
    assert (fp32[:, 0] == np.arange(500)).mean() > 0.99
    assert (bf16[:, 0] == fp32[:, 0]).mean() >= 0.99


def test_named_errors():
    X = np.ones((3, 4))
    with pytest.raises(UnknownNameError, match="precision"):
        retrieve_torch(X, X, topk=1, device="cpu", precision="fp8")
    with pytest.raises(ShapeError, match="beta is required"):
        retrieve_torch(X, X, criterion="isf", topk=1, device="cpu")
    with pytest.raises(ShapeError, match="topk=5 is larger"):
        retrieve_torch(X, X, topk=5, device="cpu")
    with pytest.raises(ShapeError, match="device must be"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ShapeError, match="no CUDA device"):
            resolve_device("cuda")
        assert resolve_device("auto") == "cpu"


def test_families_run_on_the_torch_backend_with_the_same_results(toy_models, toy_task):
    """``use_torch_device`` (what ``run --device cuda`` sets) sends a whole static_static item's retrieval
    to torch: the same P@k as the numpy kernel (torch on CPU here)."""
    from benchmark.run.runner import Item, run_item
    from benchmark.scoring.retrieval import use_torch_device

    item = Item(toy_task, ("toy-source", "toy-target"))
    numpy_result = run_item(item, seed=0)
    with use_torch_device("cpu"):
        torch_result = run_item(item, seed=0)
    for key, value in numpy_result.metrics.items():
        if key.startswith("p@") and ":" not in key:
            assert torch_result.metrics[key] == value, key


def test_use_torch_device_routes_retrieve_and_restores(monkeypatch):
    import benchmark.scoring.retrieval_torch as rt
    from benchmark.scoring.retrieval import use_torch_device

    calls = []
    real = rt.retrieve_torch
    monkeypatch.setattr(rt, "retrieve_torch", lambda *a, **kw: calls.append(kw["device"]) or real(*a, **kw))
    X = np.random.default_rng(0).standard_normal((20, 4))
    with use_torch_device("cpu"):
        inside = retrieve(X, X, topk=3)
    outside = retrieve(X, X, topk=3)
    assert calls == ["cpu"] and (inside == outside).all()


def test_cli_device_cuda_without_a_gpu_is_a_named_error(capsys):
    from benchmark.cli import main

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert main(["run", "--device", "cuda", "--tasks", "static_static", "--models", "glove-6b-50d",
                 "word2vec-gnews", "--out", "/nonexistent-never-written", "--no-progress"]) == 2
    assert "--device cuda: torch sees no CUDA device" in capsys.readouterr().err

"""static_static: the computation (Family.evaluate); the protocol is in the package docstring."""

from __future__ import annotations

import numpy as np

from benchmark.data.vocabulary import identity_dictionary, search_space
from benchmark.errors import ShapeError
from benchmark.families.base import Measurement, put_ci
from benchmark.families.static_static.params import SplitParams
from benchmark.scoring import (
    bootstrap_ci,
    csls_penalty_and_isf_normalizer,
    hits_at_k,
    linear_cka,
    linear_map,
    mutual_knn,
    normalize,
    orthogonal_procrustes,
    pair_cosines,
    precision_at_k,
    procrustes_residual,
    retrieve,
    rsa,
)

#: The protocol's search spaces, dictionary split, normalisation and retrieval settings (the defaults of
#: :class:`SplitParams`, as a Result records them).
SPLIT_PARAMS = SplitParams().as_dict()


def _residual_ci(mapped, Y, seed, n_boot):
    sq_err = ((mapped - Y) ** 2).sum(axis=1)
    sq_norm = (Y**2).sum(axis=1)
    return bootstrap_ci(
        np.column_stack([sq_err, sq_norm]),
        statistic=lambda a: float(np.sqrt(a[:, 0].sum() / a[:, 1].sum())),
        n_resamples=n_boot,
        seed=seed,
    )


def split_spaces(models, p, seed: int):
    """The protocol's search spaces, identity split and normalised matrices (steps 1-3 of the protocol).

    Returns ``(S, T, split, X, Y)``: the source and target :class:`SearchSpace`, the seeded
    train/dev/test split, and both normalised float64 matrices.  Every task evaluated on the
    static_static test split (static_static, static_static_unsupervised) starts here.
    """
    source_model, target_model = models
    S = search_space(source_model, p.search_vocab)
    T = search_space(target_model, p.search_vocab)
    split = identity_dictionary(
        S, T,
        n_train=p.n_train, n_dev=p.n_dev, n_test=p.n_test,
        min_train=p.min_train, seed=seed,
    )
    for space in (S, T):
        if p.csls_k > len(space.words):
            raise ShapeError(
                f"task parameter csls_k={p.csls_k} is larger than model {space.model!r}'s search space "
                f"of {len(space.words)} words"
            )
    return S, T, split, normalize(S.vectors, p.normalization), normalize(T.vectors, p.normalization)


def evaluate(task, models, *, seed: int) -> Measurement:
    p = task.params
    S, T, split, X, Y = split_spaces(models, p, seed)
    train_s, train_t = S.rows(split.train), T.rows(split.train)
    dev_s, dev_t = S.rows(split.dev), T.rows(split.dev)
    test_s, test_t = S.rows(split.test), T.rows(split.test)
    k, topk, n_boot = p.csls_k, max(p.ks), p.n_bootstrap
    targets = Y.astype(np.float32)
    gold_test = [(int(t),) for t in test_t]
    gold_dev = [(int(t),) for t in dev_t]

    fit = orthogonal_procrustes(X[train_s], Y[train_t])
    mapped = fit.transform(X).astype(np.float32)
    betas = tuple(float(b) for b in p.isf_betas)
    target_penalty, log_norm = csls_penalty_and_isf_normalizer(targets, mapped, k, betas)  # one pass for both

    metrics: dict[str, float] = {}
    ranked = {}
    for criterion in ("nn", "csls"):
        ranked[criterion] = retrieve(
            mapped[test_s], targets, criterion=criterion, k=k, topk=topk,
            sources=mapped, target_penalty=target_penalty if criterion == "csls" else None,
        )
    dev_scores = []
    for b, beta in enumerate(betas):
        dev_ranked = retrieve(
            mapped[dev_s], targets, criterion="isf", beta=beta, topk=1,
            sources=mapped, target_log_normalizer=log_norm[b],
        )
        dev_scores.append(precision_at_k(dev_ranked, gold_dev, ks=(1,))[1])
    best = int(np.argmax(dev_scores))  # first best β on ties
    ranked["isf"] = retrieve(
        mapped[test_s], targets, criterion="isf", beta=betas[best], topk=topk,
        sources=mapped, target_log_normalizer=log_norm[best],
    )

    for criterion, r in ranked.items():
        pk = precision_at_k(r, gold_test, ks=tuple(p.ks))
        for kk, value in pk.items():
            metrics[f"p@{kk}/{criterion}"] = float(value)
        put_ci(metrics, f"p@1/{criterion}", bootstrap_ci(
            hits_at_k(r, gold_test, 1).astype(np.float64), n_resamples=n_boot, seed=seed))

    test_mapped = fit.transform(X[test_s])
    metrics["residual"] = procrustes_residual(X[test_s], Y[test_t], fit)
    put_ci(metrics, "residual", _residual_ci(test_mapped, Y[test_t], seed, n_boot))
    metrics["mean_cos"] = float(pair_cosines(test_mapped, Y[test_t]).mean())
    put_ci(metrics, "mean_cos", bootstrap_ci(pair_cosines(test_mapped, Y[test_t]), n_resamples=n_boot, seed=seed))
    metrics["coverage"] = split.coverage

    scaled = orthogonal_procrustes(X[train_s], Y[train_t], scale=True)
    metrics["scaled/residual"] = procrustes_residual(X[test_s], Y[test_t], scaled)
    metrics["scaled/scale"] = float(scaled.scale)

    lsq = linear_map(X[train_s], Y[train_t], bias=True)
    metrics["lstsq/residual"] = procrustes_residual(X[test_s], Y[test_t], lsq)
    lsq_ranked = retrieve(lsq.transform(X[test_s]).astype(np.float32), targets, criterion="nn", topk=1)
    metrics["lstsq/p@1/nn"] = precision_at_k(lsq_ranked, gold_test, ks=(1,))[1]

    shuffled_t = train_t[np.random.default_rng(seed + 1).permutation(len(train_t))]
    base_fit = orthogonal_procrustes(X[train_s], Y[shuffled_t])
    base_mapped = base_fit.transform(X).astype(np.float32)
    base_nn = retrieve(base_mapped[test_s], targets, criterion="nn", topk=1)
    base_csls = retrieve(base_mapped[test_s], targets, criterion="csls", k=k, topk=1, sources=base_mapped)
    metrics["baseline/shuffled/p@1/nn"] = precision_at_k(base_nn, gold_test, ks=(1,))[1]
    metrics["baseline/shuffled/p@1/csls"] = precision_at_k(base_csls, gold_test, ks=(1,))[1]
    put_ci(metrics, "baseline/shuffled/p@1/csls", bootstrap_ci(
        hits_at_k(base_csls, gold_test, 1).astype(np.float64), n_resamples=n_boot, seed=seed))
    metrics["baseline/shuffled/residual"] = procrustes_residual(X[test_s], Y[test_t], base_fit)
    metrics["baseline/shuffled/ci_separation"] = (metrics["p@1/csls:ci_low"]
                                                  - metrics["baseline/shuffled/p@1/csls:ci_high"])
    metrics["baseline/shuffled/mean_cos"] = float(pair_cosines(base_fit.transform(X[test_s]), Y[test_t]).mean())

    Xt, Yt = X[test_s], Y[test_t]
    metrics["similarity/cka"] = linear_cka(Xt, Yt)
    metrics["similarity/rsa"] = rsa(Xt, Yt)
    metrics["similarity/mutual_knn@10"] = mutual_knn(Xt, Yt, k=10)

    return Measurement(
        metrics={key: float(v) for key, v in metrics.items()},
        sizes={
            "train": len(split.train), "dev": len(split.dev), "test": len(split.test),
            "shared_words": split.n_shared,
            "source_space": len(S.words), "target_space": len(T.words),
            "source_dim": int(X.shape[1]), "target_dim": int(Y.shape[1]),
        },
        details={
            "isf_beta": betas[best],
            "isf_dev_p@1": dict(zip(map(str, betas), map(float, dev_scores))),
            "split_note": split.note,
            "coverage_base": split.coverage_base,
        },
    )

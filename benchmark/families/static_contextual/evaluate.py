"""static_contextual: the computation (Family.evaluate); the protocol is in the package docstring."""

from __future__ import annotations

import numpy as np

from benchmark.adapters.base import StaticEmbeddings, require_contextual, require_static
from benchmark.data.contexts import load_corpus, mine_contexts
from benchmark.data.vocabulary import identity_dictionary, reference_words, search_space
from benchmark.errors import ShapeError
from benchmark.families.base import Measurement
from benchmark.families.static_static.evaluate import evaluate as static_static_evaluate
from benchmark.scoring import (
    csls_penalty,
    normalize,
    orthogonal_procrustes,
    pair_cosines,
    precision_at_k,
    procrustes_residual,
    retrieve,
)
from benchmark.scoring.normalize import standardize
from benchmark.scoring.subspace import in_image_span
from benchmark.tasks import Task

VARIANTS = ("pooled", "decontextualized")


PREFIX = {"pooled": "", "decontextualized": "decontextualized/", "input": "input/"}


STATIC_KEYS = ("search_vocab", "n_train", "n_dev", "n_test", "min_train", "normalization",
               "csls_k", "ks", "isf_betas", "n_bootstrap")


# ------------------------------------------------------------------ word set
def contextual_word_set(ctx, corpus, p):
    """(input embeddings, target words, {word: occurrences}, all single-token plain words)."""
    emb = ctx.input_embeddings()
    ranked = search_space(emb)  # plain words, wordfreq order, unknown words last
    known = set(reference_words())
    words = []
    for w in ranked.words:
        if w in known and len(corpus.index.get(w, ())) >= p.min_contexts:
            words.append(w)
            if len(words) == p.target_vocab:
                break
    if not words:
        raise ShapeError(f"model {ctx.name!r}: no single-token plain word has {p.min_contexts} corpus contexts")
    contexts = mine_contexts(words, corpus, p.max_contexts, quota=p.min_contexts)
    return emb, words, contexts, ranked.words


def extract(ctx, words, contexts, p) -> dict[str, np.ndarray]:
    """float32 arrays (n_words, n_layers, dim) per variant, through the model's disk cache."""
    decontext = ctx.decontextualized(words, leading_space=True, pooling=p.pooling,
                                     batch_size=p.decontext_batch_size)
    got, pooled = ctx.context_pooled({w: contexts[w] for w in words}, max_contexts=p.max_contexts,
                                     layers=None, pooling=p.pooling, batch_size=p.batch_size)
    if list(got) != list(words):  # every word has >= min_contexts >= 1 contexts
        raise ShapeError(f"model {ctx.name!r}: context pooling lost words")  # pragma: no cover
    return {"pooled": pooled, "decontextualized": decontext}


def _space(name: str, words, vectors, revision: str) -> StaticEmbeddings:
    return StaticEmbeddings(name=name, words=tuple(words), vectors=vectors, revision=revision,
                            frequency_ordered=False)


def _sub_task(task) -> Task:
    return Task(name=f"{task.name}:layer", version=task.version, family="static_static",
                description="one layer of " + task.name, main_metric="p@1/csls",
                params={k: getattr(task.params, k) for k in STATIC_KEYS})


# ------------------------------------------------------------------ per layer
def layer_curve(S, X, split, T, p) -> dict[str, float]:
    """Dev P@1 CSLS (the layer choice), test P@1 NN/CSLS, mean cos of mapped test pairs and residual."""
    k = p.csls_k
    pos_s, pos_t = S.position, T.position
    rows = {name: (np.array([pos_s[w] for w in ws], dtype=np.int64), np.array([pos_t[w] for w in ws], dtype=np.int64))
            for name, ws in (("train", split.train), ("dev", split.dev), ("test", split.test))}
    Y = normalize(T.vectors, p.normalization)
    fit = orthogonal_procrustes(X[rows["train"][0]], Y[rows["train"][1]])
    # the mapped sources span <= d_s + 1 of the layer's dimensions: the same cosines, fewer flops
    mapped, targets = in_image_span(fit.transform(X), Y, fit.W, offset=fit.y_mean)
    penalty = csls_penalty(targets, mapped, k)
    out = {}
    for part, crit in (("dev", "csls"), ("test", "csls"), ("test", "nn")):
        s_rows, t_rows = rows[part]
        ranked = retrieve(mapped[s_rows], targets, criterion=crit, k=k, topk=1, sources=mapped,
                          target_penalty=penalty if crit == "csls" else None)
        value = precision_at_k(ranked, [(int(t),) for t in t_rows], ks=(1,))[1]
        out[f"{'dev/' if part == 'dev' else ''}p@1/{crit}"] = float(value)
    test_x, test_y = X[rows["test"][0]], Y[rows["test"][1]]
    out["mean_cos"] = float(pair_cosines(fit.transform(test_x), test_y).mean())
    out["residual"] = float(procrustes_residual(test_x, test_y, fit))
    return out


def evaluate(task, models, *, seed: int) -> Measurement:
    p = task.params
    static, ctx = require_static(models[0], task.name), require_contextual(models[1], task.name)
    corpus = load_corpus()
    emb, words, contexts, all_single = contextual_word_set(ctx, corpus, p)
    arrays = extract(ctx, words, contexts, p)
    arrays["input"] = emb.vectors[[emb.index(w) for w in words]][:, None, :]
    n_layers = arrays["pooled"].shape[1]

    S = search_space(static, p.search_vocab)
    X = normalize(S.vectors, p.normalization)
    first = search_space(_space(ctx.name, words, arrays["input"][:, 0], ctx.revision), p.search_vocab)
    split = identity_dictionary(S, first, n_train=p.n_train, n_dev=p.n_dev, n_test=p.n_test,
                                min_train=p.min_train, seed=seed)

    def target(variant: str, layer: int, raw: bool = False) -> StaticEmbeddings:
        V = arrays[variant][:, layer]
        if p.standardize and not raw:
            V = standardize(V)
        return _space(f"{ctx.name}[{variant}@{layer}]", words, V, ctx.revision)

    curves: dict[str, list[dict]] = {}
    chosen: dict[str, int] = {}
    runs = [(v, v, False) for v in (*VARIANTS, "input")]
    if p.standardize:
        runs.append(("pooled_raw", "pooled", True))
    for name, variant, raw in runs:
        points = []
        for layer in range(arrays[variant].shape[1]):
            T = search_space(target(variant, layer, raw), p.search_vocab)
            points.append({"layer": layer, **layer_curve(S, X, split, T, p)})
        curves[name] = points
        dev = [pt["dev/p@1/csls"] for pt in points]
        chosen[name] = int(np.argmax(dev))  # first best layer on ties

    sub = _sub_task(task)
    metrics: dict[str, float] = {}
    details: dict = {}
    sizes: dict[str, int] = {}
    for variant in (*VARIANTS, "input"):
        m = static_static_evaluate(sub, (static, target(variant, chosen[variant])), seed=seed)
        metrics.update({PREFIX[variant] + key: value for key, value in m.metrics.items()})
        details[f"{variant}_isf_beta"] = m.details["isf_beta"]
        if variant == "pooled":
            sizes.update(m.sizes)
            details["split_note"] = m.details["split_note"]

    static_plain, single = set(search_space(static).words), set(all_single)
    base = reference_words()[:10_000]
    coverage = sum(1 for w in base if w in static_plain and w in single) / len(base)
    for prefix in PREFIX.values():
        metrics[prefix + "coverage"] = float(coverage)

    n_ctx = np.array([len(contexts[w]) for w in words])
    sentences = {o[0] for w in words for o in contexts[w]}
    sizes.update({"layers": int(n_layers), "target_words": len(words), "context_sentences": len(sentences),
                  "contexts": int(n_ctx.sum())})
    details.update({
        "layer": chosen["pooled"],
        "decontextualized_layer": chosen["decontextualized"],
        "pooled_raw_layer": chosen.get("pooled_raw"),
        "layer_rule": "hidden_states[l]; 0 = embedding output; chosen by dev P@1 CSLS (first best)",
        "curves": curves,
        "contexts": {**corpus.describe(), "max_contexts": p.max_contexts,
                     "min_contexts": p.min_contexts, "mean_per_word": float(n_ctx.mean()),
                     "words_with_max": int((n_ctx >= p.max_contexts).sum())},
        "contextual_single_token_words": len(single),
        "architecture": getattr(ctx, "architecture", "?"),
    })
    return Measurement(metrics={k: float(v) for k, v in metrics.items()}, sizes=sizes, details=details)

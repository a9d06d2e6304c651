"""context_drift: the computation (Family.evaluate); the protocol is in the package docstring."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from benchmark.adapters.base import require_contextual
from benchmark.data.contexts import load_corpus, load_senses, mine_contexts, random_occurrences
from benchmark.data.vocabulary import reference_words
from benchmark.errors import DataFormatError
from benchmark.families.base import Measurement, put_ci
from benchmark.scoring import bootstrap_ci, cluster_bootstrap_ci, difference_ci
from benchmark.scoring.context import (
    ethayarajh,
    loo_centroid_hits,
    random_groups,
    sense_separation,
)
from benchmark.scoring.normalize import unit_rows


# ------------------------------------------------------------------ data
def drift_words(corpus, p) -> list[str]:
    lo, hi = p.rank_range
    k = p.n_contexts
    cand = [w for w in reference_words()[lo:hi] if len(w) >= 3 and len(corpus.index.get(w, ())) >= k]
    n = min(p.n_words, len(cand))
    if n < 2:
        raise DataFormatError(None, f"only {len(cand)} words of ranks {lo}-{hi} have {k} corpus contexts")
    return [cand[(i * len(cand)) // n] for i in range(n)]


def split_sense_words(words, seed: int) -> tuple[list[str], list[str]]:
    words = sorted(words)
    order = np.random.default_rng(seed).permutation(len(words))
    half = len(words) // 2
    return sorted(words[i] for i in order[:half]), sorted(words[i] for i in order[half:])


# ------------------------------------------------------------------ evaluate
def evaluate(task, models, *, seed: int) -> Measurement:
    p = task.params
    (ctx,) = models
    ctx = require_contextual(ctx, task.name)
    corpus = load_corpus()
    words = drift_words(corpus, p)
    contexts = mine_contexts(words, corpus, p.n_contexts)
    k = p.n_contexts
    drift_occ = [o for w in words for o in contexts[w]]
    drift_sentences = list(dict.fromkeys(o[0] for o in drift_occ))
    draws = random_occurrences(drift_sentences, p.n_random, seed=seed)
    groups = random_groups([d[0] for d in draws], [d[1] for d in draws], k)

    senses = load_senses()
    sense_words = sorted({s.word for s in senses})
    dev_words, test_words = split_sense_words(sense_words, seed)
    label_names: dict[str, list[str]] = {w: sorted({s.sense for s in senses if s.word == w}) for w in sense_words}
    bad = [w for w, ls in label_names.items() if len(ls) < 2]
    if bad:
        raise DataFormatError(None, f"sense words with a single sense: {', '.join(bad)}")

    occ = drift_occ + [(s, a, b) for _, s, a, b in draws] + [s.occurrence for s in senses]
    vectors = ctx.embed_occurrences(occ, layers=None, pooling=p.pooling, batch_size=p.batch_size)
    anchor_words = list(dict.fromkeys(sense_words + words))
    anchors = ctx.decontextualized(anchor_words, leading_space=True, pooling=p.pooling,
                                   batch_size=p.decontext_batch_size)
    n_layers = vectors.shape[1]
    n_d, n_r = len(drift_occ), len(draws)
    D = vectors[:n_d].reshape(len(words), k, n_layers, -1)
    R = vectors[n_d:n_d + n_r]
    Sv = vectors[n_d + n_r:]
    anchor_row = {w: i for i, w in enumerate(anchor_words)}

    by_word = defaultdict(list)
    for i, s in enumerate(senses):
        by_word[s.word].append(i)
    sense_idx = {w: np.array(by_word[w]) for w in sense_words}
    sense_lab = {w: np.array([label_names[w].index(senses[i].sense) for i in by_word[w]]) for w in sense_words}
    rng = np.random.default_rng(seed + 1)
    shuffles = {w: [rng.permutation(sense_lab[w]) for _ in range(p.n_shuffles)] for w in sense_words}
    test_occ = np.concatenate([sense_idx[w] for w in test_words])
    dev_occ = np.concatenate([sense_idx[w] for w in dev_words])

    layers, items = [], []
    for layer in range(n_layers):
        it = ethayarajh(D[:, :, layer], R[:, layer], groups)
        Rl = R[:, layer].astype(np.float64)
        mu = Rl.mean(axis=0)
        sd = Rl.std(axis=0) if p.standardize else np.ones_like(mu)
        sd = np.where(sd > 0, sd, 1.0)
        Z = unit_rows((Sv[:, layer] - mu) / sd)
        A = unit_rows((anchors[:, layer] - mu) / sd)
        hits = np.zeros(len(senses))
        base = np.zeros(len(senses))
        anchor_cos = np.zeros(len(senses))
        sep, gap, per_sense = {}, {}, {}
        for w in sense_words:
            idx, lab = sense_idx[w], sense_lab[w]
            Zw = Z[idx]
            hits[idx] = loo_centroid_hits(Zw, lab)
            base[idx] = np.mean([loo_centroid_hits(Zw, sh) for sh in shuffles[w]], axis=0)
            sep[w] = sense_separation(Zw, lab)
            cos = Zw @ A[anchor_row[w]]
            anchor_cos[idx] = cos
            per_sense[w] = {name: float(cos[lab == j].mean()) for j, name in enumerate(label_names[w])}
            means = list(per_sense[w].values())
            gap[w] = float(max(means) - min(means))
        Dz = (D[:, :, layer] - mu) / sd
        itz = ethayarajh(Dz, (Rl - mu) / sd, groups)
        it.update({f"z/{key}": value for key, value in itz.items()})
        Dc = unit_rows(Dz)
        Aw = A[[anchor_row[w] for w in words]]
        corpus_cos = np.einsum("wkd,wd->wk", Dc, Aw)
        it.update({"hits": hits, "base": base, "anchor_cos": anchor_cos,
                   "sep": np.array([sep[w] for w in test_words]), "gap": np.array([gap[w] for w in test_words]),
                   "corpus_cos": corpus_cos.mean(axis=1), "per_sense": per_sense})
        items.append(it)
        layers.append({
            "layer": layer,
            "self_similarity": float(it["self_similarity"].mean()),
            "anisotropy": float(it["anisotropy"].mean()),
            "self_similarity/adjusted": float(it["self_similarity"].mean() - it["anisotropy"].mean()),
            "mev": float(it["mev"].mean()),
            "mev/baseline": float(it["mev/baseline"].mean()),
            "mev/adjusted": float(it["mev"].mean() - it["mev/baseline"].mean()),
            "z/self_similarity": float(itz["self_similarity"].mean()),
            "z/anisotropy": float(itz["anisotropy"].mean()),
            "z/self_similarity/adjusted": float(itz["self_similarity"].mean() - itz["anisotropy"].mean()),
            "z/mev/adjusted": float(itz["mev"].mean() - itz["mev/baseline"].mean()),
            "dev/sense/accuracy": float(hits[dev_occ].mean()),
            "sense/accuracy": float(hits[test_occ].mean()),
            "sense/baseline/shuffled": float(base[test_occ].mean()),
            "sense/separation": float(it["sep"].mean()),
            "drift/anchor_cos": float(anchor_cos[test_occ].mean()),
            "drift/sense_gap": float(it["gap"].mean()),
            "drift/corpus_anchor_cos": float(it["corpus_cos"].mean()),
        })

    best = int(np.argmax([pt["dev/sense/accuracy"] for pt in layers]))  # first best on ties
    it, nb = items[best], p.n_bootstrap
    metrics = {key: value for key, value in layers[best].items() if key not in ("layer",)}

    test_occ_word = [senses[i].word for i in test_occ]
    put_ci(metrics, "sense/accuracy", cluster_bootstrap_ci(it["hits"][test_occ], test_occ_word, n_resamples=nb, seed=seed))
    put_ci(metrics, "sense/baseline/shuffled", cluster_bootstrap_ci(it["base"][test_occ], test_occ_word,
                                                        n_resamples=nb, seed=seed))
    put_ci(metrics, "sense/separation", bootstrap_ci(it["sep"], n_resamples=nb, seed=seed))
    put_ci(metrics, "drift/anchor_cos", cluster_bootstrap_ci(it["anchor_cos"][test_occ], test_occ_word,
                                                 n_resamples=nb, seed=seed))
    put_ci(metrics, "drift/sense_gap", bootstrap_ci(it["gap"], n_resamples=nb, seed=seed))
    put_ci(metrics, "self_similarity", bootstrap_ci(it["self_similarity"], n_resamples=nb, seed=seed))
    put_ci(metrics, "anisotropy", bootstrap_ci(it["anisotropy"], n_resamples=nb, seed=seed))
    put_ci(metrics, "self_similarity/adjusted", difference_ci(it["self_similarity"], it["anisotropy"], n_resamples=nb, seed=seed))
    put_ci(metrics, "mev/adjusted", difference_ci(it["mev"], it["mev/baseline"], n_resamples=nb, seed=seed))
    put_ci(metrics, "z/self_similarity/adjusted", difference_ci(it["z/self_similarity"], it["z/anisotropy"],
                                                    n_resamples=nb, seed=seed))
    metrics["sense/ci_separation"] = metrics["sense/accuracy:ci_low"] - metrics["sense/baseline/shuffled:ci_high"]

    sentences = set(drift_sentences) | {s.sentence for s in senses}
    return Measurement(
        metrics={key: float(v) for key, v in metrics.items()},
        sizes={"layers": int(n_layers), "drift_words": len(words), "contexts_per_word": k,
               "random_occurrences": n_r, "random_groups": len(groups), "sense_words_dev": len(dev_words),
               "sense_words_test": len(test_words), "sense_occurrences_test": int(len(test_occ)),
               "sentences": len(sentences)},
        details={
            "layer": best,
            "layer_rule": "hidden_states[l]; 0 = embedding output; chosen by dev sense accuracy (first best)",
            "layers": layers,
            "per_sense": {w: {"split": "dev" if w in dev_words else "test", **items[best]["per_sense"][w]}
                          for w in sense_words},
            "sense_split": {"dev": dev_words, "test": test_words},
            "sense_per_word": {w: [int(it["hits"][sense_idx[w]].sum()), int(len(sense_idx[w]))] for w in test_words},
            "drift_words": words,
            "corpus": corpus.describe(),
            "architecture": getattr(ctx, "architecture", "?"),
        },
    )

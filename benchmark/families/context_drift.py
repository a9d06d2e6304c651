"""context_drift: how far a contextual model's word vectors move across contexts, per layer.

One item = one contextual model.  For every hidden-state output l
(``hidden_states[l]``, 0 = embedding output):

* **Ethayarajh (2019) measures** on corpus words: ``n_words`` words of wordfreq
  ranks ``rank_range`` (at least 3 letters, at least ``n_contexts`` corpus
  contexts; evenly spaced in rank order), each with exactly ``n_contexts``
  occurrences mined from the corpus (:mod:`benchmark.contexts`).

  - ``self_similarity``: mean over words of the mean pairwise cosine of the
    word's occurrence vectors (raw vectors, as in the paper).
  - ``mev``: maximum explainable variance, σ₁² / Σσ² of the word's raw
    (uncentred) occurrence matrix -- the share a single static vector can
    explain.
  - Baselines (anisotropy): the same two statistics on groups of
    ``n_contexts`` *random words in random contexts* -- ``n_random`` tokens
    drawn uniformly from the drift sentences (any letter run, function words
    included), grouped so that a group never repeats a sentence or a word
    (case-folded).  ``…/adjusted`` = measure − baseline.  Its CI is a joint
    bootstrap over words and baseline groups (rows of both resampled together).
  - ``z/…``: the same on vectors centred and divided by the per-dimension
    standard deviation of the random occurrences (with ``standardize``; plain
    centring otherwise).  On raw vectors Gemma's massive-activation dimensions
    make every cosine ≈ 0.9-0.97 in the middle layers, so the raw adjusted
    values mostly measure that anisotropy; the ``z/`` values measure context
    sensitivity in the remaining directions.

* **Sense separation** on ``datasets/contexts/senses.jsonl`` (33 words × 2
  senses × 8 sentences).  Vectors are centred by the layer mean (the mean of
  the random occurrences) and, with ``standardize`` (default), divided by their
  per-dimension standard deviation -- Gemma's few massive-activation
  dimensions otherwise decide every cosine -- then compared by cosine.  The words are split by seed
  into a dev half (the layer choice) and a test half (every reported number).

  - ``sense/separation``: per word, mean within-sense cosine minus mean
    across-sense cosine, averaged over words.
  - ``sense/accuracy``: leave-one-out nearest-centroid sense accuracy (each
    occurrence against the centroids of its word's senses, itself left out;
    cosine to the centroid; ties to the first sense label).
  - ``sense/baseline/shuffled``: the same with sense labels permuted within
    each word (``n_shuffles`` permutations, averaged per occurrence).  LOO
    nearest-centroid is biased *below* 0.5 under shuffled labels, which is why
    the baseline is measured rather than assumed.
  - ``sense/ci_separation``: CI low of the accuracy minus CI high of the
    baseline; > 0 means the two 95 % CIs do not overlap.  Both CIs resample
    whole test words (a word's occurrences are not independent);
    ``details["sense_per_word"]`` = {test word: [correct, total]} lets anyone
    recompute them.

* **Drift from the static anchor**: the anchor of a word is the model's own
  decontextualised vector of the lemma at the same layer (the word alone with
  a leading space, so SentencePiece/BPE give the word-start token), centred
  (and standardised) like the occurrences.  ``drift/anchor_cos`` = mean cosine of each sense
  occurrence to its anchor (surface forms may be inflected: ``banks``);
  ``drift/sense_gap`` = mean over words of |anchor cosine of sense A − of
  sense B| (which sense the context-free vector stands for);
  ``drift/corpus_anchor_cos`` = the same cosine for the corpus words.

The reported layer is the first best by **dev** sense accuracy; every metric
in ``metrics`` is taken at that layer (sense metrics on the test half), and
the full per-layer curves are in ``details["layers"]``.  CIs: percentile
bootstrap resampling the independent unit -- whole test words for the
occurrence-level numbers (accuracy, baseline, anchor cosine: a resample draws
words and keeps all their occurrences), test words (separation, gap), corpus
words (Ethayarajh measures); an adjusted value (measure − baseline) resamples
the corpus words and the random groups each on their own.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from benchmark.adapters.base import require_contextual
from benchmark.contexts import load_corpus, load_senses, mine_contexts, random_occurrences
from benchmark.errors import DataFormatError
from benchmark.families.base import Measurement, TaskFamily
from benchmark.leaderboard import Column, Summary, cell, details_block, format_number, markdown_table, plot_link, ranked
from benchmark.scoring import bootstrap_ci, cluster_bootstrap_ci, difference_ci
from benchmark.scoring.context import (
    ethayarajh,
    loo_centroid_hits,
    random_groups,
    sense_separation,
)
from benchmark.scoring.normalize import unit_rows
from benchmark.vocabulary import reference_words

TABLE_COLUMNS = (
    Column("sense acc. ↑", "sense/accuracy", ci=True),
    Column("shuffled-label acc.", "sense/baseline/shuffled", ci=True),
    Column("sense sep. ↑", "sense/separation", ci=True),
    Column("self-sim.", "self_similarity"),
    Column("anisotropy", "anisotropy"),
    Column("adj. self-sim.", "self_similarity/adjusted", ci=True),
    Column("adj. MEV", "mev/adjusted", ci=True),
    Column("adj. self-sim. (z)", "z/self_similarity/adjusted", ci=True),
    Column("anchor cos", "drift/anchor_cos", ci=True),
    Column("sense gap", "drift/sense_gap", ci=True),
)

SUMMARY = Summary(
    question="How far does one word's vector drift across sentences, and does a layer separate a word's senses?",
    columns=(
        Column("layer (dev)", "", value=lambda r: str(r.details.get("layer", "–"))),
        Column("sense acc. ↑", "sense/accuracy", ci=True),
        Column("shuffled-label acc.", "sense/baseline/shuffled", ci=True),
        Column("adj. self-sim. (z)", "z/self_similarity/adjusted", ci=True),
        Column("anchor cos", "drift/anchor_cos", ci=True),
    ),
    baseline="sense/baseline/shuffled",
    n=lambda r: f"{r.sizes.get('sense_words_test', '–')} test words",
)

LAYER_KEYS = (
    ("self-sim.", "self_similarity"), ("anisotropy", "anisotropy"), ("adj. self-sim.", "self_similarity/adjusted"),
    ("MEV", "mev"), ("MEV baseline", "mev/baseline"), ("adj. MEV", "mev/adjusted"),
    ("adj. self-sim. (z)", "z/self_similarity/adjusted"), ("adj. MEV (z)", "z/mev/adjusted"),
    ("dev sense acc.", "dev/sense/accuracy"), ("test sense acc.", "sense/accuracy"),
    ("shuffled", "sense/baseline/shuffled"), ("sense sep.", "sense/separation"),
    ("anchor cos", "drift/anchor_cos"), ("sense gap", "drift/sense_gap"),
    ("corpus anchor cos", "drift/corpus_anchor_cos"),
)


# ------------------------------------------------------------------ data
def drift_words(corpus, p) -> list[str]:
    lo, hi = p["rank_range"]
    k = p["n_contexts"]
    cand = [w for w in reference_words()[lo:hi] if len(w) >= 3 and len(corpus.index.get(w, ())) >= k]
    n = min(p["n_words"], len(cand))
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
    contexts = mine_contexts(words, corpus, p["n_contexts"])
    k = p["n_contexts"]
    drift_occ = [o for w in words for o in contexts[w]]
    drift_sentences = list(dict.fromkeys(o[0] for o in drift_occ))
    draws = random_occurrences(drift_sentences, p["n_random"], seed=seed)
    groups = random_groups([d[0] for d in draws], [d[1] for d in draws], k)

    senses = load_senses()
    sense_words = sorted({s.word for s in senses})
    dev_words, test_words = split_sense_words(sense_words, seed)
    label_names: dict[str, list[str]] = {w: sorted({s.sense for s in senses if s.word == w}) for w in sense_words}
    bad = [w for w, ls in label_names.items() if len(ls) < 2]
    if bad:
        raise DataFormatError(None, f"sense words with a single sense: {', '.join(bad)}")

    occ = drift_occ + [(s, a, b) for _, s, a, b in draws] + [s.occurrence for s in senses]
    vectors = ctx.embed_occurrences(occ, layers=None, pooling=p["pooling"], batch_size=p["batch_size"])
    anchor_words = list(dict.fromkeys(sense_words + words))
    anchors = ctx.decontextualized(anchor_words, leading_space=True, pooling=p["pooling"],
                                   batch_size=p["decontext_batch_size"])
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
    shuffles = {w: [rng.permutation(sense_lab[w]) for _ in range(p["n_shuffles"])] for w in sense_words}
    test_occ = np.concatenate([sense_idx[w] for w in test_words])
    dev_occ = np.concatenate([sense_idx[w] for w in dev_words])

    layers, items = [], []
    for layer in range(n_layers):
        it = ethayarajh(D[:, :, layer], R[:, layer], groups)
        Rl = R[:, layer].astype(np.float64)
        mu = Rl.mean(axis=0)
        sd = Rl.std(axis=0) if p["standardize"] else np.ones_like(mu)
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
    it, nb = items[best], p["n_bootstrap"]
    metrics = {key: value for key, value in layers[best].items() if key not in ("layer",)}

    def put(key, interval):
        metrics[f"{key}:ci_low"], metrics[f"{key}:ci_high"] = float(interval[0]), float(interval[1])

    test_occ_word = [senses[i].word for i in test_occ]
    put("sense/accuracy", cluster_bootstrap_ci(it["hits"][test_occ], test_occ_word, n_resamples=nb, seed=seed))
    put("sense/baseline/shuffled", cluster_bootstrap_ci(it["base"][test_occ], test_occ_word,
                                                        n_resamples=nb, seed=seed))
    put("sense/separation", bootstrap_ci(it["sep"], n_resamples=nb, seed=seed))
    put("drift/anchor_cos", cluster_bootstrap_ci(it["anchor_cos"][test_occ], test_occ_word,
                                                 n_resamples=nb, seed=seed))
    put("drift/sense_gap", bootstrap_ci(it["gap"], n_resamples=nb, seed=seed))
    put("self_similarity", bootstrap_ci(it["self_similarity"], n_resamples=nb, seed=seed))
    put("anisotropy", bootstrap_ci(it["anisotropy"], n_resamples=nb, seed=seed))
    put("self_similarity/adjusted", difference_ci(it["self_similarity"], it["anisotropy"], n_resamples=nb, seed=seed))
    put("mev/adjusted", difference_ci(it["mev"], it["mev/baseline"], n_resamples=nb, seed=seed))
    put("z/self_similarity/adjusted", difference_ci(it["z/self_similarity"], it["z/anisotropy"],
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


# ------------------------------------------------------------------ leaderboard
def protocol_text(result) -> str:
    p = result.params
    lo, hi = p["rank_range"]
    return "\n".join([
        "- Layers: hidden_states[l] (0 = embedding output). Reported layer: first best **dev** sense accuracy "
        "(dev half of the sense words, split by seed); sense numbers are on the test half.",
        f"- Ethayarajh (2019): {p['n_words']} corpus words (wordfreq ranks {lo}–{hi}, ≥ 3 letters, evenly spaced) "
        f"× {p['n_contexts']} contexts from gensim's `lee_background.cor` + shortened enwiki (sentences shared "
        "between words, see `benchmark/contexts.py`). Self-similarity = mean pairwise cosine of a word's raw "
        "occurrence vectors; MEV = σ₁²/Σσ² of the raw occurrence matrix. Baselines: the same on groups of "
        f"{p['n_contexts']} random words in random contexts ({p['n_random']} draws from the same sentences, no "
        "repeated word or sentence in a group); adjusted = measure − baseline (joint bootstrap CI). "
        "(z) = the same on vectors centred and scaled per dimension by the random occurrences.",
        "- Senses: `datasets/contexts/senses.jsonl` (33 words × 2 senses × 8). Vectors centred by the layer mean "
        + ("and divided by the per-dimension std " if p.get("standardize") else "")
        + "(both from the random occurrences), cosine. Separation = within-sense − across-sense cosine. Accuracy = "
        f"leave-one-out nearest-centroid; baseline = the same with labels shuffled within each word "
        f"({p['n_shuffles']} shuffles, averaged). CI separation = acc. CI low − baseline CI high (> 0: no overlap).",
        "- Drift: anchor = the model's decontextualised vector of the lemma (word alone, leading space) at the same "
        "layer, centred; anchor cos = cosine of each occurrence to it; sense gap = |anchor cos of sense A − of "
        "sense B| per word.",
        f"- CIs: percentile bootstrap, {p['n_bootstrap']:,} resamples of the independent unit: whole test words for "
        "sense accuracy, its shuffled baseline and anchor cos (a word's 16 occurrences are resampled together; "
        "per-word counts in `details.sense_per_word`); test words for separation and gap; corpus words for "
        "self-similarity and MEV; corpus words and random groups each on their own for the adjusted values.",
    ])


def _plot(result, path) -> None:
    from benchmark.plots_layers import Curve, Panel, layer_plot

    pts = result.details.get("layers", [])
    x = [pt["layer"] for pt in pts]
    best = result.details.get("layer")

    def col(key):
        return [pt.get(key) for pt in pts]

    left = Panel("Ethayarajh (2019): corpus words", "cosine / variance share", [
        Curve("self-similarity", x, col("self_similarity"), "dashed"),
        Curve("anisotropy baseline", x, col("anisotropy"), "baseline"),
        Curve("adjusted self-similarity", x, col("self_similarity/adjusted"), "solid", best),
        Curve("adjusted MEV", x, col("mev/adjusted"), "dotted", best),
        Curve("adjusted self-sim., z-scored", x, col("z/self_similarity/adjusted"), "solid"),
    ])
    right = Panel("senses (test half) and drift", "accuracy / cosine", [
        Curve("dev sense acc.", x, col("dev/sense/accuracy"), "dotted", best),
        Curve("test sense acc.", x, col("sense/accuracy"), "solid", best),
        Curve("shuffled labels", x, col("sense/baseline/shuffled"), "baseline"),
        Curve("sense separation", x, col("sense/separation"), "dashed"),
        Curve("anchor cos", x, col("drift/anchor_cos"), "dashed"),
    ])
    layer_plot(path, [left, right], title=" / ".join(result.models))


def render_section(results, plots_dir) -> str:
    """Summary table, then one per-layer table and plot per model."""

    from benchmark.plots_layers import plot_name

    first = results[0]
    ordered = ranked(results)
    rows, blocks = [], []
    for rank, r in enumerate(ordered, start=1):
        name = plot_name(r.task, *r.models)
        if plots_dir is not None:
            _plot(r, plots_dir / name)
        row = {"#": rank, "model": " / ".join(r.models), "layer": str(r.details.get("layer", "–"))}
        for c in TABLE_COLUMNS:
            row[c.header] = cell(r, c)
        row["CIs apart"] = "yes" if (r.metrics.get("sense/ci_separation") or -1.0) > 0 else "no"
        row["plot"] = f"[png]({plot_link(name)})"
        row["status"] = r.status
        rows.append(row)
        best = r.details.get("layer")
        lines = [{"layer": f"**{pt['layer']}**" if pt["layer"] == best else str(pt["layer"]),
                  **{h: format_number(pt.get(k)) for h, k in LAYER_KEYS}} for pt in r.details.get("layers", [])]
        senses = [{"word": w, "split": v.get("split", ""),
                   "anchor cos by sense": ", ".join(f"{s} {format_number(c)}" for s, c in v.items() if s != "split")}
                  for w, v in sorted(r.details.get("per_sense", {}).items())]
        blocks += [f"### {' / '.join(r.models)}", "", f"![{r.item_id}]({plot_link(name)})", ""]
        if lines:
            blocks += [markdown_table(lines), ""]
        if senses:
            blocks += details_block(f"Anchor cosine per sense at layer {best}", markdown_table(senses))
    arrow = "↑" if first.higher_is_better else "↓"
    return "\n".join([
        f"## {first.task} (v{first.task_version})",
        "",
        f"Ranked by `{first.main_metric}` {arrow} at the layer chosen on the dev sense words (test half reported). "
        "Brackets: bootstrap 95 % CI. Layer l = hidden_states[l] (0 = embedding output).",
        "",
        markdown_table(rows),
        "",
        *blocks,
        *details_block("Protocol", protocol_text(first)),
    ])


FAMILY = TaskFamily(evaluate=evaluate, render=render_section, summary=SUMMARY)

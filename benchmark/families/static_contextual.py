"""static_contextual: map a static space onto each layer of a contextual model.

One item = an ordered pair (static model → contextual model).  Protocol:

1. Contextual word set (independent of the static model, so its extraction is
   cached once per contextual model): the model's single-token whole words
   (:meth:`TransformersModel.input_embeddings`: WordPiece tokens without ``##``,
   SentencePiece ``▁word`` / byte-level ``Ġword`` tokens) that are plain words
   (:mod:`benchmark.data.vocabulary`), ranked by wordfreq, keeping words with at least
   ``min_contexts`` corpus contexts (:mod:`benchmark.data.contexts`), the first
   ``target_vocab`` of them.  This is the **target search space** of every layer.
2. Vectors of those words at every hidden-state output ``l = 0 .. L-1``
   (``hidden_states[l]``; ``l = 0`` is the embedding *output*: token embedding
   (+ position/type embeddings and LayerNorm for BERT, × √d for Gemma)):

   * ``pooled`` (headline): mean over up to ``max_contexts`` corpus occurrences
     (Bommasani et al. 2020), subword tokens mean-pooled.  Sentences are mined
     with a quota of ``min_contexts`` per word and shared between words
     (:func:`benchmark.data.contexts.mine_contexts`), so rare words get
     ``min_contexts`` contexts and frequent words up to ``max_contexts``;
   * ``decontextualized``: the word alone, written with a leading space
     (``" apple"``) so that SentencePiece / byte-level tokenisers produce the
     word-start token (``▁apple``) that step 1 selected; special tokens
     (CLS/SEP/BOS) are never pooled;
   * ``input``: the raw rows of the input-embedding matrix (no position
     embedding, no scaling, no LayerNorm) -- a context-free reference point,
     reported apart, never a candidate layer.

3. Source space: the static model's plain words, frequency ordered, first
   ``search_vocab``.  Dictionary: identity over the words shared with the
   target space, ranked by wordfreq, the most frequent ``n_train + n_dev +
   n_test`` split by seed (:func:`benchmark.data.vocabulary.identity_dictionary`;
   train shrinks when fewer are shared).  The split is the same for every layer
   and variant.
4. Per variant and layer: with ``standardize`` (default) each dimension of the
   contextual space is z-scored over the target words first (mean 0, variance 1;
   label-free, like centring).  Reason: Gemma's residual stream carries a few
   "massive activation" dimensions (one holds 30-45 % of the variance at layers
   1-3) that swamp every cosine.  The choice was made on the **dev** split
   (300 words): glove-6b-50d → gemma3-270m (seed 0), pooled dev P@1 CSLS raw
   0.68 at layer 0, then 0.05-0.18 at layers 1-9 and at most 0.33 after;
   z-scored 0.59-0.72 at layers 0-7, declining to 0.36 at layer 18.  For
   MiniLM the dev curves of the four static models move by at most 0.057
   either way.  The raw curve of the pooled variant is kept
   (``pooled_raw``) so the effect stays visible.  Then normalisation
   ``normalization`` of both spaces, orthogonal Procrustes on train, dev P@1
   under CSLS (k = ``csls_k``) picks the layer (first best on ties); test P@1
   NN/CSLS and the mean cosine of mapped test pairs make the layer curve (details, and the PNG on the
   leaderboard).
5. At the dev-chosen layer of each variant, and for ``input``, the full
   static_static protocol runs unchanged (:func:`benchmark.families.static_static.evaluate`
   on the two spaces): P@k under NN/CSLS/inverted softmax (β on dev), residual,
   bootstrap CIs, shuffled-dictionary baseline, least squares, CKA.  Headline
   keys come from the pooled variant; ``decontextualized/…`` and ``input/…``
   prefix the others.
6. ``coverage``: share of wordfreq's 10,000 most frequent plain words that are
   both a plain word of the static model and a single-token whole word of the
   contextual model (before the ``target_vocab`` cap).
"""

from __future__ import annotations

import numpy as np

from benchmark.adapters.base import StaticEmbeddings, require_contextual, require_static
from benchmark.data.contexts import load_corpus, mine_contexts
from benchmark.data.vocabulary import identity_dictionary, reference_words, search_space
from benchmark.errors import ShapeError
from benchmark.families import static_static
from benchmark.families.base import Measurement, TaskFamily
from benchmark.report.leaderboard import (
    Column,
    Summary,
    cell,
    details_block,
    format_number,
    markdown_table,
    plot_link,
    ranked,
)
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
from benchmark.tasks import Task

VARIANTS = ("pooled", "decontextualized")
PREFIX = {"pooled": "", "decontextualized": "decontextualized/", "input": "input/"}
STATIC_KEYS = ("search_vocab", "n_train", "n_dev", "n_test", "min_train", "normalization",
               "csls_k", "ks", "isf_betas", "n_bootstrap")

TABLE_COLUMNS = (
    Column("P@1 NN ↑", "p@1/nn", ci=True),
    Column("P@1 CSLS ↑", "p@1/csls", ci=True),
    Column("P@1 ISF ↑", "p@1/isf", ci=True),
    Column("mean cos ↑ (exact map 1)", "mean_cos", ci=True),
    Column("coverage ↑", "coverage"),
    Column("shuffled-dict P@1 CSLS", "baseline/shuffled/p@1/csls"),
    Column("decontext. P@1 CSLS ↑", "decontextualized/p@1/csls", ci=True),
    Column("input-emb. P@1 CSLS ↑", "input/p@1/csls", ci=True),
)

SUMMARY = Summary(
    question="At which layer is a contextual model still a rotated copy of a static space?",
    columns=(
        Column("layer (dev)", "", value=lambda r: str(r.details.get("layer", "–"))),
        Column("P@1 CSLS ↑", "p@1/csls", ci=True),
        Column("shuffled-dict P@1 CSLS", "baseline/shuffled/p@1/csls"),
        Column("decontext. P@1 CSLS", "decontextualized/p@1/csls"),
        Column("input-emb. P@1 CSLS", "input/p@1/csls"),
        Column("coverage ↑", "coverage"),
    ),
    baseline="baseline/shuffled/p@1/csls",
    coverage="coverage",
    n=lambda r: f"{r.sizes.get('test', '–')} test words",
)


# ------------------------------------------------------------------ word set
def contextual_word_set(ctx, corpus, p):
    """(input embeddings, target words, {word: occurrences}, all single-token plain words)."""
    emb = ctx.input_embeddings()
    ranked = search_space(emb)  # plain words, wordfreq order, unknown words last
    known = set(reference_words())
    words = []
    for w in ranked.words:
        if w in known and len(corpus.index.get(w, ())) >= p["min_contexts"]:
            words.append(w)
            if len(words) == p["target_vocab"]:
                break
    if not words:
        raise ShapeError(f"model {ctx.name!r}: no single-token plain word has {p['min_contexts']} corpus contexts")
    contexts = mine_contexts(words, corpus, p["max_contexts"], quota=p["min_contexts"])
    return emb, words, contexts, ranked.words


def extract(ctx, words, contexts, p) -> dict[str, np.ndarray]:
    """float32 arrays (n_words, n_layers, dim) per variant, through the model's disk cache."""
    decontext = ctx.decontextualized(words, leading_space=True, pooling=p["pooling"],
                                     batch_size=p["decontext_batch_size"])
    got, pooled = ctx.context_pooled({w: contexts[w] for w in words}, max_contexts=p["max_contexts"],
                                     layers=None, pooling=p["pooling"], batch_size=p["batch_size"])
    if list(got) != list(words):  # every word has >= min_contexts >= 1 contexts
        raise ShapeError(f"model {ctx.name!r}: context pooling lost words")  # pragma: no cover
    return {"pooled": pooled, "decontextualized": decontext}


def _space(name: str, words, vectors, revision: str) -> StaticEmbeddings:
    return StaticEmbeddings(name=name, words=tuple(words), vectors=vectors, revision=revision,
                            frequency_ordered=False)


def _sub_task(task) -> Task:
    return Task(name=f"{task.name}:layer", version=task.version, family="static_static",
                description="one layer of " + task.name, main_metric="p@1/csls",
                params={k: task.params[k] for k in STATIC_KEYS})


# ------------------------------------------------------------------ per layer
def layer_curve(S, X, split, T, p) -> dict[str, float]:
    """Dev P@1 CSLS (the layer choice), test P@1 NN/CSLS, mean cos of mapped test pairs and residual."""
    k = p["csls_k"]
    pos_s, pos_t = S.position, T.position
    rows = {name: (np.array([pos_s[w] for w in ws], dtype=np.int64), np.array([pos_t[w] for w in ws], dtype=np.int64))
            for name, ws in (("train", split.train), ("dev", split.dev), ("test", split.test))}
    Y = normalize(T.vectors, p["normalization"])
    fit = orthogonal_procrustes(X[rows["train"][0]], Y[rows["train"][1]])
    mapped = fit.transform(X).astype(np.float32)
    targets = Y.astype(np.float32)
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

    S = search_space(static, p["search_vocab"])
    X = normalize(S.vectors, p["normalization"])
    first = search_space(_space(ctx.name, words, arrays["input"][:, 0], ctx.revision), p["search_vocab"])
    split = identity_dictionary(S, first, n_train=p["n_train"], n_dev=p["n_dev"], n_test=p["n_test"],
                                min_train=p["min_train"], seed=seed)

    def target(variant: str, layer: int, raw: bool = False) -> StaticEmbeddings:
        V = arrays[variant][:, layer]
        if p["standardize"] and not raw:
            V = standardize(V)
        return _space(f"{ctx.name}[{variant}@{layer}]", words, V, ctx.revision)

    curves: dict[str, list[dict]] = {}
    chosen: dict[str, int] = {}
    runs = [(v, v, False) for v in (*VARIANTS, "input")]
    if p["standardize"]:
        runs.append(("pooled_raw", "pooled", True))
    for name, variant, raw in runs:
        points = []
        for layer in range(arrays[variant].shape[1]):
            T = search_space(target(variant, layer, raw), p["search_vocab"])
            points.append({"layer": layer, **layer_curve(S, X, split, T, p)})
        curves[name] = points
        dev = [pt["dev/p@1/csls"] for pt in points]
        chosen[name] = int(np.argmax(dev))  # first best layer on ties

    sub = _sub_task(task)
    metrics: dict[str, float] = {}
    details: dict = {}
    sizes: dict[str, int] = {}
    for variant in (*VARIANTS, "input"):
        m = static_static.evaluate(sub, (static, target(variant, chosen[variant])), seed=seed)
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
        "contexts": {**corpus.describe(), "max_contexts": p["max_contexts"],
                     "min_contexts": p["min_contexts"], "mean_per_word": float(n_ctx.mean()),
                     "words_with_max": int((n_ctx >= p["max_contexts"]).sum())},
        "contextual_single_token_words": len(single),
        "architecture": getattr(ctx, "architecture", "?"),
    })
    return Measurement(metrics={k: float(v) for k, v in metrics.items()}, sizes=sizes, details=details)


# ------------------------------------------------------------------ leaderboard
def protocol_text(result) -> str:
    p = result.params
    return "\n".join([
        "- Target space (per contextual model, shared by every static model): the model's single-token "
        "whole words (WordPiece without `##`, SentencePiece `▁w`, byte-level `Ġw`) that are plain words "
        f"and have ≥ {p['min_contexts']} corpus contexts, ranked by wordfreq, first {p['target_vocab']:,}. "
        f"Source space: the static model's plain words, frequency ordered, first {p['search_vocab']:,}.",
        f"- Dictionary: identity over shared words ranked by wordfreq, split by seed into train {p['n_train']:,} / "
        f"dev {p['n_dev']} / test {p['n_test']} (train shrinks when fewer are shared). Coverage: share of "
        "wordfreq's 10,000 most frequent plain words that are plain words of the static model and single-token "
        "words of the contextual model.",
        "- Layers: hidden_states[l], l = 0 … L−1 (0 = embedding output). Variants: **pooled** (headline; mean "
        f"over {p['min_contexts']}–{p['max_contexts']} corpus contexts per word: sentences are mined with a quota of "
        f"{p['min_contexts']} per word and shared, frequent words get more from the same sentences) and **decontextualized** (the word alone, with a "
        "leading space so SentencePiece/BPE give the word-start token); **input** = raw input-embedding rows, "
        "reported apart. Corpus: sentences of gensim's `lee_background.cor` and shortened enwiki dump "
        "(see `benchmark/data/contexts.py`), contexts chosen deterministically, sharing sentences between words.",
        ("- Contextual spaces are z-scored per dimension over the target words first (Gemma's few "
         "massive-activation dimensions otherwise swamp cosine; the raw pooled curve is plotted dashed). "
         if p["standardize"] else "- No per-dimension standardisation. ") +
        f"Per layer: `{p['normalization']}` on both spaces, orthogonal Procrustes on train; the layer is the "
        f"first best by **dev** P@1 CSLS (k = {p['csls_k']}); test is never used to choose. At the chosen layer "
        "the static_static protocol runs unchanged (NN / CSLS / inverted softmax with β on dev, mean cosine of "
        "mapped test pairs (1 = exact map; the raw residual ‖XW − Y‖/‖Y‖ stays in the JSON), shuffled-dictionary "
        "baseline beside it, least squares). Expectation on every pair: P@1 CSLS CI low ≥ the shuffled "
        "baseline's CI high.",
        f"- CIs: percentile bootstrap, {p['n_bootstrap']:,} resamples of test words. Curves: the linked PNGs "
        "(dev and test P@1 per layer) and the per-layer tables below.",
    ])


def _plot(result, path) -> None:
    from benchmark.report.plots_layers import Curve, Panel, layer_plot

    d = result.details
    curves = d.get("curves", {})
    pooled, dec = curves.get("pooled", []), curves.get("decontextualized", [])
    inp = (curves.get("input") or [{}])[0]
    raw = curves.get("pooled_raw", [])
    x_p = [pt["layer"] for pt in pooled]
    x_d = [pt["layer"] for pt in dec]
    lp, ld = d.get("layer"), d.get("decontextualized_layer")
    p1 = Panel("P@1 (static → layer)", "P@1", [
        Curve("pooled, dev CSLS", x_p, [pt["dev/p@1/csls"] for pt in pooled], "dotted", lp),
        Curve("pooled, test CSLS", x_p, [pt["p@1/csls"] for pt in pooled], "solid", lp),
        Curve("pooled, test NN", x_p, [pt["p@1/nn"] for pt in pooled], "dashed"),
        Curve("decontext., dev CSLS", x_d, [pt["dev/p@1/csls"] for pt in dec], "dotted", ld),
        Curve("decontext., test CSLS", x_d, [pt["p@1/csls"] for pt in dec], "solid", ld),
        *([Curve("pooled, no z-score, test CSLS", [pt["layer"] for pt in raw], [pt["p@1/csls"] for pt in raw],
                 "baseline")] if raw else []),
    ], hlines=[("input emb., test CSLS", inp.get("p@1/csls", 0.0)),
               ("shuffled dict. (pooled)", result.metrics.get("baseline/shuffled/p@1/csls") or 0.0)],
        ylim=(-0.02, 1.02))
    p2 = Panel("mean cos of mapped test pairs (exact map 1)", "mean cos", [
        Curve("pooled", x_p, [pt.get("mean_cos") for pt in pooled], "solid", lp),
        Curve("decontextualized", x_d, [pt.get("mean_cos") for pt in dec], "dashed", ld),
    ], hlines=[("input emb.", inp.get("mean_cos") or 0.0),
               ("shuffled dict. (pooled)", result.metrics.get("baseline/shuffled/mean_cos") or 0.0)])
    layer_plot(path, [p1, p2], title=" → ".join(result.models))


def render_section(results, plots_dir) -> str:
    """Markdown section: ranked table, per-layer tables, plots written into ``plots_dir``."""

    from benchmark.report.plots_layers import plot_name

    first = results[0]
    ordered = ranked(results)
    rows, per_layer = [], []
    for rank, r in enumerate(ordered, start=1):
        name = plot_name(r.task, *r.models)
        if plots_dir is not None:
            _plot(r, plots_dir / name)
        row = {"#": rank, "models": " → ".join(r.models), "layer": str(r.details.get("layer", "–"))}
        for c in TABLE_COLUMNS[:6]:
            row[c.header] = cell(r, c)
        row["decontext. layer"] = str(r.details.get("decontextualized_layer", "–"))
        for c in TABLE_COLUMNS[6:]:
            row[c.header] = cell(r, c)
        row["curve"] = f"[png]({plot_link(name)})"
        row["n train/dev/test"] = "/".join(str(r.sizes.get(k, "–")) for k in ("train", "dev", "test"))
        row["status"] = r.status
        rows.append(row)
        curves = r.details.get("curves", {})
        lines = []
        raw = {pt["layer"]: pt for pt in curves.get("pooled_raw", [])}
        for pt_p, pt_d in zip(curves.get("pooled", []), curves.get("decontextualized", [])):
            lines.append({
                "layer": pt_p["layer"],
                "pooled dev P@1 CSLS": format_number(pt_p["dev/p@1/csls"]), "pooled P@1 NN": format_number(pt_p["p@1/nn"]),
                "pooled P@1 CSLS": format_number(pt_p["p@1/csls"]), "pooled mean cos": format_number(pt_p.get("mean_cos")),
                "decontext. dev P@1 CSLS": format_number(pt_d["dev/p@1/csls"]), "decontext. P@1 CSLS": format_number(pt_d["p@1/csls"]),
                "decontext. mean cos": format_number(pt_d.get("mean_cos")),
                **({"pooled P@1 CSLS, no z-score": format_number(raw[pt_p["layer"]]["p@1/csls"])} if raw else {}),
            })
        for pt in curves.get("input", []):
            lines.append({"layer": "input emb.", "pooled dev P@1 CSLS": format_number(pt["dev/p@1/csls"]),
                          "pooled P@1 NN": format_number(pt["p@1/nn"]), "pooled P@1 CSLS": format_number(pt["p@1/csls"]),
                          "pooled mean cos": format_number(pt.get("mean_cos")), "decontext. dev P@1 CSLS": "",
                          "decontext. P@1 CSLS": "", "decontext. mean cos": "",
                          **({"pooled P@1 CSLS, no z-score": ""} if raw else {})})
        if lines:
            per_layer += [f"**{' → '.join(r.models)}**", "", f"![layer curves {r.item_id}]({plot_link(name)})", "",
                          markdown_table(lines), ""]
    arrow = "↑" if first.higher_is_better else "↓"
    return "\n".join([
        f"## {first.task} (v{first.task_version})",
        "",
        f"Ranked by `{first.main_metric}` {arrow} of the pooled variant at the dev-chosen layer. "
        "Brackets: bootstrap 95 % CI over test words. Layer l = hidden_states[l] (0 = embedding output).",
        "",
        markdown_table(rows),
        "",
        "<details><summary>Per-layer curves (test P@1 at every layer; the layer is chosen on dev)</summary>",
        "",
        *per_layer,
        "</details>",
        "",
        *details_block("Protocol", protocol_text(first)),
    ])


FAMILY = TaskFamily(evaluate=evaluate, render=render_section, summary=SUMMARY)

"""static_contextual: the presentation (Family.render, the summary table, plots); the protocol is in the package docstring."""

from __future__ import annotations

from benchmark.report.columns import COVERAGE, DEV_LAYER, MEAN_COS, P1_NN_CSLS_ISF, SHUFFLED_P1_CSLS, p_at, size_of
from benchmark.report.leaderboard import (
    Column,
    Summary,
    cell,
    cells,
    details_block,
    format_number,
    markdown_table,
    plot_file,
    plot_link,
    ranked,
    ranked_by,
    section_heading,
    split_sizes,
)

TABLE_COLUMNS = (
    *P1_NN_CSLS_ISF,
    MEAN_COS,
    COVERAGE,
    SHUFFLED_P1_CSLS,
    Column("decontext. P@1 CSLS ↑", "decontextualized/p@1/csls", ci=True),
    Column("input-emb. P@1 CSLS ↑", "input/p@1/csls", ci=True),
)


SUMMARY = Summary(
    question="At which layer is a contextual model still a rotated copy of a static space?",
    columns=(
        DEV_LAYER,
        p_at(1, "csls", ci=True),
        SHUFFLED_P1_CSLS,
        Column("decontext. P@1 CSLS", "decontextualized/p@1/csls"),
        Column("input-emb. P@1 CSLS", "input/p@1/csls"),
        COVERAGE,
    ),
    baseline=SHUFFLED_P1_CSLS.metric,
    coverage=COVERAGE.metric,
    n=size_of("test", "test words"),
)


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
    first = results[0]
    rows, per_layer = [], []
    for rank, r in enumerate(ranked(results), start=1):
        name = plot_file(r, plots_dir, _plot, *r.models)
        rows.append({"#": rank, "models": " → ".join(r.models), "layer": cell(r, DEV_LAYER),
                     **cells(r, TABLE_COLUMNS[:6]),
                     "decontext. layer": str(r.details.get("decontextualized_layer", "–")),
                     **cells(r, TABLE_COLUMNS[6:]),
                     "curve": f"[png]({plot_link(name)})", "n train/dev/test": split_sizes(r), "status": r.status})
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
    return "\n".join([
        section_heading(first),
        "",
        f"{ranked_by(first)} of the pooled variant at the dev-chosen layer. "
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

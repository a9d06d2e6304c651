"""context_drift: the presentation (Family.render, the summary table, plots); the protocol is in the package docstring."""

from __future__ import annotations

from benchmark.report.columns import DEV_LAYER, select, size_of
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
)

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
    columns=(DEV_LAYER, *select(TABLE_COLUMNS, "sense/accuracy", "sense/baseline/shuffled",
                                "z/self_similarity/adjusted", "drift/anchor_cos")),
    baseline="sense/baseline/shuffled",
    n=size_of("sense_words_test", "test words"),
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


# ------------------------------------------------------------------ leaderboard
def protocol_text(result) -> str:
    p = result.params
    lo, hi = p["rank_range"]
    return "\n".join([
        "- Layers: hidden_states[l] (0 = embedding output). Reported layer: first best **dev** sense accuracy "
        "(dev half of the sense words, split by seed); sense numbers are on the test half.",
        f"- Ethayarajh (2019): {p['n_words']} corpus words (wordfreq ranks {lo}–{hi}, ≥ 3 letters, evenly spaced) "
        f"× {p['n_contexts']} contexts from gensim's `lee_background.cor` + shortened enwiki (sentences shared "
        "between words, see `benchmark/data/contexts.py`). Self-similarity = mean pairwise cosine of a word's raw "
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
    from benchmark.report.plots_layers import Curve, Panel, layer_plot

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
    first = results[0]
    rows, blocks = [], []
    for rank, r in enumerate(ranked(results), start=1):
        name = plot_file(r, plots_dir, _plot, *r.models)
        row = {"#": rank, "model": " / ".join(r.models), "layer": cell(r, DEV_LAYER), **cells(r, TABLE_COLUMNS)}
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
    return "\n".join([
        section_heading(first),
        "",
        f"{ranked_by(first)} at the layer chosen on the dev sense words (test half reported). "
        "Brackets: bootstrap 95 % CI. Layer l = hidden_states[l] (0 = embedding output).",
        "",
        markdown_table(rows),
        "",
        *blocks,
        *details_block("Protocol", protocol_text(first)),
    ])

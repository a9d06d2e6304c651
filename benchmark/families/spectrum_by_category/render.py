"""spectrum_by_category: the presentation (Family.render, the summary table, plots); the protocol is in the package docstring."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping

import numpy as np

from benchmark.families.spectrum_by_category.metrics import MAIN_METRIC, claim_summary
from benchmark.families.spectrum_by_category.params import DEFAULT_PARAMS
from benchmark.report.leaderboard import (
    Column,
    Summary,
    details_block,
    format_number,
    markdown_table,
    plot_file,
    plot_link,
    section_heading,
)
from benchmark.scoring.stats import spearman_rho


def _covered(r) -> str:
    m = r.metrics
    return f"{int(m.get('categories/n_covered') or 0)}/{int(m.get('categories/n_total') or 0)}"


def _sharper(r) -> str:
    m = r.metrics
    frac, n = m.get("categories/frac_sharper_than_null"), m.get("categories/n_covered") or 0
    return "–" if frac is None else f"{round(frac * n)}/{int(n)}"


SUMMARY = Summary(
    question="Is a word category's mean-centred singular spectrum sharper than that of random words of the "
             "same frequency?",
    columns=(
        Column("median category z ↑", "categories/median_z", digits=2),
        Column("sharper than null (Holm)", "", value=_sharper),
        Column("median σ1 share", "categories/median_sigma1_share"),
        Column("null σ1 share", "categories/median_null_sigma1_share"),
        Column("letters z", "controls/letters/z", digits=2),
        Column("categories covered", "", value=_covered),
    ),
    baseline="categories/median_null_sigma1_share",
    n=lambda r: f"{int(r.metrics.get('categories/n_covered') or 0)} categories",
    covered=_covered,
)

PLOT_SIZE_TOLERANCE = 3  # scree plots show categories whose N is within this of the band's N


def _p(value) -> str:
    if value is None:
        return "–"
    return f"{value:.4f}" if value >= 0.001 else f"{value:.1e}"


def _set_row(rank, name, e, *, label=None) -> dict:
    mt = e.get("metrics", {})
    null = e.get("null", {}).get(MAIN_METRIC, {})
    band = "–" if not null else f"{null.get('null_p05', 0):.3f}–{null.get('null_p95', 0):.3f}"
    return {
        "#": rank,
        "set": label or name,
        "n (cov.)": f"{e.get('n', 0)} ({e.get('coverage', 0):.0%})",
        "σ1 share": format_number(mt.get("sigma1_share")),
        "top-k share": format_number(mt.get("topk_share")),
        "eff. rank": format_number(mt.get("effective_rank"), 2),
        "PR": format_number(mt.get("participation_ratio"), 2),
        "σ1/σ2": format_number(mt.get("sigma1_over_sigma2"), 2),
        "σN/σ1": "–" if mt.get("zero_tail") is None else f"{mt['zero_tail']:.1e}",
        "null σ1 share 5–95 %": band,
        "z ↑": format_number(e.get("z"), 2, signed=True),
        "p": _p(e.get("p")),
        "p adj.": _p(e.get("p_adjusted")),
    }


def _sets_table(sets: Mapping[str, dict], kinds: tuple[str, ...], gaussian: dict | None = None) -> str:
    ok = [(k, e) for k, e in sets.items() if e.get("kind") in kinds and e.get("status") == "ok"]
    ok.sort(key=lambda ke: (-ke[1]["z"], ke[0]))
    rows = []
    rank = 0
    for name, e in ok:
        if e["kind"] == "control":
            rows.append(_set_row("", name, e, label=f"*{name}* (control)"))
        else:
            rank += 1
            rows.append(_set_row(rank, name, e))
    if gaussian:
        g = {"n": gaussian["n"], "coverage": 1.0, "metrics": gaussian["metrics"]}
        rows.append(_set_row("", "gaussian", g, label=f"*isotropic Gaussian {gaussian['n']}×{gaussian['d']}* (control)"))
    return markdown_table(rows) if rows else "(none covered)"


def _z_by_set(result, kinds: tuple[str, ...]) -> dict[str, float]:
    return {
        k: e["z"] for k, e in result.details.get("sets", {}).items()
        if e.get("kind") in kinds and e.get("status") == "ok" and e.get("z") is not None and math.isfinite(e["z"])
    }


def rho_cell(rho: float | None, n: int) -> str:
    """A ρ-matrix cell: ``+0.42 (17)``, or why there is no ρ (``– (< 3 shared: 2)``)."""
    if rho is not None:
        return f"{rho:+.2f} ({n})"
    return f"{_rho_or_reason(None, n)[:-1]}: {n})"


def _rho_or_reason(rho: float | None, n: int) -> str:
    if rho is not None:
        return format_number(rho, 3, signed=True)
    return "– (< 3 shared)" if n < 3 else "– (constant z)"


def spearman_pairs(results) -> list[dict]:
    """Spearman ρ of category sharpness (z) for every model pair, over sets covered in both."""
    ordered = sorted(results, key=lambda r: r.item_id)
    out = []
    for i, ra in enumerate(ordered):
        for rb in ordered[i + 1:]:
            r1, n1 = spearman_rho(_z_by_set(ra, ("semantic",)), _z_by_set(rb, ("semantic",)))
            r2, n2 = spearman_rho(_z_by_set(ra, ("semantic", "shipped")), _z_by_set(rb, ("semantic", "shipped")))
            out.append({"a": "/".join(ra.models), "b": "/".join(rb.models),
                        "n": n1, "rho": r1, "n_all": n2, "rho_all": r2})
    return out


def view_label(result) -> str:
    """``glove-6b-50d``, ``minilm-l6 input``, ``gemma3-270m layer mid``: a model and the view measured."""
    model = "/".join(result.models)
    view = dict(result.params.get("view") or {})
    if not view:
        return model
    if view.get("source") == "input":
        return f"{model} input"
    return f"{model} layer {view.get('layer', '?')}"


def render_across_tasks(results) -> str:
    """Does the structure translate across models *and* views?  A ρ matrix over every Result of the family.

    Rows and columns: every (model, view) — static models, and each contextual
    model's input embeddings and decontextualised layers; cells: Spearman ρ of
    the semantic-category z rankings over the categories covered by both (n).
    """
    views = sorted(results, key=lambda r: (bool(r.params.get("view")), view_label(r)))
    z = [_z_by_set(r, ("semantic",)) for r in views]
    labels = [view_label(r) for r in views]
    rows, by_kind = [], {}
    for i, a in enumerate(views):
        row = {"view": labels[i]}
        for j in range(len(views)):
            if j == i:
                row[labels[j]] = "·"
                continue
            rho, n = spearman_rho(z[i], z[j])
            row[labels[j]] = rho_cell(rho, n)
            if j > i and rho is not None:
                kinds = tuple(sorted(("contextual" if v.params.get("view") else "static") for v in (a, views[j])))
                by_kind.setdefault(kinds, []).append(rho)
        rows.append(row)
    summary = "; ".join(
        f"{' ↔ '.join(k)}: median ρ {np.median(v):+.2f} over {len(v)} pair{'s' * (len(v) != 1)}"
        for k, v in sorted(by_kind.items())
    )
    return "\n".join([
        "## Spectrum sharpness across models and views",
        "",
        "Spearman ρ between the semantic-category z rankings (sharpness vs each space's own null) of every "
        "pair of spaces measured by the spectrum family: static models, and each contextual model's input "
        "embeddings and decontextualised layers. Cells: ρ (number of categories covered by both); an empty "
        "cell says why (`< 3 shared`: fewer than 3 categories covered by both spaces; `constant`: one side's "
        "z values are all equal). "
        + (f"Summary — {summary}." if summary else "No pair shares 3 covered categories."),
        "",
        markdown_table(rows),
    ])


def _write_plot(result, path: Path) -> None:
    """Scree plot: the 3 sharpest and 2 least sharp categories near the commonest size, letters,
    the Gaussian control, and the null's 5–95 % band at that size."""
    from benchmark.report.plots import scree_plot

    sets = result.details.get("sets", {})
    sem = sorted(
        ((k, e) for k, e in sets.items() if e.get("kind") == "semantic" and e.get("status") == "ok"),
        key=lambda ke: (-ke[1]["z"], ke[0]),
    )
    bands = result.details.get("null_bands", {})
    sizes = [e["n"] for _, e in sem]
    size = min(set(sizes), key=lambda s: (-sizes.count(s), -s)) if sizes else None
    near = [ke for ke in sem if abs(ke[1]["n"] - size) <= PLOT_SIZE_TOLERANCE] if sizes else []
    chosen = near[:3] + [ke for ke in near[-2:] if ke not in near[:3]]
    curves = [(f"{k} (N {e['n']}, z {e['z']:+.1f})", e["sigma"], "solid") for k, e in chosen]
    letters = sets.get("letters")
    if letters and letters.get("status") == "ok":
        curves.append((f"letters (N {letters['n']}, z {letters['z']:+.1f})", letters["sigma"], "control"))
    g = result.details.get("gaussian")
    if g:
        curves.append((f"Gaussian {g['n']}×{g['d']}", g["sigma"], "dashed"))
    b = bands.get(str(size)) if size is not None else None
    scree_plot(
        path, curves,
        band=(b["p05"], b["p50"], b["p95"]) if b else None,
        band_label=f"null 5–95 % (N = {size})",
        title=f"{'/'.join(result.models)}: normalised spectra, centred (categories with N = {size} ± "
              f"{PLOT_SIZE_TOLERANCE})" if size is not None else f"{'/'.join(result.models)}: no category covered",
    )


def protocol_text(result) -> str:
    p = {**DEFAULT_PARAMS, **result.params}
    corr = "Holm-corrected over each model's semantic categories (and separately its shipped sets)" \
        if p["correction"] == "holm" else "not corrected for multiple comparisons"
    return "\n".join([
        "- Spectrum: singular values of the N×D matrix of a set's word vectors, rows mean-centred "
        "(float64); after centring σ_N ≈ 0 when N ≤ D (column σN/σ1). Shares use p_i = σ_i²/Σσ²; "
        "effective rank = exp(entropy of p); PR = 1/Σp².",
        f"- Main sharpness metric: z of the σ1 share against {p['n_null']:,} random word sets of the same "
        "size from the same model (positive = sharper); one-sided empirical p = (1 + #null ≥ observed)/(1 + "
        f"n_null), {corr}; α = {p['alpha']}.",
        "- Null pool: the model's plain words (`isalpha()` and `islower()`) that have a rank in wordfreq's "
        "English top-50k list, identical vector rows deduplicated, minus the rows of **every** evaluated set "
        "(categories, controls, shipped sets), so that no null draw holds another set's member "
        "(`frequency_match.pool_other_sets_share` = 0 per set, checked ≤ 0.05); a set whose rank range the "
        "remaining pool cannot serve is skipped with that reason; draws are "
        f"frequency-matched to the set ({p['frequency_bins']} quantile bins of log(1 + rank), bins merged until "
        f"each holds ≥ {p['min_pool_ratio']}× the set's words). Seed: item seed + crc32(set name).",
        "- Keys: letters/digits controls by exact key only; categories and shipped WEAT / Google-analogy sets "
        "by exact key, else the lowercase form, else the capitalised form (proper nouns in cased models: "
        "`january` → `January`); folded words are listed in the result details. Words on a shared vector "
        f"row count once. Sets with coverage < {p['min_coverage']:.0%} or fewer than {p['min_words']} rows are "
        "skipped (reason listed).",
        "- Controls: letters a–z and digits 0–9 (with their own null), the null itself (5–95 % band), and an "
        "isotropic Gaussian N×D matrix (N = median covered category size, seeded).",
        "- Claim verdict: *holds* when a majority of categories beat the null at the corrected level and the "
        "median category z exceeds the z of each covered control (letters, digits); *does not hold* when none "
        "of these does; otherwise *partly*.",
        "- Cross-model agreement: Spearman ρ of the per-model z rankings over the sets covered by both models.",
    ])


def render_section(results, plots_dir: Path | None) -> str:
    """The leaderboard section of this family: summary, Spearman block, per-model tables and plots.

    Pure function of the Results; writes ``spectrum_<model>.png`` into
    ``plots_dir`` when given (links are rendered either way).
    """
    results = sorted(results, key=lambda r: r.item_id)
    first = results[0]
    main = first.main_metric or "categories/median_z"
    out = [
        section_heading(first),
        "",
        f"Sharpness of each word category's singular spectrum against frequency-matched random word sets. "
        f"Main sharpness metric: the z-score of the σ1 share vs the null (positive = sharper); models ranked by "
        f"`{main}` ↑.",
        "",
    ]
    ranked = sorted(results, key=lambda r: (-(r.metrics.get(main) or -math.inf), r.item_id))
    rows = []
    for i, r in enumerate(ranked, start=1):
        m = r.metrics
        claim = claim_summary(m, {**DEFAULT_PARAMS, **r.params})
        n_cov, n_tot = m.get("categories/n_covered"), m.get("categories/n_total")
        frac = m.get("categories/frac_sharper_than_null")
        rows.append({
            "#": i,
            "model": "/".join(r.models),
            "covered": f"{int(n_cov or 0)}/{int(n_tot or 0)}",
            "sharper than null": "–" if frac is None else f"{round(frac * (n_cov or 0))}/{int(n_cov or 0)}",
            "median z ↑": format_number(m.get("categories/median_z"), 2, signed=True),
            "median σ1 share": format_number(m.get("categories/median_sigma1_share")),
            "null σ1 share": format_number(m.get("categories/median_null_sigma1_share")),
            "letters σ1 share (z)": _control_cell(m, "letters"),
            "digits σ1 share (z)": _control_cell(m, "digits"),
            "Gaussian σ1 share": format_number(m.get("controls/gaussian/sigma1_share")),
            "shipped sharper / covered": _shipped_cell(m),
            "claim": claim["verdict"],
            "status": r.status,
        })
    out += [markdown_table(rows), ""]

    pairs = spearman_pairs(results)
    out += ["### Does the structure translate? Spearman ρ of category sharpness rankings", ""]
    if pairs:
        out += [
            "ρ between two models' z rankings, over the sets covered in both (n).",
            "",
            markdown_table([{
                "model A": q["a"], "model B": q["b"],
                "ρ categories": _rho_or_reason(q["rho"], q["n"]), "n": q["n"],
                "ρ incl. shipped sets": _rho_or_reason(q["rho_all"], q["n_all"]), "n incl. shipped": q["n_all"],
            } for q in pairs]),
            "",
        ]
    else:
        out += ["Needs results for at least two models.", ""]

    for r in results:
        label = "/".join(r.models)
        # one scree plot per (task, model): spectrum_by_category__glove-6b-50d.png
        name = plot_file(r, plots_dir if r.details.get("sets") else None, _write_plot, label)
        claim = claim_summary(r.metrics, {**DEFAULT_PARAMS, **r.params})
        sets = r.details.get("sets", {})
        skipped = r.details.get("skipped", {})
        out += [
            f"### {label}",
            "",
            f"**Claim {claim['verdict']}.** {claim['text']}",
            "",
            f"![scree plot {label}]({plot_link(name)})",
            "",
            *details_block("Categories ranked by sharpness (z of σ1 share), with controls",
                           _sets_table(sets, ("semantic", "control"), r.details.get("gaussian"))),
            *details_block("Shipped sets (WEAT, Google analogies), ranked by z", _sets_table(sets, ("shipped",))),
            *skipped_lines(skipped),
        ]
    out += details_block("Protocol", protocol_text(first))
    return "\n".join(out).rstrip("\n")


def skipped_lines(skipped: Mapping[str, str]) -> list[str]:
    """``Skipped (n): `set`: reason; …`` and a blank line, or nothing."""
    if not skipped:
        return []
    return [f"Skipped ({len(skipped)}): " + "; ".join(f"`{k}`: {v}" for k, v in sorted(skipped.items())), ""]


def _control_cell(m: Mapping[str, float | None], control: str) -> str:
    share, z = m.get(f"controls/{control}/sigma1_share"), m.get(f"controls/{control}/z")
    if share is None:
        cov = m.get(f"controls/{control}/coverage")
        return "skipped" + (f" ({cov:.0%})" if cov is not None else "")
    return f"{share:.3f} ({format_number(z, 1, signed=True)})"


def _shipped_cell(m: Mapping[str, float | None]) -> str:
    n = m.get("shipped/n_covered")
    frac = m.get("shipped/frac_sharper_than_null")
    if not n:
        return "–"
    return f"{round((frac or 0) * n)}/{int(n)}"

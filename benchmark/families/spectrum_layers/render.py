"""spectrum_layers: the presentation (Family.render, the summary table, plots); the protocol is in the package docstring."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from benchmark.families.spectrum_by_category import render as per_space_page
from benchmark.families.spectrum_layers.evaluate import DEFAULT_PARAMS, MAIN_METRIC
from benchmark.report.leaderboard import (
    Column,
    Summary,
    details_block,
    format_number,
    markdown_table,
    plot_file,
    plot_link,
    ranked,
    section_heading,
)

SUMMARY = Summary(
    question="Through the layers of a contextual model, do word categories keep sharper spectra than random words?",
    columns=(
        Column("mean over layers of median z ↑", MAIN_METRIC, digits=2),
        Column("min median z", "layers/min_median_z", digits=2),
        Column("max median z", "layers/max_median_z", digits=2),
        Column("sharpest layer", "", value=lambda r: str(int(r.metrics["layers/sharpest"]))
               if r.metrics.get("layers/sharpest") is not None else "–"),
        Column("categories covered (layer 0)", "", value=lambda r: str(r.sizes.get("categories_covered_layer0", "–"))),
    ),
    n=lambda r: f"{int(r.metrics.get('layers/n') or 0)} layers",
    covered=lambda r: f"{r.sizes.get('categories_covered_layer0', '–')} categories at layer 0",
)


def _n_layers(result) -> int:
    return int(result.metrics.get("layers/n") or len(result.details.get("layers", {})))


def layer_value(result, layer: int, name: str) -> float | None:
    """A per-layer value: ``details["layer_metrics"][layer][name]`` (Results before schema 2 kept it in
    ``metrics["layer/<layer>/<name>"]``)."""
    per_layer = result.details.get("layer_metrics")
    if per_layer is not None:
        return per_layer.get(str(layer), {}).get(name)
    return result.metrics.get(f"layer/{layer}/{name}")


def _col(result, name: str) -> list[float | None]:
    return [layer_value(result, i, name) for i in range(_n_layers(result))]


def _quartiles(result) -> tuple[list[float | None], list[float | None]]:
    lo, hi = [], []
    for i in range(_n_layers(result)):
        zs = [e["z"] for e in result.details.get("layers", {}).get(str(i), {}).get("sets", {}).values()
              if e["kind"] == "semantic" and math.isfinite(e["z"])]
        q = np.percentile(zs, [25, 75]) if zs else (None, None)
        lo.append(None if q[0] is None else float(q[0]))
        hi.append(None if q[1] is None else float(q[1]))
    return lo, hi


def _count(frac, n) -> str:
    return "–" if frac is None or n is None else f"{round(frac * n)}/{int(n)}"


def _has_shipped(result) -> bool:
    """Whether the sweep measured the shipped sets at its layers (``shipped_every_layer``; older Results did)."""
    return any("shipped/n_covered" in v for v in result.details.get("layer_metrics", {}).values())


def _layer_rows(result) -> list[dict]:
    f = format_number
    lo, hi = _quartiles(result)
    shipped = _has_shipped(result)
    rows = []
    for i in range(_n_layers(result)):
        def g(name: str, i: int = i):
            return layer_value(result, i, name)

        n_cov = g("categories/n_covered")
        letters, digits = g("controls/letters/z"), g("controls/digits/z")
        rows.append({
            "layer": i,
            "covered": "–" if n_cov is None else int(n_cov),
            "sharper than null (Holm)": _count(g("categories/frac_sharper_than_null"), n_cov),
            "median z ↑": f(g("categories/median_z"), 2, signed=True),
            "z IQR": "–" if lo[i] is None else f"{lo[i]:+.2f} … {hi[i]:+.2f}",
            "median σ1 share": f(g("categories/median_sigma1_share")),
            "null σ1 share": f(g("categories/median_null_sigma1_share")),
            "letters z": f(letters, 2, signed=True),
            "digits z": f(digits, 2, signed=True),
            **({"shipped sharper / covered": _count(g("shipped/frac_sharper_than_null"), g("shipped/n_covered"))}
               if shipped else {}),
            "ρ vs layer 0": f(g("rho_vs_layer0"), 2, signed=True),
            "claim": result.details.get("layers", {}).get(str(i), {}).get("claim", "–"),
        })
    return rows


def _z_matrix_rows(result) -> list[dict]:
    layers = result.details.get("layers", {})
    n = _n_layers(result)
    names = sorted({k for v in layers.values() for k, e in v.get("sets", {}).items() if e["kind"] == "semantic"})
    last = layers.get(str(n - 1), {}).get("sets", {})
    names.sort(key=lambda k: (-(last.get(k, {}).get("z", -math.inf)), k))
    controls = [k for k in ("letters", "digits") if any(k in v.get("sets", {}) for v in layers.values())]
    rows = []
    for k in names + controls:
        row = {"set": k if k not in controls else f"*{k}*"}
        for i in range(n):
            e = layers.get(str(i), {}).get("sets", {}).get(k)
            row[str(i)] = "–" if e is None else f"{e['z']:+.1f}"
        rows.append(row)
    return rows


def _write_plot(result, path: Path) -> None:
    from benchmark.report.plots_layers import Curve, Panel, layer_plot

    n = _n_layers(result)
    x = list(range(n))
    lo, hi = _quartiles(result)
    label = "/".join(result.models)
    sharpness = Panel("sharpness of categories by layer", "z of σ1 share vs null (positive = sharper)", [
        Curve("median category z", x, _col(result, "categories/median_z"), "solid"),
        Curve("category z, 25th pct", x, lo, "dotted"),
        Curve("category z, 75th pct", x, hi, "dotted"),
        Curve("letters (control)", x, _col(result, "controls/letters/z"), "dashed"),
        Curve("digits (control)", x, _col(result, "controls/digits/z"), "dashed"),
    ], hlines=(("null (z = 0)", 0.0),))
    agreement = Panel("significance and stability", "fraction / Spearman ρ", [
        Curve("categories sharper than null (Holm)", x, _col(result, "categories/frac_sharper_than_null"), "solid"),
        *([Curve("shipped sets sharper than null (Holm)", x, _col(result, "shipped/frac_sharper_than_null"),
                 "dashed")] if _has_shipped(result) else []),
        Curve("ρ of category ranking vs layer 0", x, _col(result, "rho_vs_layer0"), "dotted"),
        Curve("ρ vs previous layer", x, _col(result, "rho_vs_previous"), "baseline"),
    ], ylim=(-1.05, 1.05))
    layer_plot(path, [sharpness, agreement],
               title=f"{label}: category spectrum sharpness at every layer (decontextualised words)")


def protocol_text(result) -> str:
    p = {**DEFAULT_PARAMS, **result.params}
    view = {**DEFAULT_PARAMS["view"], **dict(p.get("view") or {})}
    return "\n".join([
        f"- Spaces: for every hidden-state output (0 = embedding output) the decontextualised vectors of "
        f"wordfreq's {view['max_words']:,} most frequent plain words, then every {view['tail_stride']}th one down "
        "to rank 50k (so every frequency band of the null has words that belong to no evaluated set), plus every "
        "category, control and shipped-set word; each word fed alone with a leading space, pieces mean-pooled "
        "whatever the tokenisation.",
        "- Sets: the categories and controls at every layer; the shipped sets (WEAT, Google analogies) "
        + ("too." if result.params.get("shipped_every_layer", True) else
           "only at the input, mid and last views (the `spectrum_contextual_*` tables); their words stay out of the "
           "null pool at every layer, so the category z values do not depend on that choice."),
        "- Each layer is measured exactly as `spectrum_by_category` measures a static model (below); the null "
        "draws use the same per-set seeds at every layer.",
        "- Main metric: the mean over all layers of the median category z (no layer is selected). The sharpest "
        "layer is a description of the curve, not a score. ρ: Spearman correlation of the category z ranking "
        "with layer 0's.",
        per_space_page.protocol_text(result),
    ])


def render_section(results, plots_dir: Path | None) -> str:
    """Summary across models, then per model: a layer curve plot, a per-layer table, a category × layer z table."""
    results = sorted(results, key=lambda r: r.item_id)
    first = results[0]
    f = format_number
    out = [
        section_heading(first),
        "",
        "Category spectrum sharpness (z of the σ1 share against frequency-matched random word sets) at every "
        f"layer of each contextual model. Models ranked by `{first.main_metric}` ↑ (mean over layers of the "
        "median category z).",
        "",
    ]
    rows = []
    for i, r in enumerate(ranked(results), start=1):
        m = r.metrics
        n = _n_layers(r)
        last = n - 1
        rows.append({
            "#": i,
            "model": "/".join(r.models),
            "layers": n,
            "mean median z ↑": f(m.get(MAIN_METRIC), 2, signed=True),
            "median z range": f"{f(m.get('layers/min_median_z'), 2, signed=True)} … "
                              f"{f(m.get('layers/max_median_z'), 2, signed=True)}",
            "sharpest layer": "–" if m.get("layers/sharpest") is None else int(m["layers/sharpest"]),
            "claim holds at": f"{int(m.get('layers/n_claim_holds') or 0)}/{n} layers",
            "layer 0 → last: sharper than null": " → ".join(
                _count(layer_value(r, i, "categories/frac_sharper_than_null"), layer_value(r, i, "categories/n_covered"))
                for i in (0, last)),
            "ρ(layer 0, last)": f(layer_value(r, last, "rho_vs_layer0"), 2, signed=True),
            "status": r.status,
        })
    out += [markdown_table(rows), ""]
    for r in results:
        label = "/".join(r.models)
        name = plot_file(r, plots_dir if r.details.get("layers") else None, _write_plot, label)
        skipped = r.details.get("skipped", {})
        out += [
            f"### {label}",
            "",
            f"![layer curves {label}]({plot_link(name)})",
            "",
            markdown_table(_layer_rows(r)),
            "",
            *details_block("z of every category at every layer (rows: sharpest at the last layer first)",
                                     markdown_table(_z_matrix_rows(r))),
            *per_space_page.skipped_lines(skipped),
        ]
    out += details_block("Protocol", protocol_text(first))
    return "\n".join(out).rstrip("\n")

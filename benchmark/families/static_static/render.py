"""static_static: the presentation (Family.render, the summary table, plots); the protocol is in the package docstring."""

from __future__ import annotations

from benchmark.report.columns import COVERAGE, MEAN_COS, P1_NN_CSLS_ISF, SHUFFLED_P1_CSLS, no_ci, p_at, size_of
from benchmark.report.leaderboard import Column, Summary, table_section

TABLE_COLUMNS = (
    *P1_NN_CSLS_ISF,
    p_at(10, "csls"),
    MEAN_COS,
    Column("shuffled-dict mean cos", "baseline/shuffled/mean_cos"),
    Column("scaled residual ↓ (zero map 1)", "scaled/residual"),
    COVERAGE,
    SHUFFLED_P1_CSLS,
    Column("lstsq+bias P@1 NN ↑", "lstsq/p@1/nn"),
    Column("CKA ↑", "similarity/cka"),
)


SUMMARY = Summary(
    question="Does an orthogonal map fitted on a dictionary send model A's words onto model B's?",
    columns=(p_at(1, "csls", ci=True), SHUFFLED_P1_CSLS, p_at(1, "nn"), p_at(1, "isf"), no_ci(MEAN_COS), COVERAGE),
    baseline=SHUFFLED_P1_CSLS.metric,
    coverage=COVERAGE.metric,
    n=size_of("test", "test words"),
)


def protocol_text(result) -> str:
    """The leaderboard footer: the declared protocol and the key rule."""
    p = result.params
    return "\n".join([
        f"- Search spaces: each model's plain words (`isalpha()` and `islower()`, exact match, no case "
        f"folding; GoogleNews `_` phrases and capitalised keys left out; WordLlama: wordfreq's plain words "
        f"embedded by `WordLlama.embed`, its tokenizer + average pooling, plus its whole-word `▁word` pieces), "
        f"frequency ordered, first {p['search_vocab']:,}.",
        f"- Dictionary: identity over shared words ranked by wordfreq's English list; the "
        f"{p['n_train'] + p['n_dev'] + p['n_test']:,} most frequent are split by seed into train "
        f"{p['n_train']:,} / dev {p['n_dev']} / test {p['n_test']:,} (train shrinks when fewer are shared; "
        f"see n train/dev/test). Coverage: share of wordfreq's 10,000 most frequent plain words present in both spaces.",
        f"- Normalisation `{p['normalization']}` on both full spaces; solvers in float64, retrieval in float32.",
        "- Headline map: orthogonal Procrustes W = U·Vᵀ from the thin SVD of XᵀY (semi-orthogonal when "
        "dimensions differ). Headline fit figure: mean cosine of mapped test pairs, cos(x·W, y) "
        "(1 for an exact map, ≈ 0 for unrelated spaces; comparable across pairs and dimensions), beside the "
        "same figure for the shuffled-dictionary map. Scaled residual = ‖s·XW − Y‖_F / ‖Y‖_F with the optimal "
        "s = tr(Σ)/‖XW‖_F² fitted on train (≤ 1 on train, where 1 is the zero map's value). The raw residual "
        "‖XW − Y‖_F / ‖Y‖_F stays in the JSON (`residual`) but is not comparable: it equals √(2 − 2·mean cos) "
        "when W keeps norms and shrinks when d_x > d_y. Baselines: the same map fitted on a shuffled "
        "dictionary; least squares with bias (E2 ≈ E1·W + b).",
        f"- Retrieval over the full target space: NN cosine; CSLS with k = {p['csls_k']} neighbourhoods "
        f"over both full spaces; inverted softmax with β ∈ {list(p['isf_betas'])} chosen on dev "
        "(chosen β in each result's details). P@k over unique test words, ties to the lower index.",
        f"- CIs: percentile bootstrap, {p['n_bootstrap']:,} resamples of test words. Expectation on every pair: "
        "P@1 CSLS CI low ≥ the shuffled-dictionary baseline's CI high (`baseline/shuffled/ci_separation` ≥ 0).",
    ])


def render(results, plots_dir=None) -> str:
    """The task page: the full table and the protocol."""
    return table_section(list(results), TABLE_COLUMNS, protocol_text)

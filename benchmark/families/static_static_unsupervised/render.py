"""static_static_unsupervised: the presentation (Family.render, the summary table, plots); the protocol is in the package docstring."""

from __future__ import annotations

import numpy as np

from benchmark.report.columns import no_ci, select, size_of
from benchmark.report.leaderboard import (
    Column,
    Summary,
    cell,
    cells,
    details_block,
    markdown_table,
    ranked,
    section_heading,
    split_sizes,
)
from benchmark.scoring import (
    rank_correlation_ci,
)

TABLE_COLUMNS = (
    Column("unsup. P@1 CSLS ↑", "p@1/csls", ci=True),
    Column("sup. P@1 CSLS", "supervised/p@1/csls", ci=True),
    Column("gap (sup − unsup)", "gap/p@1/csls"),
    Column("unsup. P@1 NN", "p@1/nn", ci=True),
    Column("unsup. P@10 CSLS", "p@10/csls"),
    Column("seed success", "seeds/success_rate", digits=2),
    Column("seed P@1 min–max spread", "seeds/p@1/csls/spread"),
    Column("GW-init P@1 CSLS", "gw/p@1/csls"),
    Column("criterion", "criterion"),
    Column("iterations", "iterations", digits=0),
)  # no timings: a page is the same bytes whenever its Results are recomputed (seconds stay in the JSON)


SUMMARY = Summary(
    question="Can the two spaces be aligned with no dictionary at all (Conneau 2018, Artetxe 2018), as well as "
             "with one?",
    columns=(*select(TABLE_COLUMNS, "p@1/csls"),
             *map(no_ci, select(TABLE_COLUMNS, "supervised/p@1/csls", "gap/p@1/csls", "seeds/success_rate",
                                "gw/p@1/csls", "iterations"))),
    baseline="supervised/p@1/csls",
    n=size_of("test", "test words"),
)


#: (header, metric key) of the isomorphism measures in the ρ table.
PREDICTORS = (
    ("eigenvector similarity (lower = more isomorphic)", "iso/eigenvector_similarity"),
    ("relational similarity (train pairs)", "iso/relational_similarity"),
    ("IsoScore, mean of the two spaces", "iso/isoscore/mean"),
    ("linear CKA (train pairs)", "iso/cka"),
    ("RSA Spearman (train pairs)", "iso/rsa"),
    ("mutual kNN@10 (train pairs)", "iso/mutual_knn@10"),
)


def protocol_text(result) -> str:
    """The leaderboard footer: the declared protocol, cutoffs and stopping rule."""
    p = result.params
    return "\n".join([
        f"- Search spaces, normalisation `{p['normalization']}`, identity dictionary and its seeded split "
        f"(train {p['n_train']:,} / dev {p['n_dev']} / test {p['n_test']:,} of the shared plain words, search "
        f"spaces capped at {p['search_vocab']:,}) exactly as in `static_static`; only the test split is read, "
        "for evaluation, plus the train split for the supervised reference and the pair-based predictors.",
        "- Supervised reference: orthogonal Procrustes on the train split (the `static_static` headline map).",
        f"- Unsupervised initialisation 1 (Artetxe et al. 2018): for the {p['init_vocab']:,} most frequent words "
        "of each space, the rows of √(X·Xᵀ) sorted, normalised unit+center+unit, matched by CSLS in both "
        f"directions. Initialisation 2 (after Alvarez-Melis & Jaakkola 2018): Gromov-Wasserstein (POT, "
        f"`{p['gw_solver']}` solver, at most {p['gw_max_iter']} outer iterations, square loss, uniform weights) "
        f"between the cosine-distance matrices of the {p['gw_vocab']:,} most frequent words, argmax of the "
        "coupling in both directions.",
        f"- Self-learning: orthogonal Procrustes on the dictionary → CSLS (k = {p['csls_k']}) translations in "
        f"both directions among the {p['vocab_cutoff']:,} most frequent words of each space → new dictionary. "
        f"Stochastic induction: a word's translation is the best of a random share p of its candidates, p "
        f"starting at {p['keep_prob']} and ×{p['keep_multiplier']} after {p['patience']} iterations without a "
        f"gain ≥ {p['threshold']} in the objective (mean cosine of the CSLS translations, both directions); a "
        f"stall at p = 1 stops, at most {p['max_iterations']} iterations. Cutoffs and stopping rule were set "
        "for the time budget (≈ 8 min for the 12 default pairs on 2 cores), not on any dictionary.",
        f"- Runs: the similarity initialisation with seeds {result.seed}…{result.seed + p['n_seeds'] - 1} (the "
        "seed drives the stochastic induction) and the Gromov-Wasserstein one with the first seed. Model "
        "selection: the run with the highest unsupervised criterion (Conneau et al. 2018: mean cosine of the "
        f"CSLS translations of the {p['criterion_vocab']:,} most frequent source words among as many target "
        "words) is the headline; no dictionary is consulted.",
        "- Scoring as `static_static`: mapped test words against the full target space, NN and CSLS over both "
        f"full spaces; seed success = P@1 CSLS > {p['success_threshold']}; spread = max − min over seeds. CIs: "
        f"percentile bootstrap, {p['n_bootstrap']:,} resamples of test words.",
        f"- Isomorphism measures, no test pairs: eigenvector similarity (Søgaard et al. 2018) of the "
        f"{p['graph_k']}-NN graph Laplacians of the {p['graph_vocab']:,} most frequent words of each space "
        "(eigenvalues holding 90 % of the spectrum); IsoScore (Rudman et al. 2022) of each full normalised "
        f"space; relational similarity (Vulić et al. 2020), linear CKA, RSA and mutual kNN@10 on the first "
        f"{p['predictor_pairs']:,} (seed-shuffled) train pairs. A Gromov-Hausdorff estimate is not computed.",
    ])


def _predictor_table(results) -> str:
    usable = [r for r in results if all(r.metrics.get(key) is not None for _, key in PREDICTORS)]
    if len(usable) < 3:
        return f"Fewer than 3 pairs ({len(usable)}): no rank correlations."
    rows = []
    sup = [r.metrics["supervised/p@1/csls"] for r in usable]
    uns = [r.metrics["p@1/csls"] for r in usable]
    seed = usable[0].seed
    n_boot = usable[0].params.get("n_bootstrap", 1000)
    for header, key in PREDICTORS:
        values = [r.metrics[key] for r in usable]
        row = {"measure": header}
        for label, target in (("ρ with supervised P@1 CSLS", sup), ("ρ with unsupervised P@1 CSLS", uns)):
            rho, low, high = rank_correlation_ci(values, target, n_resamples=n_boot, seed=seed)
            row[label] = "–" if not np.isfinite(rho) else f"{rho:+.2f} [{low:+.2f}, {high:+.2f}]"
        rows.append(row)
    return markdown_table(rows)


def render_section(results, plots_dir) -> str:
    """Markdown section: supervised vs unsupervised per pair, per-run details, the predictor ρ table."""
    first = results[0]
    rows, run_rows = [], []
    for rank, r in enumerate(ranked(results), start=1):
        selected = r.details.get("selected", {})
        rows.append({"#": rank, "models": " → ".join(r.models), **cells(r, TABLE_COLUMNS),
                     "selected run": f"{selected.get('init', '–')} seed {selected.get('seed', '–')}",
                     "n train/dev/test": split_sizes(r), "status": r.status})
        for run in r.details.get("runs", []):
            run_rows.append({
                "models": " → ".join(r.models), "init": run["init"], "seed": str(run["seed"]),
                "criterion": f"{run['criterion']:.3f}", "P@1 CSLS": f"{run['p@1/csls']:.3f}",
                "P@1 NN": f"{run['p@1/nn']:.3f}", "iterations": str(run["iterations"]),
                "converged": "yes" if run["converged"] else "no (max iterations)",
            })
    iso_rows = [{"models": " → ".join(r.models),
                 **{header.split(" (")[0]: cell(r, Column(header, key)) for header, key in PREDICTORS},
                 "IsoScore source / target": f"{cell(r, Column('', 'iso/isoscore/source'))} / "
                                             f"{cell(r, Column('', 'iso/isoscore/target'))}"}
                for r in sorted(results, key=lambda r: r.item_id)]
    return "\n".join([
        section_heading(first),
        "",
        f"Translation without a dictionary, next to the supervised map on the same pair and split. Ranked by "
        f"`{first.main_metric}` ↑ of the run the unsupervised criterion selects. Brackets: bootstrap 95 % CI "
        "over test words.",
        "",
        markdown_table(rows),
        "",
        "**What predicts translatability** (Spearman ρ across the pairs above; brackets: bootstrap 95 % CI "
        "over pairs; no measure reads the test split):",
        "",
        _predictor_table(results),
        "",
        *details_block("Every run (initialisation × seed)", markdown_table(run_rows) if run_rows else "No runs."),
        *details_block("Isomorphism measures per pair", markdown_table(iso_rows)),
        *details_block("Protocol", protocol_text(first)),
    ])

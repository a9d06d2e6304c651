"""static_static_unsupervised on toy pairs: metrics, the supervised reference, the leaderboard section."""

from __future__ import annotations

import re

import numpy as np
import pytest

from benchmark.adapters.toy import toy_pair
from benchmark.families import static_static, static_static_unsupervised
from benchmark.families.static_static.params import SplitParams
from benchmark.report.leaderboard import render_task_page
from benchmark.run.results import Result
from benchmark.tasks import Task

pytest.importorskip("ot")

PARAMS = {
    "search_vocab": 1_200, "n_train": 400, "n_dev": 100, "n_test": 300, "min_train": 200,
    "normalization": "unit+center+unit", "csls_k": 10, "ks": (1, 5, 10), "n_bootstrap": 100,
    "init_vocab": 400, "gw_vocab": 120, "gw_solver": "entropic", "gw_max_iter": 30, "vocab_cutoff": 500,
    "keep_prob": 0.1, "keep_multiplier": 2.0, "patience": 2, "threshold": 1e-3, "max_iterations": 12, "n_seeds": 3,
    "criterion_vocab": 800, "success_threshold": 0.05, "graph_vocab": 200, "graph_k": 10, "predictor_pairs": 200,
}
TASK = Task(name="tiny_unsupervised", version="1.0", family="static_static_unsupervised", description="toy",
            main_metric="p@1/csls", params=PARAMS)
#: static_static on the same split: the supervised reference
SUPERVISED = Task(name="tiny_supervised", version="1.0", family="static_static", description="toy",
                  main_metric="p@1/csls",
                  params={**{k: PARAMS[k] for k in SplitParams.names() if k in PARAMS}, "isf_betas": (10.0, 30.0)})


def result_of(models, measurement) -> Result:
    return Result(task=TASK.name, task_version="1.0", family=TASK.family, models=[m.name for m in models],
                  metrics=measurement.metrics, seed=0, status="passed", main_metric="p@1/csls",
                  sizes=measurement.sizes, details=measurement.details, params=TASK.params_dict())


@pytest.fixture(scope="module")
def measured():
    out = []
    for i, noise in enumerate((0.05, 0.3, 0.8, 3.0)):
        source, target = toy_pair(n_words=1_200, dim_source=16, dim_target=24, noise=noise, seed=i)
        target = type(target)(f"toy-target-{i}", target.words, target.vectors, revision=target.revision,
                              frequency_ordered=True)
        models = (source, target)
        out.append((models, static_static_unsupervised.evaluate.evaluate(TASK, models, seed=0)))
    return out


def test_an_easy_pair_is_translated_without_a_dictionary(measured):
    (source, target), m = measured[0]
    metrics = m.metrics
    assert metrics["p@1/csls"] > 0.95
    assert metrics["gap/p@1/csls"] == pytest.approx(metrics["supervised/p@1/csls"] - metrics["p@1/csls"])
    assert metrics["seeds/success_rate"] == 1.0
    assert metrics["p@1/csls:ci_low"] <= metrics["p@1/csls"] <= metrics["p@1/csls:ci_high"]
    assert metrics["p@1/csls"] <= metrics["p@5/csls"] <= metrics["p@10/csls"]
    assert len(m.details["runs"]) == PARAMS["n_seeds"] + 1
    assert {r["init"] for r in m.details["runs"]} == {"similarity", "gromov_wasserstein"}
    chosen = max(m.details["runs"], key=lambda r: r["criterion"])
    assert metrics["criterion"] == chosen["criterion"] and metrics["p@1/csls"] == chosen["p@1/csls"]
    for key in ("iso/eigenvector_similarity", "iso/relational_similarity", "iso/isoscore/mean", "iso/cka",
                "iso/rsa", "iso/mutual_knn@10", "iterations", "seconds/run"):
        assert np.isfinite(metrics[key]), key


def test_supervised_reference_equals_the_static_static_family(measured):
    (source, target), m = measured[1]
    supervised = static_static.evaluate.evaluate(SUPERVISED, (source, target), seed=0)
    assert m.metrics["supervised/p@1/csls"] == supervised.metrics["p@1/csls"]
    assert m.metrics["supervised/p@1/nn"] == supervised.metrics["p@1/nn"]
    assert m.sizes["test"] == supervised.sizes["test"]


def test_pure_noise_fails_and_the_measures_see_it(measured):
    easy, hard = measured[0][1].metrics, measured[-1][1].metrics
    assert hard["p@1/csls"] < 0.2
    assert hard["iso/relational_similarity"] < easy["iso/relational_similarity"]
    assert hard["iso/mutual_knn@10"] < easy["iso/mutual_knn@10"]


def test_leaderboard_section_has_both_tables_and_the_rho_table(measured):
    results = [result_of(models, m) for models, m in measured]
    page = render_task_page(results)
    assert "## tiny_unsupervised (v1.0)" in page
    assert "sup. P@1 CSLS" in page and "unsup. P@1 CSLS" in page
    assert "What predicts translatability" in page
    assert "ρ with unsupervised P@1 CSLS" in page
    # more noise, less relational similarity and less supervised accuracy: a positive ρ
    assert re.search(r"\| relational similarity \(train pairs\)\s*\| \+(0\.[5-9]\d|1\.00) \[", page)
    assert re.search(r"\| eigenvector similarity \(lower = more isomorphic\)\s*\| [+-][01]\.\d\d \[", page)
    assert render_task_page(results) == page  # a pure function of the results
    assert "Fewer than 3 pairs" in render_task_page(results[:2])

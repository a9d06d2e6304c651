"""The markdown page is a pure function of the Result files (golden file)."""

from pathlib import Path

from benchmark.leaderboard import render, write_leaderboard
from benchmark.results import Result, write_result

GOLDEN = Path(__file__).parent / "golden" / "leaderboard_static.md"
PARAMS = {
    "search_vocab": 50000, "n_train": 5000, "n_dev": 500, "n_test": 1500, "min_train": 500,
    "normalization": "unit+center+unit", "csls_k": 10, "ks": [1, 5, 10],
    "isf_betas": [10.0, 20.0], "n_bootstrap": 1000,
}


def fixture_results():
    out = []
    for models, p1 in ((["glove-6b-50d", "spacy-md-300"], 0.61), (["word2vec-gnews", "spacy-md-300"], 0.83)):
        metrics = {
            "p@1/nn": p1 - 0.1, "p@1/nn:ci_low": p1 - 0.12, "p@1/nn:ci_high": p1 - 0.08,
            "p@1/csls": p1, "p@1/csls:ci_low": p1 - 0.02, "p@1/csls:ci_high": p1 + 0.02,
            "p@1/isf": p1 + 0.01, "p@10/csls": 0.95, "residual": 0.7, "residual:ci_low": 0.69,
            "residual:ci_high": 0.71, "coverage": 0.86, "baseline/shuffled/p@1/csls": 0.0,
            "lstsq/p@1/nn": p1 - 0.3, "similarity/cka": 0.5,
        }
        out.append(Result(
            task="static_static", task_version="1.0", family="static_static", models=models,
            metrics=metrics, seed=0, status="passed", main_metric="p@1/csls", params=PARAMS,
            sizes={"train": 5000, "dev": 500, "test": 1500},
            revisions={models[0]: "rev-" + models[0], models[1]: "rev-" + models[1]},
            provenance={"git_commit": "abc123", "benchmark_version": "0.1.0", "packages": {"numpy": "2.0"}},
            timing={"seconds": 12.5 * p1, "started": "2026-11-23T08:00:00+00:00"},
        ))
    return out


def test_golden_markdown():
    page = render(fixture_results())
    if not GOLDEN.exists():  # first run writes it; review, then commit
        GOLDEN.write_text(page, encoding="utf-8")
    assert page == GOLDEN.read_text(encoding="utf-8")


def test_ranked_by_main_metric_and_timing_free():
    page = render(fixture_results())
    assert page.index("word2vec-gnews → spacy-md-300") < page.index("glove-6b-50d → spacy-md-300")
    assert "0.830 [0.810, 0.850]" in page
    assert "P@1 CSLS ↑" in page and "residual ↓" in page
    assert "10.375" not in page  # timings stay in the JSON


def test_same_results_byte_identical_page(tmp_path):
    for d in ("a", "b"):
        for r in fixture_results():
            write_result(r, tmp_path / d / "results")
    pa, pb = write_leaderboard(tmp_path / "a"), write_leaderboard(tmp_path / "b")
    assert pa.read_bytes() == pb.read_bytes()


def test_empty_results_page(tmp_path):
    (tmp_path / "results").mkdir()  # an empty results folder (a missing one is an error: test_cli_errors)
    assert "No results yet." in write_leaderboard(tmp_path).read_text()

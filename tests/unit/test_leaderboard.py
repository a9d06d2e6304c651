"""The leaderboard files are a pure function of the Result files (golden files)."""

import csv
import io
import json
import os
from pathlib import Path

import pytest

from benchmark.report.leaderboard import Column, Summary, ci_note, render, render_pages, stale_files, write_leaderboard
from benchmark.run.results import Result, write_result

GOLDEN = Path(__file__).parent / "golden" / "leaderboard"
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
            "residual:ci_high": 0.71, "mean_cos": 0.74, "mean_cos:ci_low": 0.73, "mean_cos:ci_high": 0.75,
            "baseline/shuffled/mean_cos": 0.01, "scaled/residual": 0.68,
            "coverage": 0.86, "baseline/shuffled/p@1/csls": 0.0,
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


def test_golden_pages():
    """Summary page, task page, summary.csv and summary.json, byte for byte."""
    pages = render_pages(fixture_results())
    assert sorted(pages) == ["README.md", "summary.csv", "summary.json", "tasks/static_static.md"]
    if os.environ.get("ROSETTA_UPDATE_GOLDEN") == "1":  # regenerate on purpose; review the diff, then commit
        for rel, text in pages.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    for rel, text in pages.items():
        if not (GOLDEN / rel).exists():
            pytest.fail(f"golden file {GOLDEN / rel} is missing: regenerate with ROSETTA_UPDATE_GOLDEN=1 and review it")
        assert text == (GOLDEN / rel).read_text(encoding="utf-8"), rel


def test_summary_page_is_short_and_links_each_task_page():
    pages = render_pages(fixture_results())
    summary = pages["README.md"]
    assert "<details>" not in summary and "](tasks/static_static.md)" in summary
    assert summary.index("## static_static") < summary.index("## Provenance")
    header = next(ln for ln in summary.splitlines() if ln.startswith("| #"))
    assert len(header.strip("|").split("|")) <= 10
    rows = list(csv.DictReader(io.StringIO(pages["summary.csv"])))
    assert [r["models"] for r in rows] == ["word2vec-gnews->spacy-md-300", "glove-6b-50d->spacy-md-300"]
    assert float(rows[0]["value"]) == 0.83 and float(rows[0]["ci_low"]) == pytest.approx(0.81)
    assert rows[0]["baseline"] == "0.0"
    data = json.loads(pages["summary.json"])
    assert data["schema_version"] == 1 and data["items"][1]["value"] == 0.61


def test_reading_order_is_fixed_not_alphabetical():
    from dataclasses import replace

    base = fixture_results()[0]
    results = [replace(base, task=t, family=f) for t, f in (
        ("spectrum_by_category", "spectrum_by_category"), ("context_drift", "context_drift"),
        ("static_static", "static_static"))]
    from benchmark.report.leaderboard import reading_order

    assert [t for t, _ in reading_order(results)] == ["static_static", "context_drift", "spectrum_by_category"]


def test_check_names_stale_and_orphan_files(tmp_path):
    for r in fixture_results():
        write_result(r, tmp_path / "results")
    missing = {p.relative_to(tmp_path).as_posix() for p in stale_files(tmp_path)}  # nothing written yet
    assert {"README.md", "summary.csv", "summary.json", "tasks/static_static.md", "site/index.html"} <= missing
    write_leaderboard(tmp_path)
    assert stale_files(tmp_path) == []
    (tmp_path / "tasks" / "old_task.md").write_text("x", encoding="utf-8")
    (tmp_path / "summary.json").write_text("{}", encoding="utf-8")
    assert sorted(p.name for p in stale_files(tmp_path)) == ["old_task.md", "summary.json"]


def test_ranked_by_main_metric_and_timing_free():
    page = render(fixture_results())
    assert page.index("word2vec-gnews → spacy-md-300") < page.index("glove-6b-50d → spacy-md-300")
    assert "0.830 [0.810, 0.850]" in page
    task = render_pages(fixture_results())["tasks/static_static.md"]
    assert "P@1 CSLS ↑" in task and "mean cos ↑ (exact map 1)" in task and "0.740 [0.730, 0.750]" in task
    for text in render_pages(fixture_results()).values():
        assert "10.375" not in text  # timings stay in the JSON


def test_same_results_byte_identical_page(tmp_path):
    for d in ("a", "b"):
        for r in fixture_results():
            write_result(r, tmp_path / d / "results")
    pa, pb = write_leaderboard(tmp_path / "a"), write_leaderboard(tmp_path / "b")
    assert pa.read_bytes() == pb.read_bytes()


def test_empty_results_page(tmp_path):
    (tmp_path / "results").mkdir()  # an empty results folder (a missing one is an error: test_cli_errors)
    assert "No results yet." in write_leaderboard(tmp_path).read_text()


def test_a_new_item_is_placed_among_the_leaderboards_items():
    from dataclasses import replace

    from benchmark.report.leaderboard import place_among

    board = fixture_results()  # w2v→spacy 0.83, glove→spacy 0.61
    mine = replace(board[0], models=["mine", "spacy-md-300"], metrics={**board[0].metrics, "p@1/csls": 0.70})
    placed = place_among(mine, board)
    assert (placed.rank, placed.of) == (2, 3)
    assert placed.describe() == "2/3: below word2vec-gnews→spacy-md-300, above glove-6b-50d→spacy-md-300"
    best = replace(mine, metrics={**mine.metrics, "p@1/csls": 0.99})
    assert place_among(best, board).describe() == "1/3: above word2vec-gnews→spacy-md-300"
    # a re-scored item of the board replaces its old self
    again = replace(board[1], metrics={**board[1].metrics, "p@1/csls": 0.9})
    assert (place_among(again, board).rank, place_among(again, board).of) == (1, 2)
    assert place_among(replace(mine, metrics={}), board) is None


def test_models_section_says_what_each_model_is_and_its_coverage():
    from dataclasses import replace

    cards = {"word2vec-gnews": {"description": "word2vec GoogleNews 300d: a 13,013-word subset", "size": "13,013 words × 300"},
             "spacy-md-300": {"description": "spaCy md", "size": "12,267 words × 300"},
             "glove-6b-50d": {"description": "GloVe 6B", "size": "400,000 words × 50"}}
    results = [replace(r, model_cards={m: cards[m] for m in r.models}) for r in fixture_results()]
    summary = render(results)
    section = summary[summary.index("## Models"):summary.index("## Provenance")]
    assert "a 13,013-word subset" in section and "13,013 words × 300" in section
    assert "static_static 0.86" in section
    assert "## Models" not in render(fixture_results())  # older Results carry no cards


def test_run_item_records_model_cards(toy_models, toy_task):
    from benchmark.run.runner import Item, run_item

    r = run_item(Item(toy_task, ("toy-source", "toy-target")), seed=0)
    assert set(r.model_cards) == {"toy-source", "toy-target"}
    assert r.model_cards["toy-source"]["size"].endswith("× 24") and r.model_cards["toy-source"]["description"] == "toy"


def test_ci_note_only_where_a_column_shows_a_ci():
    with_ci = Summary(question="q", columns=(Column("P@1", "p@1/csls", ci=True), Column("cov", "coverage")))
    without = Summary(question="q", columns=(Column("median z", "categories/median_z"),))
    assert ci_note(with_ci) == "; brackets: bootstrap 95 % CI"
    assert ci_note(without) == ""


def _with_other_timings(result: Result, factor: float) -> Result:
    """The same Result as if recomputed on a slower machine: every timing multiplied by ``factor``."""
    import dataclasses

    def scaled(obj, key=""):
        if isinstance(obj, dict):
            return {k: scaled(v, k) for k, v in obj.items()}
        if isinstance(obj, list):
            return [scaled(v, key) for v in obj]
        if isinstance(obj, (int, float)) and not isinstance(obj, bool) and "seconds" in key:
            return obj * factor + 0.5
        return obj

    return dataclasses.replace(result, metrics=scaled(result.metrics), details=scaled(result.details),
                               timing={**result.timing, "seconds": result.timing.get("seconds", 0) * factor})


def test_pages_do_not_change_when_only_timings_do(tmp_path):
    """A recomputed item differs in its timings only: no page (of any family) may show them."""
    from benchmark.run.results import read_results

    committed = read_results(Path(__file__).resolve().parents[2] / "leaderboard" / "results")
    timed = [r for r in committed if any("seconds" in k for k in r.metrics) or "seconds" in json.dumps(r.details)]
    assert timed, "the committed leaderboard should hold Results with timings in metrics or details"
    slower = [_with_other_timings(r, 3.0) for r in committed]
    a, b = render_pages(committed), render_pages(slower)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], f"{name} shows a timing"

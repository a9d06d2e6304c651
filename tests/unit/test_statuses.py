"""Result statuses (passed / failed / measured / skipped), ``expectations_checked``, metric-vs-metric
expectations, schema v2 (v1 still read), and how ``run``, ``score`` and ``pytest tasks/`` treat each status."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from benchmark.cli import main
from benchmark.errors import DataFormatError, TaskError
from benchmark.run.results import Result, read_result, write_result
from benchmark.run.runner import Item, RunSummary, item_status, run_item
from benchmark.tasks import Expectation

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "benchmark" / "schema" / "result.schema.json").read_text())

pytest_plugins = ["pytester"]


# --------------------------------------------------------------------------- Expectation


def test_metric_above_another_metric():
    e = Expectation("p@1/csls:ci_low", above_metric="baseline/shuffled/p@1/csls:ci_high")
    record, reason = e.check({"p@1/csls:ci_low": 0.60, "baseline/shuffled/p@1/csls:ci_high": 0.05})
    assert reason is None and record["held"] is True
    assert record["value"] == 0.60 and record["above_value"] == 0.05
    assert record["above_metric"] == "baseline/shuffled/p@1/csls:ci_high" and record["minimum"] is None
    record, reason = e.check({"p@1/csls:ci_low": 0.04, "baseline/shuffled/p@1/csls:ci_high": 0.05})
    assert record["held"] is False
    assert reason == "p@1/csls:ci_low = 0.0400 is not above baseline/shuffled/p@1/csls:ci_high = 0.0500"
    _, reason = e.check({"p@1/csls:ci_low": 0.05, "baseline/shuffled/p@1/csls:ci_high": 0.05})
    assert reason is not None  # strictly above


def test_metric_below_another_metric_and_fixed_bounds_together():
    e = Expectation("residual", maximum=0.9, below_metric="baseline/shuffled/residual")
    assert e.failure({"residual": 0.5, "baseline/shuffled/residual": 0.95}) is None
    assert e.failure({"residual": 0.95, "baseline/shuffled/residual": 0.99}) == "residual = 0.9500 > allowed maximum 0.9"
    assert e.failure({"residual": 0.5, "baseline/shuffled/residual": 0.4}) == (
        "residual = 0.5000 is not below baseline/shuffled/residual = 0.4000")


def test_missing_or_non_finite_metrics_never_hold():
    e = Expectation("a", above_metric="b")
    assert e.failure({"a": 1.0}) == "expected metric 'b' was not produced (or is not finite)"
    assert e.failure({"b": 1.0}) == "expected metric 'a' was not produced (or is not finite)"
    assert e.failure({"a": float("nan"), "b": 0.0}) == "expected metric 'a' was not produced (or is not finite)"
    assert e.failure({"a": None, "b": 0.0}) is not None
    assert Expectation("a", minimum=0.5).failure({"a": 0.7}) is None


def test_an_expectation_without_a_bound_is_refused():
    with pytest.raises(TaskError, match="expectation on 'a' sets no bound"):
        Expectation("a")


def test_item_status():
    assert item_status([]) == "measured"
    assert item_status([{"held": True}, {"held": True}]) == "passed"
    assert item_status([{"held": True}, {"held": False}]) == "failed"


# --------------------------------------------------------------------------- run_item statuses


def test_statuses_of_real_items(toy_models, toy_task):
    item = Item(toy_task, ("toy-source", "toy-target"))
    passed = run_item(item, seed=0)  # toy_task expects p@1/csls >= 0.9
    assert passed.status == "passed" and passed.failures == []
    assert [c["metric"] for c in passed.expectations_checked] == ["p@1/csls"]
    assert passed.expectations_checked[0]["held"] is True
    assert passed.expectations_checked[0]["value"] == passed.metrics["p@1/csls"]

    beats_baseline = replace(toy_task, expectations=(
        Expectation("p@1/csls:ci_low", above_metric="baseline/shuffled/p@1/csls:ci_high"),))
    result = run_item(Item(beats_baseline, item.models), seed=0)
    assert result.status == "passed" and result.expectations_checked[0]["above_value"] < 0.05

    failing = replace(toy_task, expectations=(Expectation("p@1/csls", above_metric="p@10/csls"),))
    result = run_item(Item(failing, item.models), seed=0)
    assert result.status == "failed" and result.failures[0].startswith("p@1/csls = ")
    assert result.expectations_checked[0]["held"] is False

    others_only = replace(toy_task, expectations=(Expectation("p@1/csls", minimum=2.0, models=("x", "y")),))
    result = run_item(Item(others_only, item.models), seed=0)
    assert result.status == "measured" and result.expectations_checked == [] and result.failures == []


def test_run_summary_counts_only_failed_as_failures():
    def r(status):
        return Result(task="t", task_version="1", family="static_static", models=["a", "b"], metrics={},
                      seed=0, status=status)

    summary = RunSummary([r("passed"), r("failed"), r("measured"), r("skipped")], [])
    assert [x.status for x in summary.failed] == ["failed"]
    assert [x.status for x in summary.skipped] == ["skipped"]


def test_run_exit_codes_by_status(toy_models, toy_task, tmp_path, capsys):
    from benchmark.tasks import TASKS, register_task

    measured = register_task(replace(toy_task, name="toy_measured", expectations=()))
    failing = register_task(replace(toy_task, name="toy_failing", expectations=(Expectation("p@1/csls", minimum=1.5),)))
    try:
        argv = ["run", "--models", "toy-source,toy-target", "--no-progress", "--out"]
        assert main([*argv, str(tmp_path / "m"), "--tasks", measured.name]) == 0
        assert "0 failed expectations, 0 skipped" in capsys.readouterr().out
        assert main([*argv, str(tmp_path / "f"), "--tasks", failing.name]) == 1
        out = capsys.readouterr().out
        assert "2 failed expectations" in out and "FAILED toy_failing[toy-source->toy-target]: p@1/csls = " in out
        page = (tmp_path / "f" / "README.md").read_text(encoding="utf-8")
        assert "| failed " in page or "| failed |" in page
        assert "| measured" in (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
    finally:
        TASKS.unregister("toy_measured")
        TASKS.unregister("toy_failing")


# --------------------------------------------------------------------------- schema


def test_v2_results_validate_and_v1_files_are_still_read(toy_models, toy_task, tmp_path):
    result = run_item(Item(toy_task, ("toy-source", "toy-target")), seed=0)
    path = write_result(result, tmp_path)
    data = json.loads(path.read_text())
    assert data["schema_version"] == 2 and data["expectations_checked"][0]["metric"] == "p@1/csls"
    jsonschema.validate(data, SCHEMA)
    skipped = replace(result, metrics={}, status="skipped", sizes={}, details={}, failures=[],
                      expectations_checked=[], skip_reason="models 'a' and 'b' share 3 frequent plain words")
    jsonschema.validate(json.loads(skipped.to_json()), SCHEMA)
    v2_without_fields = dict(data)
    del v2_without_fields["expectations_checked"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(v2_without_fields, SCHEMA)

    v1 = {k: v for k, v in data.items() if k not in ("expectations_checked", "skip_reason")}
    v1.update(schema_version=1, status="passed")
    jsonschema.validate(v1, SCHEMA)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(v1), encoding="utf-8")
    back = read_result(old)
    assert back.expectations_checked == [] and back.skip_reason == "" and back.status == "passed"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**v1, "status": "measured"}, SCHEMA)  # v1 knew two statuses
    old.write_text(json.dumps({**v1, "status": "maybe"}), encoding="utf-8")
    with pytest.raises(DataFormatError, match="unknown status 'maybe'"):
        read_result(old)


# --------------------------------------------------------------------------- pytest tasks/

TASK_FILE = '''
from dataclasses import replace

from benchmark.adapters.base import StaticEmbeddings
from benchmark.adapters.toy import toy_pair
from benchmark.models import ModelSpec, register_model
from benchmark.tasks import Expectation, Task, register_task

_a, _b = toy_pair(n_words=600, dim_source=8, dim_target=8, noise=0.05, seed=1)
register_model(ModelSpec("st-a", "static", lambda: replace(_a, name="st-a"), default=False))
register_model(ModelSpec("st-b", "static", lambda: replace(_b, name="st-b"), default=False))
_alien = StaticEmbeddings("st-alien", [f"zzq{i:03d}x" for i in range(300)],
                          __import__("numpy").random.default_rng(0).standard_normal((300, 8)), revision="alien")
register_model(ModelSpec("st-alien", "static", lambda: _alien, default=False))
PARAMS = dict(search_vocab=50000, n_train=300, n_dev=50, n_test=100, min_train=50,
              normalization="unit+center+unit", csls_k=5, ks=(1, 5), isf_betas=(10.0,), n_bootstrap=20)
register_task(Task(name="st_measured", version="1", family="static_static", description="no expectation",
                   main_metric="p@1/csls", params=PARAMS,
                   expectations=(Expectation("p@1/csls", minimum=0.5, models=("st-a", "st-b")),)))
'''


def test_pytest_items_measured_pass_and_skipped_skip(pytester, monkeypatch, tmp_path):
    tasks = pytester.mkdir("tasks")
    (tasks / "status_tasks.py").write_text(TASK_FILE)
    monkeypatch.setenv("ROSETTA_TASKS_DIR", str(tasks))
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # this checkout's plugin, not the one the venv has installed
    out = tmp_path / "board"
    result = pytester.runpytest_subprocess("tasks", "--bench-models", "st-a,st-b,st-alien", "--bench-out", str(out),
                                           "-p", "no:cacheprovider", "-rs")
    # a->b passed (its expectation held), b->a measured (none applies): both pass; the four alien pairs skip
    result.assert_outcomes(passed=2, skipped=4)
    result.stdout.fnmatch_lines(["*st_measured[[]st-a->st-alien[]]: not measurable: models 'st-a' and 'st-alien' "
                                 "share 0 frequent plain words*"])
    statuses = {p.name: json.loads(p.read_text())["status"] for p in (out / "results").glob("*.json")}
    assert statuses["st_measured__st-a__st-b.json"] == "passed"
    assert statuses["st_measured__st-b__st-a.json"] == "measured"
    assert statuses["st_measured__st-alien__st-a.json"] == "skipped"
    page = (out / "README.md").read_text()
    assert "## Skipped items" in page and "`st_measured[st-b->st-alien]`" in page

"""``run --jobs N``: items on N worker processes give the sequential run's Results and tables."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from benchmark.errors import BenchmarkError, ModelLoadError
from benchmark.run import parallel
from benchmark.run.runner import Item, plan_items, run


def _comparable(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("timing", "provenance"):
        data.pop(key)
    return data


def _tables(out):
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in [out / "README.md", out / "summary.csv", *sorted((out / "tasks").glob("*.md"))]}


class _Task:
    def __init__(self, name):
        self.name = name


def _item(task, *models):
    return Item(task=_Task(task), models=models)  # affinity_groups reads only the model names


def test_items_of_one_contextual_model_form_one_group_handed_out_first():
    items = [_item("static_static", "a", "b"), _item("static_contextual", "a", "ctx1"),
             _item("context_drift", "ctx2"), _item("static_static", "b", "a"), _item("spectrum", "ctx1"),
             _item("spectrum", "ctx2"), _item("both", "ctx1", "ctx3"), _item("alone", "ctx3")]
    groups = parallel.affinity_groups(items, lambda name: name.startswith("ctx"))
    names = [[(i.task.name, i.models) for i in g] for g in groups]
    assert names == [
        [("static_contextual", ("a", "ctx1")), ("spectrum", ("ctx1",)), ("both", ("ctx1", "ctx3")),
         ("alone", ("ctx3",))],  # ctx3 joins ctx1's group through the item that uses both; the largest first
        [("context_drift", ("ctx2",)), ("spectrum", ("ctx2",))],
        [("static_static", ("a", "b"))], [("static_static", ("b", "a"))],  # static items: one each, run order
    ]
    assert parallel.affinity_groups([], lambda name: True) == []


def test_auto_jobs_and_threads_share_out_the_cores():
    assert parallel.auto_jobs(1) == 1 and parallel.auto_jobs(2) == 2 and parallel.auto_jobs(16) == 4
    assert parallel.threads_per_job(2, cores=2) == 1 and parallel.threads_per_job(4, cores=16) == 4
    assert parallel.threads_per_job(3, cores=2) == 1


def test_a_parallel_run_gives_the_sequential_run_s_results_and_tables(toy_models, toy_task, tmp_path, monkeypatch):
    task = replace(toy_task, params=toy_task.params.replace(n_bootstrap=50))
    items = plan_items([task], ["toy-source", "toy-target"])
    assert len(items) == 2
    alone = run(items, out_dir=tmp_path / "one", seed=0, progress=False, jobs=1)
    together = run(items, out_dir=tmp_path / "two", seed=0, progress=False, jobs=2)
    assert [r.item_id for r in together.computed] == [r.item_id for r in alone.computed] == [i.id for i in items]
    for name in sorted(p.name for p in (tmp_path / "one" / "results").glob("*.json")):
        a, b = _comparable(tmp_path / "one" / "results" / name), _comparable(tmp_path / "two" / "results" / name)
        assert {k: v for k, v in a["metrics"].items() if k.startswith("p@")} == \
               {k: v for k, v in b["metrics"].items() if k.startswith("p@")}
        assert b["metrics"] == pytest.approx(a["metrics"], rel=1e-9, abs=1e-12)  # BLAS threads: last bits at most
    assert _tables(tmp_path / "two") == _tables(tmp_path / "one")

    # a warm re-run reuses every Result here and starts no worker
    monkeypatch.setattr(parallel, "run_groups", lambda *a, **k: pytest.fail("a warm re-run started workers"))
    again = run(items, out_dir=tmp_path / "two", seed=0, progress=False, jobs=2)
    assert again.computed == [] and again.reused == [i.id for i in items]


def test_a_worker_s_error_stops_the_run_with_its_message_and_keeps_finished_results(toy_models, toy_task, tmp_path):
    from benchmark.models import MODELS, ModelSpec, load_model, register_model

    def broken():
        raise ModelLoadError("model 'toy-broken': weights are missing")

    register_model(ModelSpec("toy-broken", "static", broken, "fails to load", default=False))
    load_model.cache_clear()
    try:
        task = replace(toy_task, params=toy_task.params.replace(n_bootstrap=50))
        good = plan_items([task], ["toy-source", "toy-target"])[:1]
        bad = [Item(task, ("toy-broken", "toy-target"))]
        with pytest.raises(BenchmarkError, match="toy-broken.*weights are missing"):
            run(good + bad, out_dir=tmp_path, seed=0, progress=False, jobs=2)
    finally:
        MODELS.unregister("toy-broken")
        load_model.cache_clear()
    names = {p.name for p in (tmp_path / "results").glob("*.json")}
    assert all("toy-broken" not in n for n in names)  # nothing half-written for the failed item


def test_cli_jobs_option_is_checked_before_anything_runs(capsys):
    from benchmark.cli import main

    assert main(["run", "--jobs", "0", "--no-progress"]) == 2
    assert "--jobs must be 'auto' or an integer >= 1" in capsys.readouterr().err
    assert main(["run", "--jobs", "2", "--executor", "ray", "--no-progress"]) == 2
    assert "--jobs goes with the local executor" in capsys.readouterr().err


def test_rosetta_jobs_sets_the_default_and_a_bad_value_is_a_user_error(monkeypatch, capsys):
    from benchmark.cli import _jobs_of, _parser, main

    args = _parser().parse_args(["run"])
    monkeypatch.setenv("ROSETTA_JOBS", "3")
    assert _jobs_of(args) == 3
    assert _jobs_of(_parser().parse_args(["run", "--jobs", "1"])) == 1  # the option wins
    monkeypatch.setenv("ROSETTA_JOBS", "auto")
    assert _jobs_of(args) == parallel.auto_jobs()
    monkeypatch.setenv("ROSETTA_JOBS", "many")
    assert main(["run", "--tasks", "static_static", "--no-progress"]) == 2
    assert "$ROSETTA_JOBS: must be 'auto' or an integer >= 1, got 'many'" in capsys.readouterr().err

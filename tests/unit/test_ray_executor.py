"""Items as Ray tasks on a local Ray instance (``ray.init(num_cpus=2)``): the same Results and the same
leaderboard tables as the local runner."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

ray = pytest.importorskip("ray")

from benchmark.run.executors import run_on_ray  # noqa: E402
from benchmark.run.runner import plan_items, run  # noqa: E402


def _comparable(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("timing")
    return data


def _tables(out):
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in [out / "README.md", out / "summary.csv", *sorted((out / "tasks").glob("*.md"))]}


def test_a_ray_run_gives_the_local_run_s_results_and_tables(toy_models, toy_task, tmp_path):
    second = replace(toy_task, params=toy_task.params.replace(n_bootstrap=50))  # same name: another profile
    items = plan_items([toy_task], ["toy-source", "toy-target"])
    assert len(items) == 2
    local = run(items, out_dir=tmp_path / "local", seed=0, progress=False)
    cluster = run_on_ray(items, out_dir=tmp_path / "ray", seed=0, num_cpus=2)
    assert sorted(r.item_id for r in cluster.computed) == sorted(r.item_id for r in local.computed)
    for name in sorted(p.name for p in (tmp_path / "local" / "results").glob("*.json")):
        assert _comparable(tmp_path / "ray" / "results" / name) == _comparable(tmp_path / "local" / "results" / name)
    assert _tables(tmp_path / "ray") == _tables(tmp_path / "local")
    # a second cluster run reuses the workers' Results; a changed profile recomputes on the workers
    again = run_on_ray(items, out_dir=tmp_path / "ray", seed=0, num_cpus=2)
    assert again.computed == [] and sorted(again.reused) == sorted(i.id for i in items)
    changed = run_on_ray(plan_items([second], ["toy-source", "toy-target"]), out_dir=tmp_path / "ray", seed=0,
                         num_cpus=2)
    assert len(changed.computed) == 2 and all(r.params["n_bootstrap"] == 50 for r in changed.computed)
    assert not ray.is_initialized()  # the instance started for the run is shut down


def test_cli_rejects_ray_options_without_the_ray_executor(capsys):
    from benchmark.cli import main

    assert main(["run", "--address", "auto", "--tasks", "static_static", "--no-progress"]) == 2
    assert "--address and --ray-cpus go with --executor ray" in capsys.readouterr().err


def test_device_choice_travels_to_the_worker_which_resolves_it(toy_models, toy_task, tmp_path, monkeypatch):
    """``--device`` reaches a worker as given (not through the driver's environment, which a cluster's workers
    do not share); the worker resolves it, and its models and retrieval use the result inside the item only."""
    import os

    from benchmark.cli import main
    from benchmark.run import executors
    from benchmark.run.device import DEVICE_ENV
    from benchmark.scoring import retrieval

    forwarded = {}
    monkeypatch.setattr(executors, "run_on_ray", lambda items, **kw: forwarded.update(kw) or executors.RunSummary([], []))
    assert main(["run", "--executor", "ray", "--address", "auto", "--device", "cuda", "--models",
                 "toy-source,toy-target", "--tasks", "toy_static", "--out", str(tmp_path / "cli"), "--no-progress"]) == 0
    assert forwarded["device"] == "cuda" and forwarded["address"] == "auto"

    seen = {}

    def fake_execute(item, results_dir, **kw):
        seen.update(env=os.environ.get(DEVICE_ENV), retrieval=retrieval._TORCH_DEVICE.get())
        raise RuntimeError("stop here")

    monkeypatch.delenv(DEVICE_ENV, raising=False)
    monkeypatch.setattr(executors, "execute", fake_execute)
    monkeypatch.setattr("benchmark.run.device.resolve_device", lambda choice: {"cuda": "cuda:3"}.get(choice))
    item = plan_items([toy_task], ["toy-source", "toy-target"])[0]
    with pytest.raises(RuntimeError, match="stop here"):
        executors._execute_on_worker(item, [], str(tmp_path), 0, False, 0.0, "cuda")
    assert seen == {"env": "cuda:3", "retrieval": "cuda:3"}
    assert DEVICE_ENV not in os.environ and retrieval._TORCH_DEVICE.get() is None

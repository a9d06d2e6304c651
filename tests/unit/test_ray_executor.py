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

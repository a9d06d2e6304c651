"""The runner end to end on toy spaces with a known answer (a noisy rotation)."""

import json

import pytest

from benchmark.cli import main
from benchmark.errors import TaskError
from benchmark.models import MODELS, ModelSpec, load_model, register_model
from benchmark.run.runner import Item, plan_items, run, run_item


def test_plan_ordered_pairs(toy_models, toy_task):
    items = plan_items([toy_task], ["toy-source", "toy-target"])
    assert [i.id for i in items] == ["toy_static[toy-source->toy-target]", "toy_static[toy-target->toy-source]"]


def test_toy_rotation_is_recovered(toy_models, toy_task):
    result = run_item(Item(toy_task, ("toy-source", "toy-target")), seed=0)
    m = result.metrics
    assert result.status == "passed", result.failures
    assert m["p@1/csls"] >= 0.95 and m["p@1/nn"] >= 0.9
    assert m["p@1/csls:ci_low"] <= m["p@1/csls"] <= m["p@1/csls:ci_high"]
    assert m["baseline/shuffled/p@1/csls"] < 0.05  # the shuffled dictionary learns nothing
    assert m["residual"] < m["baseline/shuffled/residual"]
    assert m["coverage"] == pytest.approx(2000 / 10_000)
    assert result.sizes["test"] == 300 and result.sizes["source_dim"] == 24 and result.sizes["target_dim"] == 16
    assert result.details["isf_beta"] in (10.0, 30.0)


def test_run_writes_resumes_and_is_deterministic(toy_models, toy_task, tmp_path):
    items = plan_items([toy_task], ["toy-source", "toy-target"])
    first = run(items, out_dir=tmp_path / "a", seed=0, progress=False)
    assert len(first.computed) == 2 and first.reused == []
    again = run(items, out_dir=tmp_path / "a", seed=0, progress=False)
    assert again.computed == [] and len(again.reused) == 2
    forced = run(items, out_dir=tmp_path / "a", seed=0, force=True, progress=False)
    assert len(forced.computed) == 2
    run(items, out_dir=tmp_path / "b", seed=0, progress=False)
    page_a = (tmp_path / "a" / "README.md").read_bytes()
    assert page_a == (tmp_path / "b" / "README.md").read_bytes()
    stored = json.loads((tmp_path / "a" / "results" / "toy_static__toy-source__toy-target.json").read_text())
    assert stored["schema_version"] == 2 and stored["models"] == ["toy-source", "toy-target"]
    assert {"git_commit", "packages", "machine"} <= set(stored["provenance"])
    assert {"model", "simd"} <= set(stored["provenance"]["machine"]["cpu"])
    other_seed = run(items, out_dir=tmp_path / "a", seed=1, progress=False)
    assert len(other_seed.computed) == 2  # a different seed is a different result


def test_failed_expectation_is_recorded(toy_models, toy_task, tmp_path):
    from dataclasses import replace

    from benchmark.tasks import Expectation

    strict = replace(toy_task, expectations=(Expectation("p@1/csls", minimum=1.01),))
    summary = run(plan_items([strict], ["toy-source", "toy-target"])[:1], out_dir=tmp_path, progress=False)
    assert summary.failed and "p@1/csls = " in summary.failed[0].failures[0]
    assert (tmp_path / "results" / "toy_static__toy-source__toy-target.json").exists()


def test_load_error_names_item_and_writes_nothing(toy_models, toy_task, tmp_path):
    def broken():
        raise OSError("vectors.bin: permission denied")

    register_model(ModelSpec("toy-broken", "static", broken, default=False))
    load_model.cache_clear()
    try:
        items = plan_items([toy_task], ["toy-source", "toy-broken"])
        with pytest.raises(TaskError, match=r"toy_static\[toy-source->toy-broken\]: model 'toy-broken' failed to load"):
            run(items, out_dir=tmp_path, progress=False)
        assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())
    finally:
        MODELS.unregister("toy-broken")


def test_cli_unknown_names_exit_2(capsys):
    assert main(["run", "--models", "glove-6b-5d"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown model 'glove-6b-5d' (did you mean 'glove-6b-50d'?)")
    assert main(["run", "--tasks", "static_statc"]) == 2
    assert "did you mean 'static_static'" in capsys.readouterr().err


def test_cli_lists(capsys):
    assert main(["models"]) == 0 and "glove-6b-50d" in capsys.readouterr().out
    assert main(["tasks"]) == 0 and "static_static" in capsys.readouterr().out


def test_cli_run_toy(toy_models, toy_task, tmp_path, capsys):
    code = main(["run", "--models", "toy-source,toy-target", "--tasks", "toy_static",
                 "--out", str(tmp_path), "--no-progress"])
    assert code == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "2 computed, 0 reused" in out
    assert "toy-source → toy-target" in (tmp_path / "README.md").read_text()
    results = [json.loads(p.read_text()) for p in (tmp_path / "results").glob("*.json")]
    family = results[0]["family"]
    total = sum(r["timing"]["seconds"] for r in results)
    line = next(line for line in out.splitlines() if line.startswith("item time per family: "))
    assert line.startswith(f"item time per family: {family} {total:.1f} s ({total:.1f} s in all); wall ")
    wall = float(line.rsplit("wall ", 1)[1].removesuffix(" s"))
    assert wall >= max(r["timing"]["seconds"] for r in results) - 0.05
    # a re-run reuses both results: nothing computed, only the wall time
    assert main(["run", "--models", "toy-source,toy-target", "--tasks", "toy_static",
                 "--out", str(tmp_path), "--no-progress"]) == 0
    assert "item time per family: nothing computed; wall " in capsys.readouterr().out


def test_family_seconds_sums_per_family_largest_first():
    from benchmark.run.runner import RunSummary

    def result(family, seconds):
        return type("R", (), {"family": family, "timing": {"seconds": seconds}, "status": "passed"})()

    summary = RunSummary([result("a", 1.0), result("b", 2.5), result("a", 0.75), result("c", 0.0)], ["x"])
    assert list(summary.family_seconds().items()) == [("b", 2.5), ("a", 1.75), ("c", 0.0)]

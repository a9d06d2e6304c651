"""The Family contract: every built-in family conforms, and a third party's family evaluates and renders."""

from __future__ import annotations

import pytest

from benchmark.errors import TaskError
from benchmark.families import BUILTIN, FAMILIES, Family, Measurement, get_family, register_family
from benchmark.report.leaderboard import Column, Summary
from benchmark.run.results import read_results
from benchmark.run.runner import plan_items, run
from benchmark.tasks import TASKS, Expectation, Task, register_task


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_families_provide_the_contract(name):
    family = get_family(name)
    assert isinstance(family, Family)
    assert callable(family.evaluate) and callable(family.render) and isinstance(family.summary, Summary)


class MeanNormFamily:
    """A third party's family: the mean vector norm of each model, a ratio of the two."""

    summary = Summary(question="How long are the vectors?", columns=(Column("norm ratio", "norm_ratio"),))

    def evaluate(self, task, models, *, seed):
        a, b = (float((m.vectors ** 2).sum(1).mean() ** 0.5) for m in models)
        return Measurement(metrics={"norm_ratio": a / b, "norm_a": a}, sizes={"test": len(models[0])})

    def render(self, results, plots_dir):
        lines = [f"## {results[0].task} (third-party section)"]
        lines += [f"- {' → '.join(r.models)}: {r.metrics['norm_ratio']:.3f}" for r in results]
        return "\n".join(lines)


@pytest.fixture
def third_party(toy_models):
    register_family("mean_norm", MeanNormFamily())
    task = register_task(Task(name="mean_norm_task", version="1", family="mean_norm", description="norms",
                              main_metric="norm_ratio", expectations=(Expectation("norm_ratio", minimum=0.0),)))
    yield task
    TASKS.unregister("mean_norm_task")
    FAMILIES.unregister("mean_norm")


def test_third_party_family_runs_and_renders_through_the_runner(third_party, tmp_path):
    summary = run(plan_items([third_party], ["toy-source", "toy-target"]), out_dir=tmp_path, progress=False)
    assert [r.status for r in summary.computed] == ["passed", "passed"]
    results = read_results(tmp_path / "results")
    assert {r.family for r in results} == {"mean_norm"}
    page = (tmp_path / "tasks" / "mean_norm_task.md").read_text()
    assert "## mean_norm_task (third-party section)" in page and "toy-source → toy-target" in page
    board = (tmp_path / "README.md").read_text()
    assert "How long are the vectors?" in board and "norm ratio" in board


def test_a_family_without_render_is_refused_by_name():
    class EvaluateOnly:
        summary = Summary(question="?", columns=())

        def evaluate(self, task, models, *, seed):
            return Measurement(metrics={})

    with pytest.raises(TaskError, match="'half' does not provide render"):
        register_family("half", EvaluateOnly())
    assert "half" not in FAMILIES


def test_a_duplicate_family_name_raises():
    with pytest.raises(Exception, match="already registered"):
        register_family("static_static", MeanNormFamily())

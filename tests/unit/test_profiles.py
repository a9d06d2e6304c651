"""Named task profiles (`run --profile NAME`): applied, recorded, selected, and never compared across."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from benchmark.cli import main
from benchmark.errors import DataFormatError, TaskError
from benchmark.run.compare import compare_dirs
from benchmark.run.runner import plan_items, run
from benchmark.tasks import TASKS, get_task, register_task


@pytest.fixture
def profiled_task(toy_task):
    task = register_task(replace(toy_task, name="toy_profiled", profiles={"wide": {"search_vocab": 1_500}}))
    yield task
    TASKS.unregister("toy_profiled")


def test_a_profile_overrides_and_is_recorded(profiled_task):
    wide = profiled_task.with_profile("wide")
    assert wide.params.search_vocab == 1_500 and wide.params.profile == "wide"
    assert profiled_task.with_profile("full") is profiled_task
    assert profiled_task.profile_names() == ("full", "quick", "wide")
    with pytest.raises(TaskError, match="has no profile 'wid' \\(did you mean 'wide'"):
        profiled_task.with_profile("wid")


def test_a_profile_must_override_parameters_of_the_task(profiled_task):
    with pytest.raises(TaskError, match="task 'toy_profiled': profile 'typo': 'serch_vocab' is no parameter of "
                                        "StaticStaticParams \\(did you mean 'search_vocab'"):
        replace(profiled_task, profiles={"typo": {"serch_vocab": 10}})  # refused when the task is made


def test_the_shipped_static_static_task_has_muse_s_200k_protocol():
    muse = get_task("static_static").with_profile("muse-200k")
    assert muse.params.search_vocab == 200_000 and muse.params.profile == "muse-200k"
    assert muse.params.csls_k == 10 and muse.params.n_test == 1_500


def test_run_profile_writes_its_own_folder_and_compare_refuses_other_profiles(profiled_task, toy_models, tmp_path,
                                                                              monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = ["run", "--tasks", "toy_profiled", "--models", "toy-source", "toy-target", "--no-progress"]
    assert main([*args, "--profile", "wide"]) == 0
    stored = json.loads((tmp_path / "leaderboard" / "wide" / "results" / "toy_profiled__toy-source__toy-target.json")
                        .read_text())
    assert stored["params"]["profile"] == "wide" and stored["params"]["search_vocab"] == 1_500
    run(plan_items([profiled_task], ["toy-source", "toy-target"]), out_dir=tmp_path / "full", progress=False)
    with pytest.raises(DataFormatError, match="ran under another profile than the baseline's, e.g. "
                                              "toy_profiled\\[toy-source->toy-target\\] \\(baseline full, candidate wide\\)"):
        compare_dirs(tmp_path / "full", tmp_path / "leaderboard" / "wide")
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "full"), str(tmp_path / "leaderboard" / "wide")]) == 2
    assert "another profile" in capsys.readouterr().err
    assert main([*args, "--profile", "wide", "--quick"]) == 2


def test_an_expectation_naming_a_tuple_no_item_has_is_refused(toy_task):
    from benchmark.tasks import Expectation

    wrong = replace(toy_task, name="toy_wrong_tuple", model_kinds=("static",),
                    expectations=(Expectation("p@1/csls", minimum=0.1, models=("a", "b")),))
    with pytest.raises(TaskError, match="names models \\('a', 'b'\\), but an item of this task has 1 model"):
        register_task(wrong)
    assert "toy_wrong_tuple" not in TASKS

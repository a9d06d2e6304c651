"""compare, leaderboard --check, score, config-file models, the example workflow, the Result schema."""

import json
import shlex
from dataclasses import replace
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import yaml

from benchmark.cli import _parser, main
from benchmark.run.compare import compare_results, regressed
from benchmark.run.results import Result, read_results, write_result
from benchmark.tasks import get_task

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "benchmark" / "schema" / "result.schema.json").read_text())


def result(models, value, low=None, high=None, higher=True):
    metrics = {"p@1/csls": value}
    if low is not None:
        metrics.update({"p@1/csls:ci_low": low, "p@1/csls:ci_high": high})
    return Result(task="t", task_version="1", family="static_static", models=list(models), metrics=metrics,
                  seed=0, status="passed", main_metric="p@1/csls", higher_is_better=higher,
                  params=get_task("static_static").params_dict())


def test_regression_needs_tolerance_and_ci():
    assert not regressed(0.80, 0.79, True, 0.02)  # within tolerance
    assert regressed(0.80, 0.70, True, 0.02)  # no CI: tolerance alone
    assert not regressed(0.80, 0.75, True, 0.02, ci=(0.70, 0.81))  # inside the noise
    assert regressed(0.80, 0.75, True, 0.02, ci=(0.72, 0.78))
    assert regressed(0.50, 0.60, False, 0.02, ci=(0.55, 0.65))  # lower is better: a rise is a drop


def test_compare_results_pairs_items():
    base = [result("ab", 0.8), result("ba", 0.8)]
    cand = [result("ab", 0.7, 0.68, 0.72), result("ba", 0.81, 0.79, 0.83), result("ca", 0.5)]
    deltas = compare_results(base, cand, max_drop=0.02)
    assert [(d.item_id, d.regressed) for d in deltas] == [("t[a->b]", True), ("t[b->a]", False)]
    assert deltas[0].change == pytest.approx(-0.1)


def test_compare_cli_exit_codes(tmp_path, capsys):
    for r in (result("ab", 0.8), result("ba", 0.8)):
        write_result(r, tmp_path / "base" / "results")
    for r in (result("ab", 0.79, 0.77, 0.81), result("ba", 0.8, 0.78, 0.82)):
        write_result(r, tmp_path / "good" / "results")
    for r in (result("ab", 0.6, 0.58, 0.62), result("ba", 0.8, 0.78, 0.82)):
        write_result(r, tmp_path / "bad" / "results")
    assert main(["compare", str(tmp_path / "base"), str(tmp_path / "good")]) == 0
    assert "2 compared, 0 regressed" in capsys.readouterr().out
    assert main(["compare", str(tmp_path / "base"), str(tmp_path / "bad")]) == 1
    out = capsys.readouterr().out
    assert "REGRESSED" in out and "1 regressed" in out
    assert main(["compare", str(tmp_path / "base"), str(tmp_path / "missing")]) == 2


def test_leaderboard_check_detects_stale_page(tmp_path, capsys):
    write_result(result("ab", 0.8), tmp_path / "results")
    assert main(["leaderboard", "--results", str(tmp_path), "--check"]) == 1
    assert main(["leaderboard", "--results", str(tmp_path)]) == 0
    assert main(["leaderboard", "--results", str(tmp_path), "--check"]) == 0
    write_result(result("ba", 0.7), tmp_path / "results")
    assert main(["leaderboard", "--results", str(tmp_path), "--check"]) == 1
    assert "stale: " in capsys.readouterr().out
    (tmp_path / "tasks" / "gone.md").write_text("a page no result backs", encoding="utf-8")
    assert main(["leaderboard", "--results", str(tmp_path)]) == 0
    assert not (tmp_path / "tasks" / "gone.md").exists()
    (tmp_path / "summary.csv").write_text("edited by hand\n", encoding="utf-8")
    assert main(["leaderboard", "--results", str(tmp_path), "--check"]) == 1
    assert "summary.csv" in capsys.readouterr().out


def _write_vectors(path: Path, words, vectors):
    lines = [f"{len(words)} {vectors.shape[1]}"] + [
        w + " " + " ".join(f"{x:.6f}" for x in row) for w, row in zip(words, vectors)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def user_vectors(tmp_path, toy_models, toy_task):
    """A word2vec text file: the toy source space, rotated (what a user would bring)."""
    source, _ = toy_models
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((source.dim, source.dim)))
    path = tmp_path / "mine.vec"
    _write_vectors(path, source.words, source.vectors @ q)
    return path


def test_score_a_new_model(user_vectors, tmp_path, capsys, monkeypatch):
    import benchmark.run.runner as runner

    monkeypatch.setattr(runner, "model_names", lambda **kw: ["toy-source", "toy-target"])
    from benchmark.models import MODELS

    try:
        code = main(["score", str(user_vectors), "--format", "word2vec", "--name", "mine", "--tasks", "toy_static",
                     "--out", str(tmp_path / "out"), "--board", str(tmp_path / "no-board"), "--no-progress"])
        out = capsys.readouterr().out
        assert code == 0, out
        assert "toy_static[mine->toy-source]" in out and "rank in task" in out
        ids = {r.item_id for r in read_results(tmp_path / "out" / "results")}
        assert ids == {"toy_static[mine->toy-source]", "toy_static[mine->toy-target]",
                       "toy_static[toy-source->mine]", "toy_static[toy-target->mine]"}
        assert "mine" in (tmp_path / "out" / "README.md").read_text()
        assert "no leaderboard at" in out
        assert (tmp_path / "out" / "site" / "models" / "mine.html").is_file() and "mine.html" in out
    finally:
        MODELS.unregister("mine")


def test_score_ranks_against_the_leaderboard_s_items(user_vectors, tmp_path, capsys, monkeypatch, toy_task):
    """A board with the task's other items (here: the defaults' own pair): the new items are ranked among
    them too, and the table says where ('k/N: below X, above Y')."""
    import benchmark.run.runner as runner
    from benchmark.models import MODELS
    from benchmark.run.runner import plan_items, run

    monkeypatch.setattr(runner, "model_names", lambda **kw: ["toy-source", "toy-target"])
    run(plan_items([toy_task], ["toy-source", "toy-target"]), out_dir=tmp_path / "board", seed=0, progress=False)
    try:
        code = main(["score", str(user_vectors), "--format", "word2vec", "--name", "mine", "--tasks", "toy_static",
                     "--out", str(tmp_path / "out"), "--board", str(tmp_path / "board"), "--no-progress"])
        out = capsys.readouterr().out
        assert code == 0, out
        rows = [ln for ln in out.splitlines() if ln.startswith("| toy_static") or "toy_static[" in ln]
        assert len(rows) == 4 and all("/6" in ln for ln in rows)  # 4 new items + the board's 2
        assert "below " in out or "above " in out
        assert f"ranked among the items of {tmp_path / 'board' / 'results'} (2 Results)" in out
    finally:
        MODELS.unregister("mine")


def test_score_refuses_pickle_without_opt_in(tmp_path, capsys):
    path = tmp_path / "model.kv"
    path.write_bytes(b"\x80\x04not really")
    assert main(["score", str(path), "--format", "gensim", "--name", "pickled", "--tasks", "static_static",
                 "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "refusing to unpickle a user path (pass --allow-pickle" in err
    assert not (tmp_path / "o" / "results").exists()
    from benchmark.models import MODELS

    assert "pickled" not in MODELS  # a model that does not load is not left registered


def test_config_file_models(tmp_path):
    from benchmark.errors import DataFormatError
    from benchmark.models import MODELS, load_model, register_config_models
    from benchmark.models.discovery import config_models

    _write_vectors(tmp_path / "v.txt", ["cat", "dog"], np.eye(2))
    (tmp_path / "benchmark.toml").write_text('[models.cfg-model]\npath = "v.txt"\nformat = "word2vec"\n')
    (tmp_path / "pyproject.toml").write_text('[tool.benchmark.models.py-model]\npath = "v.txt"\nformat = "glove"\n')
    assert set(config_models(tmp_path)) == {"cfg-model", "py-model"}
    try:
        register_config_models(tmp_path)
        load_model.cache_clear()
        assert load_model("cfg-model").words == ("cat", "dog")
    finally:
        MODELS.unregister("cfg-model")
        MODELS.unregister("py-model")
        load_model.cache_clear()
    (tmp_path / "benchmark.toml").write_text('[models.broken]\nformat = "word2vec"\n')
    register_config_models(tmp_path)  # a bad entry blocks only the commands that use it (test_cli_errors)
    try:
        from benchmark.models import get_model_spec

        with pytest.raises(DataFormatError, match="benchmark.toml: model 'broken' needs 'path' and 'format' keys"):
            get_model_spec("broken")
    finally:
        MODELS.unregister("broken")
    (tmp_path / "benchmark.toml").write_text('[models.broken\n')
    with pytest.raises(DataFormatError, match="benchmark.toml: invalid TOML"):
        register_config_models(tmp_path)


def test_example_workflow_parses_and_uses_valid_commands():
    flow = yaml.safe_load((REPO / ".github" / "workflows" / "benchmark.yml").read_text())
    steps = flow["jobs"]["embedding-regression-gate"]["steps"]
    commands = [s["run"] for s in steps if "run" in s and "python -m benchmark" in s["run"]]
    assert any("--quick" in c for c in commands) and any(" compare " in c for c in commands)
    for command in commands:
        argv = shlex.split(command.split("python -m benchmark", 1)[1])
        _parser().parse_args(argv)  # SystemExit on a stale flag
    installs = " ".join(s.get("run", "") for s in steps)
    assert "torch==2.13.0" in installs and "--no-deps wefe==1.0.1" in installs


def test_results_validate_against_schema(toy_models, toy_task, tmp_path):
    from benchmark.run.runner import plan_items, run

    run(plan_items([replace(toy_task, params=toy_task.params.replace(n_bootstrap=50))],
                   ["toy-source", "toy-target"])[:1], out_dir=tmp_path, progress=False)
    files = list((tmp_path / "results").glob("*.json")) + list((REPO / "leaderboard" / "results").glob("*.json"))
    assert files
    for path in files:
        jsonschema.validate(json.loads(path.read_text()), SCHEMA)
    bad = json.loads(files[0].read_text())
    bad["metrics"]["p@1/csls"] = "high"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)

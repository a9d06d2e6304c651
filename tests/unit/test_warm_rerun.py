"""A warm re-run (every item's Result current) loads no model, imports no torch and redraws no plot
whose inputs did not change; plots whose inputs changed are redrawn."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.errors import TaskError
from benchmark.report.leaderboard import markdown_table, write_leaderboard
from benchmark.run.runner import plan_items, run

COMMITTED = Path(__file__).resolve().parents[2] / "leaderboard" / "results"
# one Result of each family that draws: its plot's file name
PLOTTED = {
    "context_drift__minilm-l6.json": "context_drift__minilm-l6.png",
    "static_contextual__glove-6b-50d__minilm-l6.json": "static_contextual__glove-6b-50d__minilm-l6.png",
    "spectrum_by_category__glove-6b-50d.json": "spectrum_by_category__glove-6b-50d.png",
    "spectrum_contextual_mid__minilm-l6.json": "spectrum_contextual_mid__minilm-l6.png",
}


def _no_model(name):
    raise AssertionError(f"a warm re-run loaded model {name}")


def _no_torch(choice):
    raise AssertionError("a warm re-run resolved the torch device (imports torch)")


def test_warm_rerun_loads_no_model_and_no_torch(toy_models, toy_task, tmp_path, monkeypatch, capsys):
    args = ["run", "--models", "toy-source,toy-target", "--tasks", "toy_static", "--out", str(tmp_path),
            "--no-progress"]
    assert main(args) == 0
    capsys.readouterr()
    page = (tmp_path / "README.md").read_bytes()
    monkeypatch.setattr("benchmark.run.runner.load_model", _no_model)
    monkeypatch.setattr("benchmark.run.device.resolve_device", _no_torch)
    assert main(args) == 0
    assert "0 computed, 2 reused" in capsys.readouterr().out
    assert (tmp_path / "README.md").read_bytes() == page
    # the patch sits on the path an item takes when it is computed
    with pytest.raises(TaskError, match="a warm re-run loaded model toy-source"):
        run(plan_items([toy_task], ["toy-source", "toy-target"])[:1], out_dir=tmp_path, force=True, progress=False)


@pytest.fixture
def board(tmp_path):
    pytest.importorskip("matplotlib")
    missing = [n for n in PLOTTED if not (COMMITTED / n).is_file()]
    if missing:
        pytest.skip(f"committed Results missing: {missing}")
    (tmp_path / "results").mkdir()
    for name in PLOTTED:
        shutil.copy(COMMITTED / name, tmp_path / "results" / name)
    write_leaderboard(tmp_path)
    return tmp_path


def _counting_draws(monkeypatch):
    from benchmark.report import plots

    drawn = []
    real = plots.png_bytes

    def png_bytes(fig, *a, **k):
        drawn.append(fig)
        return real(fig, *a, **k)

    monkeypatch.setattr(plots, "png_bytes", png_bytes)
    return drawn


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_unchanged_plots_are_not_redrawn(board, monkeypatch):
    before = _snapshot(board)
    assert all((board / "plots" / png).is_file() and (board / "site" / "plots" / png).is_file()
               for png in PLOTTED.values())
    drawn = _counting_draws(monkeypatch)
    write_leaderboard(board)
    assert drawn == []
    assert _snapshot(board) == before


def test_a_changed_result_redraws_its_plot_only(board, monkeypatch):
    plots = board / "plots"
    old = {png: (plots / png).read_bytes() for png in PLOTTED.values()}
    path = board / "results" / "context_drift__minilm-l6.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["details"]["layers"][0]["self_similarity"] = 0.5 * (data["details"]["layers"][0]["self_similarity"] or 0.0) + 0.25
    path.write_text(json.dumps(data), encoding="utf-8")
    drawn = _counting_draws(monkeypatch)
    write_leaderboard(board)
    assert len(drawn) == 1
    changed = [png for png in PLOTTED.values() if (plots / png).read_bytes() != old[png]]
    assert changed == ["context_drift__minilm-l6.png"]
    assert (board / "site" / "plots" / changed[0]).read_bytes() == (plots / changed[0]).read_bytes()


def test_a_touched_png_or_a_lost_manifest_is_redrawn_to_the_same_bytes(board, monkeypatch):
    from benchmark.report.plots import PLOT_KEYS

    plots = board / "plots"
    before = _snapshot(board)
    drawn = _counting_draws(monkeypatch)
    (plots / "spectrum_by_category__glove-6b-50d.png").write_bytes(b"\x89PNG not a plot")
    write_leaderboard(board)
    assert len(drawn) == 1 and _snapshot(board) == before
    (plots / PLOT_KEYS).unlink()
    write_leaderboard(board)
    assert len(drawn) == 1 + len(PLOTTED) and _snapshot(board) == before


def test_new_drawing_code_redraws_every_plot(board, monkeypatch):
    from benchmark.report import plots

    drawn = _counting_draws(monkeypatch)
    monkeypatch.setattr(plots, "drawing_code_version", lambda: "another version of the drawing code")
    write_leaderboard(board)
    assert len(drawn) == len(PLOTTED)
    write_leaderboard(board)
    assert len(drawn) == len(PLOTTED)


def test_plot_inputs_without_a_stable_hash_are_refused():
    from benchmark.report.plots import plot_key

    with pytest.raises(TypeError, match="generator"):
        plot_key("layer_plot", {"y": (v for v in (1.0, 2.0))})
    np = pytest.importorskip("numpy")
    assert plot_key("k", {"y": np.array([1.0, 2.0])}) == plot_key("k", {"y": [1.0, 2.0]})
    assert plot_key("k", {"y": [1.0, 2.0]}) != plot_key("k", {"y": [1.0, 2.0000000001]})


@pytest.mark.parametrize("rows", [
    [],
    [{"#": 1, "models": "a → b", "P@1": "0.610 [0.590, 0.630]"}, {"#": 2, "models": "c → d", "P@1": "–"}],
    [{"layer": 0, "x": "0.1"}, {"layer": "input emb.", "x": ""}],   # text and numbers in one column
    [{"a": 1, "b": 2.5}, {"a": 2.25, "b": 3}],                      # numbers only: pandas makes them floats
    [{"a": "x", "b": None}, {"a": "y", "b": "z"}],                  # None among text: pandas writes nan
    [{"a": "x", "b": 1}, {"a": "y"}],                               # a missing cell
    [{"a": "x", "b": True, "c": float("nan")}, {"a": "y", "b": False, "c": 1.0}],
])
def test_markdown_table_is_what_pandas_gives(rows):
    pd = pytest.importorskip("pandas")
    from tabulate import tabulate

    expected = tabulate(pd.DataFrame(rows), headers="keys", tablefmt="github", showindex=False,
                        disable_numparse=True)
    assert markdown_table(rows) == expected


def test_perf_script_refuses_a_folder_where_a_run_would_compute(tmp_path, capsys):
    from benchmark.perf.warm_rerun import main as perf_main

    assert perf_main(["--results", str(tmp_path)]) == 2
    (tmp_path / "results").mkdir()
    assert perf_main(["--results", str(tmp_path), "--no-cold"]) == 2
    assert "not every item of the default run has a current Result" in capsys.readouterr().err


def test_site_task_pages_are_converted_only_when_their_markdown_changed(board, monkeypatch):
    from benchmark.report import site

    before = _snapshot(board)
    converted = []
    real = site._task_html
    monkeypatch.setattr(site, "_task_html", lambda text, task: converted.append(task) or real(text, task))
    write_leaderboard(board)
    assert converted == [] and _snapshot(board) == before
    page = board / "site" / "tasks" / "context_drift.html"
    page.write_text("edited by hand", encoding="utf-8")
    write_leaderboard(board)
    assert converted == ["context_drift"] and _snapshot(board) == before
    path = board / "results" / "context_drift__minilm-l6.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["metrics"]["self_similarity/adjusted"] = 0.123456
    path.write_text(json.dumps(data), encoding="utf-8")
    write_leaderboard(board)
    assert converted == ["context_drift", "context_drift"]
    assert page.read_text(encoding="utf-8") == real((board / "tasks" / "context_drift.md").read_text(encoding="utf-8"),
                                                    "context_drift")

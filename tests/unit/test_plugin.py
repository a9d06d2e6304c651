"""`pytest tasks/`: one item per (task, ordered model pair), results recorded either way."""

import json
from pathlib import Path

pytest_plugins = ["pytester"]
REPO = Path(__file__).resolve().parents[2]

TASK_FILE = '''
from benchmark.adapters.toy import toy_pair
from benchmark.models import ModelSpec, register_model
from benchmark.tasks import Expectation, Task, register_task

_a, _b = toy_pair(n_words=1500, dim_source=12, dim_target=12, noise=0.05, seed=1)
register_model(ModelSpec("toy-a", "static", lambda: _a, default=False))
register_model(ModelSpec("toy-b", "static", lambda: _b, default=False))
PARAMS = dict(search_vocab=50000, n_train=600, n_dev=100, n_test=200, min_train=100,
              normalization="unit+center+unit", csls_k=5, ks=(1, 5, 10), isf_betas=(10.0,), n_bootstrap=50)
for name, minimum in (("toy_easy", 0.8), ("toy_impossible", 1.5)):
    register_task(Task(name=name, version="1", family="static_static", description=name,
                       main_metric="p@1/csls", params=PARAMS,
                       expectations=(Expectation("p@1/csls", minimum=minimum),)))
'''


def test_task_items_collected_run_and_recorded(pytester, monkeypatch, tmp_path):
    tasks = pytester.mkdir("tasks")
    (tasks / "toy_tasks.py").write_text(TASK_FILE)
    monkeypatch.setenv("ROSETTA_TASKS_DIR", str(tasks))
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # this checkout's plugin, not the one the venv has installed
    out = tmp_path / "board"
    result = pytester.runpytest_subprocess("tasks", "--bench-models", "toy-a,toy-b", "--bench-out", str(out), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*toy_impossible[[]toy-a->toy-b[]]: p@1/csls = * < required minimum 1.5*"])
    files = sorted(p.name for p in (out / "results").glob("*.json"))
    assert files == ["toy_easy__toy-a__toy-b.json", "toy_easy__toy-b__toy-a.json",
                     "toy_impossible__toy-a__toy-b.json", "toy_impossible__toy-b__toy-a.json"]
    assert json.loads((out / "results" / files[2]).read_text())["status"] == "failed"
    page = (out / "README.md").read_text()
    assert "## toy_easy" in page and "## toy_impossible" in page

    selected = pytester.runpytest_subprocess("tasks", "--bench-models", "toy-a,toy-b", "--bench-out", str(out),
                                             "-k", "toy_easy", "--collect-only", "-q", "-p", "no:cacheprovider")
    selected.stdout.fnmatch_lines(["*toy_easy[[]toy-a->toy-b[]]", "*toy_easy[[]toy-b->toy-a[]]"])


def test_unknown_model_is_a_collection_error(pytester, monkeypatch):
    tasks = pytester.mkdir("tasks")
    (tasks / "toy_tasks.py").write_text(TASK_FILE)
    monkeypatch.setenv("ROSETTA_TASKS_DIR", str(tasks))
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # this checkout's plugin, not the one the venv has installed
    result = pytester.runpytest_subprocess("tasks", "--bench-models", "toy-c", "-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*unknown model 'toy-c' (did you mean*"])

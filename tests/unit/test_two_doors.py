"""One select and one execute behind both doors: ``python -m benchmark run`` and ``pytest tasks/``.

The same toy item run through each door gives the same Result (params, profile, metrics), under
the full profile and under ``--quick`` / ``--bench-quick``; the quick model selection is the same too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
REPO = Path(__file__).resolve().parents[2]

TASK_FILE = '''
from benchmark.adapters.toy import toy_pair
from benchmark.models import ModelSpec, register_model
from benchmark.tasks import Task, register_task

_a, _b = toy_pair(n_words=1500, dim_source=12, dim_target=12, noise=0.05, seed=1)
register_model(ModelSpec("door-a", "static", lambda: _a, default=False))
register_model(ModelSpec("door-b", "static", lambda: _b, default=False))
register_task(Task(name="door_static", version="1", family="static_static", description="both doors",
                   main_metric="p@1/csls",
                   params=dict(search_vocab=50000, n_train=600, n_dev=100, n_test=200, min_train=100,
                               normalization="unit+center+unit", csls_k=5, ks=(1, 5, 10), isf_betas=(10.0,),
                               n_bootstrap=60),
                   quick_params=dict(n_train=300, n_test=100, n_bootstrap=20)))
register_task(Task(name="door_contextual", version="1", family="context_drift", description="selection only",
                   main_metric="sense_accuracy", model_kinds=("contextual",)))
'''

COMPARED = ("task", "task_version", "models", "seed", "params", "metrics", "sizes", "status")


def _env(tasks: Path) -> dict:
    return {**os.environ, "ROSETTA_TASKS_DIR": str(tasks), "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def _cli(tasks: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark", *args], env=_env(tasks), cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def _result(folder: Path, name: str) -> dict:
    data = json.loads((folder / "results" / name).read_text())
    return {key: data[key] for key in COMPARED}


def _both_doors(pytester, monkeypatch, tmp_path, *, quick: bool):
    tasks = pytester.mkdir("tasks")
    (tasks / "door_tasks.py").write_text(TASK_FILE)
    for key, value in _env(tasks).items():
        monkeypatch.setenv(key, value)
    cli_out, pytest_out = tmp_path / "cli", tmp_path / "pytest"
    flag = ["--quick"] if quick else []
    done = _cli(tasks, "run", "--tasks", "door_static", "--models", "door-a,door-b", "--out", str(cli_out),
                "--no-progress", *flag, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ran = pytester.runpytest_subprocess("tasks", "-k", "door_static", "--bench-models", "door-a,door-b",
                                        "--bench-out", str(pytest_out), "-p", "no:cacheprovider",
                                        *(["--bench-quick"] if quick else []))
    ran.assert_outcomes(passed=2)
    for name in ("door_static__door-a__door-b.json", "door_static__door-b__door-a.json"):
        assert _result(cli_out, name) == _result(pytest_out, name)
    return _result(cli_out, "door_static__door-a__door-b.json")


def test_full_profile_same_result_through_both_doors(pytester, monkeypatch, tmp_path):
    result = _both_doors(pytester, monkeypatch, tmp_path, quick=False)
    assert result["params"]["profile"] == "full" and result["params"]["n_bootstrap"] == 60


def test_quick_profile_same_result_through_both_doors(pytester, monkeypatch, tmp_path):
    result = _both_doors(pytester, monkeypatch, tmp_path, quick=True)
    assert result["params"]["profile"] == "quick"
    assert (result["params"]["n_train"], result["params"]["n_bootstrap"]) == (300, 20)
    assert result["sizes"]["test"] == 100


def test_quick_model_selection_is_the_same_through_both_doors(pytester, monkeypatch):
    """Without named models, --bench-quick drops the models marked quick=False, exactly as `run --quick` does."""
    tasks = pytester.mkdir("tasks")
    (tasks / "door_tasks.py").write_text(TASK_FILE)
    for key, value in _env(tasks).items():
        monkeypatch.setenv(key, value)
    script = ("import sys; from benchmark.run.runner import select; "
              "print('\\n'.join(i.id for i in select(['door_contextual'], quick=sys.argv[1] == 'quick')))")
    for profile in ("quick", "full"):
        planned = subprocess.run([sys.executable, "-c", script, profile], env=_env(tasks), capture_output=True,
                                 text=True, timeout=300, check=True).stdout.split()
        collected = pytester.runpytest_subprocess("tasks", "-k", "door_contextual", "--collect-only", "-q",
                                                  "-p", "no:cacheprovider",
                                                  *(["--bench-quick"] if profile == "quick" else []))
        ids = sorted(line.split("::")[-1] for line in collected.outlines if "door_contextual[" in line)
        assert ids == sorted(planned) and ids, (profile, ids, planned)
        if profile == "quick":
            assert not any("gemma3-270m" in i for i in ids)
        else:
            assert any("gemma3-270m" in i for i in ids)


def test_two_profiles_at_once_are_a_usage_error_through_both_doors(pytester, monkeypatch, tmp_path):
    tasks = pytester.mkdir("tasks")
    (tasks / "door_tasks.py").write_text(TASK_FILE)
    for key, value in _env(tasks).items():
        monkeypatch.setenv(key, value)
    ran = pytester.runpytest_subprocess("tasks", "--bench-quick", "--bench-profile", "muse-200k", "-p", "no:cacheprovider")
    assert ran.ret == pytest.ExitCode.USAGE_ERROR
    ran.stderr.fnmatch_lines(["*--bench-quick and --bench-profile muse-200k are two profiles: choose one*"])
    done = _cli(tasks, "run", "--quick", "--profile", "muse-200k", "--no-progress", cwd=tmp_path)
    assert done.returncode == 2 and "are two profiles: choose one" in done.stderr


def test_a_baseline_of_another_profile_fails_the_pytest_gate(pytester, monkeypatch, tmp_path):
    tasks = pytester.mkdir("tasks")
    (tasks / "door_tasks.py").write_text(TASK_FILE)
    for key, value in _env(tasks).items():
        monkeypatch.setenv(key, value)
    full = tmp_path / "full"
    done = _cli(tasks, "run", "--tasks", "door_static", "--models", "door-a,door-b", "--out", str(full), "--no-progress",
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ran = pytester.runpytest_subprocess("tasks", "-k", "door_static", "--bench-models", "door-a,door-b", "--bench-quick",
                                        "--bench-out", str(tmp_path / "quick"), "--baseline", str(full),
                                        "-p", "no:cacheprovider")
    ran.assert_outcomes(failed=2)
    ran.stdout.fnmatch_lines(["*ran under another profile than the baseline's*(baseline full, candidate quick)*"])

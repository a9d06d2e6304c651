"""Robustness of a run: SIGKILL mid-run, two runs sharing one results dir, one-line user errors.

The run tests start real subprocesses (``sys.executable`` on a script written to tmp_path)
that register three toy static models (6 ordered-pair items of one small static_static
task) and call :func:`benchmark.run.runner.run`.  A reference run of the same items, started
once per module and run alongside the tests, gives the leaderboard page and the Result
files every interrupted or concurrent run must end up with.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from benchmark.cli import main
from benchmark.errors import ShapeError
from benchmark.resources import source_root
from benchmark.run.results import read_result, read_results
from benchmark.scoring import retrieve

N_ITEMS = 6  # 3 models, ordered pairs
TMP_NAME = re.compile(r"\..+\.json\..+\.tmp")  # atomic_write_text's temp files
LOCK_NAME = re.compile(r"\..+\.json\.lock")  # the per-item lock beside a Result (left empty by a killed holder)

SCRIPT = r'''
import json, os, sys, time
from dataclasses import replace

from benchmark.adapters.toy import toy_pair
from benchmark.models import ModelSpec, register_model
from benchmark.tasks import Task, register_task
import benchmark.run.runner as runner

out_dir, mode = sys.argv[1], sys.argv[2]
PARAMS = {
    "search_vocab": 50_000, "n_train": 150, "n_dev": 50, "n_test": 80, "min_train": 50,
    "normalization": "unit+center+unit", "csls_k": 10, "ks": (1, 5), "isf_betas": (10.0,), "n_bootstrap": 50,
}
a, b = toy_pair(n_words=300, dim_source=12, dim_target=8, noise=0.05, seed=11)
_, c = toy_pair(n_words=300, dim_source=12, dim_target=10, noise=0.05, seed=12)
names = ["rb-a", "rb-b", "rb-c"]
for name, emb in zip(names, (a, b, c)):
    emb = replace(emb, name=name)
    register_model(ModelSpec(name, "static", lambda emb=emb: emb, "robustness toy", default=False))
task = register_task(Task(name="rb_toy", version="1.0", family="static_static", description="robustness toy",
                          main_metric="p@1/csls", params=PARAMS))
items = runner.plan_items([task], names)

if mode == "slow-items":  # after the first item, widen the window in which the test kills the run
    run_item, started = runner.run_item, []
    def slow_run_item(item, **kw):
        if started:
            time.sleep(5)  # the test kills the run long before this ends
        started.append(item)
        return run_item(item, **kw)
    runner.run_item = slow_run_item
elif mode == "stall-in-write":  # the second result stalls inside atomic_write_text, its temp file complete
    real_replace, writes = os.replace, []
    def stalling_replace(src, dst):
        writes.append(dst)
        if len(writes) == 2:
            open(out_dir + ".stalled", "w").close()  # tells the test the temp file is complete
            time.sleep(60)
        return real_replace(src, dst)
    os.replace = stalling_replace

summary = runner.run(items, out_dir=out_dir, seed=0, progress=False)
print(json.dumps({"computed": [r.item_id for r in summary.computed], "reused": summary.reused}))
'''


def _spawn(script: Path, out_dir: Path, mode: str = "plain") -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(source_root()), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, str(script), str(out_dir), mode], cwd=script.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen, timeout: float = 120) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"run failed ({proc.returncode}):\n{out}\n{err}"
    return json.loads(out.strip().splitlines()[-1])


def _comparable(path: Path) -> dict:
    """A Result file without its timing (the only field that differs between identical runs)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("timing")
    return data


def _wait_for(predicate, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the run ended (rc {proc.returncode}) before {what}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


class Reference:
    """One uninterrupted run of the script, started on demand and shared by the module."""

    def __init__(self, root: Path):
        self.script = root / "run_toy.py"
        self.script.write_text(SCRIPT, encoding="utf-8")
        self.out = root / "reference"
        self.proc: subprocess.Popen | None = None
        self.summary: dict | None = None

    def start(self) -> None:
        if self.proc is None:
            self.proc = _spawn(self.script, self.out)

    def wait(self) -> None:
        self.start()
        if self.summary is None:
            self.summary = _finish(self.proc)
            assert len(self.summary["computed"]) == N_ITEMS and self.summary["reused"] == []

    def page(self) -> bytes:
        self.wait()
        return (self.out / "README.md").read_bytes()

    def results(self) -> dict[str, dict]:
        self.wait()
        return {p.name: _comparable(p) for p in sorted((self.out / "results").glob("*.json"))}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    ref = Reference(tmp_path_factory.mktemp("robustness"))
    yield ref
    if ref.proc is not None and ref.proc.poll() is None:
        ref.proc.kill()
        ref.proc.communicate()


@pytest.fixture
def script(tmp_path) -> Path:
    path = tmp_path / "run_toy.py"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def _check_results_dir(results: Path) -> tuple[list[str], list[str]]:
    """Every file is a whole Result, a temp file or an empty lock file; return (result names, temp names)."""
    names = sorted(p.name for p in results.iterdir())
    locks = [n for n in names if LOCK_NAME.fullmatch(n)]
    assert all((results / n).stat().st_size == 0 for n in locks), locks
    names = [n for n in names if n not in locks]
    finished = [n for n in names if n.endswith(".json") and not n.startswith(".")]
    temps = [n for n in names if n not in finished]
    assert all(TMP_NAME.fullmatch(n) for n in temps), temps
    for n in finished:
        result = read_result(results / n)  # raises on a partial or corrupt file
        assert result.status == "measured" and result.task == "rb_toy" and len(result.models) == 2
    # read_results skips the temp files (they end in .tmp) and reads every finished one
    assert sorted(r.item_id for r in read_results(results)) == sorted(read_result(results / n).item_id
                                                                        for n in finished)
    return finished, temps


def _resume_and_compare(script: Path, out: Path, finished: list[str], reference: Reference) -> dict:
    results = out / "results"
    before = {n: ((results / n).stat().st_mtime_ns, (results / n).read_bytes()) for n in finished}
    done_ids = {read_result(results / n).item_id for n in finished}
    summary = _finish(_spawn(script, out))  # a fresh process
    assert set(summary["reused"]) == done_ids
    assert len(summary["computed"]) == N_ITEMS - len(done_ids) and done_ids.isdisjoint(summary["computed"])
    for n, (mtime, data) in before.items():  # reused, not recomputed: untouched
        assert (results / n).stat().st_mtime_ns == mtime and (results / n).read_bytes() == data
    assert (out / "README.md").read_bytes() == reference.page()
    assert {p.name: _comparable(p) for p in sorted(results.glob("*.json"))} == reference.results()
    assert not list(results.glob(".*.lock"))  # a lock a killed run left is taken over and removed
    return summary


# --------------------------------------------------------------------------- SIGKILL


def test_sigkill_between_items_keeps_whole_results_and_resumes(script, tmp_path, reference):
    reference.start()  # runs alongside
    out = tmp_path / "killed"
    proc = _spawn(script, out, "slow-items")
    results = out / "results"
    _wait_for(lambda: results.is_dir() and any(results.glob("*.json")), proc, "the first result")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    finished, temps = _check_results_dir(results)
    assert 1 <= len(finished) < N_ITEMS
    assert temps == []  # killed between items: no temp file is left behind
    assert not (out / "README.md").exists()  # the leaderboard is written at the end only
    _resume_and_compare(script, out, finished, reference)


def test_sigkill_inside_an_atomic_write_leaves_only_a_temp_file(script, tmp_path, reference):
    reference.start()
    out = tmp_path / "killed"
    proc = _spawn(script, out, "stall-in-write")
    results = out / "results"
    def second_write_stalled():  # the first temp file renamed, the second written in full, not yet renamed
        return Path(f"{out}.stalled").exists()

    _wait_for(second_write_stalled, proc, "the second result's temp file")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)

    finished, temps = _check_results_dir(results)
    assert len(finished) == 1 and len(temps) == 1
    stale = results / temps[0]
    json.loads(stale.read_text(encoding="utf-8"))  # complete, fsync'ed, just never renamed
    _resume_and_compare(script, out, finished, reference)
    # a young temp file may belong to a concurrent run: the resumed run leaves it alone …
    assert stale.exists()
    # … and the next run removes it once it is an hour old
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    assert _finish(_spawn(script, out))["reused"]  # everything is current; only the cleanup happens
    assert not stale.exists()
    finished, temps = _check_results_dir(results)
    assert temps == [] and len(finished) == N_ITEMS


# --------------------------------------------------------------------------- concurrency


def test_two_concurrent_runs_share_one_results_dir(script, tmp_path, reference):
    reference.start()
    out = tmp_path / "shared"
    procs = [_spawn(script, out), _spawn(script, out)]
    summaries = [_finish(p) for p in procs]
    for s in summaries:
        assert len(s["computed"]) + len(s["reused"]) == N_ITEMS
    # the per-item lock: every item is computed once, by one of the two runs; the other reuses it
    computed = [i for s in summaries for i in s["computed"]]
    assert sorted(computed) == sorted(set(computed)) and len(computed) == N_ITEMS
    assert not list((out / "results").glob(".*.lock"))
    finished, temps = _check_results_dir(out / "results")
    assert len(finished) == N_ITEMS and temps == []
    assert (out / "README.md").read_bytes() == reference.page()
    assert {p.name: _comparable(p) for p in sorted((out / "results").glob("*.json"))} == reference.results()


# --------------------------------------------------------------------------- one-line user errors


@pytest.fixture
def registry():
    """Register toy models and tasks in this process; undone after the test."""
    from benchmark.models import MODELS, ModelSpec, load_model, register_model
    from benchmark.tasks import TASK_SOURCES, TASKS, register_task

    models, tasks = [], []

    def model(name, emb):
        register_model(ModelSpec(name, "static", lambda: emb, "robustness toy", default=False))
        models.append(name)
        load_model.cache_clear()

    def task(t):
        tasks.append(t.name)
        return register_task(t)

    yield SimpleNamespace(model=model, task=task)
    for name in models:
        MODELS.unregister(name)
    for name in tasks:
        TASKS.unregister(name)
        TASK_SOURCES.pop(name, None)
    load_model.cache_clear()


def _toy_task(name: str, **params):
    from benchmark.tasks import Task

    base = {"search_vocab": 50_000, "n_train": 150, "n_dev": 50, "n_test": 80, "min_train": 50,
            "normalization": "unit+center+unit", "csls_k": 10, "ks": (1, 5), "isf_betas": (10.0,),
            "n_bootstrap": 20}
    return Task(name=name, version="1.0", family="static_static", description="robustness toy",
                main_metric="p@1/csls", params={**base, **params})


@pytest.fixture
def toys(registry):
    from dataclasses import replace

    from benchmark.adapters.base import StaticEmbeddings
    from benchmark.adapters.toy import toy_pair

    source, target = toy_pair(n_words=300, dim_source=8, dim_target=8, seed=4)
    registry.model("rbx-source", replace(source, name="rbx-source"))
    registry.model("rbx-target", replace(target, name="rbx-target"))
    letters = "abcdefghijklmnopqrstuvwxyz"
    alien_words = [f"zzq{x}{y}" for x in letters for y in letters][:300]  # plain words nobody else has
    alien = StaticEmbeddings("rbx-alien", alien_words, np.random.default_rng(0).standard_normal((300, 8)),
                             revision="toy:alien")
    registry.model("rbx-alien", alien)
    tiny_s, tiny_t = toy_pair(n_words=60, dim_source=6, dim_target=6, seed=5)
    registry.model("rbx-tiny-s", replace(tiny_s, name="rbx-tiny-s"))
    registry.model("rbx-tiny-t", replace(tiny_t, name="rbx-tiny-t"))
    registry.task(_toy_task("rbx_toy"))
    registry.task(_toy_task("rbx_tiny", n_train=20, n_dev=10, n_test=10, min_train=5, csls_k=100))
    return registry


def _one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    err = captured.err
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, repr(err)
    return err[len("error: "):-1]


def _run(out: Path, models: str, tasks: str) -> int:
    return main(["run", "--models", models, "--tasks", tasks, "--out", str(out), "--no-progress"])


def test_unknown_model_and_task_names(toys, tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(out, "rbx-source,rbx-targte", "rbx_toy") == 2
    message = _one_line_error(capsys)
    assert message.startswith("unknown model 'rbx-targte' (did you mean 'rbx-target'")
    assert _run(out, "rbx-source,rbx-target", "rbx_tyo") == 2
    assert _one_line_error(capsys).startswith("unknown task 'rbx_tyo' (did you mean 'rbx_toy'")
    assert _run(out, "qqqqqqqq", "rbx_toy") == 2
    assert _one_line_error(capsys).startswith("unknown model 'qqqqqqqq'; registered: ")
    assert not out.exists()  # nothing written for a bad command line


def test_model_with_no_overlap(toys, tmp_path, capsys):
    """A pair that shares too few words is recorded as skipped with its reason; the run goes on (exit 0)."""
    out = tmp_path / "out"
    assert _run(out, "rbx-source,rbx-alien", "rbx_toy") == 0
    printed = capsys.readouterr().out
    assert "0 failed expectations, 2 skipped" in printed
    assert ("SKIPPED rbx_toy[rbx-source->rbx-alien]: models 'rbx-source' and 'rbx-alien' share 0 frequent plain "
            "words") in printed
    stored = read_result(out / "results" / "rbx_toy__rbx-source__rbx-alien.json")
    assert stored.status == "skipped" and stored.metrics == {}
    assert "models 'rbx-source' and 'rbx-alien' share 0 frequent plain words" in stored.skip_reason
    page = (out / "README.md").read_text(encoding="utf-8")
    assert "## Skipped items" in page and "`rbx_toy[rbx-alien->rbx-source]`" in page


def test_no_overlap_message_has_no_file_placeholder(toys, tmp_path, capsys):
    assert _run(tmp_path / "out", "rbx-source,rbx-alien", "rbx_toy") == 0
    assert "<input>" not in capsys.readouterr().out
    stored = read_result(tmp_path / "out" / "results" / "rbx_toy__rbx-alien__rbx-source.json")
    assert stored.skip_reason and "<input>" not in stored.skip_reason


def test_k_larger_than_the_vocabulary(toys, tmp_path, capsys):
    rng = np.random.default_rng(0)
    queries, targets = rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    with pytest.raises(ShapeError, match=r"k=10 is larger than the 5"):
        retrieve(queries, targets, criterion="csls", k=10, topk=1)
    with pytest.raises(ShapeError, match=r"topk=6 is larger than the 5"):
        retrieve(queries, targets, criterion="nn", topk=6)

    out = tmp_path / "out"
    assert _run(out, "rbx-tiny-s,rbx-tiny-t", "rbx_tiny") == 2
    message = _one_line_error(capsys)
    assert message.startswith("rbx_tiny[rbx-tiny-s->rbx-tiny-t]: ")
    assert re.search(r"\bcsls_k=100 is larger than model 'rbx-tiny-[st]''s search space of 60 words", message), message
    assert not (out / "results").exists() or not any((out / "results").iterdir())


def test_k_error_names_the_task_parameter(toys, tmp_path, capsys):
    assert _run(tmp_path / "out", "rbx-tiny-s,rbx-tiny-t", "rbx_tiny") == 2
    message = _one_line_error(capsys)
    assert "csls_k" in message and ("rbx-tiny-s" in message.split("]: ", 1)[1]
                                    or "rbx-tiny-t" in message.split("]: ", 1)[1])


def test_remove_stale_temporaries_keeps_young_and_foreign_files(tmp_path):
    from benchmark.run.atomic import remove_stale_temporaries

    old_tmp, young_tmp = tmp_path / ".a.json.x1.tmp", tmp_path / ".b.json.x2.tmp"
    other, visible_tmp = tmp_path / "a.json", tmp_path / "notes.tmp"
    for p in (old_tmp, young_tmp, other, visible_tmp):
        p.write_text("{}", encoding="utf-8")
    past = time.time() - 7200
    for p in (old_tmp, other, visible_tmp):
        os.utime(p, (past, past))
    assert remove_stale_temporaries(tmp_path) == [old_tmp]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".b.json.x2.tmp", "a.json", "notes.tmp"]
    assert remove_stale_temporaries(tmp_path / "missing") == []

"""Every way a user's run can go wrong ends in one named line, the right exit code, and nothing lost.

Each test is (mostly) one CLI call in a temp dir and asserts three things: the exit status
(2 = a user error, 1 = an expectation failed / a regression, 0 = fine), the one-line message
on stderr, and what is on disk afterwards.  Toy static models and small static_static tasks
are registered in-process (see the ``toys`` fixture); nothing touches the repository.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from benchmark.cli import main
from benchmark.errors import DataFormatError, InvalidNameError
from benchmark.run.results import Result, check_name, read_results, result_filename, write_result

# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def registry():
    """Register toy models and tasks in this process; undone after the test."""
    from benchmark.models import MODELS, ModelSpec, load_model, register_model
    from benchmark.tasks import TASK_SOURCES, TASKS, register_task

    models, tasks = [], []

    def model(name, emb=None, loader=None):
        register_model(ModelSpec(name, "static", loader or (lambda: emb), "cli-errors toy", default=False))
        models.append(name)
        load_model.cache_clear()

    def task(t):
        tasks.append(t.name)
        return register_task(t)

    yield SimpleNamespace(model=model, task=task, models=models)
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
    return Task(name=name, version="1.0", family="static_static", description="cli-errors toy",
                main_metric="p@1/csls", params={**base, **params})


@pytest.fixture
def toys(registry):
    """ce-source/ce-target (a noisy rotation), ce-alien (no shared word), task ce_toy; counts model loads."""
    from benchmark.adapters.base import StaticEmbeddings
    from benchmark.adapters.toy import toy_pair

    source, target = toy_pair(n_words=300, dim_source=8, dim_target=8, seed=4)
    loads = []

    def counted(emb):
        def load():
            loads.append(emb.name)
            return emb
        return load

    registry.model("ce-source", loader=counted(replace(source, name="ce-source")))
    registry.model("ce-target", loader=counted(replace(target, name="ce-target")))
    letters = "abcdefghijklmnopqrstuvwxyz"
    alien_words = [f"zzq{x}{y}" for x in letters for y in letters][:300]
    alien = StaticEmbeddings("ce-alien", alien_words, np.random.default_rng(0).standard_normal((300, 8)),
                             revision="toy:alien")
    registry.model("ce-alien", loader=counted(alien))
    registry.task(_toy_task("ce_toy"))
    registry.loads = loads
    registry.source = source
    return registry


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, repr(err)
    return err[len("error: "):-1]


def _run(out, models="ce-source,ce-target", tasks="ce_toy", *extra) -> int:
    return main(["run", "--models", models, "--tasks", tasks, "--out", str(out), "--no-progress", *extra])


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def _write_vectors(path: Path, words, vectors, *, header=True, bom=False):
    lines = ([f"{len(words)} {vectors.shape[1]}"] if header else []) + [
        w + " " + " ".join(f"{x:.6f}" for x in row) for w, row in zip(words, vectors)]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _result(models, value, low=None, high=None, task="t"):
    metrics = {"p@1/csls": value}
    if low is not None:
        metrics.update({"p@1/csls:ci_low": low, "p@1/csls:ci_high": high})
    from benchmark.tasks import get_task

    return Result(task=task, task_version="1", family="static_static", models=list(models), metrics=metrics,
                  seed=0, status="measured", main_metric="p@1/csls", params=get_task("static_static").params_dict())


# --------------------------------------------------------------------------- compare


def _results_dir(root: Path, *results) -> Path:
    (root / "results").mkdir(parents=True, exist_ok=True)
    for r in results:
        write_result(r, root / "results")
    return root


def test_compare_empty_baseline_is_an_error(tmp_path, capsys):
    base = _results_dir(tmp_path / "base")
    cand = _results_dir(tmp_path / "cand", _result("ab", 0.8))
    assert main(["compare", str(base), str(cand)]) == 2
    assert "no Result files in the baseline" in _one_line_error(capsys)
    assert _files(base) == ["results"]  # nothing written


def test_compare_without_a_common_item_is_an_error(tmp_path, capsys):
    base = _results_dir(tmp_path / "base", _result("ab", 0.8))
    cand = _results_dir(tmp_path / "cand", _result("cd", 0.8))
    assert main(["compare", str(base), str(cand)]) == 2
    message = _one_line_error(capsys)
    assert message.startswith(f"{cand}: no item in common with the baseline {base}")
    assert "wrong directory?" in message


def test_compare_lists_missing_items_and_fails_unless_allowed(tmp_path, capsys):
    base = _results_dir(tmp_path / "base", _result("ab", 0.8), _result("ba", 0.8))
    cand = _results_dir(tmp_path / "cand", _result("ab", 0.8), _result("ca", 0.5))
    assert main(["compare", str(base), str(cand)]) == 1
    out = capsys.readouterr().out
    assert "MISSING 1 baseline item(s) absent from the candidate, FAILS the gate" in out and "t[b->a]" in out
    assert "1 new item(s) in the candidate only (not compared): t[c->a]" in out
    assert "1 compared, 0 regressed, 1 missing" in out
    assert main(["compare", str(base), str(cand), "--allow-missing"]) == 0
    assert "allowed by --allow-missing" in capsys.readouterr().out


def test_compare_drop_with_an_unchanged_interval_regresses(tmp_path, capsys):
    """0.80 -> 0.31 while the candidate file still carries the baseline's interval: not noise."""
    base = _results_dir(tmp_path / "base", _result("ab", 0.80, 0.78, 0.82))
    cand = _results_dir(tmp_path / "cand", _result("ab", 0.31, 0.78, 0.82))
    assert main(["compare", str(base), str(cand)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSED" in out and "1 compared, 1 regressed" in out


def test_regression_rule_uses_both_intervals():
    from benchmark.run.compare import regressed

    # the baseline value inside the candidate CI, but the candidate value outside the baseline CI
    assert regressed(0.80, 0.31, True, 0.02, ci=(0.78, 0.82), baseline_ci=(0.78, 0.82))
    assert regressed(0.80, 0.70, True, 0.02, ci=(0.60, 0.85), baseline_ci=(0.75, 0.85))
    # both points inside the other's interval: noise
    assert not regressed(0.80, 0.76, True, 0.02, ci=(0.70, 0.85), baseline_ci=(0.74, 0.86))
    # within the tolerance whatever the intervals say
    assert not regressed(0.80, 0.79, True, 0.02, ci=(0.79, 0.79), baseline_ci=(0.80, 0.80))
    # no interval anywhere: tolerance alone
    assert regressed(0.80, 0.70, True, 0.02)
    # only the baseline's interval known
    assert regressed(0.80, 0.70, True, 0.02, baseline_ci=(0.75, 0.85))
    assert not regressed(0.80, 0.77, True, 0.02, baseline_ci=(0.75, 0.85))
    # lower is better
    assert regressed(0.20, 0.30, False, 0.02, ci=(0.15, 0.35), baseline_ci=(0.18, 0.22))


def test_compare_names_a_corrupt_file_and_can_skip_it(tmp_path, capsys):
    base = _results_dir(tmp_path / "base", _result("ab", 0.8))
    cand = _results_dir(tmp_path / "cand", _result("ab", 0.8))
    bad = cand / "results" / "t__x__y.json"
    bad.write_text("{\n  \"task\": \n", encoding="utf-8")
    assert main(["compare", str(base), str(cand)]) == 2
    message = _one_line_error(capsys)
    assert message.startswith(f"{bad}:3: invalid JSON") and "--skip-invalid" in message
    assert main(["compare", str(base), str(cand), "--skip-invalid"]) == 0
    captured = capsys.readouterr()
    assert f"warning: skipped {bad}:3: invalid JSON" in captured.err
    assert "1 compared, 0 regressed" in captured.out


# --------------------------------------------------------------------------- leaderboard


def test_leaderboard_on_a_missing_results_directory(tmp_path, capsys):
    missing = tmp_path / "nothing-here"
    assert main(["leaderboard", "--results", str(missing)]) == 2
    assert _one_line_error(capsys).startswith(f"{missing / 'results'}: no such results directory")
    assert not missing.exists()
    assert main(["leaderboard", "--results", str(missing), "--check"]) == 2
    assert "no such results directory" in _one_line_error(capsys)
    assert not missing.exists()


def test_leaderboard_names_a_future_schema_file_and_can_skip_it(tmp_path, capsys):
    root = _results_dir(tmp_path / "board", _result("ab", 0.8))
    future = json.loads(_result("ba", 0.7).to_json())
    future["schema_version"] = 99
    path = root / "results" / "t__b__a.json"
    path.write_text(json.dumps(future), encoding="utf-8")
    assert main(["leaderboard", "--results", str(root)]) == 2
    assert _one_line_error(capsys).startswith(f"{path}: result schema_version 99; this version reads 1, 2")
    assert not (root / "README.md").exists()
    assert main(["leaderboard", "--results", str(root), "--skip-invalid"]) == 0
    assert f"warning: skipped {path}: result schema_version 99" in capsys.readouterr().err
    page = (root / "README.md").read_text(encoding="utf-8")
    assert "a → b" in page and "b → a" not in page


# --------------------------------------------------------------------------- names and paths


@pytest.mark.parametrize("name", ["a/../../../x", "../x", "a/b", "..", ".hidden", "a\\b", "", "x" * 129, "a..b"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(InvalidNameError, match="is not allowed"):
        check_name(name)
    with pytest.raises(InvalidNameError):
        result_filename("task", ["ok", name])
    with pytest.raises(InvalidNameError):
        result_filename(name, ["ok"])


def test_safe_names_pass():
    for name in ("glove-6b-50d", "static_static", "minilm-l6@3", "my.model+v2"):
        assert check_name(name) == name


def test_score_name_with_a_path_escape(tmp_path, capsys):
    vectors = _write_vectors(tmp_path / "v.vec", ["cat", "dog"], np.eye(2))
    out = tmp_path / "work" / "out"
    assert main(["score", str(vectors), "--format", "word2vec", "--name", "a/../../../x", "--out", str(out),
                 "--no-progress"]) == 2
    assert _one_line_error(capsys).startswith("model name 'a/../../../x' is not allowed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.vec"]  # no stray folder, no Result anywhere


def test_score_a_file_whose_name_is_no_model_id(tmp_path, capsys):
    vectors = _write_vectors(tmp_path / "my vectors.vec", ["cat", "dog"], np.eye(2))
    assert main(["score", str(vectors), "--format", "word2vec", "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert _one_line_error(capsys) == (f"{vectors}: the file name 'my vectors' is no model id; pass --name ID "
                                       "(letters, digits and '. _ + @ -')")
    assert not (tmp_path / "o").exists()


def test_registering_an_unsafe_model_or_task_name(registry):
    from benchmark.tasks import register_task

    with pytest.raises(InvalidNameError, match="model name 'x/y'"):
        registry.model("x/y", emb=None)
    with pytest.raises(InvalidNameError, match="task name '../t'"):
        register_task(_toy_task("../t"))


def test_an_unsafe_name_that_bypassed_registration_fails_before_computing(toys, tmp_path, capsys):
    """Entry-point models go straight into the registry; the plan checks every name again."""
    from benchmark.models import MODELS, ModelSpec

    MODELS.register("../evil", ModelSpec("../evil", "static", lambda: toys.loads.append("evil"), default=False))
    try:
        assert _run(tmp_path / "out", "ce-source,../evil") == 2
        assert _one_line_error(capsys).startswith("model name '../evil' is not allowed")
        assert toys.loads == [] and not (tmp_path / "out").exists()
    finally:
        MODELS.unregister("../evil")


def test_write_result_stays_in_its_folder(tmp_path):
    from benchmark.run.atomic import child_path

    with pytest.raises(InvalidNameError, match="would leave the folder"):
        child_path(tmp_path, "../x.json")
    with pytest.raises(InvalidNameError):
        child_path(tmp_path, "sub/x.json")
    assert child_path(tmp_path, "x.json") == tmp_path / "x.json"


def test_out_is_a_file(toys, tmp_path, capsys):
    out = tmp_path / "out.txt"
    out.write_text("not a folder", encoding="utf-8")
    assert _run(out) == 2
    assert _one_line_error(capsys) == f"output directory {out} is not a directory"
    assert out.read_text(encoding="utf-8") == "not a folder" and toys.loads == []  # checked before any load


def test_out_below_a_file(toys, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert _run(blocker / "out") == 2
    assert _one_line_error(capsys) == f"output directory {blocker / 'out'}: {blocker} is not a directory"
    assert toys.loads == [] and blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_out_inside_an_unreadable_folder(toys, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o000)
    try:
        assert _run(locked / "out") == 2
        message = _one_line_error(capsys)
        assert message.startswith(f"output directory {locked / 'out'} is not writable: ") and "ermission" in message
        assert toys.loads == []
    finally:
        locked.chmod(0o755)


def test_out_without_permission(toys, tmp_path, capsys, monkeypatch):
    """What a folder without write permission gives (simulated: the tests may run as root)."""
    import tempfile

    out = tmp_path / "out"

    def denied(dir=None, **kw):
        raise PermissionError(errno.EACCES, "Permission denied", dir)

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    assert _run(out) == 2
    assert _one_line_error(capsys) == f"output directory {out} is not writable: {out}: Permission denied"
    assert toys.loads == []


def _fail_fsync(monkeypatch, after: int):
    """os.fsync raises ENOSPC from its ``after + 1``-th call on (the disk fills up)."""
    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) > after:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_full_disk_before_the_run(toys, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    _fail_fsync(monkeypatch, after=0)  # the write probe finds the disk full
    assert _run(out) == 2
    message = _one_line_error(capsys)
    assert message.startswith(f"output directory {out} is not writable: {out}: no space left on device")
    assert toys.loads == []  # nothing computed
    assert _files(out) == []  # the probe is removed


def test_full_disk_during_the_run(toys, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    _fail_fsync(monkeypatch, after=2)  # both probes pass, the first Result write fails
    assert _run(out) == 2
    message = _one_line_error(capsys)
    assert message == f"{out / 'results' / 'ce_toy__ce-source__ce-target.json'}: no space left on device " \
                      "(free some space and re-run; finished items are kept)"
    assert _files(out) == ["results"]  # no half-written Result, no temporary file, no page


# --------------------------------------------------------------------------- partial work


def test_score_records_an_unmeasurable_pair_as_skipped_and_goes_on(toys, tmp_path, capsys, monkeypatch):
    import benchmark.run.runner as runner
    from benchmark.models import MODELS

    monkeypatch.setattr(runner, "model_names", lambda **kw: ["ce-source", "ce-alien"])
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((8, 8)))
    vectors = _write_vectors(tmp_path / "mine.vec", toys.source.words, toys.source.vectors @ q)
    out = tmp_path / "out"
    try:
        code = main(["score", str(vectors), "--format", "word2vec", "--name", "mine", "--tasks", "ce_toy",
                     "--out", str(out), "--no-progress"])
    finally:
        MODELS.unregister("mine")
    captured = capsys.readouterr()
    assert code == 0 and captured.err == ""
    assert "2 computed" not in captured.out and "4 computed" in captured.out and "2 skipped" in captured.out
    assert "SKIPPED ce_toy[mine->ce-alien]: models 'mine' and 'ce-alien' share 0 frequent plain words" in captured.out
    table = captured.out[captured.out.index("| family"):]
    assert "ce_toy[mine->ce-source]" in table and "ce_toy[ce-source->mine]" in table
    assert "skipped: models 'ce-alien' and 'mine' share 0" in table
    statuses = {r.item_id: r.status for r in read_results(out / "results")}
    assert statuses == {"ce_toy[mine->ce-source]": "measured", "ce_toy[ce-source->mine]": "measured",
                        "ce_toy[mine->ce-alien]": "skipped", "ce_toy[ce-alien->mine]": "skipped"}


def test_a_corrupt_result_fails_the_run_before_computing(toys, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    bad = out / "results" / "other__a__b.json"
    bad.write_text("{ not json", encoding="utf-8")
    assert _run(out) == 2
    message = _one_line_error(capsys)
    assert message.startswith(f"{bad}:1: invalid JSON") and message.endswith("(pass --skip-invalid to leave them out)")
    assert toys.loads == [] and _files(out) == ["results", "results/other__a__b.json"]


def test_skip_invalid_warns_and_runs(toys, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    bad = out / "results" / "other__a__b.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert _run(out, "ce-source,ce-target", "ce_toy", "--skip-invalid") == 0
    captured = capsys.readouterr()
    assert captured.err == (f"warning: skipped {bad}: a result file holds one JSON object "
                            "(its item is recomputed when selected)\n")  # once, not once per reader
    assert "2 computed" in captured.out
    assert "ce-source → ce-target" in (out / "README.md").read_text(encoding="utf-8")
    assert bad.read_text(encoding="utf-8") == "[1, 2]"  # left as it was


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("argv, message", [
    (["--seed", "-1"], "argument --seed: --seed must be a non-negative integer, got -1"),
    (["--seed", "x"], "argument --seed: --seed must be a non-negative integer, got 'x'"),
])
def test_bad_seed_fails_before_loading(toys, tmp_path, capsys, argv, message):
    assert _run(tmp_path / "out", "ce-source,ce-target", "ce_toy", *argv) == 2
    assert _one_line_error(capsys).startswith(message)
    assert toys.loads == [] and not (tmp_path / "out").exists()


def test_bad_max_drop(tmp_path, capsys):
    assert main(["compare", str(tmp_path), str(tmp_path), "--max-drop", "-0.1"]) == 2
    assert "--max-drop must be a finite number >= 0" in _one_line_error(capsys)


# --------------------------------------------------------------------------- inputs and messages


def _score(capsys, path, fmt, tmp_path, *extra) -> str:
    out = tmp_path / "score-out"
    assert main(["score", str(path), "--format", fmt, "--name", "user-model", "--out", str(out),
                 "--no-progress", *extra]) == 2
    assert not out.exists()
    from benchmark.models import MODELS

    assert "user-model" not in MODELS
    return _one_line_error(capsys)


def test_bom_is_stripped_in_text_and_binary_files(tmp_path):
    from gensim.models import KeyedVectors

    from benchmark.adapters.static import load_vectors_file

    words, vectors = ["the", "cat"], np.arange(6, dtype=np.float32).reshape(2, 3) + 1
    glove = load_vectors_file(_write_vectors(tmp_path / "g.txt", words, vectors, header=False, bom=True), "glove")
    w2v = load_vectors_file(_write_vectors(tmp_path / "w.vec", words, vectors, bom=True), "word2vec")
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(words, vectors)
    kv.save_word2vec_format(str(tmp_path / "b.bin"), binary=True)
    (tmp_path / "bom.bin").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "b.bin").read_bytes())
    binary = load_vectors_file(tmp_path / "bom.bin", "word2vec-binary")
    for emb in (glove, w2v, binary):
        assert emb.words == ("the", "cat")
        np.testing.assert_allclose(emb.vectors, vectors)
    (tmp_path / "words.txt").write_bytes(b"\xef\xbb\xbfthe\ncat\n")
    np.save(tmp_path / "m.npy", vectors)
    assert load_vectors_file(tmp_path / "m.npy", "numpy", words_path=tmp_path / "words.txt").words == ("the", "cat")


def test_gzip_file(tmp_path, capsys):
    path = tmp_path / "v.vec.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("2 2\nthe 1 2\ncat 3 4\n")
    assert _score(capsys, path, "word2vec", tmp_path) == f"{path}: gzip-compressed: decompress it first (gunzip -k v.vec.gz)"


def test_a_directory_given_as_a_vectors_file(tmp_path, capsys):
    folder = tmp_path / "vectors"
    folder.mkdir()
    message = _score(capsys, folder, "glove", tmp_path)
    assert message == f"{folder}: is a directory; --format glove reads a file (--format hf reads a Hugging Face model folder)"
    from benchmark.adapters.static import load_vectors_file

    with pytest.raises(DataFormatError, match="is a directory; --format glove reads a file"):
        load_vectors_file(folder, "glove")


def test_a_text_file_given_as_numpy(tmp_path, capsys):
    path = _write_vectors(tmp_path / "v.txt", ["the", "cat"], np.eye(2))
    (tmp_path / "w.txt").write_text("the\ncat\n", encoding="utf-8")
    message = _score(capsys, path, "numpy", tmp_path, "--words", str(tmp_path / "w.txt"))
    assert message.startswith(f"{path}: not a .npy file (no NumPy header)") and "unsafe" not in message
    assert "use --format word2vec or glove" in message


def test_an_object_npy_with_allow_pickle(tmp_path, capsys):
    path = tmp_path / "obj.npy"
    np.save(path, np.array([{"a": 1}, {"b": 2}], dtype=object), allow_pickle=True)
    (tmp_path / "w.txt").write_text("the\ncat\n", encoding="utf-8")
    message = _score(capsys, path, "numpy", tmp_path, "--words", str(tmp_path / "w.txt"), "--allow-pickle")
    assert message.startswith(f"{path}: holds Python objects (dtype object)")
    assert "allow_pickle=False" not in message and "--allow-pickle is for gensim and PyTorch files" in message


def test_all_zero_vectors(tmp_path, capsys):
    path = _write_vectors(tmp_path / "zero.vec", ["the", "cat", "dog"], np.zeros((3, 4)))
    message = _score(capsys, path, "word2vec", tmp_path)
    assert message == f"{path}: all 3 vectors are all zeros: there is nothing to measure"
    assert "normalized=False" not in message


def test_missing_words_file(tmp_path, capsys):
    np.save(tmp_path / "m.npy", np.eye(2, dtype=np.float32))
    missing = tmp_path / "absent.txt"
    message = _score(capsys, tmp_path / "m.npy", "numpy", tmp_path, "--words", str(missing))
    assert message == f"{missing}: --words: no such file"
    from benchmark.adapters.static import load_numpy

    with pytest.raises(DataFormatError, match=r"absent.txt: no such file"):
        load_numpy(tmp_path / "m.npy", missing, name="m")


def _fresh_catalog(monkeypatch, directory: Path):
    """Make the next model lookup read the catalog (and the config files of ``directory``) from scratch."""
    import benchmark.models as models
    from benchmark.registry import Registry

    monkeypatch.chdir(directory)
    monkeypatch.setattr(models, "MODELS", Registry("model"))
    monkeypatch.setattr(models, "_catalog_loaded", False)
    import benchmark.run.runner as runner

    monkeypatch.setattr(runner, "get_model_spec", models.get_model_spec)
    models.load_model.cache_clear()


def test_models_table_that_is_not_a_table(tmp_path, capsys, monkeypatch):
    (tmp_path / "benchmark.toml").write_text("models = 3\n", encoding="utf-8")
    _fresh_catalog(monkeypatch, tmp_path)
    assert main(["models"]) == 2
    assert _one_line_error(capsys) == (f"{tmp_path / 'benchmark.toml'}: 'models' must be a table "
                                       "([models.NAME] sections), got int 3")


def test_a_bad_config_entry_blocks_only_the_commands_that_use_it(tmp_path, capsys, monkeypatch):
    _write_vectors(tmp_path / "v.vec", ["cat", "dog"], np.eye(2))
    (tmp_path / "benchmark.toml").write_text(
        '[models.good-model]\npath = "v.vec"\nformat = "word2vec"\n\n'
        '[models.bad-model]\npath = "v.vec"\nformat = "word2vce"\n', encoding="utf-8")
    _fresh_catalog(monkeypatch, tmp_path)
    assert main(["models"]) == 0
    listing = capsys.readouterr().out
    assert "good-model" in listing and "glove-6b-50d" in listing
    assert "bad-model" in listing and "broken" in listing and "benchmark.toml" in listing
    assert main(["run", "--models", "bad-model", "--tasks", "static_static", "--out", str(tmp_path / "o"),
                 "--no-progress"]) == 2
    message = _one_line_error(capsys)
    assert message.startswith(f"{tmp_path / 'benchmark.toml'}: unknown format 'word2vce' for model 'bad-model' "
                              "(did you mean 'word2vec'")
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- the one exit-status map


def test_exit_status_maps_every_user_error_to_one_line():
    from benchmark.errors import ModelLoadError, exit_status

    assert exit_status(ModelLoadError("model 'x': cannot load\n  Traceback-ish detail\n\nlast line")) == (
        2, "model 'x': cannot load; Traceback-ish detail; last line")
    assert exit_status(PermissionError(errno.EACCES, "Permission denied", "/data/out")) == (
        2, "/data/out: Permission denied")
    assert exit_status(OSError(errno.ENOSPC, "No space left on device", "/data/r.json"))[1].startswith(
        "/data/r.json: no space left on device")
    assert exit_status(OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, "/b")) == (
        2, "/a -> /b: Invalid cross-device link")
    assert exit_status(KeyboardInterrupt())[0] == 130
    assert exit_status(ValueError("a bug")) is None  # not a user error: the traceback shows

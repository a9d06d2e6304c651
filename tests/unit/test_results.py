import json
import os

import pytest

from benchmark.errors import DataFormatError
from benchmark.run.results import Result, atomic_write_text, read_result, read_results, write_result


def make_result(**overrides):
    fields = dict(
        task="static_static", task_version="1.0", family="static_static", models=["a", "b"],
        metrics={"p@1/csls": 0.5, "residual": float("nan")}, seed=0, status="passed",
        main_metric="p@1/csls", sizes={"train": 10}, revisions={"a": "r1"},
    )
    fields.update(overrides)
    return Result(**fields)


def test_json_roundtrip(tmp_path):
    path = write_result(make_result(), tmp_path)
    assert path.name == "static_static__a__b.json"
    data = json.loads(path.read_text())
    assert data["schema_version"] == 2 and data["metrics"]["residual"] is None  # NaN is stored as null
    back = read_result(path)
    assert back.item_id == "static_static[a->b]"
    assert back.metrics == {"p@1/csls": 0.5, "residual": None}
    assert back.to_json() == path.read_text()


def test_corrupt_json_names_file_and_line(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{\n "task": \n')
    with pytest.raises(DataFormatError, match=r"x.json:3: invalid JSON"):
        read_result(path)


def test_missing_fields_and_schema_version(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"task": "t"}')
    with pytest.raises(DataFormatError, match="not a Rosetta Bench result: missing schema_version, task_version, family"):
        read_result(path)
    data = json.loads(make_result().to_json())
    data["schema_version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(DataFormatError, match="schema_version 99; this version reads 1, 2"):
        read_result(path)


def test_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "page.md"
    atomic_write_text(path, "old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.md"]  # no temp file left


def test_read_results_sorted_and_ignores_temp(tmp_path):
    write_result(make_result(models=["b", "a"]), tmp_path)
    write_result(make_result(models=["a", "b"]), tmp_path)
    (tmp_path / ".static_static__x.json.123.tmp").write_text("partial")
    assert [r.item_id for r in read_results(tmp_path)] == ["static_static[a->b]", "static_static[b->a]"]
    assert read_results(tmp_path / "missing") == []

"""Real quick items through the CLI on a local Ray instance, against the local runner."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("ray")


def test_quick_static_items_on_ray_match_the_local_run(tmp_path):
    from benchmark.cli import main

    args = ["run", "--quick", "--tasks", "static_static", "--models", "word2vec-gnews", "spacy-md-300",
            "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "local")]) == 0
    assert main([*args, "--out", str(tmp_path / "ray"), "--executor", "ray", "--ray-cpus", "2"]) == 0
    names = sorted(p.name for p in (tmp_path / "local" / "results").glob("*.json"))
    assert len(names) == 2
    for name in names:
        a, b = (json.loads((tmp_path / side / "results" / name).read_text()) for side in ("local", "ray"))
        assert a["status"] == b["status"] == "passed" and a["metrics"].keys() == b["metrics"].keys()
        # P@k counts hits: identical.  Sums in float64 may differ in the last bit: a Ray task gets one CPU,
        # so BLAS runs with another thread count (another summation order) than in this process.
        for key, value in a["metrics"].items():
            if key.startswith("p@"):
                assert b["metrics"][key] == value, key
            else:
                assert b["metrics"][key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
    assert (tmp_path / "ray" / "README.md").read_text() == (tmp_path / "local" / "README.md").read_text()

"""benchmark.perf.faiss_side_by_side: its faiss reference ranks as the kernel does, and a side runs in-process."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.perf import faiss_side_by_side as perf_faiss
from benchmark.perf.common import random_unit_rows
from benchmark.scoring import retrieval as R
from benchmark.scoring import retrieve


def test_faiss_csls_reference_ranks_as_the_kernel():
    pytest.importorskip("faiss")
    rng = np.random.default_rng(5)
    targets = random_unit_rows(3000, 24, rng)
    sources = random_unit_rows(2500, 24, rng)
    queries = sources[:200]
    want = retrieve(queries, targets, criterion="csls", k=10, topk=10, sources=sources)
    got = perf_faiss.faiss_csls(queries, targets, sources, 10, 10)
    np.testing.assert_array_equal(got, want)


def test_kernel_side_reports_time_memory_and_top1(monkeypatch):
    monkeypatch.setitem(perf_faiss.SHAPES, "tiny", ("csls", 5000, 8, False))
    monkeypatch.setattr(R, "WORKERS", R.WORKERS)  # run_side sets it (for its child process)
    out = perf_faiss.run_side("tiny", "kernel", 1)
    assert out["seconds"] > 0 and out["maxrss_delta"] >= 0 and out["threads"] == 1
    criterion, queries, targets, sources = perf_faiss._inputs("tiny")
    want = retrieve(queries, targets, criterion="csls", k=10, topk=10, sources=sources)[:, 0]
    assert out["top1"] == want.tolist() and len(out["top1"]) == perf_faiss.N_QUERIES


def test_threads_below_one_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        perf_faiss.main(["--threads", "0"])
    assert exc.value.code == 2 and "--threads must be >= 1" in capsys.readouterr().err

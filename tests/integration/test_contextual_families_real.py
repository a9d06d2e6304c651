"""static_contextual and context_drift on the real packaged models, reduced sizes (slow).

minilm-l6, mpnet-base and gemma3-270m, with glove-6b-50d as the static side, through the
runner: results, leaderboard sections and plots are written to a temp folder;
embedding arrays go to a temp cache (gemma3-270m's converted model copy stays in
``$ROSETTA_CACHE_DIR``, default ``~/.cache/rosetta-bench``: about 75 s once).
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

pytestmark = pytest.mark.slow

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("matplotlib")

SMALL_SC = {
    "target_vocab": 1_200, "min_contexts": 2, "max_contexts": 5, "pooling": "mean", "batch_size": 32,
    "decontext_batch_size": 256, "standardize": True, "search_vocab": 5_000, "n_train": 700, "n_dev": 150, "n_test": 300,
    "min_train": 300, "normalization": "unit+center+unit", "csls_k": 10, "ks": (1, 5, 10),
    "isf_betas": (10.0, 30.0), "n_bootstrap": 200,
}
SMALL_CD = {
    "n_words": 30, "n_contexts": 5, "rank_range": (100, 5_000), "n_random": 300, "n_shuffles": 5,
    "pooling": "mean", "standardize": True, "batch_size": 32, "decontext_batch_size": 256, "n_bootstrap": 200,
}


@pytest.fixture(scope="module")
def small_tasks():
    from benchmark.tasks import TASKS, Expectation, Task, register_task

    tasks = [
        register_task(Task(name="static_contextual_small", version="1.0", family="static_contextual",
                           description="reduced", main_metric="p@1/csls", model_kinds=("static", "contextual"),
                           params=dict(SMALL_SC))),
        register_task(Task(name="context_drift_small", version="1.0", family="context_drift",
                           description="reduced", main_metric="sense/accuracy", model_kinds=("contextual",),
                           params=dict(SMALL_CD),
                           # one expectation per encoder: `models` names one item's model tuple
                           expectations=tuple(Expectation("sense/ci_separation", minimum=0.0, models=(m,))
                                              for m in ("minilm-l6", "mpnet-base")))),
    ]
    yield tasks
    for t in tasks:
        TASKS.unregister(t.name)


@pytest.mark.parametrize("model", ["minilm-l6", "mpnet-base", "gemma3-270m"])
def test_real_models_complete_both_families(model, small_tasks, tmp_path):
    from benchmark.adapters.hf.cache import EmbeddingCache
    from benchmark.models import load_model
    from benchmark.run.results import read_results
    from benchmark.run.runner import plan_items, run

    try:
        load_model("glove-6b-50d")
        ctx = load_model(model)
    except Exception as exc:  # a model package that is not installed
        pytest.skip(f"{exc}")
    ctx.cache = EmbeddingCache(tmp_path / "emb")
    items = plan_items(small_tasks, ["glove-6b-50d", model])
    assert [i.id for i in items] == [f"static_contextual_small[glove-6b-50d->{model}]", f"context_drift_small[{model}]"]
    out = tmp_path / "lb"
    t0 = time.perf_counter()
    summary = run(items, out_dir=out, seed=0, progress=False)
    per_item = ", ".join(f"{r.item_id} {r.timing['seconds']:.0f}s" for r in summary.computed)
    print(f"{model}: {time.perf_counter() - t0:.1f}s for {len(items)} items ({per_item})")
    results = {r.task: r for r in read_results(out / "results")}

    sc = results["static_contextual_small"]
    n_layers = ctx.num_layers
    assert sc.sizes["layers"] == n_layers and len(sc.details["curves"]["pooled"]) == n_layers
    assert sc.sizes["test"] == 300
    for key in ("p@1/nn", "p@1/csls", "p@1/isf", "residual", "coverage", "decontextualized/p@1/csls",
                "input/p@1/csls"):
        assert key in sc.metrics
    # GloVe maps onto the model far better than a shuffled dictionary does
    assert sc.metrics["p@1/csls"] > sc.metrics["baseline/shuffled/p@1/csls"] + 0.2
    assert sc.metrics["coverage"] > 0.5

    cd = results["context_drift_small"]
    assert len(cd.details["layers"]) == n_layers
    assert cd.metrics["sense/accuracy"] > cd.metrics["sense/baseline/shuffled"]
    if model in ("minilm-l6", "mpnet-base"):  # the encoders separate senses beyond both CIs at this size
        assert cd.status == "passed", cd.failures
        assert cd.metrics["sense/ci_separation"] > 0

    page = "\n".join(p.read_text(encoding="utf-8") for p in sorted((out / "tasks").glob("*.md")))
    for name in (f"static_contextual_small__glove-6b-50d__{model}.png", f"context_drift_small__{model}.png"):
        assert f"(../plots/{name})" in page
        assert (out / "plots" / name).stat().st_size > 10_000

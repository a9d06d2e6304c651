"""The spectrum family on the real contextual models (slow): input embeddings and every layer.

minilm-l6, mpnet-base and gemma3-270m through the runner with a reduced null; results,
leaderboard sections and plots go to a temp folder, embedding arrays to a temp
cache (so the extraction itself is exercised).  Run with ``-s`` to see what the
data says per layer.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import replace

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

pytestmark = pytest.mark.slow

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("matplotlib")

N_NULL = 100
TASKS = ("spectrum_contextual_input", "spectrum_contextual_layers")
# Input embeddings keep single whole-word tokens only: MiniLM's WordPiece vocabulary splits rarer
# category words (`hummingbird`), so fewer categories reach 80 % there than in the layer views, which
# embed every category word (pieces mean-pooled).
# mpnet-base's lowercase WordPiece-style vocabulary is like MiniLM's (17 categories covered in a --quick run).
MIN_INPUT_COVERED = {"minilm-l6": 15, "mpnet-base": 16, "gemma3-270m": 24}


@pytest.mark.parametrize("model", ["minilm-l6", "mpnet-base", "gemma3-270m"])
def test_contextual_models_complete_the_spectrum_family(model, tmp_path):
    from benchmark.adapters.hf.cache import EmbeddingCache
    from benchmark.models import load_model
    from benchmark.run.results import read_results
    from benchmark.run.runner import Item, run
    from benchmark.tasks import get_task

    try:
        ctx = load_model(model)
    except Exception as exc:  # a model package that is not installed
        pytest.skip(f"{exc}")
    ctx.cache = EmbeddingCache(tmp_path / "emb")
    tasks = [get_task(name) for name in TASKS]
    # a sparser frequency tail than the default view (every 12th word past the top 2,000 instead of every 4th
    # past 5,000): the extraction into the empty temp cache stays at minutes on 2 cores
    view = {"max_words": 2_000, "tail_stride": 12}
    items = [Item(replace(t, params=t.params.replace(n_null=N_NULL,
                                                     **({"view": {**t.params.view, **view}}
                                                        if t.params.view.get("source") == "decontextualized"
                                                        else {}))), (model,)) for t in tasks]
    out = tmp_path / "lb"
    t0 = time.perf_counter()
    run(items, out_dir=out, seed=0, progress=False)
    elapsed = time.perf_counter() - t0
    results = {r.task: r for r in read_results(out / "results")}
    assert set(results) == set(TASKS)

    inp = results["spectrum_contextual_input"]
    assert inp.status in ("passed", "measured")  # measured: no expectation declared for it
    assert inp.metrics["categories/n_covered"] >= MIN_INPUT_COVERED[model], inp.details["skipped"]
    assert inp.metrics["shipped/n_covered"] >= 10  # WEAT / analogy sets, cased, on a contextual model

    sweep = results["spectrum_contextual_layers"]
    n = ctx.num_layers
    assert sweep.status in ("passed", "measured") and sweep.sizes["layers"] == n == len(sweep.details["layers"])
    for layer in range(n):
        assert sweep.details["layer_metrics"][str(layer)]["categories/n_covered"] >= 20
        assert "shipped/n_covered" not in sweep.details["layer_metrics"][str(layer)]  # at the three views only
        assert math.isfinite(sweep.details["layer_metrics"][str(layer)]["categories/median_z"])
        for e in sweep.details["layers"][str(layer)]["sets"].values():
            assert math.isfinite(e["z"]) and 0 < e["sigma1_share"] <= 1
    medians = [sweep.details["layer_metrics"][str(i)]["categories/median_z"] for i in range(n)]
    assert sweep.metrics["layers/mean_median_z"] == pytest.approx(sum(medians) / n)

    page = "\n".join(p.read_text(encoding="utf-8") for p in sorted((out / "tasks").glob("*.md")))
    for task in TASKS:
        name = f"{task}__{model}.png"
        assert f"(../plots/{name})" in page
        assert (out / "plots" / name).stat().st_size > 10_000
    print(f"\n{model}: {elapsed:.0f}s for input + {n} layers (n_null {N_NULL}); median z by layer: "
          + " ".join(f"{z:+.1f}" for z in medians)
          + f"; input median z {inp.metrics['categories/median_z']:+.2f}")

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# CLI runs in the suite patch the runner in-process: their items run here, not in worker processes
# (tests/unit/test_parallel_runner.py runs the workers)
os.environ.setdefault("ROSETTA_JOBS", "1")

SMALL_PARAMS = {
    "search_vocab": 50_000,
    "n_train": 1_000,
    "n_dev": 200,
    "n_test": 300,
    "min_train": 200,
    "normalization": "unit+center+unit",
    "csls_k": 10,
    "ks": (1, 5, 10),
    "isf_betas": (10.0, 30.0),
    "n_bootstrap": 200,
}


@pytest.fixture
def toy_models():
    """Register toy-source / toy-target (a noisy rotation) for one test."""
    from benchmark.adapters.toy import toy_pair
    from benchmark.models import MODELS, ModelSpec, load_model, register_model

    source, target = toy_pair(n_words=2000, dim_source=24, dim_target=16, noise=0.05, seed=3)
    register_model(ModelSpec("toy-source", "static", lambda: source, "toy", default=False))
    register_model(ModelSpec("toy-target", "static", lambda: target, "toy", default=False))
    load_model.cache_clear()
    yield source, target
    MODELS.unregister("toy-source")
    MODELS.unregister("toy-target")
    load_model.cache_clear()


@pytest.fixture
def toy_task():
    """A small static_static task registered for one test."""
    from benchmark.tasks import TASKS, Expectation, Task, register_task

    task = register_task(Task(
        name="toy_static",
        version="1.0",
        family="static_static",
        description="toy",
        main_metric="p@1/csls",
        params=dict(SMALL_PARAMS),
        expectations=(Expectation("p@1/csls", minimum=0.9),),
    ))
    yield task
    TASKS.unregister("toy_static")

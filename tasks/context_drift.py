"""context_drift — how far does a contextual model's vector of a word drift across contexts?

One item per contextual model.  Per layer: Ethayarajh's (2019) self-similarity
and maximum explainable variance of 100 corpus words × 8 contexts, each minus
its anisotropy baseline (the same statistic on groups of 8 random words in
random contexts); sense separation and leave-one-out nearest-centroid sense
accuracy on the sense-labelled set (datasets/contexts/senses.jsonl) against a
shuffled-label baseline; cosine of each occurrence to the word's
decontextualised vector (the static anchor).  The layer is chosen on a dev
half of the sense words (split by seed) and reported on the other half.

Expectation (every contextual model): sense accuracy beats the shuffled-label
baseline with non-overlapping 95 % CIs (``sense/ci_separation`` ≥ 0), both CIs
resampling whole test words.
"""

from benchmark.tasks import Expectation, Task, register_task

register_task(
    Task(
        name="context_drift",
        version="1.1",  # 1.1: sense/anchor CIs resample whole words; adjusted CIs resample each sample
        family="context_drift",
        description="Per-layer self-similarity, anisotropy-adjusted MEV, sense separation and drift from the static anchor",
        main_metric="sense/accuracy",
        higher_is_better=True,
        model_kinds=("contextual",),
        params={
            "n_words": 100,
            "n_contexts": 8,
            "rank_range": (100, 5_000),
            "n_random": 1_200,
            "n_shuffles": 20,
            "pooling": "mean",
            "standardize": True,
            "batch_size": 32,
            "decontext_batch_size": 256,
            "n_bootstrap": 1_000,
        },
        data_files=("datasets/contexts/senses.jsonl",),
        quick_params={
            "n_words": 30,
            "n_contexts": 5,
            "n_random": 300,
            "n_shuffles": 5,
            "n_bootstrap": 200,
        },
        expectations=(
            Expectation("sense/ci_separation", minimum=0.0),
        ),
    )
)

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

from benchmark.families.context_drift.params import ContextDriftParams
from benchmark.tasks import Expectation, Task, register_task

register_task(
    Task(
        name="context_drift",
        # 1.1: sense/anchor CIs resample whole words; adjusted CIs resample each sample; 1.2: full typed params recorded
        version="1.2",
        family="context_drift",
        description="Per-layer self-similarity, anisotropy-adjusted MEV, sense separation and drift from the static anchor",
        main_metric="sense/accuracy",
        higher_is_better=True,
        model_kinds=("contextual",),
        params=ContextDriftParams(),  # the protocol above; --quick: ContextDriftParams.QUICK
        data_files=("datasets/contexts/senses.jsonl",),
        expectations=(
            Expectation("sense/ci_separation", minimum=0.0),
        ),
    )
)

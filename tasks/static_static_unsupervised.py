"""static_static_unsupervised — translate one static space into another with no dictionary.

Every ordered pair of static models, on the ``static_static`` protocol (same search
spaces, normalisation, identity dictionary, seeded split; the test split is read for
evaluation only).  Runs: the similarity-distribution initialisation (2,500 most
frequent words) + self-learning for 3 seeds, and a Gromov-Wasserstein initialisation
(entropic, POT, 300 most frequent words, at most 50 outer iterations) + the same
self-learning; the unsupervised criterion (mean cosine of CSLS translations of the
10,000 most frequent source words) selects the headline run.

Self-learning cutoff and stopping rule, chosen for the time budget (the family adds
≈ 8 minutes to the default run of 12 pairs on 2 cores), never on a dictionary:
induction among the 2,000 most frequent words of each space; keep probability 0.25,
doubled after 2 iterations without a gain ≥ 0.001 in the objective; a stall at
keep probability 1 stops; at most 15 iterations.
"""

from benchmark.families.static_static_unsupervised.params import UnsupervisedParams
from benchmark.tasks import Expectation, Task, register_task

register_task(
    Task(
        name="static_static_unsupervised",
        # 1.1: full typed params recorded; 1.2: rankings of a map to a wider space run in the span of the
        # mapped sources (the same cosines in d_source dimensions; scores move at float32 rounding)
        version="1.2",
        family="static_static_unsupervised",
        description="Unsupervised map (similarity-distribution / Gromov-Wasserstein init + self-learning) vs Procrustes",
        main_metric="p@1/csls",
        higher_is_better=True,
        model_kinds=("static", "static"),
        # the static_static test split (used for evaluation only), then the protocol above;
        # --quick: UnsupervisedParams.QUICK
        params=UnsupervisedParams(),
        expectations=(
            Expectation("p@1/csls", minimum=0.5, models=("word2vec-gnews", "spacy-md-300")),
        ),
    )
)

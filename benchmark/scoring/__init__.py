"""Pure numpy/scipy scoring engine of Rosetta Bench.

Conventions (stated here and in the leaderboard footer):
vectors are float32 for storage and retrieval, solvers compute in float64; the declared
normalisation is applied to source and target alike before fitting; retrieval is blocked
(memory O(block × n_targets) or less, never O(n_queries × n_targets)) and breaks ties
toward the lower target index. Bad arrays raise :class:`benchmark.errors.ShapeError`,
unknown method names :class:`benchmark.errors.UnknownNameError`.
"""

from benchmark.scoring.isomorphism import (
    eigenvector_similarity,
    isoscore,
    laplacian_spectrum,
    rank_correlation_ci,
    relational_similarity,
)
from benchmark.scoring.normalize import normalize, standardize
from benchmark.scoring.procrustes import (
    LinearFit,
    ProcrustesFit,
    linear_map,
    orthogonal_procrustes,
    procrustes_residual,
)
from benchmark.scoring.retrieval import (
    csls_penalty,
    csls_penalty_and_isf_normalizer,
    hits_at_k,
    isf_log_normalizer,
    precision_at_k,
    retrieve,
)
from benchmark.scoring.similarity import linear_cka, mutual_knn, pair_cosines, rsa
from benchmark.scoring.stats import bootstrap_ci, cluster_bootstrap_ci, difference_ci, holm, spearman_rho
from benchmark.scoring.transport import gromov_wasserstein_init
from benchmark.scoring.unsupervised import (
    Dictionary,
    SelfLearningFit,
    induce_dictionary,
    self_learning,
    similarity_init,
    unsupervised_criterion,
)

__all__ = [
    "normalize",
    "standardize",
    "orthogonal_procrustes",
    "ProcrustesFit",
    "linear_map",
    "LinearFit",
    "procrustes_residual",
    "retrieve",
    "csls_penalty",
    "isf_log_normalizer",
    "csls_penalty_and_isf_normalizer",
    "precision_at_k",
    "hits_at_k",
    "rsa",
    "linear_cka",
    "mutual_knn",
    "pair_cosines",
    "bootstrap_ci",
    "cluster_bootstrap_ci",
    "difference_ci",
    "holm",
    "spearman_rho",
    "Dictionary",
    "SelfLearningFit",
    "similarity_init",
    "gromov_wasserstein_init",
    "induce_dictionary",
    "self_learning",
    "unsupervised_criterion",
    "laplacian_spectrum",
    "eigenvector_similarity",
    "relational_similarity",
    "isoscore",
    "rank_correlation_ci",
]

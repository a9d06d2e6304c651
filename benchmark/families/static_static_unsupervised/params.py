"""static_static_unsupervised: the protocol's parameters (defaults = the task, ``QUICK`` = ``--quick``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Mapping

from benchmark.families.params import param
from benchmark.families.static_static.params import SplitParams


@dataclass(frozen=True)
class UnsupervisedParams(SplitParams):
    """The static_static split (its test split for evaluation only), the initialisations, self-learning
    and the isomorphism measures."""

    QUICK: ClassVar[Mapping[str, Any]] = {**SplitParams.QUICK, "init_vocab": 1_500, "gw_vocab": 200,
                                          "vocab_cutoff": 1_500, "max_iterations": 10, "n_seeds": 2}

    init_vocab: int = param(2_500, ge=2)
    gw_vocab: int = param(300, ge=2)
    gw_solver: Literal["conditional_gradient", "entropic"] = "entropic"
    gw_max_iter: int = param(50, ge=1)
    vocab_cutoff: int = param(2_000, ge=1)
    keep_prob: float = param(0.25, gt=0, le=1)
    keep_multiplier: float = param(2.0, gt=1)
    patience: int = param(2, ge=1)
    threshold: float = param(1e-3, ge=0)
    max_iterations: int = param(15, ge=1)
    n_seeds: int = param(3, ge=1)
    criterion_vocab: int = param(10_000, ge=1)
    success_threshold: float = param(0.05, ge=0, le=1)
    graph_vocab: int = param(1_000, ge=2)
    graph_k: int = param(10, ge=1)
    predictor_pairs: int = param(1_000, ge=2)

"""static_contextual: the protocol's parameters (defaults = the task, ``QUICK`` = ``--quick``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from benchmark.families.params import Params, param


@dataclass(frozen=True)
class StaticContextualParams(Params):
    """Contextual word set and extraction, then the static_static protocol on each layer."""

    QUICK: ClassVar[Mapping[str, Any]] = {"target_vocab": 1_200, "max_contexts": 5, "search_vocab": 5_000,
                                          "n_train": 700, "n_dev": 150, "n_test": 300, "min_train": 300,
                                          "isf_betas": (10.0, 30.0), "n_bootstrap": 200}

    target_vocab: int = param(3_000, ge=1)
    min_contexts: int = param(2, ge=1)
    max_contexts: int = param(10, ge=1)
    pooling: str = "mean"
    batch_size: int = param(32, ge=1)
    decontext_batch_size: int = param(256, ge=1)
    standardize: bool = True
    # the static_static protocol at the chosen layer (benchmark.families.static_static.params)
    search_vocab: int = param(10_000, ge=1)
    n_train: int = param(2_000, ge=1)
    n_dev: int = param(300, ge=1)
    n_test: int = param(700, ge=1)
    min_train: int = param(500, ge=1)
    normalization: str = "unit+center+unit"
    csls_k: int = param(10, ge=1)
    ks: tuple[int, ...] = param((1, 5, 10), ge=1)
    isf_betas: tuple[float, ...] = param((10.0, 20.0, 30.0, 50.0), gt=0)
    n_bootstrap: int = param(1_000, ge=1)

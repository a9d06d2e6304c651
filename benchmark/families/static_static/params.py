"""static_static: the protocol's parameters (defaults = the ``static_static`` task, ``QUICK`` = ``--quick``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from benchmark.families.params import Params, param


@dataclass(frozen=True)
class SplitParams(Params):
    """Search spaces, dictionary split, normalisation and retrieval: shared by every task evaluated on the
    static_static test split (static_static, static_static_unsupervised)."""

    QUICK: ClassVar[Mapping[str, Any]] = {"search_vocab": 20_000, "n_train": 2_000, "n_test": 1_000,
                                          "n_bootstrap": 200}

    search_vocab: int = param(50_000, ge=1)
    n_train: int = param(5_000, ge=1)
    n_dev: int = param(500, ge=1)
    n_test: int = param(1_500, ge=1)
    min_train: int = param(500, ge=1)
    normalization: str = "unit+center+unit"
    csls_k: int = param(10, ge=1)
    ks: tuple[int, ...] = param((1, 5, 10), ge=1)
    n_bootstrap: int = param(1_000, ge=1)


@dataclass(frozen=True)
class StaticStaticParams(SplitParams):
    """:class:`SplitParams` and the inverted-softmax temperatures (β chosen on dev)."""

    QUICK: ClassVar[Mapping[str, Any]] = {**SplitParams.QUICK, "isf_betas": (10.0, 30.0)}

    isf_betas: tuple[float, ...] = param((10.0, 20.0, 30.0, 50.0), gt=0)

"""context_drift: the protocol's parameters (defaults = the task, ``QUICK`` = ``--quick``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from benchmark.families.params import Params, param


@dataclass(frozen=True)
class ContextDriftParams(Params):
    """Corpus words and their contexts, the anisotropy baseline, shuffles, extraction and bootstrap."""

    QUICK: ClassVar[Mapping[str, Any]] = {"n_words": 30, "n_contexts": 5, "n_random": 300, "n_shuffles": 5,
                                          "n_bootstrap": 200}

    n_words: int = param(100, ge=2)
    n_contexts: int = param(8, ge=2)
    rank_range: tuple[int, int] = param((100, 5_000), ge=0)
    n_random: int = param(1_200, ge=2)
    n_shuffles: int = param(20, ge=1)
    pooling: str = "mean"
    standardize: bool = True
    batch_size: int = param(32, ge=1)
    decontext_batch_size: int = param(256, ge=1)
    n_bootstrap: int = param(1_000, ge=1)

    def __post_init__(self):
        super().__post_init__()
        lo, hi = self.rank_range
        if not lo < hi:
            from benchmark.families.params import ParamError

            raise ParamError(f"ContextDriftParams: parameter rank_range = {list(self.rank_range)!r}: "
                             "the first rank must be below the second")

"""spectrum_by_category: the protocol's parameters (defaults = the task, ``QUICK`` = ``--quick``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Mapping

from benchmark.families.params import Params, param

#: The keywords of ``static_embeddings(**view)`` a task may set (``extra_words`` is the family's own).
VIEW_KEYS = ("source", "layer", "max_words", "tail_stride")


@dataclass(frozen=True)
class SpectrumParams(Params):
    """Sets, coverage, spectrum, the frequency-matched null, the correction; ``view`` is the
    ``static_embeddings(**view)`` of a contextual model (empty for a static one)."""

    QUICK: ClassVar[Mapping[str, Any]] = {"n_null": 200, "shipped": False}

    min_coverage: float = param(0.8, gt=0, le=1)
    min_words: int = param(3, ge=1)
    n_null: int = param(1000, ge=2)
    top_k: int = param(3, ge=1)
    center: bool = True
    alpha: float = param(0.05, gt=0, lt=1)
    correction: Literal["holm", "none"] = "holm"
    frequency_bins: int = param(10, ge=1)
    min_pool_ratio: float = param(2.0, gt=0)
    shipped: bool = True
    categories_file: str = "datasets/categories/categories.json"
    view: Mapping[str, Any] = param(default_factory=dict, keys=VIEW_KEYS)

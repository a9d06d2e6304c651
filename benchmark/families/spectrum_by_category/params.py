"""spectrum_by_category: the protocol's parameters (defaults = the task, ``QUICK`` = ``--quick``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, Mapping

from benchmark.families.params import Params, param
from benchmark.resources import dataset_path

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


#: The defaults of :class:`SpectrumParams` as a Result records them (the renderers fill older Results with them).
DEFAULT_PARAMS: dict[str, Any] = SpectrumParams().as_dict()


def as_params(task_params: SpectrumParams | Mapping[str, Any]) -> SpectrumParams:
    """The typed parameters (a mapping is read through :class:`SpectrumParams`, which validates it)."""
    return task_params if isinstance(task_params, SpectrumParams) else SpectrumParams.from_dict(task_params)


def categories_path(p: SpectrumParams) -> Path:
    """Where ``p.categories_file`` is: a shipped dataset, an absolute path, or relative to the working directory."""
    path = Path(p.categories_file)
    if path.is_absolute():
        return path
    if path.parts[:1] == ("datasets",):  # the shipped datasets, wherever the package is installed
        return dataset_path(*path.parts[1:])
    return path.resolve()  # a user's file, relative to the working directory

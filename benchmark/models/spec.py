"""What a registered model is: a :class:`ModelSpec` (id, kind, loader, description, profile flags)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

ModelKind = Literal["static", "contextual"]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model.

    Attributes
    ----------
    name
        The id used on the command line and in item ids.
    kind
        ``static`` (loader returns StaticEmbeddings) or ``contextual``.
    loader
        Zero-argument callable that loads the model (imports happen inside).
    description
        One line for ``python -m benchmark models``.
    default
        Part of the default run.
    quick
        Part of the ``--quick`` profile's default models (causal LMs are not).
    """

    name: str
    kind: ModelKind
    loader: Callable[[], Any]
    description: str = ""
    default: bool = True
    quick: bool = True

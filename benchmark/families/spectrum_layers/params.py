"""spectrum_layers: the protocol's parameters (spectrum_by_category's, on decontextualised words)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from benchmark.families.params import param
from benchmark.families.spectrum_by_category.params import SpectrumParams

DECONTEXTUALIZED = {"source": "decontextualized", "max_words": 5_000, "tail_stride": 4}


@dataclass(frozen=True)
class SpectrumLayersParams(SpectrumParams):
    """:class:`SpectrumParams` with the decontextualised view of every layer (the family adds ``layer``).

    ``shipped_every_layer``: measure the shipped sets (WEAT lists, analogy sections) at every layer too.  Off by
    default: they are measured at the input, mid and last views (the ``spectrum_contextual_*`` tasks), and at every
    layer they cost about twice the categories' null draws (they hold the largest sets, up to 116 words).  Their
    rows stay out of the null pool either way, so each layer's category z values are the same as with them.
    """

    view: Mapping[str, Any] = field(default_factory=lambda: dict(DECONTEXTUALIZED),
                                    metadata=SpectrumParams.__dataclass_fields__["view"].metadata)
    shipped_every_layer: bool = param(False)

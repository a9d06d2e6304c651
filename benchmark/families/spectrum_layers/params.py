"""spectrum_layers: the protocol's parameters (spectrum_by_category's, on decontextualised words)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from benchmark.families.spectrum_by_category.params import SpectrumParams

DECONTEXTUALIZED = {"source": "decontextualized", "max_words": 5_000, "tail_stride": 4}


@dataclass(frozen=True)
class SpectrumLayersParams(SpectrumParams):
    """:class:`SpectrumParams` with the decontextualised view of every layer (the family adds ``layer``)."""

    view: Mapping[str, Any] = field(default_factory=lambda: dict(DECONTEXTUALIZED),
                                    metadata=SpectrumParams.__dataclass_fields__["view"].metadata)

"""spectrum_by_category: the static view of a model, the :class:`StaticEmbeddings` the family measures."""

from __future__ import annotations

from typing import Any, Mapping

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.categories import load_categories, load_shipped_categories
from benchmark.errors import TaskError
from benchmark.families.spectrum_by_category.params import SpectrumParams, as_params, categories_path


def static_view(model, params: SpectrumParams | Mapping[str, Any] | None = None) -> StaticEmbeddings:
    """The :class:`StaticEmbeddings` this family measures for ``model``.

    A static model is its own view.  Any other model plugs in by providing a
    ``static_embeddings(**view)`` method (``view`` = ``params.view``, e.g.
    ``{"layer": 6}``) that returns a :class:`StaticEmbeddings`: a contextual
    model's input embeddings or one layer's decontextualised word vectors.
    """
    if isinstance(model, StaticEmbeddings):
        return model
    provider = getattr(model, "static_embeddings", None)
    if callable(provider):
        p = as_params(params or {})
        view = dict(p.view)
        if view.get("source") == "decontextualized":
            # every word of our categories, controls and the shipped sets is embedded too, whatever its
            # tokenisation; always the same list, so that every task shares one extraction
            sets = {**load_categories(categories_path(p)), **load_shipped_categories()}
            view["extra_words"] = sorted({w for cat in sets.values() for w in cat.words})
        emb = provider(**view)
        if not isinstance(emb, StaticEmbeddings):
            raise TaskError(
                f"model {getattr(model, 'name', model)!r}: static_embeddings() returned "
                f"{type(emb).__name__}, not StaticEmbeddings"
            )
        return emb
    raise TaskError(
        f"model {getattr(model, 'name', model)!r} ({type(model).__name__}) provides no StaticEmbeddings: "
        "spectrum_by_category needs a static model or a model with a static_embeddings() method"
    )

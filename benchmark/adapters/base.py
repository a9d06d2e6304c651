"""What adapters hand the tasks: a :class:`StaticEmbeddings` space, or a :class:`ContextualModel`.

A static adapter is a word list and a float32 matrix.  A contextual adapter is any object that
provides the :class:`ContextualModel` protocol (the transformers one is
:class:`benchmark.adapters.hf.TransformersModel`); families check the kind with
:func:`require_static` / :func:`require_contextual`, which raise the same named
:class:`~benchmark.errors.TaskError` everywhere.  ``benchmark.testing.check_adapter`` checks both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from benchmark.errors import ShapeError, TaskError

Pooling = Literal["mean", "first", "last"]


@dataclass(frozen=True, eq=False)
class StaticEmbeddings:
    """A static embedding space.

    Attributes
    ----------
    name
        Registered model id (``glove-6b-50d``).
    words
        The vocabulary, unique keys as the model spells them, shape (n,).
        In frequency order when ``frequency_ordered`` is true.
    vectors
        float32 array, shape (n, d), C-contiguous, finite.
    revision
        Package version or file sha256: what a cached result depends on.
    frequency_ordered
        Whether ``words`` is ordered by corpus frequency (most frequent first).
    source
        Human-readable origin (package and file) for provenance.
    """

    name: str
    words: tuple[str, ...]
    vectors: np.ndarray
    revision: str
    frequency_ordered: bool = False
    source: str = ""
    _index: dict = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        words = tuple(map(str, self.words))
        object.__setattr__(self, "words", words)
        vectors = np.ascontiguousarray(self.vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ShapeError(f"model {self.name!r}: vectors must be 2-D, got shape {vectors.shape}")
        if vectors.shape[0] != len(words):
            raise ShapeError(
                f"model {self.name!r}: {len(words)} words but {vectors.shape[0]} vector rows"
            )
        if vectors.shape[0] == 0:
            raise ShapeError(f"model {self.name!r}: empty vocabulary")
        vectors.setflags(write=False)
        object.__setattr__(self, "vectors", vectors)
        index = dict(zip(words, range(len(words))))
        if len(index) != len(words):
            first: dict[str, int] = {}
            for i, w in enumerate(words):
                if first.setdefault(w, i) != i:
                    raise ShapeError(f"model {self.name!r}: duplicate word {w!r} at rows {first[w]} and {i}")
        object.__setattr__(self, "_index", index)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def index(self, word: str) -> int:
        return self._index[word]

    def vector(self, word: str) -> np.ndarray:
        return self.vectors[self._index[word]]


@runtime_checkable
class ContextualModel(Protocol):
    """What the contextual families need of a model that turns word occurrences into per-layer vectors.

    Attributes
    ----------
    name, revision, source : str
        Registered id; what cached vectors depend on; human-readable origin.
    num_layers : int
        Hidden-state outputs, layer 0 (the embedding output) included.
    dim : int
        Hidden size.
    architecture : {"encoder", "causal"}

    Every ``layers`` argument takes hidden-state indices (negative ones count from the end; ``None``:
    all); every array returned is float32 of shape (n, n_layers_selected, dim), rows in input order.
    """

    name: str
    revision: str
    source: str
    num_layers: int
    dim: int
    architecture: str

    def embed_occurrences(self, occurrences: Sequence, *, layers: Sequence[int] | int | None = None,
                          pooling: Pooling = "mean", batch_size: int = 32) -> np.ndarray:
        """Vectors of word occurrences (``Occurrence``: sentence, start, end), shape (n_occ, L, dim)."""

    def decontextualized(self, words: Sequence[str], *, layers: Sequence[int] | int | None = None,
                         pooling: Pooling = "mean", batch_size: int = 32,
                         leading_space: bool = False) -> np.ndarray:
        """Each word fed alone, shape (n_words, L, dim)."""

    def context_pooled(self, contexts: Mapping[str, Sequence], *, max_contexts: int = 10,
                       layers: Sequence[int] | int | None = None, pooling: Pooling = "mean",
                       batch_size: int = 32) -> tuple[list[str], np.ndarray]:
        """Per word, the mean over up to ``max_contexts`` occurrences: (words kept, (n, L, dim))."""

    def static_embeddings(self, *, source: Literal["input", "decontextualized"] = "input",
                          layer: int | Literal["mid", "last"] = "last", max_words: int = 5_000,
                          tail_stride: int = 4, extra_words: Sequence[str] = ()) -> StaticEmbeddings:
        """A static view: the input embedding matrix, or one layer's decontextualised word vectors."""

    def input_embeddings(self) -> StaticEmbeddings:
        """The input embedding rows of the tokenizer's whole-word tokens."""


def _kind_error(task: str, expected: str, models: Sequence[object]) -> TaskError:
    got = ", ".join(f"{getattr(m, 'name', '?')!r} ({type(m).__name__})" for m in models)
    return TaskError(f"task {task!r} needs {expected}, got {got}")


def require_static(model: object, task: str) -> StaticEmbeddings:
    """``model`` when it is a :class:`StaticEmbeddings`, else a :class:`TaskError` naming task and model."""
    if not isinstance(model, StaticEmbeddings):
        raise _kind_error(task, "a static model (StaticEmbeddings)", [model])
    return model


def require_contextual(model: object, task: str) -> ContextualModel:
    """``model`` when it provides :class:`ContextualModel`, else a :class:`TaskError` naming task and model."""
    if isinstance(model, StaticEmbeddings) or not isinstance(model, ContextualModel):
        raise _kind_error(task, "a contextual model (the ContextualModel protocol)", [model])
    return model

"""What every adapter hands the tasks: a word list and a float32 matrix."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from benchmark.errors import ShapeError


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
        words = tuple(str(w) for w in self.words)
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
        index = {}
        for i, w in enumerate(words):
            if w in index:
                raise ShapeError(f"model {self.name!r}: duplicate word {w!r} at rows {index[w]} and {i}")
            index[w] = i
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

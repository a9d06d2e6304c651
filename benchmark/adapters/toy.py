"""Toy static spaces with a known answer, for tests and smoke runs.

``toy_pair`` builds two spaces over the same plain English words: the second
is a random rotation of the first (padded or cut to its dimension) plus
Gaussian noise, so an orthogonal map recovers it up to the noise level.
"""

from __future__ import annotations

import numpy as np

from benchmark.adapters.base import StaticEmbeddings


def toy_words(n: int) -> tuple[str, ...]:
    from benchmark.data.vocabulary import reference_words

    return reference_words()[:n]


def toy_pair(
    n_words: int = 3000, dim_source: int = 32, dim_target: int = 32, *, noise: float = 0.1, seed: int = 0
) -> tuple[StaticEmbeddings, StaticEmbeddings]:
    rng = np.random.default_rng(seed)
    words = toy_words(n_words)
    source = rng.standard_normal((len(words), dim_source))
    d = max(dim_source, dim_target)
    rotation, _ = np.linalg.qr(rng.standard_normal((d, d)))
    padded = np.zeros((len(words), d))
    padded[:, :dim_source] = source
    target = (padded @ rotation)[:, :dim_target] + noise * rng.standard_normal((len(words), dim_target))
    return (
        StaticEmbeddings("toy-source", words, source, revision=f"toy:seed={seed}", frequency_ordered=True),
        StaticEmbeddings("toy-target", words, target, revision=f"toy:seed={seed}", frequency_ordered=True),
    )

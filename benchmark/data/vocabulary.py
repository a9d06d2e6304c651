"""Shared vocabularies, frequency ranking and seeded dictionary splits.

Key rule (stated in every static task and in the leaderboard footer):
a model key takes part when it is a *plain word* — ``str.isalpha()`` and
``str.islower()`` — compared exactly, with no case folding.  So GoogleNews
phrases (``New_York``), capitalised keys (``Paris``), digits and punctuation
are left out rather than folded onto another key; SentencePiece ``▁word``
and GPT-2 ``Ġword`` markers are stripped by the adapters, which keep
word-start pieces only.

Frequency: the English list of ``wordfreq`` (``top_n_list('en', 50000)``)
ranks words.  A model whose own order is corpus frequency (GloVe, spaCy)
keeps it for its search space; other models (word2vec-gnews is
alphabetical) are ranked by wordfreq, unknown words last, alphabetically.
"""

from __future__ import annotations

import functools
import importlib.metadata
from dataclasses import dataclass

import numpy as np

from benchmark.adapters.base import StaticEmbeddings
from benchmark.errors import NotMeasurableError

REFERENCE_SIZE = 50_000


def is_plain_word(word: str) -> bool:
    return word.isalpha() and word.islower()


@functools.lru_cache(maxsize=4)
def reference_words(n: int = REFERENCE_SIZE) -> tuple[str, ...]:
    """wordfreq's ``n`` most frequent English words that are plain words, in rank order."""
    import wordfreq

    return tuple(w for w in wordfreq.top_n_list("en", n) if is_plain_word(w))


def reference_revision() -> str:
    return f"wordfreq=={importlib.metadata.version('wordfreq')} top_n_list('en', {REFERENCE_SIZE})"


@dataclass(frozen=True, eq=False)
class SearchSpace:
    """The plain-word rows of a model, frequency ordered and capped.

    Attributes
    ----------
    words
        Shape (n,), most frequent first.
    vectors
        float32, shape (n, d): rows of the model's matrix, in ``words`` order.
    """

    model: str
    words: tuple[str, ...]
    vectors: np.ndarray

    @functools.cached_property
    def position(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def rows(self, words) -> np.ndarray:
        """int64 row indices of ``words`` (all in the space), in their order."""
        pos = self.position
        return np.fromiter((pos[w] for w in words), dtype=np.int64, count=len(words))


def search_space(emb: StaticEmbeddings, max_words: int | None = None) -> SearchSpace:
    rows = [i for i, w in enumerate(emb.words) if is_plain_word(w)]
    if not emb.frequency_ordered:
        rank = {w: r for r, w in enumerate(reference_words())}
        unknown = len(rank)
        rows.sort(key=lambda i: (rank.get(emb.words[i], unknown), emb.words[i]))
    if max_words is not None:
        rows = rows[:max_words]
    return SearchSpace(
        model=emb.name,
        words=tuple(emb.words[i] for i in rows),
        vectors=emb.vectors[rows],
    )


@dataclass(frozen=True)
class DictionarySplit:
    """Disjoint train/dev/test word lists of an identity dictionary.

    ``coverage`` is the share of the reference list's ``coverage_base``
    most frequent words found in both search spaces.
    """

    train: tuple[str, ...]
    dev: tuple[str, ...]
    test: tuple[str, ...]
    n_shared: int
    coverage: float
    coverage_base: int
    note: str


def identity_dictionary(
    source: SearchSpace,
    target: SearchSpace,
    *,
    n_train: int,
    n_dev: int,
    n_test: int,
    min_train: int,
    seed: int,
    coverage_base: int = 10_000,
) -> DictionarySplit:
    """Split the shared vocabulary into train/dev/test by seed.

    The shared plain words are ranked by wordfreq; the ``n_train + n_dev +
    n_test`` most frequent are shuffled with ``numpy.random.default_rng(seed)``
    and cut into test, dev and train, in that order.  When fewer are shared,
    test and dev keep their sizes and train shrinks (stated in ``note``); below
    ``min_train`` training pairs this raises.
    """
    ref = reference_words()
    shared = [w for w in ref if w in source.position and w in target.position]
    base = ref[:coverage_base]
    covered = sum(1 for w in base if w in source.position and w in target.position)
    coverage = covered / len(base)
    available_train = len(shared) - n_dev - n_test
    if available_train < min_train:
        raise NotMeasurableError(
            None,
            f"models {source.model!r} and {target.model!r} share {len(shared)} frequent plain words; "
            f"a {n_dev}-word dev and {n_test}-word test split need at least {min_train} more for training",
        )
    train_size = min(n_train, available_train)
    note = "" if train_size == n_train else f"train shrunk to {train_size} (only {len(shared)} shared words)"
    pool = np.array(shared[: train_size + n_dev + n_test], dtype=object)
    order = np.random.default_rng(seed).permutation(len(pool))
    pool = [str(w) for w in pool[order]]
    return DictionarySplit(
        test=tuple(pool[:n_test]),
        dev=tuple(pool[n_test : n_test + n_dev]),
        train=tuple(pool[n_test + n_dev :]),
        n_shared=len(shared),
        coverage=coverage,
        coverage_base=len(base),
        note=note,
    )

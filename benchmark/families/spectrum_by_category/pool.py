"""spectrum_by_category: the null's pool of candidate words and the wordfreq rank of a word."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.vocabulary import REFERENCE_SIZE, is_plain_word, reference_words
from benchmark.errors import ShapeError
from benchmark.scoring.duplicates import duplicate_groups


@functools.lru_cache(maxsize=1)
def _rank_table() -> tuple[dict[str, int], int]:
    """word → plain-word rank, for every word of wordfreq's unfiltered top list.

    For a plain word the rank is its index in :func:`reference_words`; any
    other token (``"7"``) gets the number of plain words ranked before it.
    Returns ``(table, tail_rank)`` with ``tail_rank = len(reference_words())``.
    """
    import wordfreq

    table: dict[str, int] = {}
    plain = 0
    for w in wordfreq.top_n_list("en", REFERENCE_SIZE):
        table.setdefault(w, plain)
        if is_plain_word(w):
            plain += 1
    ref = reference_words()
    if plain != len(ref):  # pragma: no cover - wordfreq and vocabulary disagree
        raise ShapeError(f"wordfreq list has {plain} plain words but reference_words() has {len(ref)}")
    return table, plain


def frequency_rank(word: str) -> int:
    """wordfreq rank of ``word`` (the plain-word scale of :func:`reference_words`); see the package doc."""
    table, tail = _rank_table()
    rank = table.get(word)
    if rank is None:
        rank = table.get(word.lower(), tail)
    return rank


@dataclass(frozen=True, eq=False)
class Pool:
    """Candidate rows for the null: plain, ranked, one word per distinct vector, no evaluated set's vector.

    ``rows`` index the model's matrix, sorted by ``ranks`` (most frequent first).
    ``n_excluded`` counts the distinct vectors left out because they belong to an evaluated set.
    """

    rows: np.ndarray
    ranks: np.ndarray
    n_candidates: int
    n_excluded: int = 0
    #: Group of every row of the model's matrix (:func:`~benchmark.scoring.duplicates.duplicate_groups` over
    #: the candidates and the evaluated sets' rows, the first row of a group as its label).
    groups: np.ndarray | None = None

    @property
    def n_duplicates(self) -> int:
        return self.n_candidates - len(self.rows) - self.n_excluded


def build_pool(emb: StaticEmbeddings, exclude_rows=()) -> Pool:
    """The null's pool: ``emb``'s plain words with a wordfreq rank, one word (the most frequent) per
    distinct vector, minus every vector of ``exclude_rows`` (the rows of all evaluated sets), so that no
    null draw contains another set's member.  Vectors equal up to float rounding are one vector
    (:func:`~benchmark.scoring.duplicates.duplicate_groups`), so the pool is the same on every CPU."""
    ref_index = {w: i for i, w in enumerate(reference_words())}
    cand = sorted(
        (ref_index[w], i) for i, w in enumerate(emb.words) if w in ref_index and is_plain_word(w)
    )
    # only candidates and evaluated rows are ever compared: group those (a row outside is its own group)
    relevant = np.array(sorted({row for _, row in cand} | set(exclude_rows)), dtype=np.intp)
    groups = np.arange(len(emb.vectors), dtype=np.intp)
    groups[relevant] = relevant[duplicate_groups(emb.vectors[relevant])]
    excluded = set(groups[np.asarray(list(exclude_rows), dtype=np.intp)].tolist())
    seen: set[int] = set()
    rows, ranks = [], []
    n_excluded = 0
    for rank, row in cand:
        key = int(groups[row])
        if key in seen:
            continue
        seen.add(key)
        if key in excluded:
            n_excluded += 1
            continue
        rows.append(row)
        ranks.append(rank)
    return Pool(np.asarray(rows, dtype=np.intp), np.asarray(ranks, dtype=np.float64), len(cand), n_excluded,
                groups)


def pool_share_of(emb: StaticEmbeddings, pool_rows: np.ndarray, member_rows, groups: np.ndarray | None = None
                  ) -> float:
    """Share of ``pool_rows`` whose vector is one of ``member_rows``' vectors, up to float rounding
    (0 for an empty pool).  ``groups``: :func:`duplicate_groups` of ``emb.vectors``, when known."""
    if len(pool_rows) == 0:
        return 0.0
    groups = duplicate_groups(emb.vectors) if groups is None else groups
    members = groups[np.asarray(list(member_rows), dtype=np.intp)]
    return float(np.isin(groups[np.asarray(pool_rows, dtype=np.intp)], members).mean())

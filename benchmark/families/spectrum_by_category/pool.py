"""spectrum_by_category: the null's pool of candidate words and the wordfreq rank of a word."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.vocabulary import REFERENCE_SIZE, is_plain_word, reference_words
from benchmark.errors import ShapeError


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

    @property
    def n_duplicates(self) -> int:
        return self.n_candidates - len(self.rows) - self.n_excluded


def build_pool(emb: StaticEmbeddings, exclude_rows=()) -> Pool:
    """The null's pool: ``emb``'s plain words with a wordfreq rank, one word (the most frequent) per
    distinct vector, minus every vector of ``exclude_rows`` (the rows of all evaluated sets), so that no
    null draw contains another set's member."""
    ref_index = {w: i for i, w in enumerate(reference_words())}
    cand = sorted(
        (ref_index[w], i) for i, w in enumerate(emb.words) if w in ref_index and is_plain_word(w)
    )
    excluded = {emb.vectors[r].tobytes() for r in exclude_rows}
    seen: set[bytes] = set()
    rows, ranks = [], []
    n_excluded = 0
    for rank, row in cand:
        key = emb.vectors[row].tobytes()
        if key in seen:
            continue
        seen.add(key)
        if key in excluded:
            n_excluded += 1
            continue
        rows.append(row)
        ranks.append(rank)
    return Pool(np.asarray(rows, dtype=np.intp), np.asarray(ranks, dtype=np.float64), len(cand), n_excluded)


def pool_share_of(emb: StaticEmbeddings, pool_rows: np.ndarray, member_rows) -> float:
    """Share of ``pool_rows`` whose vector is one of ``member_rows``' vectors (0 for an empty pool)."""
    if len(pool_rows) == 0:
        return 0.0
    members = {emb.vectors[r].tobytes() for r in member_rows}
    pool_rows = np.asarray(pool_rows, dtype=np.intp)
    if members and emb.dim > 0:
        # only rows whose first coordinate has a member's bit pattern can equal a member: compare those
        first = np.ascontiguousarray(emb.vectors[:, 0])
        bits = first.view(np.dtype(f"u{first.dtype.itemsize}"))
        member_bits = bits[np.asarray(list(member_rows), dtype=np.intp)]
        candidates = pool_rows[np.isin(bits[pool_rows], member_bits)]
    else:
        candidates = pool_rows[:0]
    hits = sum(emb.vectors[r].tobytes() in members for r in candidates)
    return hits / len(pool_rows)

"""spectrum_by_category: one set's words looked up in a space and its spectrum measured against its null."""

from __future__ import annotations

import zlib
from typing import Any, Mapping

import numpy as np

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.categories import CategorySet
from benchmark.errors import ShapeError
from benchmark.families.spectrum_by_category.metrics import MAIN_METRIC
from benchmark.families.spectrum_by_category.params import SpectrumParams
from benchmark.families.spectrum_by_category.pool import Pool, frequency_rank, pool_share_of
from benchmark.scoring.null_draws import NullDrawMemo, draws_key
from benchmark.scoring.spectrum import (
    compare_with_null,
    frequency_matched_sampler,
    null_distribution,
    singular_spectrum,
    summarize_spectrum,
)

#: Null draws shared by the spaces of one run that have the same rows, pool and bins (the layers of a
#: contextual model): a reuse is bit-identical to drawing again (see benchmark.scoring.null_draws).
NULL_DRAWS = NullDrawMemo()


CURVE_DECIMALS = 6


#: Metrics whose full null comparison (mean, std, 5/95 %, z, p) is kept in the details.
NULL_DETAIL_METRICS = ("sigma1_share", "effective_rank")


def match_words(emb: StaticEmbeddings, words, *, fold_case: bool) -> dict:
    """Look a set's words up in ``emb``: exact key, else (``fold_case``) the lowercase, then the capitalised form."""
    found, rows, missing, folded = [], [], [], []
    seen_rows: set[int] = set()
    duplicates = []
    for w in words:
        key = w if w in emb else None
        if key is None and fold_case:
            key = next((f for f in (w.lower(), w.capitalize()) if f != w and f in emb), None)
            if key is not None:
                folded.append(w)
        if key is None:
            missing.append(w)
            continue
        row = emb.index(key)
        found.append(key)
        if row in seen_rows:
            duplicates.append(w)
            continue
        seen_rows.add(row)
        rows.append(row)
    return {"keys": found, "rows": rows, "missing": missing, "folded": folded, "duplicates": duplicates,
            "fold_case": fold_case}


def sub_seed(seed: int, name: str) -> int:
    ss = np.random.SeedSequence([int(seed) % 2**32, zlib.crc32(name.encode("utf-8"))])
    return int(ss.generate_state(1)[0])


def _plain(d: Mapping[str, Any]) -> dict:
    """numpy scalars → Python ones (JSON)."""
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in d.items()}


def round_curve(values) -> list[float]:
    return [round(float(v), CURVE_DECIMALS) for v in values]


def measure_set(
    emb: StaticEmbeddings,
    cat: CategorySet,
    pool: Pool,
    params: SpectrumParams,
    *,
    seed: int,
    match: dict,
    other_rows=(),
) -> tuple[dict, np.ndarray | None]:
    """Metrics, null comparison and curves of one set; ``(entry, null curves or None)``.

    ``match`` is :func:`match_words`' answer for the set, ``other_rows`` the rows of the other
    evaluated sets (for ``frequency_match.pool_other_sets_share``).
    ``entry["status"]`` is ``"ok"`` or ``"skipped"`` (with ``reason``).
    """
    m = match
    fold_case = m["fold_case"]
    n_words = len(cat.words)
    coverage = len(m["keys"]) / n_words
    n = len(m["rows"])
    entry: dict[str, Any] = {
        "kind": cat.kind,
        "n_words": n_words,
        "n_found": len(m["keys"]),
        "n": n,
        "coverage": coverage,
        "missing": list(m["missing"]),
        "folded": list(m["folded"]),
        "duplicate_rows": list(m["duplicates"]),
        "key_rule": "exact, else lowercase, else capitalised" if fold_case else "exact",
    }

    def skip(reason: str):
        entry.update(status="skipped", reason=reason)
        return entry, None

    if coverage < params.min_coverage:
        shown = ", ".join(m["missing"][:8]) + (" …" if len(m["missing"]) > 8 else "")
        return skip(
            f"coverage {coverage:.2f} < {params.min_coverage:.2f} "
            f"({len(m['keys'])}/{n_words} words found; missing: {shown})"
        )
    if n < max(3, int(params.min_words)):
        return skip(f"only {n} distinct vector rows found (need {max(3, int(params.min_words))})")
    E = emb.vectors[np.asarray(m["rows"], dtype=np.intp)]
    top_k = int(params.top_k)
    center = bool(params.center)
    try:
        sigma = singular_spectrum(E, center=center)
        summary = summarize_spectrum(sigma, top_k=top_k, shape=E.shape)
    except ShapeError as exc:
        return skip(f"spectrum undefined: {exc}")
    observed = summary.metrics()
    target_ranks = np.array([frequency_rank(emb.words[r]) for r in m["rows"]], dtype=np.float64)
    pool_rows, pool_ranks = pool.rows, pool.ranks
    try:
        fm = frequency_matched_sampler(
            pool_ranks, target_ranks, bins=int(params.frequency_bins),
            min_pool_ratio=float(params.min_pool_ratio),
        )
    except ShapeError as exc:
        return skip(f"no frequency-matched null: {exc}")
    set_seed = sub_seed(seed, cat.name)
    n_null = int(params.n_null)
    key = draws_key(set_seed, n, n_null, len(emb), pool_rows, fm.bin_edges, fm.target_counts, fm.pool_bins)
    draws = NULL_DRAWS.get(key, lambda: pool_rows[fm.draws(np.random.default_rng(set_seed), n_null)])
    null, spectra = null_distribution(emb.vectors, n, n_null, indices=draws, center=center, top_k=top_k,
                                      return_spectra=True)
    curves_null = spectra / spectra[:, :1]
    cmp = compare_with_null(observed, null)
    main = cmp[MAIN_METRIC]
    entry.update(
        status="ok",
        d=int(E.shape[1]),
        metrics={k: float(v) for k, v in observed.items()},
        sigma=round_curve(sigma / sigma[0]),
        z=float(main["z_sharp"]),
        p=float(main["p_value"]),
        null={k: _plain(cmp[k]) for k in NULL_DETAIL_METRICS},
        null_median_sigma1_share=float(np.median(null.column(MAIN_METRIC))),
        n_null=int(curves_null.shape[0]),
        null_seed=set_seed,
        frequency_match={
            "bins": int(len(fm.target_counts)),
            "target_counts": fm.target_counts.tolist(),
            "pool_counts": fm.pool_counts.tolist(),
            "rank_range": [int(target_ranks.min()), int(target_ranks.max())],
            "pool_size": int(len(pool_rows)),
            "pool_in_range": int((fm.pool_bins >= 0).sum()),
            "pool_other_sets_share": pool_share_of(emb, pool_rows[fm.pool_bins >= 0], other_rows, pool.groups),
        },
    )
    return entry, curves_null


def gaussian_control(n: int, d: int, seed: int, p: SpectrumParams) -> dict:
    rng = np.random.default_rng(sub_seed(seed, "control:gaussian"))
    G = rng.standard_normal((n, d))
    sigma = singular_spectrum(G, center=bool(p.center))
    summary = summarize_spectrum(sigma, top_k=int(p.top_k), shape=G.shape)
    return {"n": n, "d": d, "metrics": summary.metrics(), "sigma": round_curve(sigma / sigma[0])}

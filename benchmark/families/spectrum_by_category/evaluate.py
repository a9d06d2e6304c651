"""spectrum_by_category: the computation (Family.evaluate); the protocol is in the package docstring."""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.categories import CategorySet, load_categories, load_shipped_categories
from benchmark.data.vocabulary import REFERENCE_SIZE, is_plain_word, reference_words
from benchmark.errors import ShapeError, TaskError
from benchmark.families.base import Measurement
from benchmark.families.spectrum_by_category.params import SpectrumParams
from benchmark.families.spectrum_by_category.shared import shared_measurement
from benchmark.hashing import file_sha256
from benchmark.resources import dataset_path
from benchmark.scoring.null_draws import NullDrawMemo, draws_key
from benchmark.scoring.spectrum import (
    compare_with_null,
    draw_indices,
    frequency_matched_sampler,
    null_distribution,
    singular_spectrum,
    summarize_spectrum,
)
from benchmark.scoring.stats import holm

MAIN_METRIC = "sigma1_share"  # sharpness is the z of this metric against the null


#: Null draws shared by the spaces of one run that have the same rows, pool and bins (the layers of a
#: contextual model): a reuse is bit-identical to drawing again (see benchmark.scoring.null_draws).
NULL_DRAWS = NullDrawMemo()


#: The defaults of :class:`SpectrumParams` as a Result records them (the renderers fill older Results with them).
DEFAULT_PARAMS: dict[str, Any] = SpectrumParams().as_dict()


CURVE_DECIMALS = 6


#: Metrics whose full null comparison (mean, std, 5/95 %, z, p) is kept in the details.
NULL_DETAIL_METRICS = ("sigma1_share", "effective_rank")


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
        p = _params(params or {})
        view = dict(p.view)
        if view.get("source") == "decontextualized":
            # every word of our categories, controls and the shipped sets is embedded too, whatever its
            # tokenisation; always the same list, so that every task shares one extraction
            sets = {**load_categories(_categories_path(p)), **load_shipped_categories()}
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
    """wordfreq rank of ``word`` (the plain-word scale of :func:`reference_words`); see module doc."""
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


def _sub_seed(seed: int, name: str) -> int:
    ss = np.random.SeedSequence([int(seed) % 2**32, zlib.crc32(name.encode("utf-8"))])
    return int(ss.generate_state(1)[0])


def _plain(d: Mapping[str, Any]) -> dict:
    """numpy scalars → Python ones (JSON)."""
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in d.items()}


def _round_curve(values) -> list[float]:
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
    set_seed = _sub_seed(seed, cat.name)
    n_null = int(params.n_null)
    key = draws_key(set_seed, n, n_null, len(emb), pool_rows, fm.bin_edges, fm.target_counts, fm.pool_bins)
    draws = NULL_DRAWS.get(key, lambda: draw_indices(len(emb), n, n_null, seed=set_seed,
                                                     sampler=lambda rng: pool_rows[fm(rng)]))
    null, spectra = null_distribution(emb.vectors, n, n_null, indices=draws, center=center, top_k=top_k,
                                      return_spectra=True)
    curves_null = spectra / spectra[:, :1]
    cmp = compare_with_null(observed, null)
    main = cmp[MAIN_METRIC]
    entry.update(
        status="ok",
        d=int(E.shape[1]),
        metrics={k: float(v) for k, v in observed.items()},
        sigma=_round_curve(sigma / sigma[0]),
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
            "pool_other_sets_share": pool_share_of(emb, pool_rows[fm.pool_bins >= 0], other_rows),
        },
    )
    return entry, curves_null


def _params(task_params: SpectrumParams | Mapping[str, Any]) -> SpectrumParams:
    """The typed parameters (a mapping is read through :class:`SpectrumParams`, which validates it)."""
    return task_params if isinstance(task_params, SpectrumParams) else SpectrumParams.from_dict(task_params)


def _categories_path(p: SpectrumParams) -> Path:
    path = Path(p.categories_file)
    if path.is_absolute():
        return path
    if path.parts[:1] == ("datasets",):  # the shipped datasets, wherever the package is installed
        return dataset_path(*path.parts[1:])
    return path.resolve()  # a user's file, relative to the working directory


def evaluate(task, models, *, seed: int) -> Measurement:
    (model,) = models
    return measure_shared(static_view(model, task.params), task.params, seed=seed)


def measure_shared(emb: StaticEmbeddings, task_params: SpectrumParams | Mapping[str, Any], *,
                   seed: int) -> Measurement:
    """:func:`evaluate_embeddings`, computed once per space, parameters, categories file and seed in a process
    (:mod:`~benchmark.families.spectrum_by_category.shared`): the layer sweep and the one-layer tasks share it."""
    p = _params(task_params)
    key_params = {**p.as_dict(), "categories_sha256": file_sha256(_categories_path(p))}
    return shared_measurement(emb, key_params, seed, lambda: evaluate_embeddings(emb, p, seed=seed))


def evaluate_embeddings(emb: StaticEmbeddings, task_params: SpectrumParams | Mapping[str, Any], *,
                        seed: int) -> Measurement:
    """Measure every category, control and shipped set of one embedding space."""
    p = _params(task_params)
    ours = load_categories(_categories_path(p))
    shipped = load_shipped_categories() if p.shipped else {}
    evaluated = {**ours, **shipped}
    matches = {name: match_words(emb, cat.words, fold_case=cat.kind != "control") for name, cat in evaluated.items()}
    pool = build_pool(emb, exclude_rows=sorted({r for m in matches.values() for r in m["rows"]}))
    if len(pool.rows) < 10:
        raise TaskError(f"model {emb.name!r}: only {len(pool.rows)} plain words with a wordfreq rank "
                        "outside the evaluated sets")

    sets: dict[str, dict] = {}
    curves_by_size: dict[int, list[np.ndarray]] = {}
    for name, cat in evaluated.items():
        others = [r for other, m in matches.items() if other != name for r in m["rows"]]
        entry, curves = measure_set(emb, cat, pool, p, seed=seed, match=matches[name], other_rows=others)
        sets[name] = entry
        if curves is not None:
            curves_by_size.setdefault(entry["n"], []).append(curves)

    alpha = float(p.alpha)
    for kind in ("semantic", "shipped"):
        ok = {k: e["p"] for k, e in sets.items() if e["kind"] == kind and e["status"] == "ok"}
        adjusted = holm(ok) if p.correction == "holm" else dict(ok)
        for k, v in adjusted.items():
            sets[k]["p_adjusted"] = float(v)
            sets[k]["sharper_than_null"] = bool(v < alpha)

    semantic_ok = [e for e in sets.values() if e["kind"] == "semantic" and e["status"] == "ok"]
    n_gauss = int(np.median([e["n"] for e in semantic_ok])) if semantic_ok else 25
    gaussian = _gaussian_control(n_gauss, emb.dim, seed, p)

    null_bands = {}
    for size in sorted(curves_by_size):
        stack = np.concatenate(curves_by_size[size], axis=0)
        lo, mid, hi = np.percentile(stack, [5, 50, 95], axis=0)
        null_bands[str(size)] = {
            "p05": _round_curve(lo), "p50": _round_curve(mid), "p95": _round_curve(hi),
            "n_draws": int(stack.shape[0]), "n_sets": len(curves_by_size[size]),
        }

    metrics = _metrics(sets, gaussian, p)
    claim = claim_summary(metrics, p.as_dict())
    details = {
        "main_sharpness": f"z of {MAIN_METRIC} vs the frequency-matched null (positive = sharper)",
        "model": {"name": emb.name, "dim": emb.dim, "n_words": len(emb), "source": emb.source},
        "pool": {"size": int(len(pool.rows)), "duplicate_rows_dropped": pool.n_duplicates,
                 "evaluated_set_rows_excluded": pool.n_excluded},
        "sets": sets,
        "gaussian": gaussian,
        "null_bands": null_bands,
        "skipped": {k: e["reason"] for k, e in sets.items() if e["status"] == "skipped"},
        "claim": claim,
        "set_metrics": set_metrics(sets),
    }
    sizes = {
        "dim": emb.dim,
        "pool": int(len(pool.rows)),
        "n_null": int(p.n_null),
        "categories_total": sum(1 for e in sets.values() if e["kind"] == "semantic"),
        "categories_covered": len(semantic_ok),
        "shipped_total": sum(1 for e in sets.values() if e["kind"] == "shipped"),
        "shipped_covered": sum(1 for e in sets.values() if e["kind"] == "shipped" and e["status"] == "ok"),
    }
    return Measurement(metrics=metrics, sizes=sizes, details=details)


def _gaussian_control(n: int, d: int, seed: int, p: SpectrumParams) -> dict:
    rng = np.random.default_rng(_sub_seed(seed, "control:gaussian"))
    G = rng.standard_normal((n, d))
    sigma = singular_spectrum(G, center=bool(p.center))
    summary = summarize_spectrum(sigma, top_k=int(p.top_k), shape=G.shape)
    return {"n": n, "d": d, "metrics": summary.metrics(), "sigma": _round_curve(sigma / sigma[0])}


_SET_METRICS = ("sigma1_share", "topk_share", "effective_rank", "participation_ratio")


def set_metrics(sets: Mapping[str, dict]) -> dict[str, float]:
    """Per-set values, ``cat/<set>/<metric>`` and ``shipped/<set>/<metric>``: kept in the Result's
    ``details["set_metrics"]`` (``metrics`` holds the headline numbers only)."""
    prefix = {"semantic": "cat", "shipped": "shipped"}
    return {f"{prefix[e['kind']]}/{name}/{k}": v for name, e in sets.items() if e["kind"] in prefix
            for k, v in _set_values(e).items()}


def _set_values(e: Mapping[str, Any]) -> dict[str, float]:
    """A set's coverage and, when it was measured, its spectrum metrics, z, p and (if corrected) p_adjusted."""
    out = {"coverage": e["coverage"]}
    if e["status"] == "ok":
        out.update({k: e["metrics"][k] for k in _SET_METRICS}, z=e["z"], p=e["p"])
        if "p_adjusted" in e:
            out["p_adjusted"] = e["p_adjusted"]
    return out


def _metrics(sets: Mapping[str, dict], gaussian: dict, p: SpectrumParams) -> dict[str, float]:
    """Headline metrics: aggregates over the categories and shipped sets, the controls, the null."""
    out: dict[str, float] = {"null/n_draws": float(p.n_null)}
    out.update({f"controls/{name}/{k}": v for name, e in sets.items() if e["kind"] == "control"
                for k, v in _set_values(e).items()})
    for k in (*_SET_METRICS, "zero_tail"):
        out[f"controls/gaussian/{k}"] = float(gaussian["metrics"][k])
    shares = [e["frequency_match"]["pool_other_sets_share"] for e in sets.values() if e["status"] == "ok"]
    out["null/max_pool_other_sets_share"] = float(max(shares)) if shares else 0.0

    alpha = float(p.alpha)
    for kind, head in (("semantic", "categories"), ("shipped", "shipped")):
        entries = [e for e in sets.values() if e["kind"] == kind]
        ok = [e for e in entries if e["status"] == "ok"]
        out[f"{head}/n_total"] = float(len(entries))
        out[f"{head}/n_covered"] = float(len(ok))
        if not ok:
            continue
        out[f"{head}/median_z"] = float(np.median([e["z"] for e in ok]))
        out[f"{head}/median_sigma1_share"] = float(np.median([e["metrics"]["sigma1_share"] for e in ok]))
        out[f"{head}/median_effective_rank"] = float(np.median([e["metrics"]["effective_rank"] for e in ok]))
        out[f"{head}/median_null_sigma1_share"] = float(np.median([e["null_median_sigma1_share"] for e in ok]))
        out[f"{head}/frac_sharper_than_null"] = float(np.mean([e["p_adjusted"] < alpha for e in ok]))
        out[f"{head}/frac_sharper_than_null_uncorrected"] = float(np.mean([e["p"] < alpha for e in ok]))
        for control in ("letters", "digits"):
            c = sets.get(control)
            if c is not None and c["status"] == "ok":
                out[f"{head}/frac_sharper_than_{control}"] = float(np.mean([e["z"] > c["z"] for e in ok]))
    return out


def claim_summary(metrics: Mapping[str, float | None], p: Mapping[str, Any]) -> dict:
    """Whether the textbook claim holds, from a Result's metrics alone.

    Claim: semantic categories are sharper than the null (a majority at the
    corrected level) and sharper than the letters and digits controls
    (median category z above each covered control's z).  Verdict ``holds``
    when every part holds, ``does not hold`` when none does, else ``partly``.
    """
    m = metrics
    n_cov = m.get("categories/n_covered") or 0
    n_tot = m.get("categories/n_total") or 0
    if not n_cov:
        return {"verdict": "no data", "text": f"no semantic category reached the coverage threshold (0/{int(n_tot)})"}
    frac = m.get("categories/frac_sharper_than_null") or 0.0
    frac_raw = m.get("categories/frac_sharper_than_null_uncorrected") or 0.0
    med_z = m["categories/median_z"]
    parts = {"null": frac > 0.5}
    corr = "Holm-corrected" if p.get("correction", "holm") == "holm" else "uncorrected"
    alpha = p.get("alpha", 0.05)
    text = [
        f"{round(frac * n_cov)}/{int(n_cov)} categories sharper than the null at {corr} p < {alpha:g} "
        f"({round(frac_raw * n_cov)}/{int(n_cov)} uncorrected); median category σ1 share "
        f"{m['categories/median_sigma1_share']:.3f} (median z {med_z:+.1f}; null median "
        f"{m['categories/median_null_sigma1_share']:.3f})"
    ]
    for control in ("letters", "digits"):
        z = m.get(f"controls/{control}/z")
        if z is None:
            cov = m.get(f"controls/{control}/coverage")
            text.append(f"{control} not covered" + (f" ({cov:.0%})" if cov is not None else ""))
            continue
        parts[control] = med_z > z
        above = m.get(f"categories/frac_sharper_than_{control}") or 0.0
        text.append(
            f"{control} σ1 share {m[f'controls/{control}/sigma1_share']:.3f} (z {z:+.1f}); "
            f"{round(above * n_cov)}/{int(n_cov)} categories have a higher z"
        )
    g = m.get("controls/gaussian/sigma1_share")
    if g is not None:
        text.append(f"isotropic Gaussian σ1 share {g:.3f}")
    n_null = p.get("n_null")
    if p.get("correction", "holm") == "holm" and n_null and n_cov / (n_null + 1) >= alpha:
        text.append(
            f"NB with {n_null} null draws the smallest Holm-adjusted p is {n_cov:.0f}/{n_null + 1} ≥ {alpha:g}: "
            "no category can pass the corrected test; raise n_null"
        )
    held = sum(parts.values())
    verdict = "holds" if held == len(parts) else ("does not hold" if held == 0 else "partly holds")
    failed = [k for k, v in parts.items() if not v]
    sentence = "; ".join(text) + "."
    if failed:
        sentence += " Not sharper than: " + ", ".join("the null (majority)" if k == "null" else k for k in failed) + "."
    return {"verdict": verdict, "parts": parts, "text": sentence}

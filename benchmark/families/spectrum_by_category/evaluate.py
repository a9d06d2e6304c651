"""spectrum_by_category: the computation (Family.evaluate); the protocol is in the package docstring.

The parts are in their own modules: :mod:`.views` (the space a model is measured in),
:mod:`.pool` (the null's pool, word ranks), :mod:`.measure` (one set), :mod:`.metrics`
(headline metrics and the claim), :mod:`.shared` (one measurement per space in a process).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.categories import load_categories, load_shipped_categories
from benchmark.errors import TaskError
from benchmark.families.base import Measurement
from benchmark.families.spectrum_by_category.measure import gaussian_control, match_words, measure_set, round_curve
from benchmark.families.spectrum_by_category.metrics import MAIN_METRIC, claim_summary, headline_metrics, set_metrics
from benchmark.families.spectrum_by_category.params import SpectrumParams, as_params, categories_path
from benchmark.families.spectrum_by_category.pool import build_pool
from benchmark.families.spectrum_by_category.shared import shared_measurement
from benchmark.families.spectrum_by_category.views import static_view
from benchmark.hashing import file_sha256
from benchmark.scoring.stats import holm


def evaluate(task, models, *, seed: int) -> Measurement:
    (model,) = models
    return measure_shared(static_view(model, task.params), task.params, seed=seed)


def measure_shared(emb: StaticEmbeddings, task_params: SpectrumParams | Mapping[str, Any], *,
                   seed: int, measure_shipped: bool = True) -> Measurement:
    """:func:`evaluate_embeddings`, computed once per space, parameters, categories file and seed in a process
    (:mod:`~benchmark.families.spectrum_by_category.shared`): the layer sweep and the one-layer tasks share it
    when they measure the same sets."""
    p = as_params(task_params)
    measure_shipped = bool(measure_shipped and p.shipped)
    spectrum_fields = {k: v for k, v in p.as_dict().items() if k in SpectrumParams.names()}
    key_params = {**spectrum_fields, "categories_sha256": file_sha256(categories_path(p)),
                  "measure_shipped": measure_shipped}
    return shared_measurement(emb, key_params, seed,
                              lambda: evaluate_embeddings(emb, p, seed=seed, measure_shipped=measure_shipped))


def evaluate_embeddings(emb: StaticEmbeddings, task_params: SpectrumParams | Mapping[str, Any], *,
                        seed: int, measure_shipped: bool = True) -> Measurement:
    """Measure every category, control and (``measure_shipped``) shipped set of one embedding space.

    With ``p.shipped`` the shipped sets' rows stay out of the null pool even when they are not measured, so
    the categories get the same null (and the same z) either way."""
    p = as_params(task_params)
    ours = load_categories(categories_path(p))
    shipped = load_shipped_categories() if p.shipped else {}
    loaded = {**ours, **shipped}
    matches = {name: match_words(emb, cat.words, fold_case=cat.kind != "control") for name, cat in loaded.items()}
    pool = build_pool(emb, exclude_rows=sorted({r for m in matches.values() for r in m["rows"]}))
    if len(pool.rows) < 10:
        raise TaskError(f"model {emb.name!r}: only {len(pool.rows)} plain words with a wordfreq rank "
                        "outside the evaluated sets")

    evaluated = loaded if measure_shipped else ours
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
    gaussian = gaussian_control(n_gauss, emb.dim, seed, p)

    null_bands = {}
    for size in sorted(curves_by_size):
        stack = np.concatenate(curves_by_size[size], axis=0)
        lo, mid, hi = np.percentile(stack, [5, 50, 95], axis=0)
        null_bands[str(size)] = {
            "p05": round_curve(lo), "p50": round_curve(mid), "p95": round_curve(hi),
            "n_draws": int(stack.shape[0]), "n_sets": len(curves_by_size[size]),
        }

    metrics = headline_metrics(sets, gaussian, p)
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

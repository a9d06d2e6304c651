"""spectrum_layers: the computation (Family.evaluate); the protocol is in the package docstring."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from benchmark.adapters.base import require_contextual
from benchmark.errors import TaskError
from benchmark.families.base import Measurement
from benchmark.families.spectrum_by_category import evaluate as per_space
from benchmark.families.spectrum_layers.params import DECONTEXTUALIZED, SpectrumLayersParams
from benchmark.scoring.stats import spearman_rho

MAIN_METRIC = "layers/mean_median_z"


#: The defaults of :class:`SpectrumLayersParams` as a Result records them.
DEFAULT_PARAMS: dict[str, Any] = SpectrumLayersParams().as_dict()


#: Per-space metrics kept for every layer (``layer/<l>/<name>``).
LAYER_METRICS = (
    "categories/n_covered",
    "categories/median_z",
    "categories/frac_sharper_than_null",
    "categories/frac_sharper_than_null_uncorrected",
    "categories/median_sigma1_share",
    "categories/median_null_sigma1_share",
    "categories/median_effective_rank",
    "categories/frac_sharper_than_letters",
    "categories/frac_sharper_than_digits",
    "controls/letters/z",
    "controls/letters/sigma1_share",
    "controls/digits/z",
    "controls/digits/sigma1_share",
    "controls/gaussian/sigma1_share",
    "shipped/n_covered",
    "shipped/median_z",
    "shipped/frac_sharper_than_null",
)


SET_DECIMALS = 4


def _category_z(sets: Mapping[str, dict]) -> dict[str, float]:
    return {k: e["z"] for k, e in sets.items()
            if e["kind"] == "semantic" and e["status"] == "ok" and math.isfinite(e["z"])}


def evaluate(task, models, *, seed: int) -> Measurement:
    (model,) = models
    model = require_contextual(model, task.name)
    n_layers = model.num_layers
    params = task.params
    view = {**DECONTEXTUALIZED, **dict(params.view)}
    if "layer" in view:
        raise TaskError(f"task {task.name!r}: spectrum_layers measures every layer; drop 'layer' from its view")

    metrics: dict[str, float] = {}
    layers: dict[str, dict] = {}
    first_z: dict[str, float] | None = None
    prev_z: dict[str, float] | None = None
    skipped: dict[str, str] = {}
    layer_metrics: dict[str, dict[str, float]] = {}  # layer → per-layer values (details, not headline metrics)
    max_share = 0.0
    for layer in range(n_layers):
        layer_params = params.replace(view={**view, "layer": layer})
        try:
            emb = per_space.static_view(model, layer_params)
            meas = per_space.measure_shared(emb, layer_params, seed=seed,
                                            measure_shipped=params.shipped_every_layer)
        except TaskError as exc:
            raise TaskError(f"model {getattr(model, 'name', model)!r}, layer {layer}: {exc}") from exc
        m, d = meas.metrics, meas.details
        max_share = max(max_share, m["null/max_pool_other_sets_share"])
        here = layer_metrics[str(layer)] = {}
        for name in LAYER_METRICS:
            if name.startswith("shipped/") and not params.shipped_every_layer:
                continue
            if m.get(name) is not None:
                here[name] = float(m[name])
        z = _category_z(d["sets"])
        first_z = z if first_z is None else first_z
        for ref_name, ref in (("rho_vs_layer0", first_z), ("rho_vs_previous", prev_z)):
            rho = None if ref is None or layer == 0 else spearman_rho(z, ref)[0]
            if rho is not None:
                here[ref_name] = rho
        prev_z = z
        layers[str(layer)] = {
            "claim": d["claim"]["verdict"],
            "pool": d["pool"],
            "gaussian_n": d["gaussian"]["n"],
            "sets": {
                k: {"kind": e["kind"], "n": e["n"], "z": round(e["z"], SET_DECIMALS),
                    "sigma1_share": round(e["metrics"]["sigma1_share"], SET_DECIMALS),
                    "p_adjusted": e.get("p_adjusted"),
                    "frequency_match": {"pool_other_sets_share": e["frequency_match"]["pool_other_sets_share"],
                                        "pool_in_range": e["frequency_match"]["pool_in_range"]}}
                for k, e in d["sets"].items() if e["status"] == "ok"
            },
        }
        for k, reason in d["skipped"].items():
            skipped.setdefault(k, f"layer {layer}: {reason}")

    model_info = {**d["model"], "name": getattr(model, "name", d["model"]["name"]), "num_layers": n_layers}
    medians = np.array([layer_metrics[str(i)].get("categories/median_z", np.nan) for i in range(n_layers)])
    if np.isnan(medians).all():
        raise TaskError(f"model {model_info.get('name')!r}: no category reached the coverage threshold at any layer")
    finite = np.flatnonzero(~np.isnan(medians))
    metrics.update({
        MAIN_METRIC: float(np.nanmean(medians)),
        "layers/n": float(n_layers),
        "layers/min_median_z": float(np.nanmin(medians)),
        "layers/max_median_z": float(np.nanmax(medians)),
        "layers/sharpest": float(finite[np.argmax(medians[finite])]),
        "layers/n_claim_holds": float(sum(v["claim"] == "holds" for v in layers.values())),
        "null/n_draws": float(params.n_null),
        "null/max_pool_other_sets_share": max_share,
    })
    details = {
        "main_sharpness": f"per layer: z of {per_space.MAIN_METRIC} vs the frequency-matched null",
        "model": model_info,
        "layers": layers,
        "skipped": skipped,
        "layer_metrics": layer_metrics,
    }
    sizes = {"layers": n_layers, "n_null": int(params.n_null),
             "categories_covered_layer0": int(layer_metrics["0"].get("categories/n_covered", 0))}
    return Measurement(metrics=metrics, sizes=sizes, details=details)

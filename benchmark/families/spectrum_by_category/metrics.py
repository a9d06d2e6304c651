"""spectrum_by_category: the Result's metrics from the measured sets, and the claim they support."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from benchmark.families.spectrum_by_category.params import SpectrumParams

MAIN_METRIC = "sigma1_share"  # sharpness is the z of this metric against the null


SET_METRICS = ("sigma1_share", "topk_share", "effective_rank", "participation_ratio")


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
        out.update({k: e["metrics"][k] for k in SET_METRICS}, z=e["z"], p=e["p"])
        if "p_adjusted" in e:
            out["p_adjusted"] = e["p_adjusted"]
    return out


def headline_metrics(sets: Mapping[str, dict], gaussian: dict, p: SpectrumParams) -> dict[str, float]:
    """Headline metrics: aggregates over the categories and shipped sets, the controls, the null."""
    out: dict[str, float] = {"null/n_draws": float(p.n_null)}
    out.update({f"controls/{name}/{k}": v for name, e in sets.items() if e["kind"] == "control"
                for k, v in _set_values(e).items()})
    for k in (*SET_METRICS, "zero_tail"):
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

"""Regression gate: compare a candidate results directory with a baseline.

For every item present in both, the main metric's delta is reported with
both bootstrap 95 % CIs.  An item *regresses* when its main metric got worse
by more than ``max_drop`` (absolute, in the metric's own direction) **and**
the change is not within the noise: it is noise only when every interval
that is known contains the other side's point estimate (the baseline value
inside the candidate's CI and the candidate value inside the baseline's).
With no interval on either side the tolerance alone decides.

Items of the baseline that the candidate lacks are *missing*: they fail the
gate unless the caller allows them; items only in the candidate are new and
are listed.  Two directories with no item in common are an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmark.errors import DataFormatError
from benchmark.run.results import Result, read_results

Interval = tuple[float | None, float | None]


@dataclass(frozen=True)
class Delta:
    item_id: str
    metric: str
    higher_is_better: bool
    baseline: float | None
    candidate: float | None
    ci_low: float | None
    ci_high: float | None
    regressed: bool
    baseline_ci_low: float | None = None
    baseline_ci_high: float | None = None

    @property
    def change(self) -> float | None:
        if self.baseline is None or self.candidate is None:
            return None
        return self.candidate - self.baseline


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare_dirs` found: deltas of common items, baseline items the candidate lacks, new items."""

    deltas: list[Delta]
    missing: list[str]
    new: list[str]

    @property
    def regressions(self) -> list[Delta]:
        return [d for d in self.deltas if d.regressed]


def results_dir(path: str | Path) -> Path:
    """``path/results`` when it exists, else ``path`` itself; a missing folder is an error."""
    path = Path(path)
    if (path / "results").is_dir():
        return path / "results"
    if path.is_dir():
        return path
    raise DataFormatError(path, "no such results directory")


def _contains(interval: Interval, value: float) -> bool | None:
    """Whether ``interval`` holds ``value``; None when the interval is not known."""
    low, high = interval
    if low is None or high is None:
        return None
    return low <= value <= high


def regressed(baseline: float, candidate: float, higher_is_better: bool, max_drop: float,
              ci: Interval = (None, None), baseline_ci: Interval = (None, None)) -> bool:
    """Whether ``candidate`` is worse than ``baseline`` by more than ``max_drop`` and beyond the noise.

    ``ci`` is the candidate's 95 % interval, ``baseline_ci`` the baseline's.
    The drop is noise only when every known interval holds the other
    point (baseline value in ``ci``, candidate value in ``baseline_ci``).
    """
    worse_by = (baseline - candidate) if higher_is_better else (candidate - baseline)
    if not worse_by > max_drop:
        return False
    checks = [c for c in (_contains(ci, baseline), _contains(baseline_ci, candidate)) if c is not None]
    return not checks or not all(checks)


def _interval(result: Result, metric: str) -> Interval:
    return result.metrics.get(f"{metric}:ci_low"), result.metrics.get(f"{metric}:ci_high")


def compare_results(baseline: list[Result], candidate: list[Result], *, max_drop: float = 0.02) -> list[Delta]:
    """Deltas of the main metric for items in both lists, sorted by item id."""
    base = {r.item_id: r for r in baseline}
    deltas = []
    for cand in sorted(candidate, key=lambda r: r.item_id):
        ref = base.get(cand.item_id)
        if ref is None:
            continue
        metric = cand.main_metric
        b, c = ref.metrics.get(metric), cand.metrics.get(metric)
        ci, baseline_ci = _interval(cand, metric), _interval(ref, metric)
        bad = b is not None and (c is None or regressed(b, c, cand.higher_is_better, max_drop, ci, baseline_ci))
        deltas.append(Delta(cand.item_id, metric, cand.higher_is_better, b, c, ci[0], ci[1], bad,
                            baseline_ci[0], baseline_ci[1]))
    return deltas


def check_same_profiles(baseline: list[Result], candidate: list[Result], where) -> None:
    """Raise a :class:`DataFormatError` (at ``where``) when a common item ran under another profile."""
    profile = lambda r: r.params.get("profile", "full")  # noqa: E731
    base_by_id = {r.item_id: r for r in baseline}
    mixed = sorted(f"{r.item_id} (baseline {profile(base_by_id[r.item_id])}, candidate {profile(r)})"
                   for r in candidate if r.item_id in base_by_id and profile(base_by_id[r.item_id]) != profile(r))
    if mixed:
        raise DataFormatError(
            where, f"{len(mixed)} item(s) ran under another profile than the baseline's, e.g. {mixed[0]}: "
                   "compare Results of the same profile (run the candidate with the baseline's profile)")


def compare_dirs(baseline_dir, candidate_dir, *, max_drop: float = 0.02, skip_invalid: bool = False) -> Comparison:
    """Compare two results folders; raises when they share no item (a gate on a wrong path must not pass)."""
    baseline = read_results(results_dir(baseline_dir), skip_invalid=skip_invalid)
    candidate = read_results(results_dir(candidate_dir), skip_invalid=skip_invalid)
    if not baseline:
        raise DataFormatError(baseline_dir, "no Result files in the baseline: nothing to compare against")
    if not candidate:
        raise DataFormatError(candidate_dir, "no Result files to compare")
    base_ids, cand_ids = {r.item_id for r in baseline}, {r.item_id for r in candidate}
    if not base_ids & cand_ids:
        raise DataFormatError(
            candidate_dir, f"no item in common with the baseline {baseline_dir} ({len(base_ids)} baseline items, "
                           f"{len(cand_ids)} candidate items): wrong directory?")
    check_same_profiles(baseline, candidate, candidate_dir)
    deltas = compare_results(baseline, candidate, max_drop=max_drop)
    return Comparison(deltas, sorted(base_ids - cand_ids), sorted(cand_ids - base_ids))


def format_deltas(deltas: list[Delta]) -> str:
    from tabulate import tabulate

    def f(x):
        return "–" if x is None else f"{x:.4f}"

    def interval(low, high):
        return "–" if low is None or high is None else f"[{low:.4f}, {high:.4f}]"

    rows = [
        [d.item_id, d.metric + (" ↑" if d.higher_is_better else " ↓"), f(d.baseline),
         interval(d.baseline_ci_low, d.baseline_ci_high), f(d.candidate), interval(d.ci_low, d.ci_high),
         "–" if d.change is None else f"{d.change:+.4f}", "REGRESSED" if d.regressed else "ok"]
        for d in deltas
    ]
    return tabulate(rows, headers=["item", "metric", "baseline", "baseline 95% CI", "candidate", "candidate 95% CI",
                                   "Δ", "verdict"], tablefmt="github", disable_numparse=True)

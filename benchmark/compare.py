"""Regression gate: compare a candidate results directory with a baseline.

For every item present in both, the main metric's delta is reported with the
candidate's bootstrap 95 % CI.  An item *regresses* when its main metric got
worse by more than ``max_drop`` (absolute, in the metric's own direction)
**and** the baseline value lies outside the candidate's CI (when the result
has one) — a drop inside the noise is not a regression.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmark.errors import DataFormatError
from benchmark.results import Result, read_results


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

    @property
    def change(self) -> float | None:
        if self.baseline is None or self.candidate is None:
            return None
        return self.candidate - self.baseline


def _results_dir(path: str | Path) -> Path:
    path = Path(path)
    if (path / "results").is_dir():
        return path / "results"
    if path.is_dir():
        return path
    raise DataFormatError(path, "no such results directory")


def regressed(baseline: float, candidate: float, higher_is_better: bool, max_drop: float,
              ci: tuple[float | None, float | None] = (None, None)) -> bool:
    worse_by = (baseline - candidate) if higher_is_better else (candidate - baseline)
    if worse_by <= max_drop:
        return False
    low, high = ci
    if low is None or high is None:
        return True
    return not (low <= baseline <= high)


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
        low, high = cand.metrics.get(f"{metric}:ci_low"), cand.metrics.get(f"{metric}:ci_high")
        bad = b is not None and (c is None or regressed(b, c, cand.higher_is_better, max_drop, (low, high)))
        deltas.append(Delta(cand.item_id, metric, cand.higher_is_better, b, c, low, high, bad))
    return deltas


def compare_dirs(baseline_dir, candidate_dir, *, max_drop: float = 0.02) -> tuple[list[Delta], list[str]]:
    """Deltas, and the item ids that appear on one side only."""
    baseline = read_results(_results_dir(baseline_dir))
    candidate = read_results(_results_dir(candidate_dir))
    if not candidate:
        raise DataFormatError(candidate_dir, "no Result files to compare")
    deltas = compare_results(baseline, candidate, max_drop=max_drop)
    base_ids, cand_ids = {r.item_id for r in baseline}, {r.item_id for r in candidate}
    unmatched = sorted(base_ids ^ cand_ids)
    return deltas, unmatched


def format_deltas(deltas: list[Delta]) -> str:
    from tabulate import tabulate

    def f(x):
        return "–" if x is None else f"{x:.4f}"

    rows = [
        [d.item_id, d.metric + (" ↑" if d.higher_is_better else " ↓"), f(d.baseline), f(d.candidate),
         "–" if d.change is None else f"{d.change:+.4f}",
         "–" if d.ci_low is None else f"[{d.ci_low:.4f}, {d.ci_high:.4f}]",
         "REGRESSED" if d.regressed else "ok"]
        for d in deltas
    ]
    return tabulate(rows, headers=["item", "metric", "baseline", "candidate", "Δ", "candidate 95% CI", "verdict"],
                    tablefmt="github", disable_numparse=True)

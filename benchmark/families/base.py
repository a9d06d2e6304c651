"""What a task family is: a :class:`Family` computes an item's :class:`Measurement` and renders a task page.

Computation (:meth:`Family.evaluate`) and presentation (:meth:`Family.render`, :attr:`Family.summary`)
are separate entries, so the leaderboard renders any registered family -- a third party's too --
from Result files alone, without importing family modules by path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:
    from benchmark.report.leaderboard import Summary
    from benchmark.run.results import Result
    from benchmark.tasks import Task


@dataclass
class Measurement:
    """What a family returns for one item.

    ``metrics`` holds floats only (the leaderboard and compare read them);
    ``sizes`` counts (train/dev/test …); ``details`` anything JSON-able
    (chosen β, per-layer values, notes).
    """

    metrics: dict[str, float]
    sizes: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def put_ci(metrics: dict[str, float], key: str, interval) -> None:
    """Record a 95 % interval of metric ``key`` as ``key:ci_low`` / ``key:ci_high``."""
    metrics[f"{key}:ci_low"], metrics[f"{key}:ci_high"] = float(interval[0]), float(interval[1])


@runtime_checkable
class Family(Protocol):
    """The contract of a task family.

    ``evaluate(task, models, seed=...)`` measures one item (``models``: the loaded adapters in the
    item's order) and never writes; ``render(results, plots_dir)`` is the markdown of the task page
    of one task's Results (plots go into ``plots_dir`` when it is given); ``summary`` is the family's
    table on the summary page.  :func:`benchmark.families.register_family` checks conformance.
    """

    summary: "Summary"

    def evaluate(self, task: "Task", models: Sequence[Any], *, seed: int) -> Measurement: ...

    def render(self, results: Sequence["Result"], plots_dir: Path | None) -> str: ...


@dataclass(frozen=True)
class TaskFamily:
    """A :class:`Family` assembled from functions (how the built-in families are declared).

    ``render_across_tasks(results)``, when given, renders one page over the Results of all the
    family's tasks (``tasks/<family>__across_tasks.md``).  ``params``, when given, is the family's
    :class:`~benchmark.families.params.Params` class: a task's ``params`` mapping is built through it
    (unknown keys and bad values are refused at registration); a family without one gets the mapping.
    """

    evaluate: Callable[..., Measurement]
    render: Callable[[Sequence["Result"], Path | None], str]
    summary: "Summary"
    render_across_tasks: Callable[[Sequence["Result"]], str] | None = None
    params: type | None = None

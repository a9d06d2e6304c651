"""Task families: the code that evaluates one item of a task.

A family is a function ``evaluate(task, models, *, seed) -> Measurement``
where ``models`` holds the loaded adapters in the item's order.  Families are
registered lazily by module path, imported when an item first needs them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

from benchmark.registry import Registry


@dataclass
class Measurement:
    """What a family returns for one item.

    ``metrics`` holds floats only (the leaderboard and compare read them);
    ``sizes`` counts (train/dev/test …); ``details`` anything JSON-able
    (chosen β, notes); ``artifacts`` paths of files written (plots).
    """

    metrics: dict[str, float]
    sizes: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


FAMILIES: Registry[Callable] = Registry("task family")


def _lazy(module: str) -> Callable[[], Callable]:
    return lambda: importlib.import_module(f"benchmark.families.{module}").evaluate


for _name in ("static_static", "spectrum_by_category", "spectrum_layers", "static_contextual", "context_drift", "static_static_unsupervised"):
    FAMILIES.register_lazy(_name, _lazy(_name))

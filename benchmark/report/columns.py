"""Leaderboard columns that several families' tables share, each defined once.

A family's ``TABLE_COLUMNS`` and ``Summary.columns`` are built from these and from its own
:class:`~benchmark.report.leaderboard.Column` specs; :func:`select` takes the summary's
columns out of the family's full table instead of writing them out a second time.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from benchmark.report.leaderboard import Column
from benchmark.run.results import Result


def p_at(k: int, criterion: str, *, ci: bool = False) -> Column:
    """P@k of the Result's main map under one retrieval ``criterion`` (``nn``, ``csls`` or ``isf``)."""
    return Column(f"P@{k} {criterion.upper()} ↑", f"p@{k}/{criterion}", ci=ci)


#: P@1 under NN, CSLS and inverted softmax, each with its CI: the first columns of a map family's table.
P1_NN_CSLS_ISF = tuple(p_at(1, criterion, ci=True) for criterion in ("nn", "csls", "isf"))
MEAN_COS = Column("mean cos ↑ (exact map 1)", "mean_cos", ci=True)
COVERAGE = Column("coverage ↑", "coverage")
SHUFFLED_P1_CSLS = Column("shuffled-dict P@1 CSLS", "baseline/shuffled/p@1/csls")
#: The layer chosen on the dev split, kept in the details.
DEV_LAYER = Column("layer (dev)", "", value=lambda r: str(r.details.get("layer", "–")))


def no_ci(column: Column) -> Column:
    """``column`` without its CI (a summary shows the CI of its main metric only)."""
    return dataclasses.replace(column, ci=False)


def select(columns: tuple[Column, ...], *metrics: str) -> tuple[Column, ...]:
    """The columns of ``columns`` that show ``metrics``, in the order given.

    Raises ``KeyError`` naming a metric that no column shows.
    """
    by_metric = {c.metric: c for c in columns if c.metric}
    missing = [m for m in metrics if m not in by_metric]
    if missing:
        raise KeyError(f"no column shows {', '.join(missing)}")
    return tuple(by_metric[m] for m in metrics)


def size_of(key: str, unit: str) -> Callable[[Result], str]:
    """``Summary.n``: the Result's ``sizes[key]`` followed by ``unit`` (``–`` when it is not recorded)."""
    return lambda r: f"{r.sizes.get(key, '–')} {unit}"

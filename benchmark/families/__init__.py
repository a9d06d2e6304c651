"""Task families: the registry of :class:`~benchmark.families.base.Family` objects.

Built-in families are registered lazily by name (their module is imported when an item or a task page
first needs it); a third party registers its own with :func:`register_family`.
"""

from __future__ import annotations

import importlib

from benchmark.errors import TaskError
from benchmark.families.base import Family, Measurement, TaskFamily
from benchmark.registry import Registry

__all__ = ["FAMILIES", "Family", "Measurement", "TaskFamily", "get_family", "register_family"]

FAMILIES: Registry[Family] = Registry("task family")

#: Built-in families; ``translate`` renders the Results of ``python -m benchmark translate`` (no task runs it).
BUILTIN = ("static_static", "static_static_unsupervised", "static_contextual", "context_drift",
           "spectrum_by_category", "spectrum_layers", "translate")


def check_family(name: str, family: object) -> Family:
    """``family`` if it provides the :class:`Family` contract, else a :class:`TaskError` naming what is missing."""
    missing = [attr for attr in ("evaluate", "render", "summary") if not hasattr(family, attr)]
    if missing or not isinstance(family, Family):
        raise TaskError(f"task family {name!r} does not provide {', '.join(missing) or 'the Family contract'} "
                        "(see benchmark.families.base.Family)")
    for attr in ("evaluate", "render"):
        if not callable(getattr(family, attr)):
            raise TaskError(f"task family {name!r}: {attr} is not callable")
    return family


def register_family(name: str, family: Family) -> Family:
    """Register a family once under ``name`` (a duplicate raises); conformance is checked first."""
    return FAMILIES.register(name, check_family(name, family))


def get_family(name: str) -> Family:
    """The registered family ``name``; unknown names raise with "did you mean"."""
    return FAMILIES.get(name)


def _builtin(name: str):
    return lambda: check_family(name, importlib.import_module(f"benchmark.families.{name}").FAMILY)


for _name in BUILTIN:
    FAMILIES.register_lazy(_name, _builtin(_name))

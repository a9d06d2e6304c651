"""Task definitions and the task registry.

A task is a frozen :class:`Task` instance, registered once by a module in
a tasks directory (``register_task(Task(...))``): the shipped ``tasks/``
(:func:`benchmark.resources.shipped_dir`) and, added to it, the directories
listed in ``ROSETTA_TASKS_DIR`` (``os.pathsep``-separated).  The directories
are imported on first use — each file once, by path — so neither the CLI nor
the pytest plugin star-imports anything.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Mapping

from benchmark.errors import TaskError
from benchmark.registry import Registry, did_you_mean
from benchmark.run.results import check_name

TASKS_DIR_ENV = "ROSETTA_TASKS_DIR"


@dataclass(frozen=True)
class Expectation:
    """A declared threshold on one metric of an item.

    ``metric >= minimum`` and/or ``metric <= maximum`` (fixed numbers), and/or
    ``metric > above_metric`` / ``metric < below_metric`` (another metric of
    the same item): ``Expectation("p@1/csls:ci_low",
    above_metric="baseline/shuffled/p@1/csls:ci_high")`` says the method beats
    its baseline by more than both confidence intervals.  ``models``
    restricts it to one ordered model tuple; ``None`` applies it to all.
    """

    metric: str
    minimum: float | None = None
    maximum: float | None = None
    models: tuple[str, ...] | None = None
    above_metric: str | None = None
    below_metric: str | None = None

    def __post_init__(self):
        if self.minimum is None and self.maximum is None and self.above_metric is None and self.below_metric is None:
            raise TaskError(f"expectation on {self.metric!r} sets no bound "
                            "(give minimum, maximum, above_metric or below_metric)")

    def applies_to(self, models: tuple[str, ...]) -> bool:
        return self.models is None or tuple(self.models) == tuple(models)

    def check(self, metrics: Mapping[str, float | None]) -> tuple[dict[str, Any], str | None]:
        """The record of this check (stored in ``Result.expectations_checked``) and a reason when it fails.

        The record holds ``metric``, ``value``, ``minimum``, ``maximum``,
        ``above_metric``, ``above_value``, ``below_metric``, ``below_value``
        (``None`` where unused) and ``held``.  A missing or non-finite value never holds.
        """
        value = _number(metrics.get(self.metric))
        above = _number(metrics.get(self.above_metric)) if self.above_metric is not None else None
        below = _number(metrics.get(self.below_metric)) if self.below_metric is not None else None
        record = {"metric": self.metric, "value": value, "minimum": self.minimum, "maximum": self.maximum,
                  "above_metric": self.above_metric, "above_value": above,
                  "below_metric": self.below_metric, "below_value": below}
        reason = None
        missing = [m for m, v in ((self.metric, value), (self.above_metric, above), (self.below_metric, below))
                   if m is not None and v is None]
        if missing:
            reason = f"expected metric {missing[0]!r} was not produced (or is not finite)"
        elif self.minimum is not None and not value >= self.minimum:
            reason = f"{self.metric} = {value:.4f} < required minimum {self.minimum}"
        elif self.maximum is not None and not value <= self.maximum:
            reason = f"{self.metric} = {value:.4f} > allowed maximum {self.maximum}"
        elif above is not None and not value > above:
            reason = f"{self.metric} = {value:.4f} is not above {self.above_metric} = {above:.4f}"
        elif below is not None and not value < below:
            reason = f"{self.metric} = {value:.4f} is not below {self.below_metric} = {below:.4f}"
        record["held"] = reason is None
        return record, reason

    def failure(self, metrics: Mapping[str, float | None]) -> str | None:
        """A one-line reason when the expectation is not met, else None."""
        return self.check(metrics)[1]


def _number(value) -> float | None:
    """A finite float, else None (a metric that was not produced, or NaN/Inf)."""
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True, eq=False)
class Task:
    """One benchmark task.

    Attributes
    ----------
    name
        Registered id; item ids are ``name[model->model]``.
    version
        Bumped whenever the protocol or data change: stored results of an
        older version are recomputed.
    family
        The family implementation (``benchmark.families.<family>``).
    main_metric, higher_is_better
        The headline number and its direction (leaderboard ↑/↓, compare).
    model_kinds
        One entry per model slot: ``("static", "static")`` is an ordered pair.
    params
        Protocol parameters handed to the family (split sizes, normalisation …): an instance of the
        family's :class:`~benchmark.families.params.Params` class, or a mapping that is built through
        it (an unknown key or a bad value raises :class:`TaskError` naming the task); a family that
        declares no params class gets the mapping as it is.
    data_files
        Repository-relative files the task reads (hashed into provenance).
    expectations
        Thresholds that make the pytest item fail when missed.
    quick_params
        Overrides of ``params`` for the ``--quick`` profile (small splits, fewer
        resamples): minutes on 2 cores, for CI gates.  ``None`` (default): the
        family's ``QUICK`` overrides (none for a family without a params class).
    profiles
        Further named profiles, ``{name: overrides of params}`` (``--profile NAME``),
        e.g. ``"muse-200k"``: MUSE's protocol of 200,000-word search spaces.
    """

    name: str
    version: str
    family: str
    description: str
    main_metric: str
    higher_is_better: bool = True
    model_kinds: tuple[Literal["static", "contextual"], ...] = ("static", "static")
    params: Any = field(default_factory=dict)  # the family's Params (a mapping is built through it)
    data_files: tuple[str, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    quick_params: Mapping[str, Any] | None = None
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self):
        from benchmark.families.params import ParamError, Params

        cls = _params_class(self.family)
        try:
            if cls is not None:
                if isinstance(self.params, Params) and not isinstance(self.params, cls):
                    raise ParamError(f"params are {type(self.params).__name__}, family {self.family!r} "
                                     f"takes {cls.__name__}")
                object.__setattr__(self, "params", cls.from_dict(self.params))
                for profile, overrides in (("quick", self.quick_overrides()), *self.profiles.items()):
                    cls.check_names(overrides, f"profile {profile!r}: ")
                    self.params.replace(**overrides)
        except ParamError as exc:
            raise ParamError(f"task {self.name!r}: {exc}") from None

    def quick_overrides(self) -> Mapping[str, Any]:
        """The overrides of the quick profile: ``quick_params``, else the family's ``QUICK``."""
        if self.quick_params is not None:
            return self.quick_params
        return getattr(self.params, "QUICK", {})

    def params_dict(self) -> dict[str, Any]:
        """The params as a Result records them: every parameter (defaults included), JSON values."""
        from benchmark.families.params import params_dict

        return json.loads(json.dumps(params_dict(self.params), default=list))

    def quick(self) -> "Task":
        """This task under the quick profile (same name; its params record the profile)."""
        return self.with_profile("quick")

    def profile_names(self) -> tuple[str, ...]:
        """The profiles this task runs under: ``full``, ``quick`` and its own ``profiles``."""
        return ("full", "quick", *sorted(self.profiles))

    def with_profile(self, profile: str) -> "Task":
        """This task under ``profile`` (same name; the params record the profile unless it is ``full``).

        Raises :class:`TaskError` naming the task's profiles for one it does not have.
        """
        if profile == "full":
            return self
        if profile == "quick":
            overrides = self.quick_overrides()
        elif profile in self.profiles:
            overrides = self.profiles[profile]
        else:
            raise TaskError(f"task {self.name!r} has no profile {profile!r}{did_you_mean(profile, self.profile_names())}; "
                            f"its profiles: {', '.join(self.profile_names())}")
        from benchmark.families.params import Params

        if isinstance(self.params, Params):
            try:
                return replace(self, params=self.params.replace(**overrides, profile=profile))
            except TaskError as exc:
                raise TaskError(f"task {self.name!r}, profile {profile!r}: {exc}") from None
        unknown = sorted(set(overrides) - set(self.params))
        if unknown and profile != "quick":
            raise TaskError(f"task {self.name!r}, profile {profile!r}: {unknown[0]!r} is no parameter of the task")
        return replace(self, params={**self.params, **overrides, "profile": profile})


def _params_class(family: str):
    """The :class:`~benchmark.families.params.Params` class of a registered family, else None."""
    from benchmark.families import FAMILIES

    if family not in FAMILIES:
        return None
    return getattr(FAMILIES.get(family), "params", None)


TASKS: Registry[Task] = Registry("task")
TASK_SOURCES: dict[str, Path] = {}  # task name → the file that registered it
_loaded_dirs: set[Path] = set()


def register_task(task: Task) -> Task:
    caller = sys._getframe(1).f_globals.get("__file__")
    check_name(task.name, "task")
    for expectation in task.expectations:  # `models` names one item's model tuple: else it never applies
        if expectation.models is not None and len(expectation.models) != len(task.model_kinds):
            raise TaskError(f"task {task.name!r}: expectation on {expectation.metric!r} names models "
                            f"{tuple(expectation.models)!r}, but an item of this task has {len(task.model_kinds)} "
                            "model(s); give one expectation per model tuple")
    TASKS.register(task.name, task)
    if caller:
        TASK_SOURCES[task.name] = Path(caller).resolve()
    return task


def task_dirs() -> list[Path]:
    """The shipped tasks directory, then each user directory named in ``ROSETTA_TASKS_DIR``."""
    from benchmark.resources import shipped_dir

    user = [Path(p) for p in os.environ.get(TASKS_DIR_ENV, "").split(os.pathsep) if p]
    return list(dict.fromkeys(p.resolve() for p in (shipped_dir("tasks"), *user)))


def task_module_name(path: Path) -> str:
    """A module name unique to the file (two directories may each hold a ``static_static.py``)."""
    digest = hashlib.sha1(os.fspath(path.parent).encode("utf-8")).hexdigest()[:10]
    return f"rosetta_tasks.{path.stem}_{digest}"


def import_task_file(path: Path):
    """Import one task file by path, once per process."""
    path = Path(path).resolve()
    name = task_module_name(path)
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        if isinstance(exc, TaskError):
            raise
        raise TaskError(f"task file {path} failed to import: {type(exc).__name__}: {exc}") from exc
    return module


def task_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))


def load_tasks(directories: list[Path] | None = None) -> Registry[Task]:
    """Import every task file of ``directories`` (default :func:`task_dirs`) once; the task registry."""
    for directory in directories or task_dirs():
        directory = Path(directory).resolve()
        if directory in _loaded_dirs:
            continue
        if not directory.is_dir():
            raise TaskError(f"tasks directory {directory} does not exist (check {TASKS_DIR_ENV})")
        for path in task_files(directory):
            import_task_file(path)
        _loaded_dirs.add(directory)
    return TASKS


def get_task(name: str) -> Task:
    return load_tasks().get(name)

"""Task definitions and the task registry.

A task is a frozen :class:`Task` instance, registered once by a module in
the repository's ``tasks/`` directory (``register_task(Task(...))``).  The
directory is imported on first use — each file once, by path — so neither
the CLI nor the pytest plugin star-imports anything.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Mapping

from benchmark.errors import TaskError
from benchmark.registry import Registry

REPO_ROOT = Path(__file__).resolve().parent.parent
TASKS_DIR_ENV = "ROSETTA_TASKS_DIR"


@dataclass(frozen=True)
class Expectation:
    """A declared threshold: ``metric >= minimum`` and/or ``metric <= maximum``.

    ``models`` restricts it to one ordered model tuple; ``None`` applies it to all.
    """

    metric: str
    minimum: float | None = None
    maximum: float | None = None
    models: tuple[str, ...] | None = None

    def applies_to(self, models: tuple[str, ...]) -> bool:
        return self.models is None or tuple(self.models) == tuple(models)

    def failure(self, metrics: Mapping[str, float]) -> str | None:
        """A one-line reason when the expectation is not met, else None."""
        if self.metric not in metrics:
            return f"expected metric {self.metric!r} was not produced"
        value = metrics[self.metric]
        if self.minimum is not None and not value >= self.minimum:
            return f"{self.metric} = {value:.4f} < required minimum {self.minimum}"
        if self.maximum is not None and not value <= self.maximum:
            return f"{self.metric} = {value:.4f} > allowed maximum {self.maximum}"
        return None


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
        Protocol parameters handed to the family (split sizes, normalisation …).
    data_files
        Repository-relative files the task reads (hashed into provenance).
    expectations
        Thresholds that make the pytest item fail when missed.
    quick_params
        Overrides of ``params`` for the ``--quick`` profile (small splits, fewer
        resamples): minutes on 2 cores, for CI gates.
    """

    name: str
    version: str
    family: str
    description: str
    main_metric: str
    higher_is_better: bool = True
    model_kinds: tuple[Literal["static", "contextual"], ...] = ("static", "static")
    params: Mapping[str, Any] = field(default_factory=dict)
    data_files: tuple[str, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    quick_params: Mapping[str, Any] = field(default_factory=dict)

    def quick(self) -> "Task":
        """This task under the quick profile (same name; its params record the profile)."""
        return replace(self, params={**self.params, **self.quick_params, "profile": "quick"})


TASKS: Registry[Task] = Registry("task")
TASK_SOURCES: dict[str, Path] = {}  # task name → the file that registered it
_loaded_dirs: set[Path] = set()


def register_task(task: Task) -> Task:
    caller = sys._getframe(1).f_globals.get("__file__")
    TASKS.register(task.name, task)
    if caller:
        TASK_SOURCES[task.name] = Path(caller).resolve()
    return task


def tasks_dir() -> Path:
    return Path(os.environ.get(TASKS_DIR_ENV) or REPO_ROOT / "tasks").resolve()


def task_module_name(path: Path) -> str:
    return f"rosetta_tasks.{path.stem}"


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


def task_files(directory: Path | None = None) -> list[Path]:
    directory = directory or tasks_dir()
    return sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))


def load_tasks(directory: Path | None = None) -> Registry[Task]:
    directory = (directory or tasks_dir()).resolve()
    if directory not in _loaded_dirs:
        if not directory.is_dir():
            raise TaskError(f"tasks directory {directory} does not exist (set {TASKS_DIR_ENV})")
        for path in task_files(directory):
            import_task_file(path)
        _loaded_dirs.add(directory)
    return TASKS


def get_task(name: str) -> Task:
    return load_tasks().get(name)

"""Plan items (task × ordered models), execute them, record Results.

Both doors -- the CLI (``python -m benchmark run``) and the pytest plugin
(``pytest tasks/``), and the Ray executor -- choose items with :func:`select`
and record each one with :func:`execute`; nothing else plans or runs an item.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

from benchmark.errors import BenchmarkError, NotMeasurableError, OutputPathError, TaskError
from benchmark.families import get_family
from benchmark.models import get_model_spec, load_model, model_names
from benchmark.run.atomic import check_writable_dir, child_path, file_lock, remove_stale_temporaries
from benchmark.run.results import (
    Result,
    check_name,
    item_id,
    read_result,
    result_filename,
    scan_results,
    write_result,
)
from benchmark.tasks import Task, load_tasks

log = logging.getLogger(__name__)

DEFAULT_SEED = 0
PROVENANCE_PACKAGES = ("numpy", "scipy", "gensim", "spacy", "wordfreq", "torch", "transformers")


@dataclass(frozen=True)
class Item:
    task: Task
    models: tuple[str, ...]

    @property
    def id(self) -> str:
        return item_id(self.task.name, self.models)

    @property
    def filename(self) -> str:
        return result_filename(self.task.name, self.models)


def select(tasks: Sequence[str] | None = None, models: Sequence[str] | None = None, *,
           quick: bool = False, profile: str | None = None) -> list[Item]:
    """The items of the named tasks (default: all) on the named models (default: the default catalog).

    ``quick`` applies each task's quick profile (:meth:`Task.quick`) and, when
    no models are named, the quick model selection (models marked ``quick=False``
    are left out).  ``profile`` names another profile (:meth:`Task.with_profile`):
    without named tasks, only the tasks that have it are selected.  Unknown names
    raise with "did you mean" before anything is loaded.
    """
    if profile in (None, "full", "quick"):
        quick = quick or profile == "quick"
        return plan_items(select_tasks(tasks, quick=quick), select_models(models, quick=quick))
    registry = load_tasks()
    names = tasks or [n for n in registry.names() if profile in registry.get(n).profiles]
    if not names:
        raise TaskError(f"no task has the profile {profile!r}")
    return plan_items([registry.get(n).with_profile(profile) for n in names], select_models(models))


def select_tasks(names: Sequence[str] | None = None, *, quick: bool = False) -> list[Task]:
    registry = load_tasks()
    tasks = [registry.get(n) for n in (names or registry.names())]
    return [t.quick() for t in tasks] if quick else tasks


def select_models(names: Sequence[str] | None = None, *, quick: bool = False) -> list[str]:
    if names:
        for n in names:
            get_model_spec(n)  # unknown names raise with "did you mean"
        return list(dict.fromkeys(names))
    return model_names(default_only=True, quick=quick)


def plan_items(tasks: Iterable[Task], models: Sequence[str]) -> list[Item]:
    """Every ordered tuple of distinct models whose kinds fit each task's slots.

    Every name is checked to be a safe file-name part first (models registered
    by entry points bypass :func:`~benchmark.models.register_model`), so an
    unsafe one fails before anything is computed rather than at the write.
    """
    tasks = list(tasks)
    for task in tasks:
        check_name(task.name, "task")
    for name in models:
        check_name(name)
    items = []
    for task in tasks:
        for combo in itertools.permutations(models, len(task.model_kinds)):
            kinds = tuple(get_model_spec(m).kind for m in combo)
            if kinds == tuple(task.model_kinds):
                items.append(Item(task, tuple(combo)))
    return items


def _jsonable(value):
    return json.loads(json.dumps(value, default=list))


@functools.lru_cache(maxsize=1)
def provenance() -> dict:
    from benchmark.packages import installed_version
    from benchmark.run.machine import machine

    packages = {d: v for d in PROVENANCE_PACKAGES if (v := installed_version(d)) is not None}
    from benchmark import __version__

    return {
        "benchmark_version": __version__,
        "git_commit": git_commit(),
        "packages": packages,
        "machine": machine(),
    }


def git_commit(root: Path | None = None) -> str | None:
    """The commit of the source checkout the code runs from; None for an installed wheel.

    Only a checkout whose top level is ``root`` (default: the folder above the
    ``benchmark`` package) counts, so a wheel installed in a venv that lives
    inside some repository never reports that repository's commit.
    """
    from benchmark.resources import source_root

    root = Path(root) if root is not None else source_root()
    try:
        out = subprocess.run(
            ["git", "-C", os.fspath(root), "rev-parse", "--show-toplevel", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.stdout.split()
    if len(lines) != 2 or Path(lines[0]).resolve() != root.resolve():
        return None
    return lines[1]


def current_result(path: Path, item: Item, seed: int) -> Result | None:
    """The stored Result at ``path`` when the item would reproduce it (same task version, params and
    seed), else ``None`` (also for a missing or unreadable file)."""
    try:
        stored = read_result(path)
    except (BenchmarkError, OSError):
        return None
    current = (
        stored.task_version == item.task.version
        and stored.seed == seed
        and stored.params == item.task.params_dict()
    )
    return stored if current else None


def is_current(path: Path, item: Item, seed: int) -> bool:
    """A stored result that the item would reproduce: same task version, params and seed."""
    return current_result(path, item, seed) is not None


def all_current(items: Sequence[Item], out_dir: str | os.PathLike, *, seed: int) -> bool:
    """Whether every item has a current Result under ``out_dir/results`` (a run would compute nothing,
    so it needs no model, no torch and no device)."""
    results_dir = Path(out_dir) / "results"
    return all(is_current(results_dir / item.filename, item, seed) for item in items)


def run_item(item: Item, *, seed: int = DEFAULT_SEED) -> Result:
    """Load the item's models, evaluate, check expectations; never writes.

    An item whose inputs cannot be measured (:class:`NotMeasurableError`:
    too few shared words ...) gives a ``skipped`` Result with the reason;
    every other error raises :class:`TaskError` naming the item.
    """
    from benchmark.data.vocabulary import reference_revision

    task = item.task
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    common = dict(task=task.name, task_version=task.version, family=task.family, models=list(item.models),
                  seed=seed, main_metric=task.main_metric, higher_is_better=task.higher_is_better,
                  params=task.params_dict(), provenance=provenance())
    models = []
    try:
        for name in item.models:
            models.append(load_model(name))
        t_loaded = time.perf_counter()
        measurement = get_family(task.family).evaluate(task, models, seed=seed)
    except NotMeasurableError as exc:
        elapsed = time.perf_counter() - t0
        return Result(**common, metrics={}, status="skipped", skip_reason=str(exc),
                      revisions={**{name: m.revision for name, m in zip(item.models, models)},
                                 "frequency_list": reference_revision()},
                      timing={"started": started, "seconds": round(elapsed, 3)})
    except BenchmarkError as exc:
        raise TaskError(f"{item.id}: {exc}") from exc
    except Exception as exc:
        raise TaskError(f"{item.id}: {type(exc).__name__}: {exc}") from exc
    elapsed = time.perf_counter() - t0
    checked, failures = check_expectations(task, item.models, measurement.metrics)
    return Result(
        **common,
        metrics=measurement.metrics,
        status=item_status(checked),
        sizes=measurement.sizes,
        details=_jsonable(measurement.details),
        failures=failures,
        expectations_checked=checked,
        revisions={**{name: m.revision for name, m in zip(item.models, models)},
                   "frequency_list": reference_revision()},
        model_cards={name: model_card(name, m) for name, m in zip(item.models, models)},
        timing={"started": started, "seconds": round(elapsed, 3), "load_seconds": round(t_loaded - t0, 3)},
    )


def model_card(name: str, model) -> dict:
    """What the leaderboard says about a model: its description, source and size, from the loaded adapter."""
    card = {"description": get_model_spec(name).description, "source": str(getattr(model, "source", "") or "")}
    if hasattr(model, "num_layers"):
        card["size"] = f"{model.num_layers} hidden-state outputs × {model.dim}"
    elif hasattr(model, "words") and hasattr(model, "dim"):
        card["size"] = f"{len(model.words):,} words × {model.dim}"
    return card


def check_expectations(task: Task, models: Sequence[str], metrics) -> tuple[list[dict], list[str]]:
    """The records of the task's expectations that apply to ``models``, and the reasons of those that failed."""
    checked, failures = [], []
    for expectation in task.expectations:
        if not expectation.applies_to(tuple(models)):
            continue
        record, reason = expectation.check(metrics)
        checked.append(record)
        if reason is not None:
            failures.append(reason)
    return checked, failures


def item_status(checked: list[dict]) -> str:
    """``failed`` when an expectation did not hold, ``passed`` when some were checked, else ``measured``."""
    if not checked:
        return "measured"
    return "passed" if all(record["held"] for record in checked) else "failed"


@dataclass
class RunSummary:
    computed: list[Result]
    reused: list[str]

    @property
    def failed(self) -> list[Result]:
        """Computed results whose expectations failed (what makes ``run`` exit 1)."""
        return [r for r in self.computed if r.status == "failed"]

    @property
    def skipped(self) -> list[Result]:
        """Computed results of items that could not be measured (reported, not a failure)."""
        return [r for r in self.computed if r.status == "skipped"]

    def family_seconds(self) -> dict[str, float]:
        """Item time (``timing.seconds``, model loads included) of the computed results, summed per family, largest first."""
        totals: dict[str, float] = {}
        for result in self.computed:
            totals[result.family] = totals.get(result.family, 0.0) + float(result.timing.get("seconds", 0.0))
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


def prepare_output(out_dir: str | os.PathLike, *, skip_invalid: bool = False, create: bool = True,
                   page: str | os.PathLike | None = None) -> Path:
    """Check, before anything is computed, that the run can record what it computes.

    ``out_dir`` and ``out_dir/results`` must be writable directories (made
    when ``create``; else only proven creatable, nothing is left on disk),
    the leaderboard page must not be a folder, and every file in
    ``results/`` must be a readable Result (else a :class:`DataFormatError`
    naming it; ``skip_invalid`` logs it and goes on).  Returns the results folder.
    """
    out_dir = Path(out_dir)
    check_writable_dir(out_dir, create=create)
    results_dir = check_writable_dir(out_dir / "results", "results directory", create=create)
    page = Path(page) if page is not None else out_dir / "README.md"
    if page.is_dir():
        raise OutputPathError(f"leaderboard page {page} is a directory")
    plots = out_dir / "plots"
    if plots.exists() and not plots.is_dir():
        raise OutputPathError(f"plots directory {plots} is not a directory")
    _, invalid = scan_results(results_dir)
    if invalid and not skip_invalid:
        first = invalid[0]
        more = f" and {len(invalid) - 1} more invalid file(s)" if len(invalid) > 1 else ""
        raise type(first)(first.path, f"{first.reason}{more} (pass --skip-invalid to leave them out)",
                          line=first.line)
    if create:
        for exc in invalid:
            log.warning("skipped %s (its item is recomputed when selected)", exc)
    return results_dir


def item_lock_path(results_dir: Path, item: Item) -> Path:
    """The hidden lock file beside an item's Result."""
    return child_path(results_dir, f".{item.filename}.lock")


def execute(item: Item, results_dir: Path, *, seed: int, force: bool, since: float) -> tuple[Result, bool]:
    """The item's Result and whether it was reused; computes and writes it under the item's lock.

    A current stored Result is reused.  Otherwise the item's lock is taken
    (a second process running the same item waits here), the file is looked
    at again -- reused when the other process wrote it meanwhile (with
    ``force``: when it was written after ``since``, a ``time.time()``) --
    and else the item is computed and written before the lock is let go.
    """
    path = results_dir / item.filename
    if not force and (stored := current_result(path, item, seed)) is not None:
        return stored, True
    with file_lock(item_lock_path(results_dir, item)):
        stored = current_result(path, item, seed)
        if stored is not None and (not force or path.stat().st_mtime >= since):
            return stored, True
        result = run_item(item, seed=seed)
        write_result(result, results_dir)
    return result, False


def run(
    items: Sequence[Item],
    *,
    out_dir: str | os.PathLike,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    progress: bool = True,
    skip_invalid: bool = False,
    jobs: int = 1,
    device: str = "auto",
    worker_stderr=None,
) -> RunSummary:
    """Run items, writing each Result as it finishes, then the leaderboard.

    The output is checked first (:func:`prepare_output`), so a path that
    cannot be written or a corrupt results folder fails before any item is computed.
    With ``jobs`` > 1 the items to compute run on that many worker processes
    (:mod:`benchmark.run.parallel`; ``device`` is ``--device`` as given, resolved in each worker;
    ``worker_stderr`` is where their stderr goes, ``None`` for this process's); items with a current
    Result are reused here, so a warm re-run starts no worker.
    """
    from tqdm import tqdm

    from benchmark.report.leaderboard import write_leaderboard

    since = time.time()
    results_dir = prepare_output(out_dir, skip_invalid=skip_invalid)
    for folder in (results_dir, Path(out_dir) / "plots", Path(out_dir)):
        for stale in remove_stale_temporaries(folder):
            log.info("removed %s, a temporary file left by an interrupted write", stale)
    summary = RunSummary([], [])
    bar = tqdm(total=len(items), desc="items", unit="item", disable=not progress, dynamic_ncols=True)
    todo: list[Item] = []
    if jobs > 1:  # reused here, so that workers start only for items to compute
        todo = list(items) if force else [i for i in items if not is_current(results_dir / i.filename, i, seed)]
    groups = _groups(todo) if len(todo) > 1 else []
    if len(groups) > 1:
        todo_ids = {i.id for i in todo}
        summary.reused.extend(i.id for i in items if i.id not in todo_ids)
        bar.update(len(items) - len(todo))
        _run_parallel(groups, bar, summary, results_dir=results_dir, seed=seed, force=force, since=since,
                      jobs=jobs, device=device, worker_stderr=worker_stderr)
        order = {item.id: k for k, item in enumerate(items)}
        summary.computed.sort(key=lambda r: order[r.item_id])
        summary.reused.sort(key=order.__getitem__)
    else:
        for item in items:
            bar.set_postfix_str(item.id)
            result, reused = execute(item, results_dir, seed=seed, force=force, since=since)
            if reused:
                summary.reused.append(item.id)
            else:
                summary.computed.append(result)
            bar.update(1)
    bar.close()
    write_leaderboard(out_dir, skip_invalid=skip_invalid, warn=False)  # prepare_output warned
    return summary


def _groups(items: Sequence[Item]) -> list[list[Item]]:
    from benchmark.run.parallel import affinity_groups

    return affinity_groups(items, lambda name: get_model_spec(name).kind == "contextual")


def _run_parallel(groups, bar, summary: RunSummary, **kwargs) -> None:
    from benchmark.run.parallel import run_groups

    running: list[str] = []

    def started(item_id: str) -> None:
        running.append(item_id)
        bar.set_postfix_str(", ".join(running))

    def finished(item_id: str) -> None:
        if item_id in running:
            running.remove(item_id)
        bar.set_postfix_str(", ".join(running))
        bar.update(1)

    for result, reused in run_groups(groups, on_start=started, on_done=finished, **kwargs):
        if reused:
            summary.reused.append(result.item_id)
        else:
            summary.computed.append(result)

"""Plan items (task × ordered models), execute them, record Results.

The CLI (``python -m benchmark run``) and the pytest plugin (``pytest
tasks/``) both go through :func:`plan_items` and :func:`run_item`.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import platform
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

from benchmark.atomic import remove_stale_temporaries
from benchmark.errors import BenchmarkError, TaskError
from benchmark.families import FAMILIES
from benchmark.models import get_model_spec, load_model, model_names
from benchmark.results import Result, item_id, read_result, result_filename, write_result
from benchmark.tasks import REPO_ROOT, Task, load_tasks

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
    """Every ordered tuple of distinct models whose kinds fit each task's slots."""
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

    packages = {d: v for d in PROVENANCE_PACKAGES if (v := installed_version(d)) is not None}
    from benchmark import __version__

    return {
        "benchmark_version": __version__,
        "git_commit": git_commit(),
        "packages": packages,
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
    }


def git_commit(root: Path = REPO_ROOT) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", os.fspath(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def is_current(path: Path, item: Item, seed: int) -> bool:
    """A stored result that the item would reproduce: same task version, params and seed."""
    try:
        stored = read_result(path)
    except (BenchmarkError, OSError):
        return False
    return (
        stored.task_version == item.task.version
        and stored.seed == seed
        and stored.params == _jsonable(dict(item.task.params))
    )


def run_item(item: Item, *, seed: int = DEFAULT_SEED) -> Result:
    """Load the item's models, evaluate, check expectations; never writes."""
    task = item.task
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    try:
        models = [load_model(name) for name in item.models]
        t_loaded = time.perf_counter()
        evaluate = FAMILIES.get(task.family)
        measurement = evaluate(task, models, seed=seed)
    except BenchmarkError as exc:
        raise TaskError(f"{item.id}: {exc}") from exc
    except Exception as exc:
        raise TaskError(f"{item.id}: {type(exc).__name__}: {exc}") from exc
    elapsed = time.perf_counter() - t0
    failures = [
        reason
        for e in task.expectations
        if e.applies_to(item.models) and (reason := e.failure(measurement.metrics)) is not None
    ]
    from benchmark.vocabulary import reference_revision

    return Result(
        task=task.name,
        task_version=task.version,
        family=task.family,
        models=list(item.models),
        metrics=measurement.metrics,
        seed=seed,
        status="failed" if failures else "passed",
        main_metric=task.main_metric,
        higher_is_better=task.higher_is_better,
        sizes=measurement.sizes,
        details=_jsonable(measurement.details),
        params=_jsonable(dict(task.params)),
        failures=failures,
        revisions={**{name: m.revision for name, m in zip(item.models, models)},
                   "frequency_list": reference_revision()},
        provenance=provenance(),
        timing={"started": started, "seconds": round(elapsed, 3), "load_seconds": round(t_loaded - t0, 3)},
    )


@dataclass
class RunSummary:
    computed: list[Result]
    reused: list[str]

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.computed if r.status != "passed"]


def run(
    items: Sequence[Item],
    *,
    out_dir: str | os.PathLike,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    progress: bool = True,
) -> RunSummary:
    """Run items, writing each Result as it finishes, then the leaderboard."""
    from tqdm import tqdm

    from benchmark.leaderboard import write_leaderboard

    results_dir = Path(out_dir) / "results"
    for folder in (results_dir, Path(out_dir) / "plots", Path(out_dir)):
        for stale in remove_stale_temporaries(folder):
            log.info("removed %s, a temporary file left by an interrupted write", stale)
    summary = RunSummary([], [])
    bar = tqdm(items, desc="items", unit="item", disable=not progress, dynamic_ncols=True)
    for item in bar:
        bar.set_postfix_str(item.id)
        if not force and is_current(results_dir / item.filename, item, seed):
            summary.reused.append(item.id)
            continue
        result = run_item(item, seed=seed)
        write_result(result, results_dir)
        summary.computed.append(result)
    write_leaderboard(out_dir)
    return summary

"""pytest plugin: ``pytest tasks/`` turns task files into benchmark items.

Each (task, ordered model tuple) is one item, id ``static_static[a->b]``, so
``-k``, ``-x``, ``--lf`` and ``-n`` (pytest-xdist) work as usual.  An item
records its Result whether it passes or fails; it fails when a declared
expectation is not met.  The session (the xdist controller, not a worker)
writes the leaderboard at the end.  Registered through the ``pytest11``
entry point; files outside the tasks directory are left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmark.errors import BenchmarkError


def pytest_addoption(parser):
    group = parser.getgroup("rosetta-bench", "Rosetta Bench task items (pytest tasks/)")
    group.addoption("--bench-models", action="append", metavar="IDS",
                    help="comma-separated model ids (default: the default catalog); repeatable")
    group.addoption("--bench-out", default=None, metavar="DIR",
                    help="where results/ and README.md are written (default: leaderboard/, or leaderboard/quick/ "
                         "with --bench-quick, in the working directory)")
    group.addoption("--bench-seed", type=int, default=0, metavar="N", help="split and bootstrap seed (default 0)")
    group.addoption("--bench-force", action="store_true", help="recompute items that have a current result")
    group.addoption("--bench-quick", action="store_true", help="quick profile, as `run --quick`: each task's quick params and, without "
                         "--bench-models, the quick model selection (no causal LM)")
    group.addoption("--bench-profile", default=None, metavar="NAME",
                    help="a named task profile, as `run --profile NAME` (tasks without it are not collected)")
    group.addoption("--baseline", default=None, metavar="DIR",
                    help="fail items whose main metric regressed against the Results in DIR")
    group.addoption("--max-drop", type=float, default=0.02, metavar="X",
                    help="tolerated drop of a main metric with --baseline (default 0.02; must also leave the CI)")


def pytest_collect_file(file_path: Path, parent):
    from benchmark.tasks import task_dirs

    if file_path.suffix != ".py" or file_path.name.startswith("_"):
        return None
    if file_path.resolve().parent not in task_dirs():
        return None
    return TaskFile.from_parent(parent, path=file_path)


def _out_dir(config) -> Path:
    """``--bench-out``, else the CLI's default folder in the directory pytest was started from."""
    from benchmark.cli import DEFAULT_OUT, QUICK_OUT

    profile = config.getoption("--bench-profile")
    default = QUICK_OUT if config.getoption("--bench-quick") else f"{DEFAULT_OUT}/{profile}" if profile else DEFAULT_OUT
    return Path(config.invocation_params.dir) / (config.getoption("--bench-out") or default)


class TaskFile(pytest.File):
    def collect(self):
        from benchmark.run.runner import select
        from benchmark.tasks import TASK_SOURCES, TASKS, import_task_file

        import_task_file(self.path)
        models = [n for v in (self.config.getoption("--bench-models") or []) for n in v.split(",") if n]
        own = [n for n, src in sorted(TASK_SOURCES.items()) if src == self.path.resolve()]
        if not own:
            return
        profile = self.config.getoption("--bench-profile")
        if profile:
            own = [n for n in own if profile in TASKS.get(n).profile_names()]
            if not own:
                return
        try:
            items = select(own, models or None, quick=self.config.getoption("--bench-quick"), profile=profile)
        except BenchmarkError as exc:
            raise self.CollectError(str(exc)) from None
        for item in items:
            yield TaskItem.from_parent(self, name=item.id, item=item)


class ExpectationFailed(Exception):
    pass


class TaskItem(pytest.Item):
    def __init__(self, *, item, **kwargs):
        super().__init__(**kwargs)
        self.item = item
        self.add_marker(pytest.mark.benchmark_task)

    def runtest(self):
        from benchmark.run.atomic import check_writable_dir
        from benchmark.run.runner import execute

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.user_properties.append(("rosetta_item", self.item.id))
        config = self.config
        seed = config.getoption("--bench-seed")
        results_dir = check_writable_dir(_out_dir(config) / "results", "results directory")
        result, _ = execute(self.item, results_dir, seed=seed, force=config.getoption("--bench-force"),
                               since=_SESSION_START.get("time", 0.0))
        if result.status == "skipped":
            pytest.skip(f"{self.item.id}: not measurable: {result.skip_reason}")
        main = result.metrics.get(result.main_metric)
        self.user_properties.append((result.main_metric, main))
        failures = list(result.failures)
        baseline = config.getoption("--baseline")
        if baseline:
            failures += self._regression(Path(baseline), result, config.getoption("--max-drop"))
        if failures:
            raise ExpectationFailed("; ".join(failures))

    def _regression(self, baseline_dir: Path, result, max_drop: float) -> list[str]:
        from benchmark.run.compare import check_same_profiles, compare_results
        from benchmark.run.results import read_result

        path = (baseline_dir / "results" if (baseline_dir / "results").is_dir() else baseline_dir) / self.item.filename
        if not path.is_file():
            return []  # a new item has no baseline
        baseline = read_result(path)
        check_same_profiles([baseline], [result], path)
        (delta,) = compare_results([baseline], [result], max_drop=max_drop)
        if not delta.regressed:
            return []
        candidate = "missing" if delta.candidate is None else f"{delta.candidate:.4f}"
        return [f"regressed: {delta.metric} {delta.baseline:.4f} -> {candidate} "
                f"(drop > {max_drop}; candidate 95% CI [{delta.ci_low}, {delta.ci_high}], "
                f"baseline 95% CI [{delta.baseline_ci_low}, {delta.baseline_ci_high}])"]

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (ExpectationFailed, BenchmarkError)):
            return f"{self.name}: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, self.name


_SESSION_START: dict[str, float] = {}


def pytest_configure(config):
    import time

    _SESSION_START.setdefault("time", time.time())
    profile = config.getoption("--bench-profile", None)
    if config.getoption("--bench-quick", False) and profile not in (None, "quick"):
        raise pytest.UsageError(f"--bench-quick and --bench-profile {profile} are two profiles: choose one")
    config.addinivalue_line("markers", "benchmark_task: a Rosetta Bench task item (task x models)")


def pytest_runtest_logreport(report):
    if report.when == "call" and any(key == "rosetta_item" for key, _ in report.user_properties):
        _RAN["tasks"] = True


_RAN: dict[str, bool] = {}


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller writes the page
    if not _RAN.get("tasks"):
        return
    from benchmark.report.leaderboard import write_leaderboard

    try:
        write_leaderboard(_out_dir(session.config))
    except BenchmarkError as exc:
        session.config.get_terminal_writer().line(f"rosetta-bench: leaderboard not written: {exc}", red=True)

"""Command line: ``python -m benchmark {run,models,tasks,leaderboard}``.

Errors the user can fix (unknown names, bad files) print one line to stderr
and exit with status 2; failed expectations exit with status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from benchmark.errors import BenchmarkError

DEFAULT_OUT = "leaderboard"


def _names(values):
    """Accept ``--models a b`` and ``--models a,b``."""
    if not values:
        return None
    return [n for v in values for n in v.split(",") if n]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmark", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run tasks on models and write results + leaderboard")
    run.add_argument("--models", nargs="+", metavar="ID", help="model ids (default: the default catalog)")
    run.add_argument("--tasks", nargs="+", metavar="NAME", help="task names (default: all)")
    run.add_argument("--out", default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT}/)")
    run.add_argument("--seed", type=int, default=0, help="split and bootstrap seed (default: 0)")
    run.add_argument("--force", action="store_true", help="recompute items that already have a current result")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")

    sub.add_parser("models", help="list registered models")
    sub.add_parser("tasks", help="list registered tasks")

    board = sub.add_parser("leaderboard", help="regenerate the markdown from Result files alone")
    board.add_argument("--results", default=DEFAULT_OUT, help="directory holding results/ (default: leaderboard/)")
    board.add_argument("--out", default=None, help="markdown file (default: <results>/README.md)")
    return parser


def _cmd_run(args) -> int:
    from benchmark.runner import plan_items, run, select_models, select_tasks

    items = plan_items(select_tasks(_names(args.tasks)), select_models(_names(args.models)))
    if not items:
        print("error: no items: the selected tasks need models of other kinds", file=sys.stderr)
        return 2
    summary = run(items, out_dir=args.out, seed=args.seed, force=args.force, progress=not args.no_progress)
    print(
        f"{len(summary.computed)} computed, {len(summary.reused)} reused (current results kept; --force recomputes), "
        f"{len(summary.failed)} failed expectations; leaderboard: {Path(args.out) / 'README.md'}"
    )
    for result in summary.failed:
        print(f"FAILED {result.item_id}: {'; '.join(result.failures)}")
    return 1 if summary.failed else 0


def _cmd_models(args) -> int:
    from benchmark.models import get_model_spec, model_names

    for name in model_names():
        spec = get_model_spec(name)
        print(f"{name:20s} {spec.kind:10s} {'default' if spec.default else '':8s} {spec.description}")
    return 0


def _cmd_tasks(args) -> int:
    from benchmark.tasks import load_tasks

    registry = load_tasks()
    for name in registry.names():
        t = registry.get(name)
        print(f"{name:20s} v{t.version:5s} {t.family:16s} {'×'.join(t.model_kinds):20s} {t.description}")
    return 0


def _cmd_leaderboard(args) -> int:
    from benchmark.leaderboard import write_leaderboard

    page = write_leaderboard(args.results, args.out)
    print(f"wrote {page}")
    return 0


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = _parser().parse_args(argv)
    command = {"run": _cmd_run, "models": _cmd_models, "tasks": _cmd_tasks, "leaderboard": _cmd_leaderboard}
    try:
        return command[args.command](args)
    except BenchmarkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; finished items are saved and a re-run resumes", file=sys.stderr)
        return 130

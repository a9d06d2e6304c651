"""Command line: ``python -m benchmark {run,score,compare,leaderboard,models,tasks,translate}``.

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
QUICK_OUT = "leaderboard/quick"


def _names(values):
    """Accept ``--models a b`` and ``--models a,b``."""
    if not values:
        return None
    return [n for v in values for n in v.split(",") if n]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmark",
        description="Rosetta Bench: a pytest-style benchmark for translating embedding spaces.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run tasks on models and write results + leaderboard")
    run.add_argument("--models", nargs="+", metavar="ID", help="model ids (default: the default catalog)")
    run.add_argument("--tasks", nargs="+", metavar="NAME", help="task names (default: all)")
    run.add_argument("--out", default=None, help=f"output directory (default: {DEFAULT_OUT}/, {QUICK_OUT}/ with --quick)")
    run.add_argument("--quick", action="store_true",
                     help="quick profile for CI: small splits, fewer resamples, no causal LM")
    _common_run_options(run)

    score = sub.add_parser("score", help="score a new model (vectors file or local HF folder) against the defaults")
    score.add_argument("path", help="vectors file, .npy matrix, gensim file or Hugging Face model folder")
    score.add_argument("--format", required=True, dest="fmt",
                       help="word2vec | word2vec-binary | glove | fasttext | numpy | gensim | hf")
    score.add_argument("--name", help="model id (default: the file or folder name)")
    score.add_argument("--words", help="word list for --format numpy (one word per line)")
    score.add_argument("--tasks", nargs="+", metavar="NAME", help="task names (default: every applicable task)")
    score.add_argument("--out", default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT}/)")
    score.add_argument("--quick", action="store_true", help="quick profile (small splits)")
    score.add_argument("--allow-pickle", action="store_true",
                       help="accept pickle-based files (gensim .kv, pytorch_model.bin): only for files you trust")
    _common_run_options(score)

    cmp_ = sub.add_parser("compare", help="regression gate: deltas of main metrics, exit 1 on a regression")
    cmp_.add_argument("baseline", help="baseline results directory (holding results/ or the JSON files)")
    cmp_.add_argument("candidate", help="candidate results directory")
    cmp_.add_argument("--max-drop", type=float, default=0.02,
                      help="tolerated absolute drop of a main metric (default 0.02); a regression must also "
                           "fall outside the candidate's 95%% CI")

    sub.add_parser("models", help="list registered models")
    sub.add_parser("tasks", help="list registered tasks")

    from benchmark import translate

    translate.add_parser(sub)

    board = sub.add_parser("leaderboard", help="regenerate the markdown from Result files alone")
    board.add_argument("--results", default=DEFAULT_OUT, help="directory holding results/ (default: leaderboard/)")
    board.add_argument("--out", default=None, help="markdown file (default: <results>/README.md)")
    board.add_argument("--check", action="store_true", help="exit 1 when the markdown file is stale; write nothing")
    return parser


def _common_run_options(p) -> None:
    p.add_argument("--seed", type=int, default=0, help="split and bootstrap seed (default: 0)")
    p.add_argument("--force", action="store_true", help="recompute items that already have a current result")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _run_and_report(items, args, out: str):
    from benchmark.runner import run

    if not items:
        raise BenchmarkError("no items: the selected tasks need models of other kinds")
    summary = run(items, out_dir=out, seed=args.seed, force=args.force, progress=not args.no_progress)
    print(
        f"{len(summary.computed)} computed, {len(summary.reused)} reused (current results kept; --force recomputes), "
        f"{len(summary.failed)} failed expectations; leaderboard: {Path(out) / 'README.md'}"
    )
    for result in summary.failed:
        print(f"FAILED {result.item_id}: {'; '.join(result.failures)}")
    return summary


def _cmd_run(args) -> int:
    from benchmark.runner import plan_items, select_models, select_tasks

    items = plan_items(select_tasks(_names(args.tasks), quick=args.quick),
                       select_models(_names(args.models), quick=args.quick))
    summary = _run_and_report(items, args, args.out or (QUICK_OUT if args.quick else DEFAULT_OUT))
    return 1 if summary.failed else 0


def _cmd_score(args) -> int:
    from benchmark.adapters.catalog import user_model_spec
    from benchmark.models import MODELS, get_model_spec, load_model, register_model
    from benchmark.results import read_results
    from benchmark.runner import plan_items, select_models, select_tasks

    path = Path(args.path)
    name = args.name or path.stem
    if not path.exists():
        raise BenchmarkError(f"{path}: no such file or folder")
    if name in MODELS:
        raise BenchmarkError(f"model {name!r} is already registered; pass --name to score it under another id")
    register_model(user_model_spec(name, path.resolve(), args.fmt, words_path=args.words,
                                   allow_pickle=args.allow_pickle, default=False))
    try:
        load_model(name)  # the file being scored fails first, before any default model is loaded
    except BenchmarkError:
        MODELS.unregister(name)
        load_model.cache_clear()
        raise
    kind = get_model_spec(name).kind
    tasks = [t for t in select_tasks(_names(args.tasks), quick=args.quick) if kind in t.model_kinds]
    models = [*select_models(quick=args.quick), name]
    items = [i for i in plan_items(tasks, models) if name in i.models]
    _run_and_report(items, args, args.out)
    print(score_table(name, {i.id for i in items}, read_results(Path(args.out) / "results")))
    return 0


def score_table(name: str, item_ids: set[str], results) -> str:
    """Where each of the new model's items ranks among all results of its task."""
    from tabulate import tabulate

    rows = []
    for r in results:
        if r.item_id not in item_ids:
            continue
        peers = [p for p in results if p.task == r.task and p.metrics.get(r.main_metric) is not None]
        value = r.metrics.get(r.main_metric)
        better = sum(1 for p in peers if value is not None and (
            p.metrics[r.main_metric] > value if r.higher_is_better else p.metrics[r.main_metric] < value))
        rank = f"{better + 1}/{len(peers)}" if value is not None else "–"
        rows.append([r.family, r.item_id, r.main_metric, "–" if value is None else f"{value:.4f}", rank, r.status])
    return tabulate(rows, headers=["family", "item", "main metric", "value", "rank in task", "status"],
                    tablefmt="github", disable_numparse=True)


def _cmd_compare(args) -> int:
    from benchmark.compare import compare_dirs, format_deltas

    deltas, unmatched = compare_dirs(args.baseline, args.candidate, max_drop=args.max_drop)
    print(format_deltas(deltas))
    if unmatched:
        print(f"{len(unmatched)} item(s) on one side only (not compared): {', '.join(unmatched[:10])}"
              + (" ..." if len(unmatched) > 10 else ""))
    bad = [d for d in deltas if d.regressed]
    print(f"{len(deltas)} compared, {len(bad)} regressed (max drop {args.max_drop}, outside the candidate's 95% CI)")
    return 1 if bad else 0


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
    from benchmark.leaderboard import render, write_leaderboard
    from benchmark.results import read_results

    if args.check:
        page = Path(args.out) if args.out else Path(args.results) / "README.md"
        fresh = render(read_results(Path(args.results) / "results"))
        current = page.read_text(encoding="utf-8") if page.is_file() else None
        if current != fresh:
            print(f"{page} is stale: run `python -m benchmark leaderboard --results {args.results}`")
            return 1
        print(f"{page} is up to date")
        return 0
    page = write_leaderboard(args.results, args.out)
    print(f"wrote {page}")
    return 0


def _cmd_translate(args) -> int:
    from benchmark import translate

    return translate.run(args)


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = _parser().parse_args(argv)
    command = {"run": _cmd_run, "score": _cmd_score, "compare": _cmd_compare, "models": _cmd_models,
               "tasks": _cmd_tasks, "leaderboard": _cmd_leaderboard, "translate": _cmd_translate}
    try:
        return command[args.command](args)
    except BenchmarkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; finished items are saved and a re-run resumes", file=sys.stderr)
        return 130

"""Command line: ``python -m benchmark {run,score,compare,leaderboard,site,models,tasks,translate}``.

Errors the user can fix (unknown names, bad files, bad arguments, paths that
cannot be written) print one line to stderr and exit with status 2
(:func:`benchmark.errors.exit_status` maps them); failed expectations and
regressions exit with status 1.  Arguments are checked before anything is
loaded, the output folder before anything is computed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import os
import sys
import time
import warnings
from pathlib import Path

from benchmark.errors import EXIT_EXPECTATION_FAILED, EXIT_OK, EXIT_USER_ERROR, BenchmarkError, exit_status
from benchmark.run.device import DEVICE_CHOICES

DEFAULT_OUT = "leaderboard"
QUICK_OUT = "leaderboard/quick"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``error: ...``, status 2) like every other user error."""

    def error(self, message):
        print(f"error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR)


def _int_at_least(minimum: int, flag: str, requirement: str):
    """An argparse type: an integer >= ``minimum``, else "``flag`` must be ``requirement``, got ..."."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be {requirement}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{flag} must be {requirement}, got {value}")
        return value

    return parse


_seed = _int_at_least(0, "--seed", "a non-negative integer")
_max_vocab = _int_at_least(1, "--max-vocab", "an integer >= 1")


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--max-drop must be a number, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"--max-drop must be a finite number >= 0, got {text!r}")
    return value


_JOBS_RULE = "must be 'auto' or an integer >= 1"


def _jobs_value(text: str) -> int | None:
    """``auto`` or an integer >= 1 as a number of jobs; ``None`` for anything else."""
    from benchmark.run.parallel import auto_jobs

    if text == "auto":
        return auto_jobs()
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 1 else None


def _jobs(text: str) -> int:
    value = _jobs_value(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"--jobs {_JOBS_RULE}, got {text!r}")
    return value


#: Sets ``--jobs``'s default (e.g. ``1`` in a test suite that patches the runner in-process).
JOBS_ENV = "ROSETTA_JOBS"


def _jobs_of(args) -> int:
    """``--jobs`` of ``run`` (else ``$ROSETTA_JOBS``, else ``auto``); other commands run their items in this process."""
    from benchmark.run.parallel import auto_jobs

    if not hasattr(args, "jobs"):
        return 1
    if args.jobs is not None:
        return args.jobs
    text = os.environ.get(JOBS_ENV)
    if text:
        value = _jobs_value(text)
        if value is None:
            raise BenchmarkError(f"${JOBS_ENV}: {_JOBS_RULE}, got {text!r}")
        return value
    return auto_jobs()


@contextlib.contextmanager
def _worker_stderr(args):
    """Where worker processes write their stderr: this terminal, or with ``--no-progress`` the ``--log`` file
    (nowhere without one), as the in-process run's third-party warnings do."""
    import subprocess

    if not args.no_progress:
        yield None
    elif args.log:
        with open(args.log, "a", encoding="utf-8") as log:
            yield log
    else:
        yield subprocess.DEVNULL


def _names(values):
    """Accept ``--models a b`` and ``--models a,b``."""
    if not values:
        return None
    return [n for v in values for n in v.split(",") if n]


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m benchmark",
        description="Rosetta Bench: a pytest-style benchmark for translating embedding spaces.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run tasks on models and write results + leaderboard")
    run.add_argument("--models", nargs="+", metavar="ID", help="model ids (default: the default catalog)")
    run.add_argument("--tasks", nargs="+", metavar="NAME", help="task names (default: all)")
    run.add_argument("--out", default=None, help=f"output directory (default: {DEFAULT_OUT}/, {QUICK_OUT}/ with --quick, "
                                                 f"{DEFAULT_OUT}/PROFILE/ with --profile)")
    run.add_argument("--quick", action="store_true",
                     help="quick profile for CI: small splits, fewer resamples, no causal LM")
    run.add_argument("--profile", default=None, metavar="NAME",
                     help="a named task profile, e.g. muse-200k (MUSE's 200,000-word search spaces); without "
                          "--tasks, the tasks that have it (`python -m benchmark tasks` lists them)")
    run.add_argument("--executor", choices=("local", "ray"), default="local",
                     help="local: items run in this process (default); ray: one Ray task per item, on the cluster "
                          "at --address or on a local Ray instance (the results folder must be shared)")
    run.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                     help="with the local executor: items computed by N worker processes at once, each with its "
                          "share of the cores (default auto: one per core, at most 4; 1 runs them in this process)")
    run.add_argument("--address", default=None, help="with --executor ray: a running cluster (ray://HOST:10001, auto)")
    run.add_argument("--ray-cpus", type=int, default=None, help="with --executor ray and no --address: CPUs of the "
                                                                "local Ray instance (default: all)")
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
    score.add_argument("--board", default=DEFAULT_OUT,
                       help=f"the leaderboard to rank the new items against (default: {DEFAULT_OUT}/, the committed one)")
    score.add_argument("--max-vocab", type=_max_vocab, default=None, metavar="N",
                       help="read only the first N vectors of a vectors file, as MUSE does (default: all)")
    score.add_argument("--allow-pickle", action="store_true",
                       help="accept pickle-based files (gensim .kv, pytorch_model.bin): only for files you trust")
    _common_run_options(score)

    cmp_ = sub.add_parser("compare", help="regression gate: deltas of main metrics, exit 1 on a regression")
    cmp_.add_argument("baseline", help="baseline results directory (holding results/ or the JSON files)")
    cmp_.add_argument("candidate", help="candidate results directory")
    cmp_.add_argument("--max-drop", type=_tolerance, default=0.02,
                      help="tolerated absolute drop of a main metric (default 0.02); a regression must also "
                           "leave the noise (the baseline value outside the candidate's 95%% CI, or the "
                           "candidate value outside the baseline's)")
    cmp_.add_argument("--allow-missing", action="store_true",
                      help="do not fail when baseline items are missing from the candidate (they are listed)")
    cmp_.add_argument("--skip-invalid", action="store_true",
                      help="leave out Result files that do not parse (a warning names each) instead of failing")

    sub.add_parser("models", help="list registered models")
    sub.add_parser("tasks", help="list registered tasks")

    from benchmark import translate

    translate.add_parser(sub)

    board = sub.add_parser("leaderboard", help="regenerate the summary page, task pages and summary files from "
                                               "Result files alone")
    board.add_argument("--results", default=DEFAULT_OUT, help="directory holding results/ (default: leaderboard/)")
    board.add_argument("--out", default=None, help="markdown file (default: <results>/README.md)")
    board.add_argument("--check", action="store_true", help="exit 1 when the markdown file is stale; write nothing")
    board.add_argument("--skip-invalid", action="store_true",
                       help="leave out Result files that do not parse (a warning names each) instead of failing")

    site = sub.add_parser("site", help="write the leaderboard as a self-contained static site (HTML, no network)")
    site.add_argument("--results", default=DEFAULT_OUT, help="directory holding results/ (default: leaderboard/)")
    site.add_argument("--out", default=None, help="site folder (default: <results>/site)")
    site.add_argument("--skip-invalid", action="store_true",
                      help="leave out Result files that do not parse (a warning names each) instead of failing")
    return parser


def _common_run_options(p) -> None:
    p.add_argument("--seed", type=_seed, default=0, help="split and bootstrap seed, >= 0 (default: 0)")
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto",
                   help="auto (default): contextual models and retrieval on CUDA when torch sees a GPU, else the CPU "
                        "(retrieval then uses the numpy kernel); cpu; cuda (an error without a GPU)")
    p.add_argument("--force", action="store_true", help="recompute items that already have a current result")
    p.add_argument("--no-progress", action="store_true",
                   help="quiet: no progress bars, and warnings of gensim, torch and transformers go to --log "
                        "(or nowhere) instead of the terminal")
    p.add_argument("--log", metavar="FILE",
                   help="append the run's log to FILE, Python warnings included (they then leave the terminal)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="leave out Result files in the output folder that do not parse (a warning names each; "
                        "a selected item whose file is invalid is recomputed) instead of failing before the run")


def format_family_times(family_seconds: dict[str, float], wall_seconds: float) -> str:
    """``item time per family: a 12.0 s, b 3.4 s (15.4 s in all); wall 16.0 s`` (computed items only)."""
    if not family_seconds:
        return f"item time per family: nothing computed; wall {wall_seconds:.1f} s"
    parts = ", ".join(f"{family} {seconds:.1f} s" for family, seconds in family_seconds.items())
    return (f"item time per family: {parts} ({sum(family_seconds.values()):.1f} s in all); "
            f"wall {wall_seconds:.1f} s")


def _run_and_report(items, args, out: str):
    from benchmark.run.runner import run

    if not items:
        raise BenchmarkError("no items: the selected tasks need models of other kinds")
    from benchmark.run.device import on_device, resolve_device
    from benchmark.run.runner import all_current

    wall_start = time.perf_counter()
    if getattr(args, "executor", "local") == "ray":
        from benchmark.run.executors import run_on_ray

        if args.address is None:
            resolve_device(args.device)  # the local instance's workers are this machine: a bad choice fails now
        # each worker resolves --device itself (a cluster's GPU workers use their GPU)
        summary = run_on_ray(items, out_dir=out, seed=args.seed, force=args.force, skip_invalid=args.skip_invalid,
                             address=args.address, num_cpus=args.ray_cpus, device=args.device)
    else:
        # a warm re-run (every item current) computes nothing: --device auto then needs no torch import (~1 s)
        nothing_to_compute = args.device == "auto" and not args.force and all_current(items, out, seed=args.seed)
        with on_device(None if nothing_to_compute else resolve_device(args.device)):
            with _worker_stderr(args) as worker_stderr:
                summary = run(items, out_dir=out, seed=args.seed, force=args.force, progress=not args.no_progress,
                              skip_invalid=args.skip_invalid, jobs=_jobs_of(args), device=args.device,
                              worker_stderr=worker_stderr)
    print(
        f"{len(summary.computed)} computed, {len(summary.reused)} reused (current results kept; --force recomputes), "
        f"{len(summary.failed)} failed expectations, {len(summary.skipped)} skipped; "
        f"leaderboard: {Path(out) / 'README.md'}"
    )
    print(format_family_times(summary.family_seconds(), time.perf_counter() - wall_start))
    for result in summary.failed:
        print(f"FAILED {result.item_id}: {'; '.join(result.failures)}")
    for result in summary.skipped:
        print(f"SKIPPED {result.item_id}: {result.skip_reason}")
    return summary


def _cmd_run(args) -> int:
    from benchmark.run.runner import select

    if args.executor != "ray" and (args.address or args.ray_cpus):
        raise BenchmarkError("--address and --ray-cpus go with --executor ray")
    if args.executor == "ray" and args.jobs is not None:
        raise BenchmarkError("--jobs goes with the local executor (Ray runs one item per task: --ray-cpus)")
    if args.quick and args.profile not in (None, "quick"):
        raise BenchmarkError(f"--quick and --profile {args.profile} are two profiles: choose one")
    profile = "quick" if args.quick else (args.profile or "full")
    items = select(_names(args.tasks), _names(args.models), profile=profile)
    default_out = {"full": DEFAULT_OUT, "quick": QUICK_OUT}.get(profile, f"{DEFAULT_OUT}/{profile}")
    summary = _run_and_report(items, args, args.out or default_out)
    return EXIT_EXPECTATION_FAILED if summary.failed else EXIT_OK


def _cmd_score(args) -> int:
    from benchmark.errors import DataFormatError, InvalidNameError
    from benchmark.models import MODELS, get_model_spec, load_model, register_model
    from benchmark.models.discovery import user_model_spec
    from benchmark.run.results import SAFE_NAME, check_name, read_results
    from benchmark.run.runner import plan_items, prepare_output, select_models, select_tasks

    path = Path(args.path)
    if args.name is None and not SAFE_NAME.fullmatch(path.stem):
        raise InvalidNameError(f"{path}: the file name {path.stem!r} is no model id; pass --name ID "
                               "(letters, digits and '. _ + @ -')")
    name = check_name(args.name or path.stem)
    if not path.exists():
        raise DataFormatError(path, "no such file or folder")
    if path.is_dir() and args.fmt != "hf":
        raise DataFormatError(path, f"is a directory; --format {args.fmt} reads a file "
                                    "(--format hf reads a Hugging Face model folder)")
    if args.words is not None and not Path(args.words).is_file():
        raise DataFormatError(args.words, "--words: no such file" if not Path(args.words).exists()
                              else "--words: is not a file")
    if name in MODELS:
        raise BenchmarkError(f"model {name!r} is already registered; pass --name to score it under another id")
    tasks = select_tasks(_names(args.tasks), quick=args.quick)  # unknown task names fail before any load
    prepare_output(args.out, skip_invalid=args.skip_invalid, create=False)  # and an unwritable --out
    register_model(user_model_spec(name, path.resolve(), args.fmt, words_path=args.words,
                                   allow_pickle=args.allow_pickle, default=False, max_vocab=args.max_vocab))
    try:
        load_model(name)  # the file being scored fails first, before any default model is loaded
    except BenchmarkError:
        MODELS.unregister(name)
        load_model.cache_clear()
        raise
    kind = get_model_spec(name).kind
    tasks = [t for t in tasks if kind in t.model_kinds]
    models = [*select_models(quick=args.quick), name]
    items = [i for i in plan_items(tasks, models) if name in i.models]
    summary = _run_and_report(items, args, args.out)
    board_dir = Path(args.board) / "results"
    board = read_results(board_dir, skip_invalid=True, warn=False) if board_dir.is_dir() else []
    print(score_table(name, {i.id for i in items},
                      read_results(Path(args.out) / "results", skip_invalid=args.skip_invalid, warn=False), board))
    print(f"ranked among the items of {board_dir} ({len(board)} Results) and of {Path(args.out) / 'results'} with the "
          "same task version and parameters" if board else
          f"no leaderboard at {board_dir}: ranked among {Path(args.out) / 'results'} only (pass --board DIR)")
    from benchmark.report.site import SITE_DIR, slug

    page = Path(args.out) / SITE_DIR / "models" / f"{slug(name)}.html"
    if page.is_file():
        print(f"{name} against the models of this run: {page}")
    return EXIT_EXPECTATION_FAILED if summary.failed else EXIT_OK


def score_table(name: str, item_ids: set[str], results, board=()) -> str:
    """Where each of the new model's items ranks among the leaderboard's items of the same task.

    ``board``: the Results of the leaderboard to compare with (items of the same task, task version
    and parameters count; a quick-profile item is not ranked against full-profile ones).  The run's
    own other Results of the task count too, so a model is ranked among everything comparable.
    """
    from tabulate import tabulate

    from benchmark.report.leaderboard import place_among

    rows = []
    for r in results:
        if r.item_id not in item_ids:
            continue
        if r.status == "skipped":
            rows.append([r.family, r.item_id, r.main_metric, "–", "–", f"skipped: {r.skip_reason}"])
            continue
        peers = {p.item_id: p for p in [*board, *results]
                 if p.task == r.task and p.task_version == r.task_version and p.params == r.params
                 and p.status != "skipped"}
        placed = place_among(r, list(peers.values()))
        value = r.metrics.get(r.main_metric)
        rows.append([r.family, r.item_id, r.main_metric, "–" if value is None else f"{value:.4f}",
                     placed.describe() if placed else "–", r.status])
    return tabulate(rows, headers=["family", "item", "main metric", "value", "rank in task", "status"],
                    tablefmt="github", disable_numparse=True)


def _listing(ids: list[str], limit: int = 10) -> str:
    return ", ".join(ids[:limit]) + (f" ... ({len(ids) - limit} more)" if len(ids) > limit else "")


def _cmd_compare(args) -> int:
    from benchmark.run.compare import compare_dirs, format_deltas

    comparison = compare_dirs(args.baseline, args.candidate, max_drop=args.max_drop, skip_invalid=args.skip_invalid)
    print(format_deltas(comparison.deltas))
    if comparison.missing:
        verdict = "allowed by --allow-missing" if args.allow_missing else "FAILS the gate (--allow-missing allows it)"
        print(f"MISSING {len(comparison.missing)} baseline item(s) absent from the candidate, {verdict}: "
              f"{_listing(comparison.missing)}")
    if comparison.new:
        print(f"{len(comparison.new)} new item(s) in the candidate only (not compared): {_listing(comparison.new)}")
    bad = comparison.regressions
    print(f"{len(comparison.deltas)} compared, {len(bad)} regressed, {len(comparison.missing)} missing "
          f"(max drop {args.max_drop}, and beyond both 95% CIs)")
    failed = bad or (comparison.missing and not args.allow_missing)
    return EXIT_EXPECTATION_FAILED if failed else EXIT_OK


def _cmd_models(args) -> int:
    from benchmark.models import MODELS, get_model_spec, model_names

    listed = model_names()
    for name in listed:
        spec = get_model_spec(name)
        print(f"{name:20s} {spec.kind:10s} {'default' if spec.default else '':8s} {spec.description}")
    for name in sorted(set(MODELS.names()) - set(listed)):
        try:
            get_model_spec(name)
        except BenchmarkError as exc:
            print(f"{name:20s} {'broken':10s} {'':8s} {exc}")
    return 0


def _cmd_tasks(args) -> int:
    from benchmark.tasks import load_tasks

    registry = load_tasks()
    for name in registry.names():
        t = registry.get(name)
        profiles = ",".join(t.profile_names()[1:])
        print(f"{name:20s} v{t.version:5s} {t.family:16s} {'×'.join(t.model_kinds):20s} {profiles:16s} {t.description}")
    return 0


def _cmd_leaderboard(args) -> int:
    from benchmark.report.leaderboard import stale_files, write_leaderboard

    if args.check:
        stale = stale_files(args.results, args.out, skip_invalid=args.skip_invalid)
        if stale:
            shown = ", ".join(str(p) for p in stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
            print(f"stale: {shown}; run `python -m benchmark leaderboard --results {args.results}`")
            return 1
        print(f"{Path(args.out) if args.out else Path(args.results) / 'README.md'} and its task pages and "
              "summary files are up to date")
        return 0
    page = write_leaderboard(args.results, args.out, skip_invalid=args.skip_invalid)
    print(f"wrote {page}")
    return 0


def _cmd_translate(args) -> int:
    from benchmark import translate

    return translate.run(args)


def _cmd_site(args) -> int:
    from benchmark.report.site import SITE_DIR, write_site

    index = write_site(args.results, args.out or Path(args.results) / SITE_DIR, skip_invalid=args.skip_invalid)
    print(f"wrote {index} (open it in a browser; it needs no network)")
    return 0


#: Set while a ``--no-progress`` command runs: transformers' and huggingface_hub's bars and advice off.
QUIET_ENVIRONMENT = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error",
                     "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1", "TOKENIZERS_PARALLELISM": "false"}


@contextlib.contextmanager
def _logging(args):
    """Where messages go while a command runs; undone afterwards (``main`` may be called in-process).

    The benchmark's own warnings (a skipped invalid file ...) print as
    ``warning: ...`` on stderr.  ``--log FILE`` receives everything at INFO
    and above, and Python warnings.  ``--no-progress`` makes the run quiet:
    Python warnings of third-party code (gensim's RuntimeWarnings, torch's
    UserWarnings) are captured into the log (dropped without ``--log``)
    instead of the terminal, and transformers' bars and messages are off.
    """
    quiet = bool(getattr(args, "no_progress", False))
    log_file = getattr(args, "log", None)
    root, bench, py_warnings = logging.getLogger(), logging.getLogger("benchmark"), logging.getLogger("py.warnings")
    saved = (root.level, bench.level, py_warnings.propagate)
    handlers: list[tuple[logging.Logger, logging.Handler]] = []
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(logging.Formatter("warning: %(message)s"))
    handlers.append((bench, stderr))
    if log_file:
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append((root, file_handler))
        root.setLevel(logging.INFO)
    elif quiet:
        handlers.append((py_warnings, logging.NullHandler()))  # captured, and not sent to logging's last resort
        py_warnings.propagate = False
    for logger, handler in handlers:
        logger.addHandler(handler)
    bench.setLevel(logging.INFO)
    saved_env = {k: os.environ.get(k) for k in QUIET_ENVIRONMENT}
    bars_turned_off = quiet and "transformers" in sys.modules  # imported before this command (in-process callers)
    if quiet:
        os.environ.update(QUIET_ENVIRONMENT)  # read when transformers is imported
    if bars_turned_off:
        sys.modules["transformers"].utils.logging.disable_progress_bar()
    with warnings.catch_warnings():
        if quiet or log_file:
            logging.captureWarnings(True)
        try:
            yield
        finally:
            logging.captureWarnings(False)
            for logger, handler in handlers:
                logger.removeHandler(handler)
                handler.close()
            root.setLevel(saved[0])
            bench.setLevel(saved[1])
            py_warnings.propagate = saved[2]
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            if bars_turned_off:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # huggingface_hub warns when its environment variable is set
                    sys.modules["transformers"].utils.logging.enable_progress_bar()


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a bad argument (already reported in one line)
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    command = {"run": _cmd_run, "score": _cmd_score, "compare": _cmd_compare, "models": _cmd_models,
               "tasks": _cmd_tasks, "leaderboard": _cmd_leaderboard, "site": _cmd_site,
               "translate": _cmd_translate}
    try:
        with _logging(args):
            return command[args.command](args)
    except (BenchmarkError, OSError, KeyboardInterrupt) as exc:
        status, message = exit_status(exc)
        print(message if isinstance(exc, KeyboardInterrupt) else f"error: {message}", file=sys.stderr)
        return status

"""Time a warm re-run -- ``python -m benchmark run`` when every item's Result is current:
``python -m benchmark.perf.warm_rerun [--results leaderboard] [--repeat 3] [--no-cold]``.

Works on a copy of the leaderboard folder (the original is never written).  Refuses (exit 2)
unless every item of the default run has a current Result there, so nothing is ever computed.
Prints, measured in the same run:

* the start-up of ``python -c "import benchmark"`` (best of ``--repeat``);
* the old full re-render (``python -m benchmark leaderboard`` with every plot drawn and every site
  page converted again, as every run did before they were kept when their inputs had not
  changed), unless ``--no-cold``;
* the warm re-run (best of ``--repeat``), its ratio to both, and where its time goes (one more
  run, with timers around the runner's and the leaderboard's stages);
* whether the copy's files are still byte for byte those of the original.

Speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 5.0
_STAGES_FLAG = "--stages-child"
_STAGES = ("select items", "device check (all items current?)", "prepare output (scan results)",
           "reuse check, all items", "leaderboard (the four below and writes)", "  read results",
           "  markdown pages (plots inside)", "    plots (kept or drawn)", "  site (HTML pages, plot copies)")


def _timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


def _best(cmd: list[str], env: dict, repeat: int) -> float:
    return min(_timed(cmd, env) for _ in range(repeat))


def _run_args(out: Path) -> list[str]:
    return ["run", "--out", os.fspath(out), "--no-progress"]


def _stages_child(out: str) -> int:
    """One warm run with timers around its stages; prints ``{stage: seconds}`` as JSON on the last line."""
    t_main = time.perf_counter()
    import benchmark.report.leaderboard as leaderboard
    import benchmark.report.plots as plots
    import benchmark.report.plots_layers as plots_layers
    import benchmark.report.site as site
    import benchmark.run.runner as runner
    from benchmark.cli import main

    spent: dict[str, float] = dict.fromkeys(_STAGES, 0.0)  # printed in this order

    def timer(stage, fn):
        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - t0
        return timed

    select, device, prepare, reuse, board, read, pages, drawn, html = _STAGES
    runner.select = timer(select, runner.select)
    runner.all_current = timer(device, runner.all_current)
    runner.prepare_output = timer(prepare, runner.prepare_output)
    runner.execute = timer(reuse, runner.execute)
    leaderboard.write_leaderboard = timer(board, leaderboard.write_leaderboard)
    leaderboard.results_of = timer(read, leaderboard.results_of)
    leaderboard.render_pages = timer(pages, leaderboard.render_pages)
    plots.draw_once = plots_layers.draw_once = timer(drawn, plots.draw_once)
    site.write_site_of = timer(html, site.write_site_of)
    t_imported = time.perf_counter()
    with open(os.devnull, "w") as sink:
        saved, sys.stdout = sys.stdout, sink
        try:
            code = main(_run_args(Path(out)))
        finally:
            sys.stdout = saved
    t_end = time.perf_counter()
    print(json.dumps({"imports before main": t_imported - t_main, **spent, "in main (all above but imports)":
                      t_end - t_imported, "rc": code}))
    return code


def _same_tree(a: Path, b: Path, ignore: set[str]) -> list[str]:
    """Relative paths that differ between ``a`` and ``b`` (missing on either side included)."""
    names = lambda root: {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}  # noqa: E731
    diff = []
    for rel in sorted((names(a) | names(b)) - ignore):
        pa, pb = a / rel, b / rel
        if not (pa.is_file() and pb.is_file() and filecmp.cmp(pa, pb, shallow=False)):
            diff.append(rel)
    return diff


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [_STAGES_FLAG]:
        return _stages_child(argv[1])
    parser = argparse.ArgumentParser(prog="python -m benchmark.perf.warm_rerun", description=__doc__.split("\n")[0])
    parser.add_argument("--results", default="leaderboard", help="a leaderboard folder holding results/ (default leaderboard)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing, best kept (default 3)")
    parser.add_argument("--no-cold", action="store_true", help="skip the full re-render reference (~15 s on 2 cores)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    from benchmark.report.plots import PLOT_KEYS
    from benchmark.report.site import PAGE_KEYS
    from benchmark.run.runner import DEFAULT_SEED, all_current, select

    source = Path(args.results)
    if not (source / "results").is_dir():
        print(f"{source}: no results/ folder", file=sys.stderr)
        return 2
    items = select()
    if not all_current(items, source, seed=DEFAULT_SEED):
        print(f"{source}: not every item of the default run has a current Result; a run would compute "
              "(this benchmark times warm re-runs only)", file=sys.stderr)
        return 2
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                                     os.environ.get("PYTHONPATH")]))}
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="warm-rerun-") as tmp:
        copy = Path(tmp) / "lb"
        shutil.copytree(source, copy, symlinks=True)
        startup = _best([py, "-c", "import benchmark"], env, args.repeat)
        print(f"python -c 'import benchmark'                {startup:6.2f} s  (best of {args.repeat})")
        cold = None
        if not args.no_cold:
            (copy / "plots" / PLOT_KEYS).unlink(missing_ok=True)
            (copy / "site" / PAGE_KEYS).unlink(missing_ok=True)
            cold = _timed([py, "-m", "benchmark", "leaderboard", "--results", os.fspath(copy)], env)
            print(f"full re-render, all plots and pages (old)   {cold:6.2f} s")
        _timed([py, "-m", "benchmark", *_run_args(copy)], env)  # draws what is missing (no manifest yet)
        warm = _best([py, "-m", "benchmark", *_run_args(copy)], env, args.repeat)
        ratios = f"{warm / startup:.1f} × import start-up" + (f", {warm / cold:.2f} × the full re-render" if cold else "")
        print(f"warm `python -m benchmark run`, {len(items)} items  {warm:6.2f} s  (best of {args.repeat}; {ratios}; "
              f"target <= {TARGET_S:.0f} s: {'met' if warm <= TARGET_S else 'NOT met'})")
        t0 = time.perf_counter()
        child = subprocess.run([py, "-m", "benchmark.perf.warm_rerun", _STAGES_FLAG, os.fspath(copy)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        if child.returncode != 0:
            print(child.stdout + child.stderr, file=sys.stderr)
            return 1
        stages = json.loads(child.stdout.strip().splitlines()[-1])
        stages.pop("rc")
        in_process = stages["imports before main"] + stages["in main (all above but imports)"]
        print(f"stages of one more warm run ({wall:.2f} s in all):")
        rows = {"interpreter start-up and benchmark imports": wall - in_process + stages["imports before main"],
                **{k: v for k, v in stages.items() if k != "imports before main"}}
        for stage, seconds in rows.items():
            print(f"  {stage:45s} {seconds:6.2f} s")
        manifests = {f"plots/{PLOT_KEYS}", f"site/{PAGE_KEYS}"}
        differ = _same_tree(source, copy, ignore={m for m in manifests if not (source / m).is_file()})
        print("files identical to the original: " + ("yes" if not differ else f"NO: {', '.join(differ[:10])}"))
    return 0 if not differ else 1


if __name__ == "__main__":
    raise SystemExit(main())

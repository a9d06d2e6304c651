"""Atomic file writes: a reader sees the old file or the new one, never a part.

Everything Rosetta Bench writes (Result JSON, the leaderboard page, plots,
cached embeddings, the data manifest) goes through :func:`atomic_write`: a
temporary file in the same directory, flushed and fsynced, then
``os.replace``.  On any failure the temporary file is removed.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> Path:
    """Write ``path`` through ``write(binary_file)``, atomically; mode 0644."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    return atomic_write(path, lambda fh: fh.write(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """UTF-8, ``\\n`` line endings."""
    return atomic_write_bytes(path, text.encode("utf-8"))


#: A temporary file this much older than now was left by a killed writer (a live write takes seconds).
STALE_TEMPORARY_SECONDS = 3600.0


def remove_stale_temporaries(folder: str | os.PathLike, *, older_than_s: float = STALE_TEMPORARY_SECONDS) -> list[Path]:
    """Delete the temporary files of :func:`atomic_write` in ``folder`` last modified over ``older_than_s`` ago.

    A SIGKILL inside a write leaves such a file (hidden, ignored by every
    reader).  Young ones are kept: another process may be writing them right
    now (concurrent runs share a results folder).  Returns the removed paths.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than_s
    removed = []
    for path in folder.glob(".*.tmp"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # another run removed or renamed it meanwhile
            continue
    return sorted(removed)

"""Atomic file writes: a reader sees the old file or the new one, never a part.

Everything Rosetta Bench writes (Result JSON, the leaderboard page, plots,
cached embeddings, the data manifest) goes through :func:`atomic_write`: a
temporary file in the same directory, flushed and fsynced, then
``os.replace``.  On any failure the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from benchmark.errors import InvalidNameError, OutputPathError, os_error_line

log = logging.getLogger(__name__)


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> Path:
    """Write ``path`` through ``write(binary_file)``, atomically; mode 0644.

    An ``OSError`` that names no file (``write``/``fsync`` on a full disk)
    is re-raised naming ``path``.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _naming(exc, path.parent) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:
            raise _naming(exc, path) from exc
        raise
    return path


def _naming(exc: OSError, path: Path) -> OSError:
    """``exc`` itself when it names a file, else an equivalent ``OSError`` naming ``path``."""
    if exc.filename is not None:
        return exc
    return OSError(exc.errno, exc.strerror or str(exc), os.fspath(path))  # the errno picks the subclass


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


def child_path(folder: str | os.PathLike, filename: str) -> Path:
    """``folder / filename``, checked to be a plain file name that stays inside ``folder``."""
    folder = Path(folder)
    candidate = folder / filename
    if (not filename or Path(filename).name != filename or filename in (".", "..")
            or candidate.resolve().parent != folder.resolve()):
        raise InvalidNameError(f"file name {filename!r} would leave the folder {os.fspath(folder)}")
    return candidate


def check_writable_dir(folder: str | os.PathLike, what: str = "output directory", *, create: bool = True) -> Path:
    """Prove that ``folder`` takes a file: a probe is written, fsynced and removed.

    With ``create`` the folder (and its parents) is made first; without it
    nothing is left behind: a missing folder is probed through its nearest
    existing parent, which must be a writable directory.  Raises
    :class:`~benchmark.errors.OutputPathError` naming the path: a file in the
    way, no permission, a read-only or full file system.
    """
    folder = Path(folder)
    existing = folder  # the folder, or its nearest existing parent
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        blocker = "" if existing == folder else f": {os.fspath(existing)}"
        raise OutputPathError(f"{what} {os.fspath(folder)}{blocker} is not a directory")
    probe_in = folder if create else existing
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=probe_in, prefix=".write-probe.", suffix=".tmp")
        try:
            os.write(fd, b"rosetta-bench write probe\n")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        raise OutputPathError(
            f"{what} {os.fspath(folder)} is not writable: {os_error_line(_naming(exc, probe_in))}") from exc
    return folder


@contextlib.contextmanager
def file_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (a hidden ``.lock`` file beside a Result) while inside.

    A second process blocks until the first leaves.  The holder removes the
    file on the way out; a waiter that then wakes on the removed file retries
    on the new one, so two holders never overlap.  Where ``fcntl`` does not
    exist (Windows) this does not lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux/macOS
        yield
        return
    path = Path(path)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.stat(path).st_ino == os.fstat(fd).st_ino:
                    break  # locked the file that is in place
            except FileNotFoundError:
                pass  # the previous holder removed it: lock the next one
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:  # pragma: no cover - only the holder removes it
            pass
        os.close(fd)

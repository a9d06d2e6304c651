"""One exception base for everything Rosetta Bench raises on purpose.

Every error a user can cause (a bad file, an unknown name, a shape that does
not fit) is a :class:`BenchmarkError`; the CLI prints its one-line message and
exits with status 2.  Subclasses also derive from the built-in exception a
caller would naturally catch (``ValueError``, ``KeyError`` ...).
"""

from __future__ import annotations

import errno
import os


class BenchmarkError(Exception):
    """Base class of every error Rosetta Bench raises deliberately."""


class UnknownNameError(BenchmarkError, LookupError):
    """A model, task or option name that is not registered."""

    def __str__(self) -> str:  # LookupError would quote the message
        return str(self.args[0]) if self.args else ""


class DuplicateNameError(BenchmarkError, ValueError):
    """A second registration under a name that is already taken."""


class ShapeError(BenchmarkError, ValueError):
    """Arrays whose shapes, dtypes or values do not fit the operation."""


class DataFormatError(BenchmarkError, ValueError):
    """A malformed data or vectors file; the message names the file and line."""

    def __init__(self, path: str | os.PathLike | None, message: str, *, line: int | None = None):
        self.path = None if path is None else os.fspath(path)
        self.line = line
        self.reason = message
        where = self.path
        if where is not None and line is not None:
            where = f"{where}:{line}"
        super().__init__(message if where is None else f"{where}: {message}")


class ModelLoadError(BenchmarkError, RuntimeError):
    """A model could not be loaded (missing package, missing file ...)."""


class TaskError(BenchmarkError, RuntimeError):
    """A task item failed; the message names the task and the models."""


class NotMeasurableError(DataFormatError):
    """An item whose inputs cannot be measured (too few shared words ...).

    The runner records such an item as ``skipped`` with this message as its
    reason, and goes on with the other items.
    """


class InvalidNameError(BenchmarkError, ValueError):
    """A model, task or file name that cannot safely become a path component."""


class OutputPathError(BenchmarkError, OSError):
    """An output directory or file that cannot be written (not a folder, no permission, disk full ...)."""


#: Exit statuses of ``python -m benchmark``.
EXIT_OK = 0
EXIT_EXPECTATION_FAILED = 1  # an expectation failed, or a regression
EXIT_USER_ERROR = 2  # a named user error: bad file, name, path or argument
EXIT_INTERRUPTED = 130


def os_error_line(exc: OSError) -> str:
    """``<path>: <reason>`` for an ``OSError`` (the path it names, the OS's reason, a hint for a full disk)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason = "no space left on device (free some space and re-run; finished items are kept)"
    elif exc.errno == errno.EDQUOT:
        reason = "disk quota exceeded (free some space and re-run; finished items are kept)"
    paths = [os.fspath(p) for p in (exc.filename, exc.filename2) if p is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


def exit_status(exc: BaseException) -> tuple[int, str] | None:
    """The one place that maps an exception to ``(exit status, one-line message)``.

    A :class:`BenchmarkError` or an ``OSError`` (a path that cannot be read or
    written) is a user error, status 2; ``KeyboardInterrupt`` is 130; anything
    else is a bug and returns ``None`` (the caller lets its traceback show).
    """
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted; finished items are saved and a re-run resumes"
    if isinstance(exc, BenchmarkError):
        message = str(exc)
    elif isinstance(exc, OSError):
        message = os_error_line(exc)
    else:
        return None
    return EXIT_USER_ERROR, one_line(message)


def one_line(message: str) -> str:
    """Join a multi-line message (transformers' errors span several lines) into one line."""
    return "; ".join(part.strip() for part in message.splitlines() if part.strip())

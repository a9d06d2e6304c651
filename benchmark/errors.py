"""One exception base for everything Rosetta Bench raises on purpose.

Every error a user can cause (a bad file, an unknown name, a shape that does
not fit) is a :class:`BenchmarkError`; the CLI prints its one-line message and
exits with status 2.  Subclasses also derive from the built-in exception a
caller would naturally catch (``ValueError``, ``KeyError`` ...).
"""

from __future__ import annotations

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

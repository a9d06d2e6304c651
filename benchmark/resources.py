"""Where the shipped task files and datasets are: the wheel's package data, or the source checkout.

The repository keeps ``tasks/`` and ``datasets/`` at its top level; the wheel
maps them to ``benchmark/_shipped/{tasks,datasets}`` (see ``pyproject.toml``)
and they are found through :mod:`importlib.resources`.  A source checkout or
an editable install has no ``_shipped`` folder and reads the top-level folders
in place.  Outputs never go here: they go to the working directory.
"""

from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path
from typing import Literal

Shipped = Literal["tasks", "datasets"]


@functools.lru_cache(maxsize=None)
def shipped_dir(name: Shipped) -> Path:
    """The folder holding the shipped ``tasks`` or ``datasets``, as a filesystem path."""
    packaged = files("benchmark").joinpath("_shipped", name)
    if packaged.is_dir():
        return Path(str(packaged))
    return source_root() / name


def source_root() -> Path:
    """The folder above the ``benchmark`` package: the checkout's root when run from source."""
    return Path(str(files("benchmark"))).resolve().parent


def dataset_path(*parts: str) -> Path:
    """A file or folder under the shipped ``datasets/``."""
    return shipped_dir("datasets").joinpath(*parts)

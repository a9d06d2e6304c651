"""Installed packages: where they are and which version, without importing them.

Some data packages must not be imported (wefe's own imports need dependencies
that would downgrade numpy), so their files are found through import specs.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path


def find_package_dir(module: str) -> Path | None:
    """Directory of an installed package, found without importing it; ``None`` when missing."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin and spec.origin not in ("built-in", "frozen", "namespace"):
        return Path(spec.origin).resolve().parent
    locations = list(spec.submodule_search_locations or [])
    return Path(locations[0]) if locations else None


def installed_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None

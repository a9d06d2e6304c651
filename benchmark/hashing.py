"""sha256 of files: model weights, data files and caches are identified by it."""

from __future__ import annotations

import hashlib
import os


def file_sha256(path: str | os.PathLike, limit: int | None = None) -> str:
    """Hex sha256 of a file's bytes (its first ``limit`` bytes only, when given), read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while limit is None or fh.tell() < limit:
            block = fh.read(1 << 20 if limit is None else min(1 << 20, limit - fh.tell()))
            if not block:
                break
            digest.update(block)
    return digest.hexdigest()

"""Outputs kept across runs when what made them did not change (plots, site pages).

Beside the outputs, a JSON manifest ``{file: {"inputs": hash of what made it, "sha256": hash of the
bytes written}}``.  A file is reused only when its manifest entry has the same inputs hash and its
bytes still have the recorded hash; a missing or unreadable manifest keeps nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Mapping


def read_manifest(path: Path) -> dict:
    """The manifest at ``path``; ``{}`` when it is missing, unreadable or not a JSON object."""
    try:
        keys = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return keys if isinstance(keys, dict) else {}


def kept_bytes(folder: Path, manifest: Mapping, rel: str, key: str) -> bytes | None:
    """The bytes of ``folder/rel`` when ``manifest`` says inputs of hash ``key`` made them and they are
    the bytes it recorded, else ``None``."""
    entry = manifest.get(rel)
    if not isinstance(entry, dict) or entry.get("inputs") != key:
        return None
    try:
        data = (Path(folder) / rel).read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == entry.get("sha256") else None


def manifest_entry(key: str, data: bytes) -> dict:
    """The manifest entry of ``data``, made from inputs of hash ``key``."""
    return {"inputs": key, "sha256": hashlib.sha256(data).hexdigest()}

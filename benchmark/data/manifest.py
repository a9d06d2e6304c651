"""``datasets/MANIFEST.json``: every data file with its sha256, source and licence.

``python -m benchmark.data.manifest`` checks the manifest against the files and
exits 1 on a mismatch; ``--update`` rewrites the hashes (sources and licences
are kept; a new file needs them filled in by hand).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmark.errors import DataFormatError
from benchmark.hashing import file_sha256
from benchmark.resources import shipped_dir
from benchmark.run.results import atomic_write_text

DATASETS = shipped_dir("datasets")
MANIFEST = DATASETS / "MANIFEST.json"


def data_files(root: Path = DATASETS) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != MANIFEST.name and not p.name.startswith(".")
    )


def read_manifest(path: Path = MANIFEST) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFormatError(path, "missing") from None
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    return data


def problems(root: Path = DATASETS) -> list[str]:
    """Every mismatch between the manifest and the files, one line each."""
    manifest = read_manifest(root / MANIFEST.name)["files"]
    found = data_files(root)
    out = [f"{name}: not in MANIFEST.json" for name in found if name not in manifest]
    out += [f"{name}: listed in MANIFEST.json but missing" for name in manifest if name not in found]
    for name in found:
        entry = manifest.get(name)
        if entry is None:
            continue
        if entry.get("sha256") != file_sha256(root / name):
            out.append(f"{name}: sha256 differs from MANIFEST.json")
        for key in ("source", "licence"):
            if not entry.get(key):
                out.append(f"{name}: no {key} in MANIFEST.json")
        if name.endswith(".py"):
            out.append(f"{name}: datasets/ holds data only (a 'datasets' package would shadow Hugging Face's)")
    return out


def update(root: Path = DATASETS) -> None:
    path = root / MANIFEST.name
    old = read_manifest(path)["files"] if path.exists() else {}
    files = {
        name: {
            "sha256": file_sha256(root / name),
            "source": old.get(name, {}).get("source", ""),
            "licence": old.get(name, {}).get("licence", ""),
        }
        for name in data_files(root)
    }
    atomic_write_text(path, json.dumps({"schema_version": 1, "files": files}, indent=2, ensure_ascii=False) + "\n")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--update" in argv:
        update()
    issues = problems()
    for line in issues:
        print(line)
    return 1 if issues else 0


if __name__ == "__main__":
    raise SystemExit(main())

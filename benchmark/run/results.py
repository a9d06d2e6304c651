"""Result records: one JSON file per (task, models) item, written atomically."""

from __future__ import annotations

import json
import logging
import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from benchmark.errors import DataFormatError, InvalidNameError
from benchmark.run.atomic import atomic_write_text, child_path

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
#: Older schema versions this version still reads (fields they lack get their defaults).
READABLE_SCHEMA_VERSIONS = (1, 2)
REQUIRED_KEYS = ("schema_version", "task", "task_version", "family", "models", "metrics", "seed", "status")

Status = Literal["passed", "failed", "measured", "skipped"]
#: ``passed``: at least one expectation was checked and every one held; ``failed``: one did not hold;
#: ``measured``: no expectation applies to the item; ``skipped``: the item could not be measured
#: (``skip_reason`` says why).  Only ``failed`` makes a run exit 1.
STATUSES: tuple[str, ...] = ("passed", "failed", "measured", "skipped")

#: The one character set for names that become path components (model ids, task names, file stems).
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+@-]{0,127}")


def check_name(name: object, what: str = "model") -> str:
    """Return ``name`` when it is safe as a file-name component, else raise :class:`InvalidNameError`.

    Safe: 1-128 characters from letters, digits and ``. _ + @ -``, starting
    with a letter or digit, no ``..`` (so no path separator, no parent
    folder, no hidden file).
    """
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name) or ".." in name:
        raise InvalidNameError(
            f"{what} name {name!r} is not allowed: use 1-128 letters, digits and '. _ + @ -', starting with a "
            "letter or digit (no path separators, no '..')"
        )
    return name


@dataclass
class Result:
    """The outcome of one item; see ``schema/result.schema.json`` for the fields."""

    task: str
    task_version: str
    family: str
    models: list[str]
    metrics: dict[str, float | None]
    seed: int
    status: Status
    main_metric: str = ""
    higher_is_better: bool = True
    sizes: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    revisions: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    timing: dict[str, Any] = field(default_factory=dict)
    expectations_checked: list[dict[str, Any]] = field(default_factory=list)
    skip_reason: str = ""
    model_cards: dict[str, dict[str, str]] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    @property
    def item_id(self) -> str:
        return item_id(self.task, self.models)

    def to_json(self) -> str:
        return json.dumps(_finite(asdict(self)), indent=2, sort_keys=True, allow_nan=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict, *, path=None) -> "Result":
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise DataFormatError(path, f"not a Rosetta Bench result: missing {', '.join(missing)}")
        if data["schema_version"] not in READABLE_SCHEMA_VERSIONS:
            readable = ", ".join(map(str, READABLE_SCHEMA_VERSIONS))
            raise DataFormatError(
                path, f"result schema_version {data['schema_version']!r}; this version reads {readable} "
                "(a newer Rosetta Bench wrote it: upgrade, or pass --skip-invalid)"
            )
        if data["status"] not in STATUSES:
            raise DataFormatError(path, f"unknown status {data['status']!r}; expected one of {', '.join(STATUSES)}")
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def item_id(task: str, models) -> str:
    return f"{task}[{'->'.join(models)}]"


def result_filename(task: str, models) -> str:
    """``task__model__model.json``; every part checked by :func:`check_name`."""
    return "__".join([check_name(task, "task"), *(check_name(m) for m in models)]) + ".json"


def _finite(obj):
    """NaN/Inf → None, so files are strict JSON."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def write_result(result: Result, results_dir: str | os.PathLike) -> Path:
    path = child_path(results_dir, result_filename(result.task, result.models))
    atomic_write_text(path, result.to_json())
    return path


def read_result(path: str | os.PathLike) -> Result:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    except UnicodeDecodeError:
        raise DataFormatError(path, "not UTF-8 text") from None
    except OSError as exc:
        raise DataFormatError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not isinstance(data, dict):
        raise DataFormatError(path, "a result file holds one JSON object")
    try:
        return Result.from_dict(data, path=path)
    except TypeError as exc:  # a field of the wrong shape
        raise DataFormatError(path, f"not a Rosetta Bench result: {exc}") from None


def scan_results(results_dir: str | os.PathLike) -> tuple[list[Result], list[DataFormatError]]:
    """Every Result in a directory (sorted by item id) and the error of every file that is not one."""
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        return [], []
    results, invalid = [], []
    for path in sorted(results_dir.glob("*.json")):
        if path.name.startswith("."):
            continue  # a hidden file (another tool's); temporaries end in .tmp
        try:
            results.append(read_result(path))
        except DataFormatError as exc:
            invalid.append(exc)
    return sorted(results, key=lambda r: r.item_id), invalid


def read_results(results_dir: str | os.PathLike, *, skip_invalid: bool = False, warn: bool = True) -> list[Result]:
    """All results in a directory, sorted by item id (temp files ignored).

    A file that is not a readable Result raises its :class:`DataFormatError`
    (naming the file); with ``skip_invalid`` it is left out, with a logged
    warning unless ``warn`` is false (a caller that has warned already).
    """
    results, invalid = scan_results(results_dir)
    if invalid and not skip_invalid:
        raise DataFormatError(invalid[0].path, f"{invalid[0].reason} (pass --skip-invalid to leave it out)",
                              line=invalid[0].line)
    if warn:
        for exc in invalid:
            log.warning("skipped %s", exc)
    return results

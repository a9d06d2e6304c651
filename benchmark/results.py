"""Result records: one JSON file per (task, models) item, written atomically."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmark.atomic import atomic_write_text
from benchmark.errors import DataFormatError

SCHEMA_VERSION = 1
REQUIRED_KEYS = ("schema_version", "task", "task_version", "family", "models", "metrics", "seed", "status")


@dataclass
class Result:
    """The outcome of one item; see ``schema/result.schema.json`` for the fields."""

    task: str
    task_version: str
    family: str
    models: list[str]
    metrics: dict[str, float | None]
    seed: int
    status: str  # "passed" | "failed"
    main_metric: str = ""
    higher_is_better: bool = True
    sizes: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    revisions: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    timing: dict[str, Any] = field(default_factory=dict)
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
        if data["schema_version"] != SCHEMA_VERSION:
            raise DataFormatError(
                path, f"result schema_version {data['schema_version']!r}; this version reads {SCHEMA_VERSION}"
            )
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def item_id(task: str, models) -> str:
    return f"{task}[{'->'.join(models)}]"


def result_filename(task: str, models) -> str:
    return "__".join([task, *models]) + ".json"


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
    path = Path(results_dir) / result_filename(result.task, result.models)
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
    if not isinstance(data, dict):
        raise DataFormatError(path, "a result file holds one JSON object")
    return Result.from_dict(data, path=path)


def read_results(results_dir: str | os.PathLike) -> list[Result]:
    """All results in a directory, sorted by item id (temp files ignored)."""
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        return []
    results = [read_result(p) for p in sorted(results_dir.glob("*.json"))]
    return sorted(results, key=lambda r: r.item_id)

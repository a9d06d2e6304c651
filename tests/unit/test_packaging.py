"""The wheel's package list covers the whole library, and the shipped folders are found."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmark.resources import dataset_path, shipped_dir, source_root

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_of_the_library_is_in_the_wheel_list():
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "benchmark").rglob("__init__.py")}
    on_disk.add("benchmark.schema")  # data only (the Result JSON schema)
    assert on_disk <= declared, f"add to [tool.setuptools] packages: {sorted(on_disk - declared)}"
    shipped = {p for p in declared if p.startswith("benchmark._shipped.")}
    assert shipped == {"benchmark._shipped.tasks", "benchmark._shipped.datasets"}
    assert declared - shipped <= on_disk, f"declared but missing: {sorted(declared - shipped - on_disk)}"


def test_a_source_checkout_reads_the_top_level_folders():
    assert source_root() == ROOT
    assert shipped_dir("tasks") == ROOT / "tasks" and shipped_dir("datasets") == ROOT / "datasets"
    assert dataset_path("categories", "categories.json").is_file()


def test_the_catalog_and_discovery_never_import_the_registry():
    """benchmark.models registers what catalog/discovery return; they import only the spec (no import cycle)."""
    import ast

    for name in ("catalog", "discovery"):
        tree = ast.parse((ROOT / "benchmark" / "models" / f"{name}.py").read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert {m for m in imported if m and m.startswith("benchmark.models")} <= {"benchmark.models.spec"}, name

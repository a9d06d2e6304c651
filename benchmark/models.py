"""The model registry: ids → how to load them.

The default catalog (``benchmark.adapters.catalog``) is registered on first
use; third parties add models with :func:`register_model`.  Loading is lazy
and cached per process: a model is loaded once however many items use it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Literal

from benchmark.errors import BenchmarkError, ModelLoadError
from benchmark.registry import Registry

ModelKind = Literal["static", "contextual"]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model.

    Attributes
    ----------
    name
        The id used on the command line and in item ids.
    kind
        ``static`` (loader returns StaticEmbeddings) or ``contextual``.
    loader
        Zero-argument callable that loads the model (imports happen inside).
    description
        One line for ``python -m benchmark models``.
    default
        Part of the default run.
    quick
        Part of the ``--quick`` profile's default models (causal LMs are not).
    """

    name: str
    kind: ModelKind
    loader: Callable[[], Any]
    description: str = ""
    default: bool = True
    quick: bool = True


MODELS: Registry[ModelSpec] = Registry("model")
_catalog_loaded = False


def _ensure_catalog() -> None:
    global _catalog_loaded
    if not _catalog_loaded:
        _catalog_loaded = True
        from benchmark.adapters.catalog import (
            register_config_models,
            register_default_models,
            register_entry_point_models,
        )

        register_default_models()
        register_entry_point_models()
        register_config_models()


def register_model(spec: ModelSpec) -> ModelSpec:
    from benchmark.run.results import check_name

    _ensure_catalog()
    check_name(spec.name)
    return MODELS.register(spec.name, spec)


def get_model_spec(name: str) -> ModelSpec:
    _ensure_catalog()
    return MODELS.get(name)


def model_names(*, default_only: bool = False, quick: bool = False, kind: ModelKind | None = None) -> list[str]:
    """Registered model ids; an entry whose declaration is broken (a bad ``benchmark.toml`` entry) is left
    out here and raises its named error only when a command asks for it by name."""
    _ensure_catalog()
    specs = []
    for name in MODELS.names():
        try:
            specs.append(MODELS.get(name))
        except BenchmarkError:
            continue
    return [
        s.name for s in specs
        if (not default_only or s.default) and (not quick or s.quick) and (kind is None or s.kind == kind)
    ]


@functools.lru_cache(maxsize=None)
def load_model(name: str):
    """Load (once per process) the model registered as ``name``."""
    spec = get_model_spec(name)
    try:
        return spec.loader()
    except BenchmarkError:
        raise
    except ImportError as exc:
        raise ModelLoadError(f"model {name!r}: missing package ({exc}); see README for the install command") from exc
    except Exception as exc:
        raise ModelLoadError(f"model {name!r} failed to load: {type(exc).__name__}: {exc}") from exc

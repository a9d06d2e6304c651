"""The model registry: ids → how to load them.

The default catalog (:mod:`benchmark.models.catalog`) and the models declared by entry points and
config files (:mod:`benchmark.models.discovery`) are registered on first use; third parties add
models with :func:`register_model`.  Loading is lazy
and cached per process: a model is loaded once however many items use it.
"""

from __future__ import annotations

import functools
from pathlib import Path

from benchmark.errors import BenchmarkError, ModelLoadError
from benchmark.models.spec import ModelKind, ModelSpec
from benchmark.registry import Registry

__all__ = ["MODELS", "ModelKind", "ModelSpec", "get_model_spec", "load_model", "model_names", "register_config_models",
           "register_model"]

MODELS: Registry[ModelSpec] = Registry("model")
_catalog_loaded = False


def _ensure_catalog() -> None:
    global _catalog_loaded
    if not _catalog_loaded:
        _catalog_loaded = True
        from benchmark.models.catalog import default_specs
        from benchmark.models.discovery import entry_point_specs

        for spec in (*default_specs(), *entry_point_specs()):
            MODELS.register(spec.name, spec)
        register_config_models()


def register_config_models(directory: Path | None = None) -> None:
    """Register the models of the config files in ``directory`` (default: the working directory).

    A malformed entry does not stop commands that do not use it: asking for the model by name
    raises its :class:`~benchmark.errors.DataFormatError` (naming the file); listings leave it out.
    """
    from benchmark.models.discovery import config_specs

    for name, spec in config_specs(directory).items():
        if isinstance(spec, Exception):
            MODELS.register_lazy(name, _raiser(spec))
        else:
            MODELS.register(name, spec)


def _raiser(exc: Exception):
    def fail():
        raise exc

    return fail


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

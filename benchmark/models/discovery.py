"""Models declared outside this repository: entry points of installed packages, and config files.

``benchmark.toml`` (``[models.NAME]``) or ``pyproject.toml`` (``[tool.benchmark.models.NAME]``) next to
where you run, and the ``benchmark.models`` entry-point group.  These functions return specs;
:mod:`benchmark.models` registers them.
"""

from __future__ import annotations

from pathlib import Path

from benchmark.models.spec import ModelSpec

ENTRY_POINT_GROUP = "benchmark.models"
CONFIG_FILES = ("benchmark.toml", "pyproject.toml")


def entry_point_specs() -> list[ModelSpec]:
    """Models that installed packages declare in the ``benchmark.models`` entry-point group.

    An entry point resolves to a :class:`ModelSpec`, or to a callable returning
    one or a list of them; it is resolved when the catalog is first used.
    """
    from importlib.metadata import entry_points

    from benchmark.errors import ModelLoadError

    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            specs = obj() if callable(obj) and not isinstance(obj, ModelSpec) else obj
        except Exception as exc:
            raise ModelLoadError(f"entry point {ep.name!r} ({ep.value}) in group {ENTRY_POINT_GROUP!r} failed: {exc}") from exc
        for spec in specs if isinstance(specs, (list, tuple)) else [specs]:
            if not isinstance(spec, ModelSpec):
                raise ModelLoadError(f"entry point {ep.name!r} ({ep.value}) gave {type(spec).__name__}, not a ModelSpec")
            found.append(spec)
    return found


def _read_toml(path: Path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    from benchmark.errors import DataFormatError

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataFormatError(path, f"invalid TOML: {exc}") from None


def config_models(directory: Path | None = None) -> dict[str, tuple[Path, dict]]:
    """``[models.NAME]`` of ``benchmark.toml`` or ``[tool.benchmark.models.NAME]`` of ``pyproject.toml``.

    Each entry names ``path`` (relative to the file), ``format`` (see
    ``benchmark.adapters.static.FORMATS`` or ``hf``) and optionally ``words``
    (the word list of a ``numpy`` matrix), ``description``, ``allow_pickle`` and ``max_vocab``
    (an integer >= 1: read only the first N vectors of a vectors file).
    """
    from benchmark.errors import DataFormatError

    directory = Path.cwd() if directory is None else Path(directory)
    found: dict[str, tuple[Path, dict]] = {}
    for filename in CONFIG_FILES:
        path = directory / filename
        if not path.is_file():
            continue
        data = _read_toml(path)
        keys = ("models",) if filename == "benchmark.toml" else ("tool", "benchmark", "models")
        table: object = data
        for depth, key in enumerate(keys):
            table = table.get(key, {})
            if not isinstance(table, dict):
                where = ".".join(keys[: depth + 1])
                raise DataFormatError(path, f"'{where}' must be a table ([{'.'.join(keys)}.NAME] sections), "
                                            f"got {type(table).__name__} {table!r}")
        for name, entry in table.items():
            found.setdefault(name, (path, entry))
    return found


def _config_spec(name: str, path: Path, entry: object):
    """The ModelSpec of one config entry; a bad entry raises a DataFormatError naming the file and model."""
    from benchmark.errors import BenchmarkError, DataFormatError
    from benchmark.run.results import check_name

    if not isinstance(entry, dict) or "path" not in entry or "format" not in entry:
        raise DataFormatError(path, f"model {name!r} needs 'path' and 'format' keys")
    for key in ("path", "format", "words", "description"):
        if key in entry and not isinstance(entry[key], str):
            raise DataFormatError(path, f"model {name!r}: '{key}' must be a string, got {entry[key]!r}")
    max_vocab = entry.get("max_vocab")
    if max_vocab is not None and (isinstance(max_vocab, bool) or not isinstance(max_vocab, int) or max_vocab < 1):
        raise DataFormatError(path, f"model {name!r}: 'max_vocab' must be an integer >= 1, got {max_vocab!r}")
    try:
        check_name(name)
        target = (path.parent / entry["path"]).resolve()
        words = entry.get("words")
        return user_model_spec(
            name, target, entry["format"],
            words_path=(path.parent / words).resolve() if words else None,
            allow_pickle=bool(entry.get("allow_pickle", False)),
            description=entry.get("description", f"{entry['format']} {target} (from {path.name})"),
            max_vocab=max_vocab,
        )
    except DataFormatError:
        raise
    except BenchmarkError as exc:
        raise DataFormatError(path, str(exc)) from None


def config_specs(directory: Path | None = None) -> dict[str, ModelSpec | Exception]:
    """The models of the config files: each entry's ModelSpec, or the named error of a bad entry."""
    from benchmark.errors import BenchmarkError

    found: dict[str, ModelSpec | Exception] = {}
    for name, (path, entry) in config_models(directory).items():
        try:
            found[name] = _config_spec(name, path, entry)
        except BenchmarkError as exc:
            found[name] = exc
    return found


def user_model_spec(name: str, path: Path, fmt: str, *, words_path=None, allow_pickle: bool = False,
                    description: str = "", default: bool = False, max_vocab: int | None = None):
    """A ModelSpec for a user's file or local Hugging Face folder (``max_vocab``: first rows of a vectors file)."""
    from benchmark.adapters import static
    from benchmark.errors import BenchmarkError, UnknownNameError
    from benchmark.registry import did_you_mean

    formats = (*static.FORMATS, "gensim", "hf")
    if fmt not in formats:
        raise UnknownNameError(f"unknown format {fmt!r} for model {name!r}{did_you_mean(fmt, formats)}; "
                               f"choose from {', '.join(formats)}")
    if max_vocab is not None and fmt not in static.FORMATS:
        raise BenchmarkError(f"model {name!r}: max_vocab applies to vectors files ({', '.join(static.FORMATS)}), "
                             f"not to format {fmt!r}")
    if fmt == "hf":
        def load():
            from benchmark.adapters import hf

            return hf.TransformersModel.from_pretrained(str(path), name=name, allow_pickle=allow_pickle)

        return ModelSpec(name, "contextual", load, description or f"local Hugging Face folder {path}", default)
    if fmt == "gensim":
        return ModelSpec(name, "static", lambda: static.load_gensim_keyedvectors(path, name=name, allow_pickle=allow_pickle),
                         description or f"gensim KeyedVectors {path}", default)
    return ModelSpec(name, "static",
                     lambda: static.load_vectors_file(path, fmt, name=name, words_path=words_path, max_vocab=max_vocab),
                     description or f"{fmt} file {path}" + (f", first {max_vocab:,} vectors" if max_vocab else ""),
                     default)

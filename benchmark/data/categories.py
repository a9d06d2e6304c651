"""Word-category sets for the spectrum tasks.

Two sources:

- :func:`load_categories` reads ``datasets/categories/categories.json``, the
  categories written for this project (``kind`` "semantic") and the controls
  (``kind`` "control": letters, digits).  Random frequency-matched word sets
  and an isotropic Gaussian matrix are further controls, generated at run
  time (see :mod:`benchmark.scoring.spectrum`), not stored.
- :func:`load_shipped_categories` reads category sets from files that
  installed packages ship, at run time, without copying them into the repo
  and without importing the packages (their imports pull heavy or
  conflicting dependencies): wefe's ``WEAT.json`` and sections of gensim's
  ``questions-words.txt`` (Google analogies).  A package that is not
  installed contributes nothing; callers report coverage from what comes back.

Words are returned as stored: ours are lowercase; WEAT and the analogy file
contain capitalised names (``Adam``, ``Athens``).  Match them to a model's
vocabulary with an explicit casing rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from benchmark.errors import DataFormatError
from benchmark.packages import find_package_dir
from benchmark.resources import dataset_path

__all__ = [
    "ANALOGY_SECTIONS",
    "CategorySet",
    "DEFAULT_CATEGORIES_PATH",
    "analogy_path",
    "load_categories",
    "load_shipped_categories",
    "weat_path",
]

Kind = Literal["semantic", "control", "shipped"]

#: The shipped categories file.
DEFAULT_CATEGORIES_PATH = dataset_path("categories", "categories.json")

SCHEMA_VERSION = 1
_FILE_KINDS = {"categories": "semantic", "controls": "control"}

#: Sections of gensim's ``questions-words.txt`` used as categories:
#: (section, side, label).  Each line is ``a b c d`` with a:b :: c:d, so side 0
#: is the words in columns 1 and 3, side 1 those in columns 2 and 4.  The
#: category ``analogy:<section>:<label>`` is the unique words of that side.
ANALOGY_SECTIONS: tuple[tuple[str, int, str], ...] = (
    ("capital-common-countries", 0, "capitals"),
    ("capital-common-countries", 1, "countries"),
    ("capital-world", 0, "capitals"),
    ("capital-world", 1, "countries"),
    ("currency", 1, "currencies"),
    ("city-in-state", 0, "cities"),
    ("city-in-state", 1, "states"),
    ("family", 0, "male"),
    ("family", 1, "female"),
    ("gram6-nationality-adjective", 1, "nationalities"),
)


@dataclass(frozen=True)
class CategorySet:
    """One named set of words.

    Attributes
    ----------
    name : str
        Unique name: ``vehicles``, ``letters``, ``weat:flowers``,
        ``analogy:capital-world:capitals``.
    kind : {"semantic", "control", "shipped"}
        Ours (semantic or control), or read from an installed package.
    words : tuple of str
        Distinct words, in file order.
    source : str
        Where the words came from (a file path, with the key or section).
    """

    name: str
    kind: Kind
    words: tuple[str, ...]
    source: str

    def __len__(self) -> int:
        return len(self.words)


def load_categories(path: str | Path | None = None) -> dict[str, CategorySet]:
    """Load and validate a categories JSON file.

    Parameters
    ----------
    path : str or Path, optional
        Default: :data:`DEFAULT_CATEGORIES_PATH`
        (``<repo>/datasets/categories/categories.json``).

    Returns
    -------
    dict
        name → :class:`CategorySet`, semantic categories first then controls,
        in file order.

    Raises
    ------
    DataFormatError
        The file is missing or not JSON (with the line of the syntax error),
        lacks ``schema_version``/``categories``/``controls``/``words``, has a
        wrong schema version or kind, an empty category, a non-string or
        empty word, a duplicate word within a category, or a name used in
        both sections.  The message names the file and the category.
    """
    p = Path(DEFAULT_CATEGORIES_PATH if path is None else path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFormatError(p, f"cannot read categories file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataFormatError(p, f"not UTF-8 text: {exc}") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFormatError(p, f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from exc
    if not isinstance(doc, dict):
        raise DataFormatError(p, f"top level must be a JSON object, got {type(doc).__name__}")
    for key in ("schema_version", "categories", "controls"):
        if key not in doc:
            raise DataFormatError(p, f"missing top-level key {key!r}")
    if doc["schema_version"] != SCHEMA_VERSION:
        raise DataFormatError(p, f"unsupported schema_version {doc['schema_version']!r} (expected {SCHEMA_VERSION})")

    out: dict[str, CategorySet] = {}
    for section, default_kind in _FILE_KINDS.items():
        block = doc[section]
        if not isinstance(block, dict):
            raise DataFormatError(p, f"{section!r} must be an object of name → category")
        for name, entry in block.items():
            where = f"{section}.{name}"
            if name in out:
                raise DataFormatError(p, f"category {name!r} appears in more than one section")
            if not isinstance(entry, dict):
                raise DataFormatError(p, f"category {where!r} must be an object with 'kind' and 'words'")
            for key in ("kind", "words"):
                if key not in entry:
                    raise DataFormatError(p, f"category {where!r} is missing key {key!r}")
            if entry["kind"] != default_kind:
                raise DataFormatError(
                    p, f"category {where!r} has kind {entry['kind']!r}; expected {default_kind!r} in {section!r}"
                )
            words = _check_words(p, where, entry["words"])
            out[name] = CategorySet(name, default_kind, words, f"{p}#{where}")
    return out


def _check_words(path: Path, where: str, words) -> tuple[str, ...]:
    if not isinstance(words, list):
        raise DataFormatError(path, f"category {where!r}: 'words' must be a list, got {type(words).__name__}")
    if not words:
        raise DataFormatError(path, f"category {where!r} is empty")
    seen: set[str] = set()
    for i, w in enumerate(words):
        if not isinstance(w, str):
            raise DataFormatError(path, f"category {where!r}: word {i} is {w!r}, not a string")
        if not w.strip() or w != w.strip():
            raise DataFormatError(path, f"category {where!r}: word {i} {w!r} is empty or has surrounding spaces")
        if w in seen:
            raise DataFormatError(path, f"category {where!r}: duplicate word {w!r}")
        seen.add(w)
    return tuple(words)


# --------------------------------------------------------------------------
# shipped with installed packages
# --------------------------------------------------------------------------


def weat_path() -> Path | None:
    """Path of wefe's ``WEAT.json`` if wefe is installed, else ``None``."""
    d = find_package_dir("wefe")
    p = None if d is None else d / "datasets" / "data" / "WEAT.json"
    return p if p is not None and p.is_file() else None


def analogy_path() -> Path | None:
    """Path of gensim's ``questions-words.txt`` if gensim is installed, else ``None``."""
    d = find_package_dir("gensim")
    p = None if d is None else d / "test" / "test_data" / "questions-words.txt"
    return p if p is not None and p.is_file() else None


def _load_weat(path: Path) -> dict[str, CategorySet]:
    """WEAT.json: an object of set name → list of words (31 sets in wefe 1.0.1)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, f"not valid JSON: {exc.msg}", line=exc.lineno) from exc
    if not isinstance(doc, dict):
        raise DataFormatError(path, "expected an object of set name → word list")
    out = {}
    for key, words in doc.items():
        name = f"weat:{key}"
        out[name] = CategorySet(name, "shipped", _check_words(path, name, words), f"{path}#{key}")
    return out


def _load_analogy_sections(path: Path) -> dict[str, CategorySet]:
    """Unique words of one side of selected ``questions-words.txt`` sections."""
    wanted: dict[str, list[tuple[int, str]]] = {}
    for section, side, label in ANALOGY_SECTIONS:
        wanted.setdefault(section, []).append((side, label))
    words: dict[tuple[str, int], dict[str, None]] = {}  # ordered sets
    section = None
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                section = line[1:].strip()
                continue
            if section not in wanted:
                continue
            parts = line.split()
            if len(parts) != 4:
                raise DataFormatError(path, f"expected 4 words in section {section!r}, got {len(parts)}", line=lineno)
            for side, _ in wanted[section]:
                bucket = words.setdefault((section, side), {})
                bucket.setdefault(parts[side], None)
                bucket.setdefault(parts[side + 2], None)
    out = {}
    for section, side, label in ANALOGY_SECTIONS:
        bucket = words.get((section, side))
        if not bucket:
            continue  # section absent from this version of the file
        name = f"analogy:{section}:{label}"
        out[name] = CategorySet(name, "shipped", tuple(bucket), f"{path}#{section}:side{side}")
    return out


def load_shipped_categories() -> dict[str, CategorySet]:
    """Category sets shipped by installed packages, read in place.

    - ``weat:<set>``: every word set of wefe's ``datasets/data/WEAT.json``
      (flowers, insects, instruments, weapons, names, pleasant/unpleasant ...;
      31 sets in wefe 1.0.1, several with only 6–8 words).
    - ``analogy:<section>:<label>``: the unique words of one side of the
      :data:`ANALOGY_SECTIONS` of gensim's ``test/test_data/questions-words.txt``.

    The packages are located with ``importlib.util.find_spec`` and never
    imported.  A package that is not installed (or lacks the file) is
    omitted silently: the result is simply smaller, and callers report
    which categories they scored.

    Returns
    -------
    dict
        name → :class:`CategorySet` with ``kind == "shipped"``; words keep
        the file's casing.

    Raises
    ------
    DataFormatError
        A shipped file exists but is malformed.
    """
    out: dict[str, CategorySet] = {}
    p = weat_path()
    if p is not None:
        out.update(_load_weat(p))
    p = analogy_path()
    if p is not None:
        out.update(_load_analogy_sections(p))
    return out

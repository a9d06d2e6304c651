"""benchmark.data.categories: the project's category file and the shipped sets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import benchmark.data.categories as cats
from benchmark.data.categories import (
    DEFAULT_CATEGORIES_PATH,
    CategorySet,
    load_categories,
    load_shipped_categories,
)
from benchmark.errors import DataFormatError

SMALL_BY_NATURE = {"months": 12, "weekdays": 7}


@pytest.fixture(scope="module")
def categories():
    return load_categories()


def test_default_file_is_in_datasets():
    assert DEFAULT_CATEGORIES_PATH.is_file()
    assert DEFAULT_CATEGORIES_PATH.parts[-3:] == ("datasets", "categories", "categories.json")


def test_file_loads_with_enough_categories(categories):
    semantic = {n: c for n, c in categories.items() if c.kind == "semantic"}
    big = [n for n, c in semantic.items() if len(c.words) >= 20]
    assert len(big) >= 20
    for name, c in semantic.items():
        if name in SMALL_BY_NATURE:
            assert len(c.words) == SMALL_BY_NATURE[name]
        else:
            assert len(c.words) >= 20, name


def test_words_are_unique_lowercase_single_tokens(categories):
    for name, c in categories.items():
        assert isinstance(c, CategorySet)
        assert c.name == name
        assert isinstance(c.words, tuple)
        assert len(set(c.words)) == len(c.words), name
        if c.kind == "semantic":
            for w in c.words:
                assert w.isascii() and w.isalpha() and w.islower(), (name, w)


def test_controls(categories):
    assert categories["letters"].kind == "control"
    assert categories["letters"].words == tuple("abcdefghijklmnopqrstuvwxyz")
    assert categories["digits"].words == tuple("0123456789")
    assert str(DEFAULT_CATEGORIES_PATH) in categories["letters"].source


def test_cross_category_duplicates_are_only_the_documented_ones(categories):
    seen: dict[str, str] = {}
    dups = set()
    for name, c in categories.items():
        if c.kind != "semantic":
            continue
        for w in c.words:
            if w in seen:
                dups.add(w)
            seen[w] = name
    assert dups <= {"orange", "cricket"}
    card = (DEFAULT_CATEGORIES_PATH.parent / "DATACARD.md").read_text(encoding="utf-8")
    for w in dups:
        assert f"`{w}`" in card


def _write(tmp_path: Path, content) -> Path:
    p = tmp_path / "cats.json"
    p.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return p


def _doc(**cats_):
    return {
        "schema_version": 1,
        "categories": cats_ or {"a": {"kind": "semantic", "words": ["x", "y"]}},
        "controls": {"letters": {"kind": "control", "words": ["a", "b"]}},
    }


def test_bad_json_names_file_and_line(tmp_path):
    p = _write(tmp_path, '{\n  "schema_version": 1,\n  "categories": {,\n}\n')
    with pytest.raises(DataFormatError) as err:
        load_categories(p)
    assert err.value.line == 3
    assert err.value.path == str(p)
    assert f"{p}:3:" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match="cannot read"):
        load_categories(tmp_path / "nope.json")


@pytest.mark.parametrize(
    "doc, fragment",
    [
        ({"schema_version": 1, "categories": {}}, "'controls'"),
        ({**_doc(), "schema_version": 2}, "schema_version"),
        ([1, 2], "JSON object"),
        (_doc(vehicles={"kind": "semantic"}), "'categories.vehicles' is missing key 'words'"),
        (_doc(vehicles={"kind": "semantic", "words": []}), "'categories.vehicles' is empty"),
        (_doc(vehicles={"kind": "semantic", "words": ["car", "bus", "car"]}), "vehicles.*duplicate word 'car'"),
        (_doc(vehicles={"kind": "semantic", "words": ["car", 3]}), "vehicles.*not a string"),
        (_doc(vehicles={"kind": "semantic", "words": ["car", " bus"]}), "vehicles.*surrounding spaces"),
        (_doc(vehicles={"kind": "semantic", "words": "car bus"}), "vehicles.*must be a list"),
        (_doc(vehicles={"kind": "control", "words": ["car"]}), "vehicles.*kind"),
        (_doc(letters={"kind": "semantic", "words": ["q"]}), "'letters' appears in more than one"),
    ],
)
def test_invalid_content_names_file_and_category(tmp_path, doc, fragment):
    p = _write(tmp_path, doc)
    with pytest.raises(DataFormatError, match=fragment) as err:
        load_categories(p)
    assert str(p) in str(err.value)


def test_minimal_valid_file(tmp_path):
    out = load_categories(_write(tmp_path, _doc()))
    assert list(out) == ["a", "letters"]
    assert out["a"] == CategorySet("a", "semantic", ("x", "y"), f"{tmp_path / 'cats.json'}#categories.a")


def test_shipped_categories_found():
    if cats.weat_path() is None or cats.analogy_path() is None:
        pytest.skip("wefe or gensim's test data is not installed (the README installs wefe with --no-deps)")
    shipped = load_shipped_categories()
    weat = {n: c for n, c in shipped.items() if n.startswith("weat:")}
    analogy = {n: c for n, c in shipped.items() if n.startswith("analogy:")}
    assert len(weat) == 31
    assert "tulip" in weat["weat:flowers"].words and len(weat["weat:flowers"]) == 25
    assert len(analogy) == len(cats.ANALOGY_SECTIONS)
    caps = analogy["analogy:capital-common-countries:capitals"].words
    countries = analogy["analogy:capital-common-countries:countries"].words
    assert "Athens" in caps and "Greece" in countries and "Greece" not in caps
    assert "Athens" not in countries
    assert {"dinar", "peso"} <= set(analogy["analogy:currency:currencies"].words)
    for c in shipped.values():
        assert c.kind == "shipped"
        assert len(set(c.words)) == len(c.words)
        assert "#" in c.source and Path(c.source.split("#")[0]).is_file()
        assert "site-packages" in c.source or "dist-packages" in c.source


def test_shipped_categories_omit_missing_packages(monkeypatch):
    real = cats.find_package_dir
    monkeypatch.setattr(cats, "find_package_dir", lambda name: None if name == "wefe" else real(name))
    shipped = load_shipped_categories()
    assert shipped and not any(n.startswith("weat:") for n in shipped)
    monkeypatch.setattr(cats, "find_package_dir", lambda name: None)
    assert load_shipped_categories() == {}


def test_loading_does_not_import_the_packages():
    code = (
        "import sys; from benchmark.data.categories import load_categories, load_shipped_categories;"
        "load_categories(); load_shipped_categories();"
        "print(sorted(m for m in ('wefe', 'gensim', 'torch') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

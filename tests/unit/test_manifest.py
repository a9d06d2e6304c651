from benchmark.data import manifest


def test_manifest_matches_data_files():
    assert manifest.problems() == []


def test_datasets_is_data_only():
    assert not [f for f in manifest.data_files() if f.endswith(".py") or "__init__" in f]


def test_manifest_detects_changes(tmp_path):
    (tmp_path / "a.txt").write_text("one")
    manifest.update(tmp_path)
    assert manifest.problems(tmp_path) == ["a.txt: no source in MANIFEST.json", "a.txt: no licence in MANIFEST.json"]
    (tmp_path / "a.txt").write_text("two")
    (tmp_path / "b.txt").write_text("new")
    found = manifest.problems(tmp_path)
    assert "a.txt: sha256 differs from MANIFEST.json" in found and "b.txt: not in MANIFEST.json" in found

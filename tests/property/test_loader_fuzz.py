"""Fuzzing ``load_vectors_file``: malformed vectors files fail with a named error, good ones round-trip.

For every text format (word2vec, fasttext, glove) and word2vec-binary, generated files
with one defect (ragged row, NaN/Inf token, non-number, bad header count or dimension,
garbage header, non-UTF-8 bytes, duplicate word, blank line, empty file) must raise
:class:`~benchmark.errors.DataFormatError` — never a numpy, gensim, ``UnicodeDecodeError``
or bare ``ValueError`` — whose message starts with the file path and, for a line-local
defect in a text file, names that line.  Random bytes either fail the same way or load
a conformant model (:func:`benchmark.testing.check_adapter`).  Well-formed generated
files load with the same words and bitwise the same float32 values.

Known loader bugs are kept out of the random strategies (``_known_text_bug``,
``_binary_header_is_safe`` and an ``assume`` on loaded binary words) and
fixed in the loaders and tested at the end of this file.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from benchmark.adapters.static import load_vectors_file
from benchmark.errors import DataFormatError
from benchmark.testing import AdapterConformanceError, check_adapter

TEXT_FORMATS = ("word2vec", "fasttext", "glove")
NONFINITE = ("nan", "NaN", "-nan", "+nan", "inf", "-inf", "+inf", "Infinity", "-Infinity", "INF",
             "1e39", "-1e39", "3.5e38", "1e400")
NOT_NUMBERS = ("x", "1,5", "0x10", "--1", "1e", "½", "1.2.3", "∞", "e5", "nana", "1e5e5", "٫")
# gensim parses '1e39' with numpy, which warns before the loader reports the Inf
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")

BAD_UTF8 = (b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80")


# --------------------------------------------------------------------------- strategies


def _no_space(text: str) -> bool:
    return not any(c.isspace() for c in text)


words_st = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1, max_size=6,
).filter(_no_space)


def _not_float(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return True
    return False


not_number_st = st.one_of(
    st.sampled_from(NOT_NUMBERS),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=6)
    .filter(_no_space).filter(_not_float),
)


@dataclass
class VecFile:
    """A well-formed text vectors file, before any defect is put in."""

    words: list[str]
    vectors: np.ndarray  # float32 (n, d), no all-zero row
    header: bool
    eol: str = "\n"
    trailing_space: bool = False
    final_newline: bool = True
    value_format: str = "repr"
    rows: list[list[str]] = field(init=False)

    def __post_init__(self):
        fmt = repr if self.value_format == "repr" else "{:.17g}".format
        self.rows = [[w, *(fmt(float(x)) for x in row)] for w, row in zip(self.words, self.vectors)]

    @property
    def n(self) -> int:
        return len(self.words)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def first(self) -> int:
        """Line number (1-based) of the first data row."""
        return 2 if self.header else 1

    def lines(self, header: str | None = None) -> list[str]:
        tail = " " if self.trailing_space else ""
        out = [" ".join(r) + tail for r in self.rows]
        if self.header:
            out.insert(0, header if header is not None else f"{self.n} {self.dim}")
        return out

    def encode(self, lines: list[str], *, final_newline: bool | None = None) -> bytes:
        end = self.final_newline if final_newline is None else final_newline
        return (self.eol.join(lines) + (self.eol if end else "")).encode("utf-8")


def _nonzero_rows(v: np.ndarray) -> np.ndarray:
    v = v.copy()
    v[~v.any(axis=1), 0] = 1.0
    return v


@st.composite
def matrices(draw, n: int, d: int) -> np.ndarray:
    values = draw(arrays(np.float32, (n, d), elements=st.floats(width=32, allow_nan=False, allow_infinity=False)))
    return _nonzero_rows(values)


@st.composite
def vec_files(draw, fmt: str, min_rows: int = 1) -> VecFile:
    words = draw(st.lists(words_st, min_size=min_rows, max_size=6, unique=True))
    d = draw(st.integers(1, 5))
    return VecFile(
        words=words,
        vectors=draw(matrices(len(words), d)),
        header=fmt != "glove",
        eol=draw(st.sampled_from(["\n", "\r\n"])),
        trailing_space=draw(st.booleans()),
        final_newline=draw(st.booleans()),
        value_format=draw(st.sampled_from(["repr", "17g"])),
    )


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _write(workdir, data: bytes, suffix: str = ".txt"):
    path = workdir / f"vectors{suffix}"
    path.write_bytes(data)
    return path


def _expect_error(path, fmt: str, *, line: int | None, pattern: str) -> DataFormatError:
    """Load and require a DataFormatError (no other type) naming ``path`` (and ``line``)."""
    try:
        emb = load_vectors_file(path, fmt)
    except DataFormatError as exc:
        message = str(exc)
        assert exc.path == str(path) and message.startswith(f"{path}:"), message
        assert "\n" not in message, message
        if line is not None:
            assert exc.line == line, (message, line)
            assert message.startswith(f"{path}:{line}: "), message
        assert re.search(pattern, message), (pattern, message)
        return exc
    raise AssertionError(f"loaded {len(emb)} words from a malformed {fmt} file: {path.read_bytes()[:200]!r}")


def _conformant(emb) -> None:
    """check_adapter, except that all-zero rows are legal data for a loader."""
    try:
        check_adapter(emb)
    except AdapterConformanceError as exc:
        problems = [p for p in exc.problems if "all-zero vector" not in p and "more all-zero rows" not in p]
        assert not problems, "\n".join(problems)


def _load_or_named_error(path, fmt: str):
    """Random input: a DataFormatError naming the path, or a conformant model."""
    try:
        emb = load_vectors_file(path, fmt)
    except DataFormatError as exc:
        assert exc.path == str(path) and str(exc).startswith(f"{path}:"), str(exc)
        assert "\n" not in str(exc)
        return None
    _conformant(emb)
    return emb


def _known_text_bug(data: bytes, fmt: str) -> bool:
    """Inputs that hit the text-format defects tested below."""
    for no, raw in enumerate(data.split(b"\n"), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return False  # the scanner stops here, before any later line
        fields = text.rstrip("\r").split(" ")
        if fields and fields[-1] == "" and len(fields) > 1:
            fields.pop()
        if no == 1 and fmt != "glove":
            if len(fields) == 2 and all(f.isdigit() for f in fields) and not all(f.isdecimal() for f in fields):
                return True  # bug A: int() of a non-decimal digit
            continue
        if text.strip() and (fields[0] == "" or fields[0] != fields[0].strip()):
            return True  # bug B: empty word / word with surrounding whitespace is accepted
    return False


# --------------------------------------------------------------------------- well-formed files


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@given(data=st.data())
def test_wellformed_text_round_trips(workdir, fmt, data):
    vf = data.draw(vec_files(fmt))
    path = _write(workdir, vf.encode(vf.lines()))
    emb = load_vectors_file(path, fmt, name="fuzz")
    assert emb.words == tuple(vf.words)
    assert emb.vectors.dtype == np.float32 and emb.vectors.shape == vf.vectors.shape
    np.testing.assert_array_equal(emb.vectors.view(np.uint32), vf.vectors.view(np.uint32))  # bitwise, -0.0 too
    assert emb.revision.startswith("sha256:")
    check_adapter(emb, reload=lambda: load_vectors_file(path, fmt, name="fuzz"))


@given(words=st.lists(words_st, min_size=1, max_size=6, unique=True), d=st.integers(1, 5), data=st.data())
def test_wellformed_binary_round_trips(workdir, words, d, data):
    from gensim.models import KeyedVectors

    vectors = data.draw(matrices(len(words), d))
    kv = KeyedVectors(vector_size=d)
    kv.add_vectors(words, vectors)
    path = workdir / "vectors.bin"
    kv.save_word2vec_format(str(path), binary=True)
    emb = load_vectors_file(path, "word2vec-binary", name="fuzz")
    assert emb.words == tuple(words)
    np.testing.assert_array_equal(emb.vectors.view(np.uint32), vectors.view(np.uint32))
    check_adapter(emb, reload=lambda: load_vectors_file(path, "word2vec-binary", name="fuzz"))


# --------------------------------------------------------------------------- one defect per text file

TEXT_DEFECTS = ("ragged", "nonfinite", "not_a_number", "non_utf8", "duplicate", "blank_line",
                "header_count", "header_dim", "garbage_header")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@given(data=st.data())
def test_text_defect_names_file_and_line(workdir, fmt, data):
    header = fmt != "glove"
    kinds = TEXT_DEFECTS if header else TEXT_DEFECTS[:6]
    kind = data.draw(st.sampled_from(kinds), label="defect")
    vf = data.draw(vec_files(fmt, min_rows=1 if header else 2))
    lines = vf.lines()
    final_newline = None

    if kind == "ragged":
        i = data.draw(st.integers(0 if header else 1, vf.n - 1), label="row")  # glove's row 0 sets the dimension
        grow = data.draw(st.booleans(), label="grow")
        vf.rows[i] = vf.rows[i] + ["0.5"] if grow else vf.rows[i][:-1]
        lines = vf.lines()
        k = vf.dim + (1 if grow else -1)
        line, pattern = vf.first + i, rf"ragged row: {re.escape(repr(vf.words[i]))} has {k} values, expected {vf.dim}"
    elif kind in ("nonfinite", "not_a_number"):
        i = data.draw(st.integers(0, vf.n - 1), label="row")
        j = data.draw(st.integers(1, vf.dim), label="column")
        token = data.draw(st.sampled_from(NONFINITE) if kind == "nonfinite" else not_number_st, label="token")
        vf.rows[i][j] = token
        lines = vf.lines()
        word = re.escape(repr(vf.words[i]))
        line = vf.first + i
        pattern = (rf"non-finite value \(NaN or Inf\) in the vector of {word}" if kind == "nonfinite"
                   else rf"not a number: {re.escape(repr(token[:30]))} in the vector of {word}")
    elif kind == "non_utf8":
        at = data.draw(st.integers(0, len(lines) - 1), label="line")
        raw = lines[at].encode("utf-8")
        pos = data.draw(st.integers(0, len(raw)), label="byte")
        bad = data.draw(st.sampled_from(BAD_UTF8), label="bytes")
        blob = [ln.encode("utf-8") for ln in lines]
        blob[at] = raw[:pos] + bad + raw[pos:]
        path = _write(workdir, vf.eol.encode().join(blob) + (vf.eol.encode() if vf.final_newline else b""))
        _expect_error(path, fmt, line=at + 1, pattern=r"invalid UTF-8 byte at column \d+")
        return
    elif kind == "duplicate":
        assume(vf.n >= 2)
        i, j = sorted(data.draw(st.lists(st.integers(0, vf.n - 1), min_size=2, max_size=2, unique=True)))
        vf.rows[j][0] = vf.words[i]
        lines = vf.lines()
        line = vf.first + j
        pattern = rf"duplicate word {re.escape(repr(vf.words[i]))} \(first on line {vf.first + i}\)"
    elif kind == "blank_line":
        at = data.draw(st.integers(1 if header else 0, len(lines)), label="position")
        lines.insert(at, data.draw(st.sampled_from(["", " ", "  ", "\t", "\r"]), label="blank"))
        if at == len(lines) - 1:
            final_newline = True  # a blank last line needs its own line break to exist
        line, pattern = at + 1, r"empty line$"
    elif kind == "header_count":
        count = data.draw(st.integers(0, vf.n + 5).filter(lambda c: c != vf.n), label="count")
        lines = vf.lines(header=f"{count} {vf.dim}")
        line, pattern = 1, rf"header declares {count} vectors but the file has {vf.n}$"
    elif kind == "header_dim":
        dim = data.draw(st.integers(0, vf.dim + 3).filter(lambda e: e != vf.dim), label="dim")
        lines = vf.lines(header=f"{vf.n} {dim}")
        if dim == 0:
            line, pattern = 1, r"header declares dimension 0"
        else:
            line = 2
            pattern = rf"ragged row: {re.escape(repr(vf.words[0]))} has {vf.dim} values, expected {dim}"
    else:  # garbage_header
        garbage = data.draw(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",),
                                                           exclude_characters="\n"), max_size=12), label="header")
        fields = garbage.rstrip("\r").split(" ")
        if len(fields) > 1 and fields[-1] == "":
            fields.pop()
        assume(not (len(fields) == 2 and all(f.isdigit() for f in fields)))  # numeric headers are not garbage
        lines = vf.lines(header=garbage)
        line, pattern = 1, r"bad header .*: expected '<count> <dimension>'"

    path = _write(workdir, vf.encode(lines, final_newline=final_newline))
    _expect_error(path, fmt, line=line, pattern=pattern)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@given(eol=st.sampled_from(["\n", "\r\n", ""]), blanks=st.integers(0, 3), header=st.sampled_from(["0 3", "2 3", "7 1"]))
def test_empty_and_contentless_files(workdir, fmt, eol, blanks, header):
    if blanks:  # only blank lines: the first one is reported
        path = _write(workdir, ("\n" * blanks).encode())
        if fmt == "glove":
            _expect_error(path, fmt, line=1, pattern="empty line")
        else:
            _expect_error(path, fmt, line=1, pattern="bad header")
        return
    if not eol:
        _expect_error(_write(workdir, b""), fmt, line=None, pattern="no vectors in file$")
        return
    path = _write(workdir, (header + eol).encode())
    if fmt == "glove":  # '2 3' is a word '2' with one value: a valid one-row glove file
        emb = load_vectors_file(path, fmt)
        assert len(emb) == 1 and emb.dim == 1
    elif header.startswith("0 "):
        _expect_error(path, fmt, line=None, pattern="no vectors in file$")
    else:
        n = header.split()[0]
        _expect_error(path, fmt, line=1, pattern=f"header declares {n} vectors but the file has 0$")


# --------------------------------------------------------------------------- random input, text formats

_SOUP = ("a", "b", "the", "é", "1", "0", "-2.5", "1e3", "nan", "inf", "x", "", " ", "\t", "\r", "3 2", "2 1",
         "\xff", "\x00", "1_0", "١", "\u00a0")


@st.composite
def token_soup(draw) -> bytes:
    lines = draw(st.lists(st.lists(st.sampled_from(_SOUP), max_size=5), max_size=5))
    out = b"\n".join(" ".join(tok for tok in ln if tok != "\xff").encode("utf-8")
                     + (b"\xff" if "\xff" in ln else b"") for ln in lines)
    return out + (b"\n" if draw(st.booleans()) else b"")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@given(blob=st.one_of(st.binary(max_size=120), token_soup()))
def test_random_text_input_fails_cleanly_or_loads_conformant(workdir, fmt, blob):
    assume(not _known_text_bug(blob, fmt))
    _load_or_named_error(_write(workdir, blob), fmt)


# --------------------------------------------------------------------------- word2vec binary


def _binary(words, vectors, header: str | None = None) -> bytes:
    n, d = vectors.shape
    out = (header if header is not None else f"{n} {d}\n").encode()
    for w, v in zip(words, vectors):
        out += (w.encode("utf-8") if isinstance(w, str) else w) + b" " + np.asarray(v, "<f4").tobytes()
    return out


@given(words=st.lists(words_st, min_size=1, max_size=5, unique=True), d=st.integers(1, 4), data=st.data())
def test_truncated_binary_fails_cleanly(workdir, words, d, data):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=d)
    kv.add_vectors(words, data.draw(matrices(len(words), d)))
    full = workdir / "full.bin"
    kv.save_word2vec_format(str(full), binary=True)
    blob = full.read_bytes()
    cut = data.draw(st.integers(0, len(blob) - 1), label="cut")
    path = _write(workdir, blob[:cut], ".bin")
    _expect_error(path, "word2vec-binary", line=None, pattern=r"truncated|no vectors in file|bad header|more than the file|invalid UTF-8|no word terminator")


@given(words=st.lists(words_st, min_size=1, max_size=5, unique=True), d=st.integers(1, 4), data=st.data())
def test_binary_nonfinite_names_the_word(workdir, words, d, data):
    vectors = data.draw(matrices(len(words), d))
    i = data.draw(st.integers(0, len(words) - 1), label="row")
    vectors[i, data.draw(st.integers(0, d - 1), label="col")] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    path = _write(workdir, _binary(words, vectors), ".bin")
    _expect_error(path, "word2vec-binary", line=None,
                  pattern=rf"non-finite value \(NaN or Inf\) in the vector of {re.escape(repr(words[i]))}")


@given(words=st.lists(words_st, min_size=1, max_size=4, unique=True), d=st.integers(1, 4), data=st.data())
def test_binary_bad_header_or_utf8(workdir, words, d, data):
    vectors = data.draw(matrices(len(words), d))
    kind = data.draw(st.sampled_from(["garbage", "count", "utf8"]), label="defect")
    if kind == "garbage":
        header = data.draw(st.sampled_from(["", "\n", "x y\n", "3\n", "1 2 3\n", "1.5 2\n", "0x2 3\n", "2,3\n"]))
        blob = _binary(words, vectors, header=header)
        # without a line break the header read runs into the vector bytes: then the UTF-8 error comes first
        pattern = r"bad header|invalid UTF-8|no vectors in file"
    elif kind == "count":  # more vectors declared than present
        blob = _binary(words, vectors, header=f"{len(words) + data.draw(st.integers(1, 3))} {d}\n")
        pattern = r"more than the file's \d+ bytes hold|truncated"
    else:
        i = data.draw(st.integers(0, len(words) - 1), label="row")
        bad = [w.encode("utf-8") for w in words]
        bad[i] = bad[i] + data.draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"]))
        blob = _binary(bad, vectors)
        pattern = r"invalid UTF-8"
    _expect_error(_write(workdir, blob, ".bin"), "word2vec-binary", line=None, pattern=pattern)


def _binary_header_is_safe(blob: bytes) -> bool:
    """Headers that neither allocate a huge matrix nor hit the count/dimension-0 bugs."""
    first = blob.split(b"\n", 1)[0]
    try:
        tokens = first.decode("utf-8").split()
        count, dim = (int(t) for t in tokens)
    except (UnicodeDecodeError, ValueError):
        return True  # rejected by the header parse
    return 1 <= count and 1 <= dim and count * dim <= 10_000


@given(blob=st.one_of(
    st.binary(max_size=120),
    st.builds(lambda head, body: head + body,
              st.sampled_from([b"1 1\n", b"2 1\n", b"1 2\n", b"3 2\n", b"2 1", b" 1 1\n"]), st.binary(max_size=40)),
))
def test_random_binary_input_fails_cleanly_or_loads_conformant(workdir, blob):
    assume(_binary_header_is_safe(blob))
    path = _write(workdir, blob, ".bin")
    try:
        emb = load_vectors_file(path, "word2vec-binary")
    except DataFormatError as exc:
        assert exc.path == str(path) and str(exc).startswith(f"{path}:"), str(exc)
        return
    # bugs C and D (pinned below): duplicate / empty / whitespace words load silently
    assume(all(w and w == w.strip() and w != "None" for w in emb.words))
    _conformant(emb)


# --------------------------------------------------------------------------- known bugs (static.py)

V2 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)


@pytest.mark.parametrize("fmt", ["word2vec", "fasttext"])
def test_header_with_non_decimal_digits_is_a_data_format_error(workdir, fmt):
    path = _write(workdir, "² 2\na 1 2\nb 3 4\n".encode())
    _expect_error(path, fmt, line=1, pattern="bad header")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_text_word_with_whitespace_is_a_data_format_error(workdir, fmt):
    header = "" if fmt == "glove" else "2 2\n"
    for row in (" 1 2", "\tx 1 2", "\u00a0x 1 2", "x\u2028 1 2"):
        path = _write(workdir, f"{header}{row}\nb 3 4\n".encode())
        _expect_error(path, fmt, line=1 if fmt == "glove" else 2, pattern=r"word")


def test_binary_duplicate_word_is_a_data_format_error(workdir):
    path = _write(workdir, _binary(["a", "a"], V2), ".bin")
    _expect_error(path, "word2vec-binary", line=None, pattern=r"duplicate word 'a'")


def test_binary_word_with_whitespace_is_a_data_format_error(workdir):
    for word in (b"", b"\ta", "\u00a0a".encode()):
        path = _write(workdir, _binary([word, b"b"], V2), ".bin")
        _expect_error(path, "word2vec-binary", line=None, pattern=r"word")


def test_binary_trailing_vectors_are_a_data_format_error(workdir):
    path = _write(workdir, _binary(["a", "b"], V2, header="1 3\n"), ".bin")
    _expect_error(path, "word2vec-binary", line=None, pattern=r"header declares 1")


def test_binary_dimension_zero_is_a_data_format_error(workdir):
    path = _write(workdir, b"2 0\na b ", ".bin")
    _expect_error(path, "word2vec-binary", line=None, pattern=r"dimension 0")


def test_binary_count_zero_is_a_data_format_error(workdir):
    path = _write(workdir, b"0 3\n", ".bin")
    _expect_error(path, "word2vec-binary", line=None, pattern=r"no vectors")


def test_binary_huge_header_is_a_data_format_error(workdir):
    path = _write(workdir, b"999999999999 300\na " + struct.pack("<3f", 1, 2, 3), ".bin")
    _expect_error(path, "word2vec-binary", line=None, pattern=r"header declares")

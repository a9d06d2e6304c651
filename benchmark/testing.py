"""Conformance checks for adapters, static and contextual, for use in a third party's tests.

::

    from benchmark.testing import check_adapter

    def test_my_adapter_conforms():
        check_adapter(load_my_vectors(), reload=load_my_vectors)

:func:`check_adapter` accepts a :class:`~benchmark.adapters.base.StaticEmbeddings` or,
duck-typed, any object with ``name``, ``words``, ``vectors``, ``revision`` and ``dim``;
an object providing the :class:`~benchmark.adapters.base.ContextualModel` protocol is
checked by :func:`check_contextual_adapter` (see there).
It runs every check, then raises one :class:`AdapterConformanceError` listing all the
problems found, one per line, each naming the model and the word or row.

What is checked (what the runner and the scoring engine rely on):

* ``name``: a non-empty ``str``; ``revision``: a non-empty ``str`` (a cached result
  depends on it); ``frequency_ordered``, when present: a ``bool``.
* ``words``: a sequence (tuple, list, 1-D object array) of ``str`` — not ``numpy.str_``,
  which a unicode array yields —, non-empty, without surrounding whitespace, unique.
* ``vectors``: a ``numpy.ndarray``, float32, 2-D, C-contiguous, at least one column,
  one row per word, finite, no all-zero row (its cosine is undefined, so it breaks NN,
  CSLS and inverted-softmax retrieval), read-only (``setflags(write=False)``: one
  loaded model is shared by every item of a run), and unchanged while being checked.
* ``dim``: an ``int`` equal to the number of columns.
* Determinism, when ``reload`` (a zero-argument callable loading the model again) is
  given: the second load has the same words, bitwise-identical vectors and the same
  revision.

Every kind of problem is reported; within one kind, the first :data:`MAX_LISTED` rows
are named and the rest are counted on one more line.

Importing this module is light: numpy and the standard library only.
"""

from __future__ import annotations

import hashlib
import numbers
import warnings
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from benchmark.errors import BenchmarkError

__all__ = ["AdapterConformanceError", "check_adapter", "check_contextual_adapter", "MAX_LISTED"]

#: Rows named per kind of problem; further rows of that kind are counted.
MAX_LISTED = 10

_MISSING = object()


class AdapterConformanceError(BenchmarkError, AssertionError):
    """An adapter breaks the contract the runner relies on.

    Attributes
    ----------
    model
        The adapter's name (or a placeholder when it has none).
    problems
        One line per problem, each naming the model and the word or row.
    """

    def __init__(self, model: str, problems: list[str]):
        self.model = model
        self.problems = list(problems)
        n = len(self.problems)
        head = f"adapter {model}: {n} conformance problem{'s' if n != 1 else ''}:"
        super().__init__("\n".join([head, *self.problems]))

    def __str__(self) -> str:  # AssertionError would not quote, but be explicit
        return str(self.args[0]) if self.args else ""


class _Report:
    """Collects problem lines, capping each kind at MAX_LISTED rows."""

    def __init__(self, label: str, prefix: str = ""):
        self.label = label
        self.prefix = prefix
        self.lines: list[str] = []

    def add(self, message: str) -> None:
        self.lines.append(f"model {self.label}: {self.prefix}{message}")

    def rows(self, rows, describe: Callable[[int], str], more: str) -> None:
        rows = [int(r) for r in rows]
        for r in rows[:MAX_LISTED]:
            self.add(describe(r))
        if len(rows) > MAX_LISTED:
            self.add(f"... and {len(rows) - MAX_LISTED} more {more}")


def _word_label(words: list | None, row: int) -> str:
    if words is not None and 0 <= row < len(words):
        return f"row {row} (word {words[row]!r})"
    return f"row {row}"


def _digest(array: np.ndarray) -> str | None:
    """sha256 of the bytes, shape and dtype; None when the array exports no buffer (object dtype)."""
    try:
        data = hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()
    except (TypeError, ValueError, BufferError):
        return None
    return f"{data} {array.shape} {array.dtype.str}"


def _get(obj: Any, attr: str, report: _Report):
    try:
        return getattr(obj, attr)
    except AttributeError:
        report.add(f"has no attribute {attr!r}")
    except Exception as exc:  # a property that raises
        report.add(f"reading {attr!r} raised {type(exc).__name__}: {exc}")
    return _MISSING


def _check_str_attr(value, attr: str, report: _Report) -> None:
    if value is _MISSING:
        return
    if not isinstance(value, str):
        report.add(f"{attr} is a {type(value).__name__}, expected a non-empty str")
    elif not value.strip():
        report.add(f"{attr} is empty: {value!r}")


def _as_word_list(words, report: _Report) -> list | None:
    if words is _MISSING:
        return None
    if isinstance(words, (str, bytes)):
        report.add(f"words is a {type(words).__name__}, expected a sequence of str (a tuple or list)")
        return None
    if isinstance(words, np.ndarray):
        if words.ndim != 1:
            report.add(f"words is a {words.ndim}-D array, expected a 1-D sequence of str")
            return None
        return list(words)  # the elements as the runner sees them (numpy.str_ for a unicode array)
    if not isinstance(words, Sequence):
        report.add(f"words is a {type(words).__name__}, expected a sequence of str in row order (a tuple or list)")
        return None
    return list(words)


def _check_words(words: list, report: _Report) -> None:
    not_str, numpy_str, empty, spaced, dupes = [], [], [], [], []
    first: dict[str, int] = {}
    for i, w in enumerate(words):
        if type(w) is not str:
            (numpy_str if isinstance(w, np.str_) else not_str).append(i)
            if not isinstance(w, str):
                continue
        if not w:
            empty.append(i)
        elif w != w.strip():
            spaced.append(i)
        j = first.setdefault(w, i)
        if j != i:
            dupes.append((i, j))
    report.rows(not_str, lambda i: f"row {i}: word {words[i]!r} is a {type(words[i]).__name__}, expected str",
                "words that are not str")
    report.rows(numpy_str, lambda i: f"row {i}: word {str(words[i])!r} is a numpy.str_, expected str "
                                     "(convert with str())", "numpy.str_ words")
    report.rows(empty, lambda i: f"row {i}: empty word", "empty words")
    report.rows(spaced, lambda i: f"row {i}: word {words[i]!r} has surrounding whitespace",
                "words with surrounding whitespace")
    by_row = dict(dupes)
    report.rows([i for i, _ in dupes], lambda i: f"row {i}: duplicate word {words[i]!r} (first at row {by_row[i]})",
                "duplicate words")


def _check_vectors(vectors, words: list | None, report: _Report) -> np.ndarray | None:
    """Check the matrix; return it as an ndarray (for later checks) or None."""
    if vectors is _MISSING:
        return None
    is_array = isinstance(vectors, np.ndarray)
    if not is_array:
        report.add(f"vectors is a {type(vectors).__module__}.{type(vectors).__name__}, expected numpy.ndarray")
        try:
            vectors = np.asarray(vectors)
        except Exception:
            return None
    if vectors.dtype != np.float32:
        report.add(f"vectors have dtype {vectors.dtype}, expected float32")
    if vectors.ndim != 2:
        report.add(f"vectors have shape {vectors.shape}, expected 2-D (words × dimensions)")
        return vectors
    if is_array and not vectors.flags.c_contiguous:
        report.add("vectors are not C-contiguous (use numpy.ascontiguousarray)")
    if is_array and vectors.flags.writeable:
        report.add("vectors are writable: call vectors.setflags(write=False) so that no task can "
                   "change the cached model")
    n, d = vectors.shape
    if d == 0:
        report.add("vectors have 0 columns")
    if words is not None and n != len(words):
        report.add(f"{len(words)} words but {n} vector rows")
    if n == 0:
        report.add("empty vocabulary: 0 vector rows")
    if not np.issubdtype(vectors.dtype, np.number) or np.issubdtype(vectors.dtype, np.complexfloating):
        return vectors
    if np.issubdtype(vectors.dtype, np.inexact) and d:
        bad = np.flatnonzero(~np.isfinite(vectors).all(axis=1))
        report.rows(bad, lambda r: f"{_word_label(words, r)}: NaN or Inf in the vector", "rows with NaN or Inf")
    if d:
        zero = np.flatnonzero(~vectors.any(axis=1))
        report.rows(zero, lambda r: f"{_word_label(words, r)}: all-zero vector (its cosine is undefined: "
                                    "it breaks NN/CSLS retrieval)", "all-zero rows")
    return vectors


def _check_dim(dim, vectors: np.ndarray | None, report: _Report) -> None:
    if dim is _MISSING:
        return
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        report.add(f"dim is a {type(dim).__name__} ({dim!r}), expected int")
        return
    if vectors is not None and vectors.ndim == 2 and int(dim) != vectors.shape[1]:
        report.add(f"dim is {int(dim)} but vectors have {vectors.shape[1]} columns")


def _check_reload(reload: Callable[[], Any], adapter, words: list | None, vectors: np.ndarray | None,
                  revision, report: _Report) -> None:
    try:
        other = reload()
    except Exception as exc:
        report.add(f"reload() raised {type(exc).__name__}: {exc}")
        return
    if other is adapter:
        warnings.warn(f"reload() returned the very same object as the adapter of model {report.label}: "
                      "determinism is not tested (pass a loader that loads afresh, not a cached one)",
                      stacklevel=3)
        return
    probe = _Report(report.label, prefix="reloaded adapter: ")
    other_words = _as_word_list(_get(other, "words", probe), probe)
    other_vectors = _get(other, "vectors", probe)
    other_revision = _get(other, "revision", probe)
    report.lines.extend(probe.lines)
    if words is not None and other_words is not None and other_words != words:
        if len(other_words) != len(words):
            report.add(f"reload gives {len(other_words)} words, the first load {len(words)}")
        else:
            rows = [i for i, (a, b) in enumerate(zip(words, other_words)) if a != b]
            report.rows(rows, lambda i: f"row {i}: reload gives word {other_words[i]!r}, the first load "
                                        f"{words[i]!r}", "rows whose word differs on reload")
    if vectors is not None and other_vectors is not _MISSING:
        try:
            other_vectors = np.asarray(other_vectors)
        except Exception as exc:
            report.add(f"reloaded vectors are not an array: {type(exc).__name__}: {exc}")
        else:
            if other_vectors.shape != vectors.shape or other_vectors.dtype != vectors.dtype:
                report.add(f"reload gives vectors {other_vectors.dtype} {other_vectors.shape}, the first load "
                           f"{vectors.dtype} {vectors.shape}")
            elif vectors.ndim == 2 and vectors.size:
                a = np.ascontiguousarray(vectors).view(np.uint8).reshape(vectors.shape[0], -1)
                b = np.ascontiguousarray(other_vectors).view(np.uint8).reshape(vectors.shape[0], -1)
                rows = np.flatnonzero((a != b).any(axis=1))
                report.rows(rows, lambda r: f"{_word_label(words, r)}: reload gives a different vector "
                                            "(not bitwise identical)", "rows whose vector differs on reload")
    if revision is not _MISSING and other_revision is not _MISSING and other_revision != revision:
        report.add(f"revision changes on reload: {revision!r} then {other_revision!r}")


def check_adapter(adapter, *, reload: Callable[[], Any] | None = None) -> None:
    """Check that ``adapter`` honours the static-embedding contract; raise on any problem.

    Parameters
    ----------
    adapter
        A :class:`~benchmark.adapters.base.StaticEmbeddings`, or any object with
        ``name``, ``words``, ``vectors``, ``revision`` and ``dim`` attributes.
    reload
        Optional zero-argument callable that loads the same model again (a fresh load,
        not a cached object); the second load must give the same words, bitwise-identical
        vectors and the same revision.

    Raises
    ------
    AdapterConformanceError
        Listing every problem found, one per line, each naming the model and the
        word or row (see the module docstring for the checks).
    """
    from benchmark.adapters.base import ContextualModel, StaticEmbeddings

    if not isinstance(adapter, StaticEmbeddings) and isinstance(adapter, ContextualModel):
        return check_contextual_adapter(adapter, reload=reload)
    name = getattr(adapter, "name", _MISSING)
    label = repr(name) if isinstance(name, str) and name.strip() else f"<{type(adapter).__name__}>"
    report = _Report(label)

    name = _get(adapter, "name", report)
    _check_str_attr(name, "name", report)
    revision = _get(adapter, "revision", report)
    _check_str_attr(revision, "revision", report)
    ordered = getattr(adapter, "frequency_ordered", _MISSING)
    if ordered is not _MISSING and not isinstance(ordered, bool):
        report.add(f"frequency_ordered is a {type(ordered).__name__}, expected bool")

    words = _as_word_list(_get(adapter, "words", report), report)
    if words is not None:
        _check_words(words, report)

    vectors = _check_vectors(_get(adapter, "vectors", report), words, report)
    before = _digest(vectors) if vectors is not None else None
    _check_dim(_get(adapter, "dim", report), vectors, report)

    if reload is not None:
        _check_reload(reload, adapter, words, vectors, revision, report)

    if before is not None:
        try:
            changed = _digest(np.asarray(getattr(adapter, "vectors", None))) != before
        except Exception:
            changed = True
        if changed:
            report.add("vectors changed while being checked (reading the adapter must not mutate it)")
        again = _as_word_list(getattr(adapter, "words", None), _Report(label))
        if words is not None and again != words:
            report.add("words changed while being checked (reading the adapter must not mutate it)")

    if report.lines:
        raise AdapterConformanceError(label, report.lines)


#: The probe the contextual checks embed: two occurrences (character spans) in one sentence.
PROBE_SENTENCE = "The river bank was muddy after the rain."
PROBE_OCCURRENCES = ((PROBE_SENTENCE, 4, 9), (PROBE_SENTENCE, 10, 14))  # "river", "bank"
PROBE_WORDS = ("water", "stone")


def _check_layer_array(array, n: int, adapter, what: str, report: _Report) -> np.ndarray | None:
    expected = (n, adapter.num_layers, adapter.dim)
    if not isinstance(array, np.ndarray):
        report.add(f"{what} returned {type(array).__name__}, expected a numpy.ndarray of shape {expected}")
        return None
    if array.dtype != np.float32 or array.shape != expected:
        report.add(f"{what} returned {array.dtype} {array.shape}, expected float32 {expected}")
        return None
    if not np.isfinite(array).all():
        report.add(f"{what} returned non-finite values")
        return None
    return array


def check_contextual_adapter(adapter, *, reload: Callable[[], Any] | None = None) -> None:
    """Check that ``adapter`` honours the :class:`~benchmark.adapters.base.ContextualModel` contract.

    Checked: ``name``, ``revision`` and ``source`` are strings (the first two non-empty);
    ``num_layers`` and ``dim`` positive ints; ``architecture`` ``"encoder"`` or ``"causal"``;
    ``embed_occurrences`` of two probe occurrences is float32 (2, num_layers, dim), finite,
    the same on a second call, and its ``layers=-1`` selection equals the last layer of the full
    call; ``decontextualized`` of two words is float32 (2, num_layers, dim) and finite;
    ``input_embeddings()`` and ``static_embeddings(source="input")`` pass :func:`check_adapter`
    with ``dim`` equal to the model's.  With ``reload``, a second load gives the same revision
    and the same probe vectors (to float32 round-off: 1e-5 relative).

    Raises
    ------
    AdapterConformanceError
        Listing every problem found, one per line, each naming the model.
    """
    from benchmark.adapters.base import ContextualModel

    name = getattr(adapter, "name", _MISSING)
    label = repr(name) if isinstance(name, str) and name.strip() else f"<{type(adapter).__name__}>"
    report = _Report(label)
    if not isinstance(adapter, ContextualModel):
        missing = [a for a in ("name", "revision", "source", "num_layers", "dim", "architecture",
                               "embed_occurrences", "decontextualized", "context_pooled", "static_embeddings",
                               "input_embeddings") if not hasattr(adapter, a)]
        report.add(f"does not provide the ContextualModel protocol (missing: {', '.join(missing)})")
        raise AdapterConformanceError(label, report.lines)
    for attr in ("name", "revision"):
        _check_str_attr(getattr(adapter, attr), attr, report)
    if not isinstance(adapter.source, str):
        report.add(f"source is a {type(adapter.source).__name__}, expected str")
    for attr in ("num_layers", "dim"):
        value = getattr(adapter, attr)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            report.add(f"{attr} is {value!r}, expected a positive int")
    if adapter.architecture not in ("encoder", "causal"):
        report.add(f"architecture is {adapter.architecture!r}, expected 'encoder' or 'causal'")
    if report.lines:
        raise AdapterConformanceError(label, report.lines)

    probe = _check_layer_array(adapter.embed_occurrences(list(PROBE_OCCURRENCES)), 2, adapter,
                               "embed_occurrences()", report)
    if probe is not None:
        again = adapter.embed_occurrences(list(PROBE_OCCURRENCES))
        if not (isinstance(again, np.ndarray) and again.shape == probe.shape and np.array_equal(again, probe)):
            report.add("embed_occurrences() gave different vectors on a second call")
        last = adapter.embed_occurrences(list(PROBE_OCCURRENCES), layers=-1)
        if not (isinstance(last, np.ndarray) and last.shape == (2, 1, adapter.dim)
                and np.allclose(last[:, 0], probe[:, -1], rtol=1e-5, atol=1e-6)):
            report.add("embed_occurrences(layers=-1) is not the last layer of embed_occurrences()")
    _check_layer_array(adapter.decontextualized(list(PROBE_WORDS)), len(PROBE_WORDS), adapter,
                       "decontextualized()", report)
    for what, view in (("input_embeddings()", adapter.input_embeddings),
                       ("static_embeddings(source='input')", lambda: adapter.static_embeddings(source="input"))):
        emb = view()
        try:
            check_adapter(emb)
        except AdapterConformanceError as exc:
            report.add(f"{what}: " + "; ".join(exc.problems))
        else:
            if emb.dim != adapter.dim:
                report.add(f"{what} has dim {emb.dim}, the model {adapter.dim}")
    if reload is not None and probe is not None:
        other = reload()
        if getattr(other, "revision", None) != adapter.revision:
            report.add(f"a reload has revision {getattr(other, 'revision', None)!r}, not {adapter.revision!r}")
        vectors = other.embed_occurrences(list(PROBE_OCCURRENCES))
        if not (isinstance(vectors, np.ndarray) and vectors.shape == probe.shape
                and np.allclose(vectors, probe, rtol=1e-5, atol=1e-6)):
            report.add("a reload embeds the probe occurrences differently")
    if report.lines:
        raise AdapterConformanceError(label, report.lines)

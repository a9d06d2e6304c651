import pytest

from benchmark.errors import BenchmarkError, DuplicateNameError, UnknownNameError
from benchmark.registry import Registry


def test_register_and_get():
    reg = Registry("widget")
    reg.register("alpha", 1)
    assert reg.get("alpha") == 1
    assert "alpha" in reg and len(reg) == 1 and list(reg) == ["alpha"]


def test_duplicate_raises():
    reg = Registry("widget")
    reg.register("alpha", 1)
    with pytest.raises(DuplicateNameError, match="widget 'alpha' is already registered"):
        reg.register("alpha", 2)
    with pytest.raises(DuplicateNameError, match="already registered"):
        reg.register_lazy("alpha", lambda: 3)


def test_unknown_name_suggests():
    reg = Registry("model")
    reg.register("glove-6b-50d", 1)
    reg.register("spacy-md-300", 2)
    with pytest.raises(UnknownNameError, match=r"unknown model 'glove-6b-5d' \(did you mean 'glove-6b-50d'\?\)"):
        reg.get("glove-6b-5d")
    with pytest.raises(UnknownNameError, match="registered: glove-6b-50d, spacy-md-300"):
        reg.get("zzz")


def test_unknown_name_is_a_benchmark_error_with_plain_message():
    reg = Registry("task")
    with pytest.raises(BenchmarkError) as info:
        reg.get("nope")
    assert str(info.value).startswith("unknown task 'nope'")


def test_lazy_factory_called_once():
    calls = []
    reg = Registry("widget")
    reg.register_lazy("lazy", lambda: calls.append(1) or "made")
    assert calls == []
    assert reg.get("lazy") == "made" and reg.get("lazy") == "made"
    assert calls == [1]


def test_empty_name_rejected():
    with pytest.raises(DuplicateNameError, match="non-empty string"):
        Registry("widget").register("", 1)


def test_default_catalog_names():
    from benchmark.models import model_names

    assert {"glove-6b-50d", "word2vec-gnews", "spacy-md-300", "wordllama-256"} <= set(model_names())

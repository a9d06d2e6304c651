import numpy as np
import pytest

from benchmark.adapters.base import StaticEmbeddings
from benchmark.data.vocabulary import identity_dictionary, is_plain_word, reference_words, search_space
from benchmark.errors import DataFormatError, ShapeError


def space(words, frequency_ordered=True, name="m"):
    return StaticEmbeddings(name, words, np.ones((len(words), 2)), "r", frequency_ordered=frequency_ordered)


def test_plain_word_rule():
    assert is_plain_word("apple") and is_plain_word("über")
    for key in ("Apple", "New_York", "1990", "don't", "", "▁the"):
        assert not is_plain_word(key)


def test_search_space_filters_and_orders():
    emb = space(("zebra", "the", "Paris", "of", "a_b"), frequency_ordered=False)
    s = search_space(emb)
    assert s.words == ("the", "of", "zebra")  # wordfreq order for an unordered model
    assert search_space(space(("zebra", "the"))).words == ("zebra", "the")  # own order kept
    assert search_space(emb, max_words=1).words == ("the",)


def test_identity_dictionary_disjoint_seeded_and_shrinks():
    words = reference_words()[:3000]
    a, b = search_space(space(words)), search_space(space(words[::-1]))
    split = identity_dictionary(a, b, n_train=5000, n_dev=200, n_test=500, min_train=100, seed=1)
    assert len(split.test) == 500 and len(split.dev) == 200 and len(split.train) == 2300
    assert "train shrunk to 2300" in split.note
    assert not (set(split.train) & set(split.test)) and not (set(split.dev) & set(split.test))
    again = identity_dictionary(a, b, n_train=5000, n_dev=200, n_test=500, min_train=100, seed=1)
    other = identity_dictionary(a, b, n_train=5000, n_dev=200, n_test=500, min_train=100, seed=2)
    assert again == split and other.test != split.test
    assert split.coverage == pytest.approx(3000 / 10_000)


def test_empty_overlap_is_a_named_error():
    a = search_space(space(("the", "of"), name="left"))
    b = search_space(space(("cat", "dog"), name="right"))
    with pytest.raises(DataFormatError, match="models 'left' and 'right' share 0 frequent plain words"):
        identity_dictionary(a, b, n_train=10, n_dev=1, n_test=1, min_train=1, seed=0)


def test_embeddings_validation():
    with pytest.raises(ShapeError, match="duplicate word 'a' at rows 0 and 1"):
        StaticEmbeddings("m", ("a", "a"), np.ones((2, 2)), "r")
    with pytest.raises(ShapeError, match="2 words but 3 vector rows"):
        StaticEmbeddings("m", ("a", "b"), np.ones((3, 2)), "r")

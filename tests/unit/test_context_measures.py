"""Measures of contextual vectors (benchmark.scoring.context) and corpus mining (benchmark.data.contexts).

Pure numpy and the shipped data: no torch, no model package.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.data.contexts import (
    load_senses,
    mine_contexts,
    random_occurrences,
    split_sentences,
    strip_wiki_markup,
    word_spans,
)
from benchmark.errors import DataFormatError, ShapeError
from benchmark.families.context_drift.evaluate import split_sense_words
from benchmark.scoring import difference_ci
from benchmark.scoring.context import (
    ethayarajh,
    loo_centroid_hits,
    max_explainable_variance,
    random_groups,
    self_similarity,
    sense_separation,
)


# ----------------------------------------------------------------- measures
def test_self_similarity_identical_and_orthogonal():
    v = np.random.default_rng(0).standard_normal(16)
    assert self_similarity(np.tile(v, (5, 1))) == pytest.approx(1.0, abs=1e-12)
    assert self_similarity(np.tile(v, (5, 1)) * np.arange(1, 6)[:, None]) == pytest.approx(1.0, abs=1e-12)
    assert self_similarity(np.eye(6)) == pytest.approx(0.0, abs=1e-12)
    assert self_similarity(np.array([[1.0, 0.0], [-1.0, 0.0]])) == pytest.approx(-1.0)
    with pytest.raises(ShapeError):
        self_similarity(v[None, :])


def test_self_similarity_matches_pairwise_mean():
    V = np.random.default_rng(1).standard_normal((7, 5))
    U = V / np.linalg.norm(V, axis=1, keepdims=True)
    G = U @ U.T
    assert self_similarity(V) == pytest.approx(G[~np.eye(7, dtype=bool)].mean(), abs=1e-12)


def test_mev_rank_one_and_isotropic():
    v = np.random.default_rng(2).standard_normal(10)
    assert max_explainable_variance(np.outer(np.arange(1, 5), v)) == pytest.approx(1.0)
    assert max_explainable_variance(np.eye(4)) == pytest.approx(0.25)


def test_loo_nearest_centroid_and_separation():
    rng = np.random.default_rng(3)
    centres = np.eye(8)[:2] * 5
    labels = np.repeat([0, 1], 8)
    Z = centres[labels] + 0.3 * rng.standard_normal((16, 8))
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    assert loo_centroid_hits(Z, labels).all()
    assert sense_separation(Z, labels) > 0.5
    # pure noise: LOO nearest-centroid is biased below chance
    hits = []
    for _ in range(300):
        N = rng.standard_normal((16, 6))
        hits.append(loo_centroid_hits(N / np.linalg.norm(N, axis=1, keepdims=True), labels).mean())
    assert np.mean(hits) < 0.5


def test_random_groups_never_repeat_word_or_sentence():
    words = ["a", "b", "A", "c", "d", "b", "e", "f"]
    sents = ["s1", "s2", "s3", "s1", "s4", "s5", "s6", "s7"]
    groups = random_groups(words, sents, 3)
    for g in groups:
        assert len(g) == 3
        assert len({words[i].lower() for i in g}) == 3 and len({sents[i] for i in g}) == 3
    assert sorted(i for g in groups for i in g) == sorted(set(i for g in groups for i in g))


def _anisotropic(rng, n_words=60, k=6, n_random=600, d=24):
    common = 3.0 * rng.standard_normal(d)
    word_vecs = rng.standard_normal((n_words, d))
    D = common + word_vecs[:, None, :] + 0.8 * rng.standard_normal((n_words, k, d))
    R = common + rng.standard_normal((n_random, d)) * 1.3
    return D, R


def test_adjusted_measures_invariant_to_random_seed():
    """Two draws of the random-word baseline give adjusted values inside each other's CI."""
    rng = np.random.default_rng(5)
    D, R = _anisotropic(rng)
    out = []
    for seed in (0, 1):
        pick = np.random.default_rng(seed).permutation(len(R))[:300]
        words = [f"w{i}" for i in pick]
        sents = [f"s{i}" for i in pick]
        groups = random_groups(words, sents, D.shape[1])
        it = ethayarajh(D, R[pick], groups)
        adj = it["self_similarity"].mean() - it["anisotropy"].mean()
        ci = difference_ci(it["self_similarity"], it["anisotropy"], n_resamples=500, seed=seed)
        mev = it["mev"].mean() - it["mev/baseline"].mean()
        mci = difference_ci(it["mev"], it["mev/baseline"], n_resamples=500, seed=seed)
        out.append((adj, ci, mev, mci))
        assert it["anisotropy"].mean() > 0.5  # the common direction is there
    (a0, c0, m0, mc0), (a1, c1, m1, mc1) = out
    assert c0[0] <= a1 <= c0[1] and c1[0] <= a0 <= c1[1]
    assert mc0[0] <= m1 <= mc0[1] and mc1[0] <= m0 <= mc1[1]


def test_sense_split_is_seeded_and_disjoint():
    words = [f"w{i}" for i in range(33)]
    dev, test = split_sense_words(words, 0)
    assert len(dev) == 16 and len(test) == 17 and not set(dev) & set(test)
    assert split_sense_words(list(reversed(words)), 0) == (dev, test)
    assert split_sense_words(words, 1) != (dev, test)


# ----------------------------------------------------------------- contexts
def test_split_sentences_and_word_spans():
    text = 'He said "Go home." Then he left! Was it 5 p.m.? Yes.\nNew line here.'
    assert split_sentences(text) == ['He said "Go home."', "Then he left!", "Was it 5 p.m.?", "Yes.",
                                     "New line here."]
    s = "The well-known man's dog didn't run 2nd, but Apple ran."
    words = [w for w, _, _ in word_spans(s)]
    assert words == ["The", "dog", "run", "but", "Apple", "ran"]  # glued: well-known, man's, didn't, 2nd
    for w, a, b in word_spans(s):
        assert s[a:b] == w


def test_strip_wiki_markup():
    text = ("'''Anarchism''' is a [[political philosophy|philosophy]] that rejects [[state (polity)|states]]."
            "&lt;ref&gt;note&lt;/ref&gt; {{cite|x={{y}}}} It is [[old]].\n== History ==\n* a list item\n"
            "[[File:x.jpg|thumb|A [[caption]] here]]\nSee [http://example.org the site] now.")
    paras = strip_wiki_markup(text)
    assert paras[0] == "Anarchism is a philosophy that rejects states.  It is old."
    assert paras[1] == "See the site now."
    assert len(paras) == 2


def _corpus(sentences):
    from benchmark.data.contexts import Corpus

    return Corpus(tuple(sentences), {"x": "sha256:0"}, {"x": len(sentences)})


def test_mine_contexts_quota_sharing_and_order():
    c = _corpus(["the cat sat here now.", "a dog ran there.", "the dog and the cat.", "cat cat cat.",
                 "the end of it."])
    got = mine_contexts(["the", "cat", "dog", "zebra"], c, 2)
    assert list(got) == ["the", "cat", "dog", "zebra"]
    assert got["zebra"] == []
    for w, occ in got.items():
        for s, a, b in occ:
            assert s[a:b] == w
    assert [o[0] for o in got["dog"]] == ["a dog ran there.", "the dog and the cat."]
    # "the" is satisfied by sentences already chosen for rarer words: no extra sentence
    used = {o[0] for v in got.values() for o in v}
    assert len(used) == 3 and "the end of it." not in used
    assert got == mine_contexts(["the", "cat", "dog", "zebra"], c, 2)
    with pytest.raises(DataFormatError):
        mine_contexts(["the"], c, 0)


def test_random_occurrences_seeded():
    sents = ["One two three.", "Four five six seven."]
    a = random_occurrences(sents, 20, seed=0)
    assert a == random_occurrences(sents, 20, seed=0) and a != random_occurrences(sents, 20, seed=1)
    for w, s, x, y in a:
        assert s[x:y] == w


def test_load_senses_and_named_errors(tmp_path):
    rows = load_senses()
    assert len(rows) == 528 and {r.word for r in rows} >= {"apple", "bank"}
    bad = tmp_path / "s.jsonl"
    bad.write_text('{"word": "apple", "sense": "fruit", "sentence": "An apple.", "start": 3, "end": 8}\n'
                   '{"word": "apple", "sense": "fruit", "sentence": "An apple.", "start": 3, "end": 80}\n')
    with pytest.raises(DataFormatError, match=r"s\.jsonl:2"):
        load_senses(bad)


def test_real_corpus_is_deterministic():
    from benchmark.data.contexts import corpus_dir, load_corpus

    try:
        corpus_dir()
    except Exception:
        pytest.skip("gensim's test corpora are not installed")
    c = load_corpus()
    assert len(c.sentences) > 10_000 and len(set(c.sentences)) == len(c.sentences)
    assert all(6 <= len(s.split()) <= 40 for s in c.sentences[:2000])
    assert c.describe()["sentences"]["lee_background.cor"] > 1000

"""static_contextual and context_drift: measures, corpus mining, and end-to-end runs on tiny models.

The tiny models are built here, offline (as in ``test_hf_adapter.py``): a random
BERT with a WordPiece vocabulary of frequent English words plus single letters
(every word tokenises), and a random GPT-2 with a byte-level BPE trained on the
mined corpus.  The static side is ``benchmark.adapters.toy.toy_pair``'s source.
"""

from __future__ import annotations

import os
import re

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import pytest

from benchmark.contexts import (
    load_senses,
    mine_contexts,
    random_occurrences,
    split_sentences,
    strip_wiki_markup,
    word_spans,
)
from benchmark.errors import DataFormatError, ShapeError
from benchmark.families.context_drift import (
    ethayarajh,
    loo_centroid_hits,
    max_explainable_variance,
    random_groups,
    self_similarity,
    sense_separation,
    split_sense_words,
)
from benchmark.scoring import cluster_bootstrap_ci, difference_ci


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
    from benchmark.contexts import Corpus

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
    from benchmark.contexts import corpus_dir, load_corpus

    try:
        corpus_dir()
    except Exception:
        pytest.skip("gensim's test corpora are not installed")
    c = load_corpus()
    assert len(c.sentences) > 10_000 and len(set(c.sentences)) == len(c.sentences)
    assert all(6 <= len(s.split()) <= 40 for s in c.sentences[:2000])
    assert c.describe()["sentences"]["lee_background.cor"] > 1000


# ----------------------------------------------------------------- tiny models
torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("tokenizers")
pytest.importorskip("matplotlib")

SMALL_SC = {
    "target_vocab": 300, "min_contexts": 2, "max_contexts": 2, "pooling": "mean", "batch_size": 32,
    "decontext_batch_size": 128, "standardize": True, "search_vocab": 2000, "n_train": 150, "n_dev": 40, "n_test": 80,
    "min_train": 50, "normalization": "unit+center+unit", "csls_k": 10, "ks": (1, 5, 10),
    "isf_betas": (10.0, 30.0), "n_bootstrap": 100,
}
SMALL_CD = {
    "n_words": 20, "n_contexts": 4, "rank_range": (100, 3000), "n_random": 200, "n_shuffles": 5,
    "pooling": "mean", "standardize": True, "batch_size": 32, "decontext_batch_size": 128, "n_bootstrap": 100,
}


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory):
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast, GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    from benchmark.contexts import corpus_dir, load_corpus
    from benchmark.vocabulary import reference_words

    try:
        corpus_dir()
    except Exception:
        pytest.skip("gensim's test corpora are not installed")
    torch.manual_seed(0)
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *".,;:!?'\"()-0123456789"]
    vocab += [w for w in reference_words()[:600] if w not in letters] + letters + ["##" + ch for ch in letters]
    vocab = list(dict.fromkeys(vocab))
    bert_dir = tmp_path_factory.mktemp("cf-bert")
    BertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}, do_lower_case=True).save_pretrained(bert_dir)
    BertModel(BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=512)).save_pretrained(bert_dir)

    gpt_dir = tmp_path_factory.mktemp("cf-gpt2")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(load_corpus().sentences[:3000], vocab_size=1200, min_frequency=2,
                            special_tokens=["<|endoftext|>"])
    bpe.save_model(str(gpt_dir))
    merges = [tuple(ln.split(" ")) for ln in (gpt_dir / "merges.txt").read_text(encoding="utf-8").splitlines()
              if ln and not ln.startswith("#version")]
    GPT2TokenizerFast(vocab=bpe.get_vocab(), merges=merges, unk_token="<|endoftext|>",
                      bos_token="<|endoftext|>", eos_token="<|endoftext|>").save_pretrained(gpt_dir)
    GPT2LMHeadModel(GPT2Config(vocab_size=bpe.get_vocab_size(), n_embd=32, n_layer=2, n_head=2,
                               n_positions=512)).save_pretrained(gpt_dir)
    return {"tiny-bert": bert_dir, "tiny-gpt2": gpt_dir}


@pytest.fixture
def tiny_setup(tiny_dirs, tmp_path, monkeypatch):
    """Register tiny-bert / tiny-gpt2 (contextual), toy-static (static) and two small tasks."""
    from benchmark.adapters.hf import ContextualModel
    from benchmark.adapters.toy import toy_pair
    from benchmark.models import MODELS, ModelSpec, load_model, register_model
    from benchmark.tasks import TASKS, Expectation, Task, register_task

    monkeypatch.setenv("ROSETTA_CACHE_DIR", str(tmp_path / "cache"))
    source, _ = toy_pair(n_words=3000, dim_source=16, dim_target=16, seed=3)
    static = type(source)(name="toy-static", words=source.words, vectors=source.vectors,
                          revision=source.revision, frequency_ordered=True)

    def loader(name):
        return lambda: ContextualModel.from_pretrained(tiny_dirs[name], name=name, device="cpu")

    specs = [ModelSpec("toy-static", "static", lambda: static, "toy", default=False)]
    specs += [ModelSpec(n, "contextual", loader(n), "tiny", default=False) for n in tiny_dirs]
    for s in specs:
        register_model(s)
    tasks = [
        register_task(Task(name="tiny_static_contextual", version="1.0", family="static_contextual",
                           description="tiny", main_metric="p@1/csls", model_kinds=("static", "contextual"),
                           params=dict(SMALL_SC))),
        register_task(Task(name="tiny_context_drift", version="1.0", family="context_drift",
                           description="tiny", main_metric="sense/accuracy", model_kinds=("contextual",),
                           params=dict(SMALL_CD),
                           expectations=(Expectation("sense/accuracy", minimum=0.0),))),
    ]
    load_model.cache_clear()
    yield tasks
    for s in specs:
        MODELS.unregister(s.name)
    for t in tasks:
        TASKS.unregister(t.name)
    load_model.cache_clear()


SC_KEYS = ("p@1/nn", "p@1/csls", "p@1/isf", "residual", "coverage", "p@1/csls:ci_low", "p@1/csls:ci_high",
           "baseline/shuffled/p@1/csls", "decontextualized/p@1/csls", "input/p@1/csls")
CD_KEYS = ("self_similarity", "anisotropy", "self_similarity/adjusted", "mev", "mev/baseline", "mev/adjusted",
           "sense/accuracy", "sense/accuracy:ci_low", "sense/baseline/shuffled", "sense/separation",
           "drift/anchor_cos", "drift/sense_gap", "sense/ci_separation", "self_similarity/adjusted:ci_low",
           "z/self_similarity/adjusted", "z/self_similarity/adjusted:ci_high")


def test_families_run_end_to_end_and_render(tiny_setup, tmp_path):
    from benchmark.results import read_results
    from benchmark.runner import plan_items, run

    items = plan_items(tiny_setup, ["toy-static", "tiny-bert", "tiny-gpt2"])
    assert sorted(i.id for i in items) == sorted([
        "tiny_static_contextual[toy-static->tiny-bert]", "tiny_static_contextual[toy-static->tiny-gpt2]",
        "tiny_context_drift[tiny-bert]", "tiny_context_drift[tiny-gpt2]"])
    out = tmp_path / "lb"
    summary = run(items, out_dir=out, seed=0, progress=False)
    assert len(summary.computed) == 4
    results = {r.item_id: r for r in read_results(out / "results")}
    for model in ("tiny-bert", "tiny-gpt2"):
        sc = results[f"tiny_static_contextual[toy-static->{model}]"]
        for key in SC_KEYS:
            assert key in sc.metrics, key
        assert sc.sizes["dev"] == 40 and sc.sizes["test"] == 80 and sc.sizes["layers"] == 3
        assert sc.sizes["train"] == min(150, sc.sizes["shared_words"] - 120)  # shrinks for tiny-gpt2's BPE
        curves = sc.details["curves"]
        assert [pt["layer"] for pt in curves["pooled"]] == [0, 1, 2] and len(curves["input"]) == 1
        best = sc.details["layer"]
        assert curves["pooled"][best]["dev/p@1/csls"] == max(pt["dev/p@1/csls"] for pt in curves["pooled"])
        # the headline at the chosen layer is the curve's test value (same split, same map)
        assert sc.metrics["p@1/csls"] == pytest.approx(curves["pooled"][best]["p@1/csls"])
        assert sc.metrics["residual"] == pytest.approx(curves["pooled"][best]["residual"])
        assert 0.0 <= sc.metrics["coverage"] <= 1.0

        cd = results[f"tiny_context_drift[{model}]"]
        for key in CD_KEYS:
            assert key in cd.metrics, key
        assert len(cd.details["layers"]) == 3 and cd.sizes["sense_words_test"] == 17
        lb = cd.details["layer"]
        assert cd.details["layers"][lb]["dev/sense/accuracy"] == max(
            pt["dev/sense/accuracy"] for pt in cd.details["layers"])
        assert cd.metrics["self_similarity/adjusted"] == pytest.approx(
            cd.metrics["self_similarity"] - cd.metrics["anisotropy"])
        assert cd.status == "passed"
        # sense CIs resample whole test words: the stored per-word counts reproduce them
        per_word = cd.details["sense_per_word"]
        assert sorted(per_word) == cd.details["sense_split"]["test"]
        hits = np.concatenate([[1.0] * c + [0.0] * (n - c) for c, n in per_word.values()])
        labels = np.concatenate([[w] * n for w, (_, n) in per_word.items()])
        assert hits.mean() == pytest.approx(cd.metrics["sense/accuracy"])
        ci = cluster_bootstrap_ci(hits, labels, n_resamples=SMALL_CD["n_bootstrap"], seed=0)
        assert ci == pytest.approx((cd.metrics["sense/accuracy:ci_low"], cd.metrics["sense/accuracy:ci_high"]))

    summary = (out / "README.md").read_text(encoding="utf-8")
    assert "](tasks/tiny_static_contextual.md)" in summary and "](tasks/tiny_context_drift.md)" in summary
    page = "\n".join((out / "tasks" / f"{t}.md").read_text(encoding="utf-8")
                     for t in ("tiny_static_contextual", "tiny_context_drift"))
    for name in ("tiny_static_contextual__toy-static__tiny-bert.png", "tiny_context_drift__tiny-gpt2.png"):
        assert f"(../plots/{name})" in page
        png = out / "plots" / name
        assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "## tiny_static_contextual (v1.0)" in page and "## tiny_context_drift (v1.0)" in page
    assert re.search(r"\| #\s+\| models\s+\| layer\s+\| P@1 NN ↑", page)
    assert re.search(r"\| #\s+\| model\s+\| layer\s+\| sense acc. ↑", page)
    assert "dev P@1 CSLS" in page and "adj. self-sim." in page and "Protocol" in page

    # the page and its plots are a pure function of the Result files
    from benchmark.leaderboard import write_leaderboard

    before = {p.name: p.read_bytes() for p in (out / "plots").iterdir()}
    page2 = write_leaderboard(out, tmp_path / "again" / "README.md")
    assert page2.read_text(encoding="utf-8") == summary
    for t in ("tiny_static_contextual", "tiny_context_drift"):
        assert (tmp_path / "again" / "tasks" / f"{t}.md").read_bytes() == (out / "tasks" / f"{t}.md").read_bytes()
    assert {p.name: p.read_bytes() for p in (tmp_path / "again" / "plots").iterdir()} == before

    # same seed, same numbers (extraction comes back from the disk cache)
    again = run(items, out_dir=tmp_path / "lb2", seed=0, progress=False)
    for r in again.computed:
        assert r.metrics == results[r.item_id].metrics


def test_wrong_model_kinds_are_named_errors(tiny_setup):
    from benchmark.families.context_drift import evaluate as cd_eval
    from benchmark.families.static_contextual import evaluate as sc_eval
    from benchmark.models import load_model

    static = load_model("toy-static")
    with pytest.raises(ShapeError, match="contextual"):
        cd_eval(tiny_setup[1], [static], seed=0)
    with pytest.raises(ShapeError, match="static model, contextual model"):
        sc_eval(tiny_setup[0], [static, static], seed=0)

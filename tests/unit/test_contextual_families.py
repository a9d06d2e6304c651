"""static_contextual and context_drift end to end on tiny models (the measures: test_context_measures.py).

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

from benchmark.errors import TaskError
from benchmark.scoring import cluster_bootstrap_ci

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

    from benchmark.data.contexts import corpus_dir, load_corpus
    from benchmark.data.vocabulary import reference_words

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
    from benchmark.adapters.hf import TransformersModel
    from benchmark.adapters.toy import toy_pair
    from benchmark.models import MODELS, ModelSpec, load_model, register_model
    from benchmark.tasks import TASKS, Expectation, Task, register_task

    monkeypatch.setenv("ROSETTA_CACHE_DIR", str(tmp_path / "cache"))
    source, _ = toy_pair(n_words=3000, dim_source=16, dim_target=16, seed=3)
    static = type(source)(name="toy-static", words=source.words, vectors=source.vectors,
                          revision=source.revision, frequency_ordered=True)

    def loader(name):
        return lambda: TransformersModel.from_pretrained(tiny_dirs[name], name=name, device="cpu")

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
    from benchmark.run.results import read_results
    from benchmark.run.runner import plan_items, run

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
    from benchmark.report.leaderboard import write_leaderboard

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
    from benchmark.families.context_drift.evaluate import evaluate as cd_eval
    from benchmark.families.static_contextual.evaluate import evaluate as sc_eval
    from benchmark.models import load_model

    static = load_model("toy-static")
    with pytest.raises(TaskError, match="needs a contextual model .* 'toy-static'"):
        cd_eval(tiny_setup[1], [static], seed=0)
    with pytest.raises(TaskError, match="needs a contextual model"):
        sc_eval(tiny_setup[0], [static, static], seed=0)
    with pytest.raises(TaskError, match="needs a static model"):
        sc_eval(tiny_setup[0], [load_model("tiny-bert"), load_model("tiny-bert")], seed=0)


def test_transformers_models_provide_the_contextual_contract(tiny_setup):
    from benchmark.adapters.base import ContextualModel
    from benchmark.models import load_model
    from benchmark.testing import check_adapter

    for name in ("tiny-bert", "tiny-gpt2"):
        model = load_model(name)
        assert isinstance(model, ContextualModel)
        check_adapter(model)

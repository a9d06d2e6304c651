"""TransformersModel on tiny random BERT / GPT-2 / SentencePiece-style models built locally.

No download ever: tokenizers are trained (or written) here, models are random
configs saved with ``save_pretrained`` to temp folders and loaded back through
``TransformersModel.from_pretrained``.  Also checks ``datasets/contexts/senses.jsonl``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SENSES = REPO / "datasets" / "contexts" / "senses.jsonl"

from benchmark.errors import BenchmarkError, ModelLoadError, ShapeError, UnknownNameError  # noqa: E402


# --------------------------------------------------------------------- data
def _senses():
    rows = []
    with open(SENSES, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            assert line.strip(), f"{SENSES}:{lineno}: blank line"
            rows.append((lineno, json.loads(line)))
    return rows


def test_senses_lines_parse_and_spans_are_exact():
    rows = _senses()
    for lineno, r in rows:
        where = f"{SENSES.name}:{lineno}"
        assert set(r) == {"word", "sense", "sentence", "start", "end"}, where
        assert isinstance(r["word"], str) and r["word"] == r["word"].lower() and r["word"].isalpha(), where
        assert isinstance(r["sense"], str) and r["sense"], where
        s, a, b = r["sentence"], r["start"], r["end"]
        assert isinstance(a, int) and isinstance(b, int) and 0 <= a < b <= len(s), where
        surface = s[a:b]
        stem = r["word"] if len(r["word"]) <= 3 else r["word"][:-1]
        assert surface.lower().startswith(stem), f"{where}: {surface!r} is not a form of {r['word']!r}"
        assert surface.isalpha(), where
        assert a == 0 or not s[a - 1].isalnum(), f"{where}: span starts inside a word"
        assert b == len(s) or not s[b].isalnum(), f"{where}: span ends inside a word"


def test_senses_counts():
    rows = [r for _, r in _senses()]
    per_sense = Counter((r["word"], r["sense"]) for r in rows)
    senses_per_word = Counter(w for w, _ in per_sense)
    assert len(senses_per_word) >= 30
    assert min(senses_per_word.values()) >= 2
    assert min(per_sense.values()) >= 8
    for must in ("apple", "bank"):
        assert must in senses_per_word
    assert {s for w, s in per_sense if w == "apple"} >= {"fruit", "company"}
    assert {s for w, s in per_sense if w == "bank"} >= {"finance", "river"}
    sentences = [r["sentence"] for r in rows]
    assert len(set(sentences)) == len(sentences), "duplicate sentences"


def test_datasets_has_no_python():
    assert not list((REPO / "datasets").rglob("*.py"))


def test_import_is_light():
    code = ("import sys, benchmark.adapters.hf, benchmark.adapters.hf.cache; "
            "bad = [m for m in ('torch', 'transformers') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# ----------------------------------------------------------- tiny models
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from benchmark.adapters.hf import TransformersModel  # noqa: E402
from benchmark.adapters.hf.cache import EmbeddingCache  # noqa: E402

BERT_VOCAB = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
    "i", "ate", "an", "apple", "then", "slept", "the", "straw", "##berry", "##berries", "were",
    "was", "ripe", "bank", "river", "on", "sat", "he", "she", "a", "money", "by", "and", "pie",
    "sweet", "is", "it", "##s", "runs", "fast", "cat", "dog", "red", "big", "caf", "##é",
    ",", ".", "!", "'", "1", "##ing",
    # single letters, so every plain word has a spelling (the load-time tokenizer check refuses a tokenizer
    # that maps most common English words to [UNK]); appended, so the ids above are unchanged
    *"bcdefghjklmnopqrstuvwxyz", *(f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz"),
]

CORPUS = [
    "I ate an apple, then slept.",
    "The apple was ripe and sweet.",
    "She sat on the river bank.",
    "He put money in the bank.",
    "An apple pie is sweet.",
    "The big red apple sat on the bank.",
    "A dog and a cat ran by the river.",
] * 20 + ["Strawberries were ripe in the café."]


@pytest.fixture(scope="session")
def tiny_dirs(tmp_path_factory):
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast, GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    torch.manual_seed(0)
    # --- BERT + hand-written WordPiece vocab
    bert_dir = tmp_path_factory.mktemp("tiny-bert")
    vocab_file = bert_dir / "vocab.txt"
    vocab_file.write_text("\n".join(BERT_VOCAB) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab={t: i for i, t in enumerate(BERT_VOCAB)}, do_lower_case=True).save_pretrained(bert_dir)
    bert_cfg = BertConfig(vocab_size=len(BERT_VOCAB), hidden_size=32, num_hidden_layers=2,
                          num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    BertModel(bert_cfg).save_pretrained(bert_dir)  # left in train mode on purpose: the adapter must .eval()

    # --- GPT-2 + locally trained byte-level BPE
    gpt_dir = tmp_path_factory.mktemp("tiny-gpt2")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=330, min_frequency=2, special_tokens=["<|endoftext|>"])
    bpe.save_model(str(gpt_dir))
    merges = [tuple(ln.split(" ")) for ln in (gpt_dir / "merges.txt").read_text(encoding="utf-8").splitlines()
              if ln and not ln.startswith("#version")]
    GPT2TokenizerFast(vocab=bpe.get_vocab(), merges=merges, unk_token="<|endoftext|>",
                      bos_token="<|endoftext|>", eos_token="<|endoftext|>").save_pretrained(gpt_dir)
    gpt_cfg = GPT2Config(vocab_size=bpe.get_vocab_size(), n_embd=32, n_layer=2, n_head=2, n_positions=64)
    GPT2LMHeadModel(gpt_cfg).save_pretrained(gpt_dir)
    return {"bert": bert_dir, "gpt2": gpt_dir}


@pytest.fixture(autouse=True)
def _isolated_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("ROSETTA_CACHE_DIR", str(tmp_path / "rosetta-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def load(tiny_dirs, kind, cache=False, tmp=None, **kw):
    model = TransformersModel.from_pretrained(tiny_dirs[kind], name=f"tiny-{kind}", device="cpu", **kw)
    if not cache:
        model.cache = None
    elif tmp is not None:
        model.cache = EmbeddingCache(tmp)
    return model


@pytest.fixture(scope="session")
def bert(tiny_dirs):
    m = TransformersModel.from_pretrained(tiny_dirs["bert"], name="tiny-bert", device="cpu")
    m.cache = None
    return m


@pytest.fixture(scope="session")
def gpt2(tiny_dirs):
    m = TransformersModel.from_pretrained(tiny_dirs["gpt2"], name="tiny-gpt2", device="cpu")
    m.cache = None
    return m


def reference(model, sentence):
    """Hidden states (L, T, D) and tokens, straight from transformers."""
    enc = model.tokenizer(sentence, return_tensors="pt")
    with torch.no_grad():
        out = model._model.base_model(**enc, output_hidden_states=True)
    hs = torch.stack(out.hidden_states, 0)[:, 0].numpy()
    return hs, model.tokenizer.convert_ids_to_tokens(enc["input_ids"][0])


# -------------------------------------------------------------- loading
def test_load_attributes(bert, gpt2):
    assert (bert.architecture, bert.num_layers, bert.dim) == ("encoder", 3, 32)
    assert (gpt2.architecture, gpt2.num_layers, gpt2.dim) == ("causal", 3, 32)
    for m in (bert, gpt2):
        assert m.revision.startswith("sha256:") and len(m.revision) == 7 + 64
        assert not m._model.training
        assert m.device == "cpu"
        assert m.tokenizer.is_fast


def test_architecture_override_and_errors(tiny_dirs, tmp_path):
    m = load(tiny_dirs, "gpt2", architecture="encoder")
    assert m.architecture == "encoder" and m.num_layers == 3
    with pytest.raises(UnknownNameError):
        load(tiny_dirs, "bert", architecture="seq2seq")
    with pytest.raises(UnknownNameError):
        TransformersModel.from_pretrained(tiny_dirs["bert"], name="x", device="tpu")
    with pytest.raises(ModelLoadError, match="'missing'"):
        TransformersModel.from_pretrained(tmp_path / "nope", name="missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelLoadError, match="'empty-model'"):
        TransformersModel.from_pretrained(empty, name="empty-model")


def test_hub_id_offline_is_a_named_error():
    with pytest.raises(ModelLoadError, match="no-such-org/no-such-model"):
        TransformersModel.from_pretrained("no-such-org/no-such-model", name="hub-model", device="cpu")


def test_revision_tracks_files(tiny_dirs, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_dirs["bert"], copy)
    a = TransformersModel.from_pretrained(copy, name="a", device="cpu").revision
    assert a == load(tiny_dirs, "bert").revision
    (copy / "vocab.txt").write_text("\n".join(BERT_VOCAB + ["extra"]) + "\n")
    assert TransformersModel.from_pretrained(copy, name="a", device="cpu").revision != a


# ---------------------------------------------------------- extraction
def test_shapes_dtypes_and_layers(bert, gpt2):
    occ = [("I ate an apple, then slept.", 9, 14), ("The apple was ripe.", 4, 9)]
    for m in (bert, gpt2):
        v = m.embed_occurrences(occ)
        assert v.shape == (2, m.num_layers, m.dim) and v.dtype == np.float32
        assert np.isfinite(v).all()
        sel = m.embed_occurrences(occ, layers=[0, -1])
        np.testing.assert_array_equal(sel[:, 0], v[:, 0])
        np.testing.assert_array_equal(sel[:, 1], v[:, m.num_layers - 1])
        assert m.embed_occurrences(occ, layers=1).shape == (2, 1, m.dim)
        with pytest.raises(ShapeError, match="out of range"):
            m.embed_occurrences(occ, layers=[m.num_layers])
        with pytest.raises(ShapeError):
            m.embed_occurrences(occ, layers=[])
        assert m.embed_occurrences([]).shape == (0, m.num_layers, m.dim)


def test_bert_span_matches_reference_punctuation_and_case(bert):
    s = "I ate an apple, then slept."
    hs, toks = reference(bert, s)
    assert toks[4] == "apple" and toks[5] == ","
    v = bert.embed_occurrences([(s, 9, 14)])[0]
    np.testing.assert_allclose(v, hs[:, 4], atol=1e-5)
    # casing: "Apple" lower-cased by the tokenizer, offsets still point at the surface span
    s2 = "Apple was ripe."
    hs2, toks2 = reference(bert, s2)
    assert toks2[1] == "apple"
    np.testing.assert_allclose(bert.embed_occurrences([(s2, 0, 5)])[0], hs2[:, 1], atol=1e-5)
    # the comma alone is its own token
    np.testing.assert_allclose(bert.embed_occurrences([(s, 14, 15)])[0], hs[:, 5], atol=1e-5)


def test_bert_multipiece_pooling(bert):
    s = "The strawberries were ripe."
    hs, toks = reference(bert, s)
    assert toks[2:4] == ["straw", "##berries"]
    occ = [(s, 4, 16)]
    mean = bert.embed_occurrences(occ, pooling="mean")[0]
    first = bert.embed_occurrences(occ, pooling="first")[0]
    last = bert.embed_occurrences(occ, pooling="last")[0]
    np.testing.assert_allclose(first, hs[:, 2], atol=1e-5)
    np.testing.assert_allclose(last, hs[:, 3], atol=1e-5)
    np.testing.assert_allclose(mean, hs[:, 2:4].mean(1), atol=1e-5)
    assert not np.allclose(first, last)
    # a partial span inside one piece still maps to that piece
    np.testing.assert_allclose(bert.embed_occurrences([(s, 9, 12)])[0], hs[:, 3], atol=1e-5)
    # single-piece word: all poolings agree
    one = [("The apple was ripe.", 4, 9)]
    a = [bert.embed_occurrences(one, pooling=p) for p in ("mean", "first", "last")]
    np.testing.assert_allclose(a[0], a[1], atol=1e-6)
    np.testing.assert_allclose(a[0], a[2], atol=1e-6)
    with pytest.raises(UnknownNameError, match="pooling"):
        bert.embed_occurrences(one, pooling="max")


def test_special_tokens_never_pooled(bert):
    # a span over the whole sentence pools every real token but not [CLS]/[SEP]
    s = "I ate an apple."
    hs, toks = reference(bert, s)
    assert toks[0] == "[CLS]" and toks[-1] == "[SEP]"
    v = bert.embed_occurrences([(s, 0, len(s))])[0]
    np.testing.assert_allclose(v, hs[:, 1:-1].mean(1), atol=1e-5)


def test_gpt2_word_at_position_zero_and_leading_space(gpt2):
    s = "apple pie is sweet."
    hs, toks = reference(gpt2, s)
    # no leading space at position 0: the first token(s) spell "apple" without the Ġ marker
    k = next(i for i in range(1, len(toks) + 1) if "".join(toks[:i]) == "apple")
    assert not toks[0].startswith("Ġ")
    v = gpt2.embed_occurrences([(s, 0, 5)])[0]
    np.testing.assert_allclose(v, hs[:, :k].mean(1), atol=1e-5)

    s2 = "I ate an apple, then slept."
    hs2, toks2 = reference(gpt2, s2)
    i_apple = toks2.index("Ġapple")
    i_an = toks2.index("Ġan")
    np.testing.assert_allclose(gpt2.embed_occurrences([(s2, 9, 14)])[0], hs2[:, i_apple], atol=1e-5)
    # "an" must not pick up the following "Ġapple" whose offsets may include the space
    np.testing.assert_allclose(gpt2.embed_occurrences([(s2, 6, 8)])[0], hs2[:, i_an], atol=1e-5)
    # the same word at position 0 and mid-sentence tokenises differently
    assert toks[0] != "Ġapple"


def test_gpt2_multipiece_word(gpt2):
    s = "Strawberries were ripe in the café."
    hs, toks = reference(gpt2, s)
    n_pieces = len(gpt2.tokenizer.tokenize("Strawberries"))
    assert n_pieces > 1
    first = gpt2.embed_occurrences([(s, 0, 12)], pooling="first")[0]
    last = gpt2.embed_occurrences([(s, 0, 12)], pooling="last")[0]
    mean = gpt2.embed_occurrences([(s, 0, 12)])[0]
    np.testing.assert_allclose(first, hs[:, 0], atol=1e-5)
    np.testing.assert_allclose(last, hs[:, n_pieces - 1], atol=1e-5)
    np.testing.assert_allclose(mean, hs[:, :n_pieces].mean(1), atol=1e-5)
    # a non-ASCII word ("café": bytes of é are separate byte-level pieces) maps too
    i = s.index("café")
    assert gpt2.embed_occurrences([(s, i, i + 4)]).shape == (1, 3, 32)


SENTS = [
    ("I ate an apple, then slept.", 9, 14),
    ("The big red apple sat on the bank.", 12, 17),
    ("She sat on the river bank.", 21, 25),
    ("He put money in the bank.", 20, 24),
    ("An apple pie is sweet.", 3, 8),
    ("A dog and a cat ran by the river.", 2, 5),
    ("The apple was ripe and sweet.", 4, 9),
    ("I ate an apple, then slept.", 0, 1),  # shares a sentence with occurrence 0
    ("Strawberries were ripe in the café.", 0, 12),
    ("apple pie is sweet.", 0, 5),
]


@pytest.mark.parametrize("kind", ["bert", "gpt2"])
def test_batching_and_sorting_match_one_by_one(kind, request):
    m = request.getfixturevalue(kind)
    batched = m.embed_occurrences(SENTS, batch_size=3)
    single = np.stack([m.embed_occurrences([o], batch_size=1)[0] for o in SENTS])
    np.testing.assert_allclose(batched, single, atol=1e-5, rtol=1e-5)
    rev = m.embed_occurrences(SENTS[::-1], batch_size=4)
    np.testing.assert_allclose(rev[::-1], batched, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", ["bert", "gpt2"])
def test_deterministic_across_loads(kind, tiny_dirs):
    a = load(tiny_dirs, kind).embed_occurrences(SENTS)
    b = load(tiny_dirs, kind).embed_occurrences(SENTS)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["bert", "gpt2"])
def test_bad_spans_are_named_errors(kind, request):
    m = request.getfixturevalue(kind)
    with pytest.raises(ShapeError, match=rf"occurrence 1: span \(10, 15\) is out of range .* model 'tiny-{kind}'"):
        m.embed_occurrences([SENTS[0], ("too short", 10, 15)])
    with pytest.raises(ShapeError, match=r"occurrence 0: span \(3, 3\)"):
        m.embed_occurrences([("abcdef", 3, 3)])
    with pytest.raises(ShapeError, match=rf"occurrence 0: span \(5, 6\) of ' ' maps to no token in model 'tiny-{kind}'"):
        m.embed_occurrences([("I ate an apple", 5, 6)])
    with pytest.raises(ShapeError, match="occurrence 2"):
        m.embed_occurrences([SENTS[0], SENTS[1], ("x", "0", 1)])
    with pytest.raises(ShapeError, match="occurrence 0"):
        m.embed_occurrences([("only two",)])
    with pytest.raises(ShapeError, match="positions of model"):
        m.embed_occurrences([("apple " * 80, 0, 5)])
    assert isinstance(ShapeError("x"), BenchmarkError)


def test_decontextualized(bert, gpt2):
    for m in (bert, gpt2):
        d = m.decontextualized(["apple", "bank", "strawberries"])
        assert d.shape == (3, m.num_layers, m.dim) and d.dtype == np.float32
        np.testing.assert_allclose(d[0], m.embed_occurrences([("apple", 0, 5)])[0], atol=1e-6)
        assert not np.allclose(d[0], d[1])
        with pytest.raises(ShapeError, match="word 1"):
            m.decontextualized(["apple", " "])
        spaced = m.decontextualized(["apple", "bank"], leading_space=True, layers=[0, -1])
        np.testing.assert_array_equal(spaced, m.embed_occurrences([(" apple", 1, 6), (" bank", 1, 5)], layers=[0, -1]))
        with pytest.raises(ShapeError, match="word 0"):
            m.decontextualized([""], leading_space=True)
    # WordPiece tokenises " apple" and "apple" alike
    np.testing.assert_allclose(bert.decontextualized(["apple"], leading_space=True),
                               bert.decontextualized(["apple"]), atol=1e-6)


def test_context_pooled(bert):
    contexts = {
        "apple": [SENTS[0], SENTS[1], SENTS[4], SENTS[6]],
        "nothing": [],
        "bank": [SENTS[2], SENTS[3]],
    }
    words, vecs = bert.context_pooled(contexts, max_contexts=3, layers=[0, 2])
    assert words == ["apple", "bank"]
    assert vecs.shape == (2, 2, 32) and vecs.dtype == np.float32
    each = bert.embed_occurrences(SENTS[:7], layers=[0, 2])
    np.testing.assert_allclose(vecs[0], each[[0, 1, 4]].mean(0), atol=1e-5)
    np.testing.assert_allclose(vecs[1], each[[2, 3]].mean(0), atol=1e-5)
    assert bert.context_pooled({}, max_contexts=2)[1].shape == (0, 3, 32)
    with pytest.raises(ShapeError, match="max_contexts"):
        bert.context_pooled(contexts, max_contexts=0)
    with pytest.raises(ShapeError, match="word 'bad'"):
        bert.context_pooled({"bad": [("short", 0, 50)]})


# ------------------------------------------------------------ input embeddings
def test_input_embeddings_wordpiece(bert):
    emb = bert.input_embeddings()
    assert emb.name == "tiny-bert" and emb.revision == bert.revision
    assert emb.frequency_ordered is False and emb.vectors.dtype == np.float32
    words = set(emb.words)
    assert {"apple", "straw", "bank", "caf"} <= words
    assert not any(w.startswith("##") for w in emb.words)
    assert "berry" not in words and "berries" not in words  # only ## continuation pieces exist
    assert not words & {"[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]", ",", ".", "1", "'"}
    assert all(w.isalpha() for w in emb.words)
    weight = bert._model.get_input_embeddings().weight.detach().numpy()
    np.testing.assert_array_equal(emb.vector("apple"), weight[BERT_VOCAB.index("apple")])


def test_input_embeddings_byte_level(gpt2):
    emb = gpt2.input_embeddings()
    vocab = gpt2.tokenizer.get_vocab()
    assert "Ġapple" in vocab and "apple" in emb.words
    assert not any("Ġ" in w for w in emb.words)
    assert all(w.isalpha() for w in emb.words)
    assert len(set(emb.words)) == len(emb.words)
    weight = gpt2._model.get_input_embeddings().weight.detach().numpy()
    np.testing.assert_array_equal(emb.vector("apple"), weight[vocab["Ġapple"]])
    # tokens without Ġ are word-internal / sentence-initial pieces, not words
    inner = [t for t in vocab if not t.startswith("Ġ") and t.isalpha() and "Ġ" + t not in vocab]
    assert inner and not set(inner) & set(emb.words)


def test_sentencepiece_style_tokenizer(tmp_path):
    """A Metaspace (▁word) BPE tokenizer: input_embeddings strips ▁; offsets still work."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=200, special_tokens=["<pad>", "<unk>", "<s>"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>", bos_token="<s>")
    torch.manual_seed(1)
    model = BertModel(BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=16, num_hidden_layers=1,
                                 num_attention_heads=2, intermediate_size=32, max_position_embeddings=64))
    m = TransformersModel(model, fast, name="tiny-sp", revision="test", architecture="encoder", device="cpu")
    emb = m.input_embeddings()
    vocab = fast.get_vocab()
    assert "▁apple" in vocab and "apple" in emb.words
    assert not any("▁" in w for w in emb.words) and "<pad>" not in emb.words
    np.testing.assert_array_equal(emb.vector("apple"), model.get_input_embeddings().weight.detach().numpy()[vocab["▁apple"]])
    s = "I ate an apple then slept"  # Metaspace alone does not split punctuation off
    enc = fast(s)
    toks = fast.convert_ids_to_tokens(enc["input_ids"])
    with torch.no_grad():
        hs = torch.stack(model(**fast(s, return_tensors="pt"), output_hidden_states=True).hidden_states)[:, 0]
    np.testing.assert_allclose(m.embed_occurrences([(s, 9, 14)])[0], hs[:, toks.index("▁apple")].numpy(), atol=1e-5)
    np.testing.assert_allclose(m.embed_occurrences([(s, 6, 8)])[0], hs[:, toks.index("▁an")].numpy(), atol=1e-5)


def test_slow_tokenizer_rejected(tiny_dirs):
    from transformers import BertModel

    class SlowTokenizer:  # transformers 5 has no slow BERT tokenizer left; any non-fast one is refused
        is_fast = False

    slow = SlowTokenizer()
    model = BertModel.from_pretrained(tiny_dirs["bert"], local_files_only=True)
    with pytest.raises(ModelLoadError, match="fast"):
        TransformersModel(model, slow, name="slow", revision="r", architecture="encoder", device="cpu")


# ------------------------------------------------------------------ cache
def test_cache_hit_skips_forward(tiny_dirs, tmp_path):
    m = load(tiny_dirs, "bert", cache=True, tmp=tmp_path / "c")
    a = m.embed_occurrences(SENTS, batch_size=4)
    n = m.forward_batches
    assert n > 0
    b = m.embed_occurrences(SENTS, batch_size=4)
    assert m.forward_batches == n
    np.testing.assert_array_equal(a, b)
    # batch size is part of the key: other padded batches agree only up to float rounding
    c = m.embed_occurrences(SENTS, batch_size=2)
    assert m.forward_batches > n
    np.testing.assert_allclose(c, a, rtol=1e-5, atol=1e-6)
    n = m.forward_batches
    # a different pooling / layer set / input is a different entry
    m.embed_occurrences(SENTS, pooling="first")
    assert m.forward_batches > n
    n = m.forward_batches
    m.embed_occurrences(SENTS, layers=[1])
    assert m.forward_batches > n
    n = m.forward_batches
    m.decontextualized(["apple", "bank"])
    m.context_pooled({"apple": [SENTS[0], SENTS[1]]})
    n2 = m.forward_batches
    assert n2 > n
    m.decontextualized(["apple", "bank"])
    m.context_pooled({"apple": [SENTS[0], SENTS[1]]})
    assert m.forward_batches == n2
    # a second model object on the same files and cache folder hits too
    m2 = load(tiny_dirs, "bert", cache=True, tmp=tmp_path / "c")
    np.testing.assert_array_equal(m2.embed_occurrences(SENTS, batch_size=4), a)
    assert m2.forward_batches == 0
    # a different model (revision) on the same folder misses
    g = load(tiny_dirs, "gpt2", cache=True, tmp=tmp_path / "c")
    g.embed_occurrences(SENTS)
    assert g.forward_batches > 0


def test_default_cache_location(tiny_dirs, tmp_path, monkeypatch):
    monkeypatch.setenv("ROSETTA_CACHE_DIR", str(tmp_path / "env-cache"))
    m = TransformersModel.from_pretrained(tiny_dirs["bert"], name="tiny-bert", device="cpu")
    assert m.cache.root == tmp_path / "env-cache" / "embeddings"
    m.embed_occurrences(SENTS[:2])
    assert list((tmp_path / "env-cache" / "embeddings").rglob("*.npy"))
    m3 = TransformersModel.from_pretrained(tiny_dirs["bert"], name="tiny-bert", device="cpu",
                                         cache_dir=tmp_path / "explicit")
    assert m3.cache.root == tmp_path / "explicit" / "embeddings"


@pytest.mark.parametrize("kind", ["bert", "gpt2"])
def test_static_embeddings_views(kind, request):
    model = request.getfixturevalue(kind)
    assert model.static_embeddings(source="input").words == model.input_embeddings().words
    assert model.input_embeddings() is model.input_embeddings()  # read once per loaded model
    from benchmark.data.vocabulary import reference_words

    view = {"source": "decontextualized", "max_words": 20, "tail_stride": 5000, "extra_words": ["zebra"]}
    last = model.static_embeddings(layer="last", **view)
    assert last.name == f"{model.name}@{model.num_layers - 1}" and last.vectors.dtype == np.float32
    # the 20 most frequent reference words, every 5000th after them (any tokenisation), then the extras
    ref = reference_words()
    assert last.words == tuple(dict.fromkeys([*ref[:20], *ref[20::5000], "zebra"]))
    mid = model.static_embeddings(layer="mid", **view)
    assert mid.words == last.words and not np.array_equal(mid.vectors, last.vectors)
    alone = model.embed_occurrences([(" zebra", 1, 6)], layers=[model.num_layers - 1])[0, 0]
    np.testing.assert_allclose(last.vector("zebra"), alone, rtol=1e-5, atol=1e-6)
    with pytest.raises(ShapeError, match=r"layer 99 is not in 0\.\."):
        model.static_embeddings(source="decontextualized", layer=99)
    with pytest.raises(ShapeError, match="tail_stride must be an integer >= 1"):
        model.static_embeddings(source="decontextualized", tail_stride=0)
    with pytest.raises(UnknownNameError, match="static_embeddings source 'output'"):
        model.static_embeddings(source="output")


def test_gemma_conversion_parses_each_gguf_once(monkeypatch, tmp_path):
    gguf = pytest.importorskip("gguf")
    from benchmark.adapters.hf.packaged import _one_gguf_reader

    made = []

    class Reader:
        def __init__(self, path, mode="r"):
            made.append((path, mode))

    monkeypatch.setattr(gguf, "GGUFReader", Reader)
    a, b = tmp_path / "a.gguf", tmp_path / "b.gguf"
    with _one_gguf_reader():
        first = gguf.GGUFReader(str(a))
        assert gguf.GGUFReader(a) is first  # the same file, however it is named
        assert gguf.GGUFReader(str(b)) is not first
        assert gguf.GGUFReader(str(a), "r+") is not gguf.GGUFReader(str(a), "r+")  # a writable map is never shared
    assert gguf.GGUFReader is Reader
    assert len(made) == 4


def test_perf_view_rows_compare_both_batch_sizes(tiny_dirs, monkeypatch):
    import benchmark.data.vocabulary as vocabulary
    from benchmark.perf.contextual import _view_batches

    words = [w for s in CORPUS[:7] for w in s.strip(".").replace(",", "").split()] * 6
    monkeypatch.setattr(vocabulary, "reference_words", lambda: tuple(dict.fromkeys(words)) + tuple(
        f"{w}{i}" for i, w in enumerate(words)))
    rows = _view_batches(load(tiny_dirs, "gpt2"), 60, 1)
    assert [r[0].split(",")[0].strip() for r in rows] == ["(c) view", "batch 256 (VIEW_BATCH_SIZE)", "speed-up"]
    assert "60 words" in rows[0][0]
    assert float(rows[2][1]) > 0
    assert float(rows[2][2]) < 1e-5  # the same vectors up to float rounding

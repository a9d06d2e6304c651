"""A Hugging Face folder whose tokenizer cannot represent the words is refused at load, with one named line.

Tiny random BERT models are saved to temp folders with hand-written WordPiece vocabularies:
none at all (transformers would build a tokenizer of special tokens only), special tokens
only, and a few junk tokens (every common word becomes ``[UNK]``).  ``score --format hf``
must exit 2 naming the model, write nothing and leave no model registered.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from benchmark.cli import main  # noqa: E402
from benchmark.errors import ModelLoadError  # noqa: E402

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _bert(folder, vocab: list[str] | None):
    """A random 1-layer BERT saved to ``folder``, with a WordPiece tokenizer of ``vocab`` (None: no tokenizer)."""
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(0)
    folder.mkdir(parents=True, exist_ok=True)
    size = len(vocab) if vocab is not None else 40
    BertModel(BertConfig(vocab_size=size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=64)).save_pretrained(folder)
    if vocab is not None:
        BertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}, do_lower_case=True).save_pretrained(folder)
    return folder


def _score_refused(folder, tmp_path, capsys) -> str:
    from benchmark.models import MODELS

    capsys.readouterr()  # drop what building the model printed
    out = tmp_path / "out"
    assert main(["score", str(folder), "--format", "hf", "--name", "user-bert", "--out", str(out),
                 "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert not out.exists() and "user-bert" not in MODELS
    return err[len("error: "):-1]


def test_folder_without_tokenizer_files(tmp_path, capsys):
    folder = _bert(tmp_path / "bert", None)
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    message = _score_refused(folder, tmp_path, capsys)
    assert message.startswith(f"model 'user-bert': {str(folder)!r} has no tokenizer vocabulary (none of tokenizer.json")
    assert "special tokens only" in message


def test_vocabulary_of_special_tokens_only(tmp_path, capsys):
    folder = _bert(tmp_path / "bert", SPECIALS)
    message = _score_refused(folder, tmp_path, capsys)
    assert message.startswith("model 'user-bert': the tokenizer's vocabulary holds special tokens only (5: [PAD]")


def test_vocabulary_that_maps_common_words_to_unk(tmp_path, capsys):
    folder = _bert(tmp_path / "bert", [*SPECIALS, "zzq", "qqx", "##xq", "the"])
    message = _score_refused(folder, tmp_path, capsys)
    assert message.startswith("model 'user-bert': the tokenizer maps ")
    assert "of the 1000 most frequent English words to its unknown token '[UNK]'" in message
    assert "'the'" not in message.split("(e.g. ", 1)[1]  # 'the' is known; the examples are unknown words


def test_a_tokenizer_that_spells_every_word_loads(tmp_path):
    from benchmark.adapters.hf import TransformersModel, check_tokenizer

    vocab = [*SPECIALS, *LETTERS, *(f"##{c}" for c in LETTERS), "the", "of"]
    model = TransformersModel.from_pretrained(_bert(tmp_path / "bert", vocab), name="spelled", device="cpu")
    assert model.num_layers == 2
    with pytest.raises(ModelLoadError, match=r"maps 2 of the 3 most frequent English words"):
        check_tokenizer(model.tokenizer, "spelled", words=["the", "zzz1", "ø"])  # no '##1', no 'ø' in the vocab
    check_tokenizer(model.tokenizer, "spelled", words=["the", "cat", "zzz1"])  # 1 of 3 unknown: fine

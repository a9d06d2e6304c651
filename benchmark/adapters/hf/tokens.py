"""Tokenizer checks (can it represent English words?) and byte-level BPE word forms."""

from __future__ import annotations

from typing import Sequence

from benchmark.errors import ModelLoadError

#: Files a saved tokenizer keeps its vocabulary in (fast, WordPiece, BPE, SentencePiece).
_VOCABULARY_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "sentencepiece.bpe.model",
                     "tokenizer.model")


#: The tokenizer check probes this many of the most frequent English plain words ...
TOKENIZER_PROBE_WORDS = 1000


#: ... and refuses a tokenizer that maps more than this share of them to its unknown token.
MAX_UNKNOWN_SHARE = 0.5


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable-character map (byte-level BPE)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def check_tokenizer(tokenizer, name: str, words: Sequence[str] | None = None) -> None:
    """Refuse a tokenizer that cannot represent the words a task measures.

    Raises :class:`ModelLoadError` when the vocabulary holds special tokens
    only, or when more than :data:`MAX_UNKNOWN_SHARE` of ``words`` (default:
    the :data:`TOKENIZER_PROBE_WORDS` most frequent English plain words, each
    after a space, as :meth:`TransformersModel.decontextualized` feeds them)
    contain the unknown token.  Byte-level tokenizers have no unknown token
    and pass the second test by construction.
    """
    vocab = tokenizer.get_vocab()
    special = {int(i) for i in tokenizer.all_special_ids}
    for idx, added in getattr(tokenizer, "added_tokens_decoder", {}).items():
        if getattr(added, "special", False):
            special.add(int(idx))
    if not any(idx not in special for idx in vocab.values()):
        shown = ", ".join(sorted(vocab, key=vocab.get)[:6])
        raise ModelLoadError(
            f"model {name!r}: the tokenizer's vocabulary holds special tokens only ({len(vocab)}: {shown}); "
            "every word would be unknown"
        )
    unk = tokenizer.unk_token_id
    if unk is None:
        return
    if words is None:
        from benchmark.data.vocabulary import reference_words

        words = reference_words()[:TOKENIZER_PROBE_WORDS]
    words = list(words)
    if not words:
        return
    ids = tokenizer([" " + w for w in words], add_special_tokens=False)["input_ids"]
    unknown = [w for w, row in zip(words, ids) if unk in row or not row]
    if len(unknown) > MAX_UNKNOWN_SHARE * len(words):
        raise ModelLoadError(
            f"model {name!r}: the tokenizer maps {len(unknown)} of the {len(words)} most frequent English words "
            f"to its unknown token {tokenizer.unk_token!r} (e.g. {', '.join(map(repr, unknown[:5]))}); "
            "it cannot represent the words the tasks measure"
        )

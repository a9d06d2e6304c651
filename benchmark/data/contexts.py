"""Context sentences for contextual models: a corpus mined at run time, and the sense set.

Corpus contexts (no file is stored; everything is rebuilt bit-identically at run time)
--------------------------------------------------------------------------------------
Source: two English corpora that gensim ships under ``gensim/test/test_data`` (found
with ``importlib.util.find_spec("gensim")``; gensim is never imported):

* ``lee_background.cor`` -- 300 Australian news articles (Lee et al. 2005), one
  article per line;
* ``enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2`` -- a
  shortened English Wikipedia dump (≈ 100 articles); pages of namespace 0 that are
  not redirects are read, in file order.

Wikipedia markup is stripped with regular expressions (:func:`strip_wiki_markup`):
comments, ``<ref>`` notes, templates ``{{...}}`` and tables ``{|...|}`` are removed,
``[[target|text]]`` becomes ``text``, ``[[File:...]]``/``[[Category:...]]`` links and
list, heading and table lines are dropped, HTML entities are decoded.

Sentences: each article line (Lee) or paragraph (Wikipedia) is cut after ``.``,
``!`` or ``?`` (optionally followed by a closing quote or bracket) when whitespace
and an upper-case letter, digit or opening quote follow (:func:`split_sentences`);
abbreviations such as "Mr." therefore cut too and leave short fragments, which the
filter drops.  A sentence is kept when it has ``MIN_WORDS``..``MAX_WORDS``
whitespace-separated words, starts with an upper-case letter, digit or quote, ends
with ``.``, ``!`` or ``?`` (or a quote after one), contains none of ``[]{}|<>=_\\``
(markup left-overs) and was not seen before (first occurrence wins).  Order: Lee
first, then Wikipedia, each in file order.

Occurrences: a word occurs in a sentence where a maximal run of ASCII letters equals
it exactly (plain-word rule: no case folding, so ``Apple`` is not an occurrence of
``apple``) and is not glued to a digit, apostrophe, hyphen or other letter
(``don't``, ``well-known`` and ``2nd`` do not count).  Only the first occurrence of a
word in a sentence is used.

Selection (:func:`mine_contexts`): the cost of a contextual model is one forward
pass per distinct sentence, so sentences are *shared* between words.  Words are
visited from the rarest to the most frequent in the corpus (ties: the given order);
a word with fewer than ``min(quota, n_sentences containing it)`` chosen sentences
adds its earliest (corpus-order) unchosen sentences.  A word's contexts are then its
first ``max_contexts`` chosen sentences in corpus order (``quota`` defaults to
``max_contexts``; a smaller quota gives frequent words up to ``max_contexts``
contexts for free, from sentences chosen for rarer words).  Deterministic, no seed.

Sense set
---------
:func:`load_senses` reads ``datasets/contexts/senses.jsonl`` (see its DATACARD):
hand-written sentences, one labelled occurrence each, 33 words × 2 senses × 8.
"""

from __future__ import annotations

import bz2
import functools
import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from benchmark.errors import DataFormatError, ModelLoadError
from benchmark.hashing import file_sha256
from benchmark.resources import dataset_path

__all__ = [
    "CORPUS_FILES",
    "DEFAULT_SENSES_PATH",
    "MAX_WORDS",
    "MIN_WORDS",
    "Corpus",
    "SenseOccurrence",
    "corpus_dir",
    "load_corpus",
    "load_senses",
    "mine_contexts",
    "random_occurrences",
    "split_sentences",
    "strip_wiki_markup",
    "word_spans",
]

DEFAULT_SENSES_PATH = dataset_path("contexts", "senses.jsonl")
CORPUS_FILES = {
    "lee": "lee_background.cor",
    "enwiki": "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
}
MIN_WORDS = 6
MAX_WORDS = 40

Occurrence = tuple[str, int, int]

# ----------------------------------------------------------------- the corpus
_WORD_RE = re.compile(r"[A-Za-z]+")
_SENT_END_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]\u201d\u2019]))\s+(?=[\"'(\[\u201c\u2018]?[A-Z0-9])")
_BAD_CHARS = frozenset("[]{}|<>=_\\")
_START_OK = re.compile(r"^[\"'\u201c\u2018]?[A-Z0-9]")
_END_OK = re.compile(r"[.!?][\"')\u201d\u2019]*$")


@dataclass(frozen=True, eq=False)
class Corpus:
    """Sentences mined from the shipped corpora, with provenance.

    ``sources`` maps each corpus file name to its sha256; ``counts`` the number
    of sentences each contributed.
    """

    sentences: tuple[str, ...]
    sources: Mapping[str, str]
    counts: Mapping[str, int]

    @functools.cached_property
    def index(self) -> dict[str, np.ndarray]:
        """word -> sentence indices (ascending) of sentences where it occurs."""
        out: dict[str, list[int]] = {}
        for i, s in enumerate(self.sentences):
            for w in _sentence_words(s):
                out.setdefault(w, []).append(i)
        return {w: np.asarray(v, dtype=np.int64) for w, v in out.items()}

    def describe(self) -> dict:
        return {"files": dict(self.sources), "sentences": dict(self.counts),
                "n_sentences": len(self.sentences),
                "rule": f"{MIN_WORDS}-{MAX_WORDS} words, Lee then enwiki, first occurrence of a sentence kept"}


def corpus_dir() -> Path:
    """``gensim/test/test_data`` of the installed gensim, found without importing gensim."""
    from benchmark.packages import find_package_dir

    d = find_package_dir("gensim")
    if d is None or not (d / "test" / "test_data").is_dir():
        raise ModelLoadError("the context corpora ship with gensim (gensim/test/test_data): pip install gensim")
    return d / "test" / "test_data"


def split_sentences(text: str) -> list[str]:
    """Cut a paragraph into sentences (see the module docstring); whitespace collapsed."""
    text = " ".join(text.split())
    return [s.strip() for s in _SENT_END_RE.split(text) if s.strip()]


def _keep(sentence: str) -> bool:
    n = len(sentence.split())
    return (MIN_WORDS <= n <= MAX_WORDS and not (_BAD_CHARS & set(sentence))
            and _START_OK.match(sentence) is not None and _END_OK.search(sentence) is not None)


def _remove_nested(text: str, pattern: re.Pattern) -> str:
    while True:
        new = pattern.sub("", text)
        if new == text:
            return text
        text = new


_TEMPLATE_RE = re.compile(r"\{\{[^{}]*\}\}")
_TABLE_RE = re.compile(r"\{\|(?:(?!\{\|).)*?\|\}", re.DOTALL)
_LINK_RE = re.compile(r"\[\[(?!(?:File|Image|Category|[a-z]{2,3}(?:-[a-z]+)?):)([^\[\]|]*\|)?([^\[\]|]*)\]\]")
_SPECIAL_LINK_RE = re.compile(r"\[\[(?:File|Image|Category|[a-z]{2,3}(?:-[a-z]+)?):[^\[\]]*\]\]")
_EXT_LINK_RE = re.compile(r"\[(?:https?|ftp)://[^\s\]]+\s*([^\]]*)\]")


def strip_wiki_markup(text: str) -> list[str]:
    """Plain-text paragraphs of one Wikipedia article (markup removed; see module docstring)."""
    text = html.unescape(text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    text = re.sub(r"<ref[^>]*/>", "", text)
    text = re.sub(r"<ref[^>]*>.*?</ref>", "", text, flags=re.DOTALL)
    text = _remove_nested(text, _TEMPLATE_RE)
    text = _remove_nested(text, _TABLE_RE)
    for _ in range(5):  # links inside file captions: resolve inner links, then drop the file link
        new = _SPECIAL_LINK_RE.sub("", _LINK_RE.sub(r"\2", text))
        if new == text:
            break
        text = new
    text = _EXT_LINK_RE.sub(r"\1", text)
    text = re.sub(r"<[^<>]*>", "", text)
    text = re.sub(r"'{2,}", "", text)
    text = html.unescape(text).replace("\u00a0", " ")
    paragraphs = []
    for line in text.split("\n"):
        line = line.strip()
        if not line or line[0] in "*#:;|!{}=" or line.startswith(("[[", "__")):
            continue
        paragraphs.append(line)
    return paragraphs


def _lee_paragraphs(path: Path) -> Iterable[str]:
    with open(path, encoding="utf-8", errors="strict") as fh:
        yield from fh


def _wiki_paragraphs(path: Path) -> Iterable[str]:
    try:
        with bz2.open(path, "rb") as fh:
            ns = None
            for _, elem in ET.iterparse(fh, events=("end",)):
                tag = elem.tag.rsplit("}", 1)[-1]
                if tag != "page":
                    continue
                ns_el = redirect = text_el = None
                for child in elem.iter():
                    ctag = child.tag.rsplit("}", 1)[-1]
                    if ctag == "ns":
                        ns_el = child
                    elif ctag == "redirect":
                        redirect = child
                    elif ctag == "text":
                        text_el = child
                ns = None if ns_el is None else (ns_el.text or "").strip()
                if ns == "0" and redirect is None and text_el is not None and text_el.text:
                    yield from strip_wiki_markup(text_el.text)
                elem.clear()
    except (ET.ParseError, OSError, EOFError) as exc:
        raise DataFormatError(path, f"cannot read the Wikipedia dump: {exc}") from exc


@functools.lru_cache(maxsize=2)
def load_corpus(directory: str | None = None) -> Corpus:
    """The mined sentences (cached per process); ``directory`` defaults to :func:`corpus_dir`."""
    d = Path(directory) if directory is not None else corpus_dir()
    readers = {"lee": _lee_paragraphs, "enwiki": _wiki_paragraphs}
    seen: set[str] = set()
    sentences: list[str] = []
    sources, counts = {}, {}
    for key, name in CORPUS_FILES.items():
        path = d / name
        if not path.is_file():
            raise ModelLoadError(f"context corpus {name} not found in {d} (it ships with gensim)")
        sources[name] = "sha256:" + file_sha256(path)
        before = len(sentences)
        for paragraph in readers[key](path):
            for s in split_sentences(paragraph):
                if s not in seen and _keep(s):
                    seen.add(s)
                    sentences.append(s)
        counts[name] = len(sentences) - before
    return Corpus(tuple(sentences), sources, counts)


def _glued(sentence: str, start: int, end: int) -> bool:
    before = sentence[start - 1] if start > 0 else " "
    after = sentence[end] if end < len(sentence) else " "
    return before.isalnum() or before in "'-\u2019" or after.isalnum() or after in "'-\u2019"


def word_spans(sentence: str) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` of every free-standing ASCII-letter run (see module docstring)."""
    return [(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(sentence)
            if not _glued(sentence, m.start(), m.end())]


def _sentence_words(sentence: str) -> list[str]:
    return list(dict.fromkeys(w for w, _, _ in word_spans(sentence)))


def _first_span(sentence: str, word: str) -> tuple[int, int]:
    for w, a, b in word_spans(sentence):
        if w == word:
            return a, b
    raise AssertionError(f"{word!r} not in {sentence!r}")  # pragma: no cover - index guarantees it


def mine_contexts(words: Sequence[str], corpus: Corpus, max_contexts: int,
                  quota: int | None = None) -> dict[str, list[Occurrence]]:
    """Up to ``max_contexts`` occurrences per word, at least ``min(quota, available)``,
    sharing sentences (module docstring).

    Returns ``{word: [(sentence, start, end), ...]}`` in the order of ``words``;
    a word that never occurs maps to an empty list.
    """
    quota = max_contexts if quota is None else quota
    for name, v in (("max_contexts", max_contexts), ("quota", quota)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise DataFormatError(None, f"{name} must be a positive integer, got {v!r}")
    if quota > max_contexts:
        raise DataFormatError(None, f"quota {quota} is larger than max_contexts {max_contexts}")
    words = list(dict.fromkeys(str(w) for w in words))
    empty = np.zeros(0, dtype=np.int64)
    cands = {w: corpus.index.get(w, empty) for w in words}
    chosen = np.zeros(len(corpus.sentences), dtype=bool)
    order = sorted(range(len(words)), key=lambda i: (len(cands[words[i]]), i))
    for i in order:
        c = cands[words[i]]
        have = int(chosen[c].sum())
        need = min(quota, len(c)) - have
        if need > 0:
            fresh = c[~chosen[c]][:need]
            chosen[fresh] = True
    out = {}
    for w in words:
        c = cands[w]
        picked = c[chosen[c]][:max_contexts]
        out[w] = [(corpus.sentences[j], *_first_span(corpus.sentences[j], w)) for j in picked]
    return out


def random_occurrences(sentences: Sequence[str], n: int, seed: int) -> list[tuple[str, str, int, int]]:
    """``n`` random word tokens in random sentences: ``(word, sentence, start, end)``.

    Each draw picks a sentence uniformly (with replacement) from ``sentences`` and then
    one of its free-standing letter runs uniformly (any case, function words included):
    "random words in random contexts" (Ethayarajh 2019).  Seeded, deterministic.
    """
    sentences = list(dict.fromkeys(sentences))
    spans = [word_spans(s) for s in sentences]
    usable = [i for i, sp in enumerate(spans) if sp]
    if not usable:
        raise DataFormatError(None, "no sentence with a word to draw random occurrences from")
    rng = np.random.default_rng(seed)
    out = []
    for j in rng.integers(0, len(usable), size=int(n)):
        i = usable[int(j)]
        w, a, b = spans[i][int(rng.integers(0, len(spans[i])))]
        out.append((w, sentences[i], a, b))
    return out


# ----------------------------------------------------------------- senses
@dataclass(frozen=True)
class SenseOccurrence:
    """One labelled occurrence of ``datasets/contexts/senses.jsonl``."""

    word: str
    sense: str
    sentence: str
    start: int
    end: int

    @property
    def occurrence(self) -> Occurrence:
        return (self.sentence, self.start, self.end)


def load_senses(path: str | Path | None = None) -> list[SenseOccurrence]:
    """Read and check the sense-labelled set; errors name the file and line."""
    p = Path(DEFAULT_SENSES_PATH if path is None else path)
    if not p.is_file():
        raise DataFormatError(p, "sense-labelled context file not found")
    out: list[SenseOccurrence] = []
    with open(p, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                raise DataFormatError(p, "blank line", line=lineno)
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFormatError(p, f"not JSON: {exc.msg}", line=lineno) from None
            if not isinstance(row, dict) or set(row) != {"word", "sense", "sentence", "start", "end"}:
                raise DataFormatError(p, "expected an object with word, sense, sentence, start, end",
                                      line=lineno)
            word, sense, sentence, a, b = (row[k] for k in ("word", "sense", "sentence", "start", "end"))
            if not (isinstance(word, str) and word.isalpha() and word == word.lower()):
                raise DataFormatError(p, f"word {word!r} is not a lowercase alphabetic lemma", line=lineno)
            if not (isinstance(sense, str) and sense and isinstance(sentence, str)):
                raise DataFormatError(p, "sense and sentence must be non-empty strings", line=lineno)
            if not (type(a) is int and type(b) is int and 0 <= a < b <= len(sentence)):
                raise DataFormatError(p, f"span ({a!r}, {b!r}) out of range for the sentence", line=lineno)
            out.append(SenseOccurrence(word, sense, sentence, a, b))
    if not out:
        raise DataFormatError(p, "no sense-labelled occurrences")
    return out

"""The transformers model behind the ContextualModel protocol: per-layer word vectors from occurrences, pooled over sub-word tokens, cached on disk."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Sequence

import numpy as np

from benchmark.adapters.base import StaticEmbeddings
from benchmark.adapters.hf.cache import EmbeddingCache, canonical_json, default_cache_dir
from benchmark.adapters.hf.loading import (
    _ARCHITECTURES,
    _hash_model_files,
    _hf_offline,
    _hub_revision,
    _lazy_torch,
    _load_hf_parts,
    _resolve_device,
)
from benchmark.adapters.hf.tokens import _VOCABULARY_FILES, _bytes_to_unicode, check_tokenizer
from benchmark.errors import BenchmarkError, ModelLoadError, ShapeError, UnknownNameError

Occurrence = tuple[str, int, int]


"""A word occurrence: ``(sentence, start, end)``, the word is ``sentence[start:end]``."""


EXTRACTOR_VERSION = "hf-1"


"""Part of every cache key: bump when the extraction changes its numbers."""


_POOLINGS = ("mean", "first", "last")

#: Batch of a decontextualised view (words fed alone: a few tokens each, sorted by length): 1.35-1.45x the
#: tokens/s of batch 32 on a 2-core CPU; larger batches were slower.
VIEW_BATCH_SIZE = 256


class TransformersModel:
    """A transformers model that turns word occurrences into per-layer vectors (a :class:`ContextualModel`).

    Attributes
    ----------
    name
        Registered model id (``minilm-l6``).
    revision
        What cached vectors depend on: a package version, or the sha256 of the
        weight/config/tokenizer files, or a hub commit.
    num_layers
        Number of hidden-state outputs, layer 0 (embedding output) included.
    dim
        Hidden size.
    architecture
        ``"encoder"`` or ``"causal"``.
    device
        ``"cpu"`` or ``"cuda"``.
    cache
        The :class:`EmbeddingCache` (set to ``None`` to disable caching).
    forward_batches
        Number of forward passes run by this object (for tests and logs).
    """

    def __init__(self, model, tokenizer, *, name: str, revision: str, architecture: str,
                 device: str, source: str = "", cache: EmbeddingCache | None = None):
        if not getattr(tokenizer, "is_fast", False):
            raise ModelLoadError(
                f"model {name!r}: a fast (Rust) tokenizer is needed for character offsets, "
                f"got {type(tokenizer).__name__}"
            )
        self._model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.revision = revision
        self.architecture = architecture
        self.device = device
        self.source = source
        self.cache = cache
        self.forward_batches = 0
        # the last decontextualised extraction of static_embeddings() (all layers), so that
        # reading every layer in turn loads it from the cache once
        self._static_memo: tuple[tuple[str, ...], np.ndarray] | None = None
        self._input_embeddings: StaticEmbeddings | None = None
        config = model.config
        text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
        self.dim = int(text_config.hidden_size)
        self.num_layers = int(text_config.num_hidden_layers) + 1
        max_pos = getattr(text_config, "max_position_embeddings", None)
        self.max_length = int(max_pos) if max_pos else None
        pad = tokenizer.pad_token_id
        if pad is None:
            pad = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 0
        self._pad_id = int(pad)
        self._special_ids = frozenset(int(i) for i in tokenizer.all_special_ids)
        # [UNK] stands for a real word: it may be pooled (unless it doubles as BOS/EOS/...);
        # CLS/SEP/BOS/EOS/PAD/MASK never are
        unk = tokenizer.unk_token_id
        others = {getattr(tokenizer, f"{k}_token_id", None) for k in ("bos", "eos", "cls", "sep", "pad", "mask")}
        self._unpoolable_ids = self._special_ids - ({unk} if unk not in others else set())

    def __repr__(self) -> str:
        return (f"TransformersModel(name={self.name!r}, architecture={self.architecture!r}, "
                f"num_layers={self.num_layers}, dim={self.dim}, device={self.device!r}, "
                f"revision={self.revision!r})")

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_pretrained(
        cls,
        path_or_id: str | os.PathLike,
        *,
        name: str,
        architecture: Literal["encoder", "causal", "auto"] = "auto",
        device: Literal["auto", "cpu", "cuda"] = "auto",
        cache_dir: str | os.PathLike | None = None,
        revision: str | None = None,
        gguf_file: str | None = None,
        weights_revision: str | None = None,
        allow_pickle: bool = False,
    ) -> "TransformersModel":
        """Load a local folder (or a hub id) through the transformers Auto classes.

        Parameters
        ----------
        path_or_id
            A local model folder (``save_pretrained`` output, or the folder of
            ``gguf_file``) or a hub id such as ``bert-base-uncased``/``gpt2``.
        architecture
            ``encoder`` (``AutoModel``), ``causal`` (``AutoModelForCausalLM``;
            the forward pass runs its base model, no LM head) or ``auto``
            (from the config's architectures / model type).
        device
            ``auto`` = ``cuda`` when torch sees one, else ``cpu``.
        cache_dir
            Rosetta Bench cache root (embeddings under ``<cache_dir>/embeddings``);
            default :func:`default_cache_dir`.  The Hugging Face download cache
            is configured the usual way (``HF_HOME``).
        revision
            Hub revision (branch, tag, commit) for a hub id.
        gguf_file
            A GGUF file name inside ``path_or_id``; dequantized to float32 on load.
        weights_revision
            Override the recorded :attr:`revision` (loaders of packaged models
            pass the package version instead of hashing large files).
        allow_pickle
            Accept pickle-based weights (``pytorch_model.bin``); by default only
            safetensors (and GGUF) weights are read.
        """
        if architecture not in _ARCHITECTURES:
            raise UnknownNameError(
                f"model {name!r}: architecture {architecture!r} is not one of {', '.join(_ARCHITECTURES)}"
            )
        dev = _resolve_device(device)
        raw = os.fspath(path_or_id)
        path = Path(raw).expanduser()
        if gguf_file is None and path.is_file() and path.suffix == ".gguf":
            path, gguf_file = path.parent, path.name
        is_local = path.is_dir()
        looks_like_path = raw.startswith((".", "/", "~")) or raw.count("/") > 1 or "\\" in raw
        if not is_local and (looks_like_path or path.exists()):
            raise ModelLoadError(f"model {name!r}: {raw!r} is not a model folder")
        if is_local and gguf_file is not None and not (path / gguf_file).is_file():
            raise ModelLoadError(f"model {name!r}: GGUF file {gguf_file!r} not found in {str(path)!r}")

        if is_local and gguf_file is None and not any((path / f).is_file() for f in _VOCABULARY_FILES):
            raise ModelLoadError(
                f"model {name!r}: {str(path)!r} has no tokenizer vocabulary (none of {', '.join(_VOCABULARY_FILES)}); "
                "transformers would build a tokenizer of special tokens only and every word would be unknown "
                "(save it with tokenizer.save_pretrained into the folder)"
            )
        if is_local and gguf_file is None and not allow_pickle and not any(path.glob("*.safetensors")):
            pickled = sorted(p.name for p in path.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".pkl"))
            if pickled:
                raise ModelLoadError(
                    f"model {name!r}: {str(path)!r} holds pickle-based weights ({', '.join(pickled)}) and no "
                    "safetensors; refusing to unpickle a user path (pass --allow-pickle to accept)"
                )
        load = dict(gguf_file=gguf_file, architecture=architecture, hub_revision=revision, device=dev,
                    allow_pickle=allow_pickle)
        try:
            if is_local:
                config, tokenizer, model, arch = _load_hf_parts(str(path), local_files_only=True, **load)
            else:
                try:
                    config, tokenizer, model, arch = _load_hf_parts(raw, local_files_only=True, **load)
                except Exception as first:  # not in the local HF cache (OSError, ValueError ...)
                    if _hf_offline():
                        raise ModelLoadError(
                            f"model {name!r}: hub id {raw!r} is not in the local Hugging Face cache and "
                            f"HF_HUB_OFFLINE is set ({first})"
                        ) from first
                    config, tokenizer, model, arch = _load_hf_parts(raw, local_files_only=False, **load)
        except BenchmarkError:
            raise
        except Exception as exc:  # transformers raises many types
            raise ModelLoadError(f"model {name!r}: cannot load {raw!r}: {type(exc).__name__}: {exc}") from exc

        check_tokenizer(tokenizer, name)
        if weights_revision is not None:
            rev = weights_revision
        elif is_local:
            rev = _hash_model_files(path, gguf_file)
        else:
            rev = _hub_revision(raw, revision)
        root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        source = str(path / gguf_file) if (is_local and gguf_file) else (str(path) if is_local else f"hf-hub:{raw}")
        return cls(model, tokenizer, name=name, revision=rev, architecture=arch, device=dev,
                   source=source, cache=EmbeddingCache(root / "embeddings"))

    # ------------------------------------------------------------- validation
    def _layers(self, layers) -> tuple[int, ...]:
        if layers is None:
            return tuple(range(self.num_layers))
        if isinstance(layers, (int, np.integer)) and not isinstance(layers, bool):
            layers = [layers]
        out = []
        for layer in layers:
            if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)):
                raise ShapeError(f"model {self.name!r}: layer {layer!r} is not an integer")
            idx = int(layer) + (self.num_layers if int(layer) < 0 else 0)
            if not 0 <= idx < self.num_layers:
                raise ShapeError(
                    f"model {self.name!r}: layer {int(layer)} out of range 0..{self.num_layers - 1} "
                    f"({self.num_layers} hidden-state outputs, layer 0 = embeddings)"
                )
            out.append(idx)
        if not out:
            raise ShapeError(f"model {self.name!r}: no layers selected")
        return tuple(out)

    def _pooling(self, pooling: str) -> str:
        if pooling not in _POOLINGS:
            raise UnknownNameError(
                f"model {self.name!r}: pooling {pooling!r} is not one of {', '.join(_POOLINGS)}"
            )
        return pooling

    def _occurrences(self, occurrences: Iterable) -> list[Occurrence]:
        out = []
        for i, occ in enumerate(occurrences):
            try:
                sentence, start, end = occ
            except (TypeError, ValueError):
                raise ShapeError(
                    f"occurrence {i}: expected (sentence, start, end), got {occ!r} in model {self.name!r}"
                ) from None
            if not isinstance(sentence, str):
                raise ShapeError(f"occurrence {i}: sentence must be str, got {type(sentence).__name__} "
                                 f"in model {self.name!r}")
            for v in (start, end):
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                    raise ShapeError(f"occurrence {i}: span ({start!r}, {end!r}) must be integers "
                                     f"in model {self.name!r}")
            start, end = int(start), int(end)
            if not 0 <= start < end <= len(sentence):
                raise ShapeError(
                    f"occurrence {i}: span ({start}, {end}) is out of range for sentence "
                    f"{_clip(sentence)!r} ({len(sentence)} characters) in model {self.name!r}"
                )
            out.append((sentence, start, end))
        return out

    def _key(self, kind: str, layers, pooling, batch_size: int, inputs: Any) -> dict:
        digest = hashlib.sha256(canonical_json({"inputs": inputs}).encode("ascii")).hexdigest()
        return {
            "kind": kind,
            "extractor": EXTRACTOR_VERSION,
            "revision": self.revision,
            "architecture": self.architecture,
            "layers": list(layers),
            "pooling": pooling,
            # padded batches of another size give the same vectors only up to float rounding
            "batch_size": batch_size,
            "inputs_sha256": digest,
        }

    def _cached(self, key: dict, compute):
        if self.cache is None:
            return compute()
        return self.cache.get_or_compute(key, compute)

    # ------------------------------------------------------------- extraction
    def embed_occurrences(
        self,
        occurrences: Sequence[Occurrence],
        *,
        layers: Sequence[int] | int | None = None,
        pooling: Literal["mean", "first", "last"] = "mean",
        batch_size: int = 32,
    ) -> np.ndarray:
        """Vectors of word occurrences, float32 of shape (n_occurrences, n_layers_selected, dim).

        ``layers`` are hidden-state indices (0 = embedding output, negative
        counts from the end; default all).  The subword tokens whose character
        offsets overlap ``[start, end)`` (whitespace trimmed) are pooled; special
        tokens never are.  Sentences are tokenised once, sorted by length and run
        in padded batches of ``batch_size``; the output keeps the input order.
        """
        occs = self._occurrences(occurrences)
        sel = self._layers(layers)
        pooling = self._pooling(pooling)
        batch_size = _batch_size(batch_size)
        key = self._key("occurrences", sel, pooling, batch_size, [list(o) for o in occs])
        return self._cached(key, lambda: self._extract(occs, sel, pooling, batch_size))

    def decontextualized(
        self,
        words: Sequence[str],
        *,
        layers: Sequence[int] | int | None = None,
        pooling: Literal["mean", "first", "last"] = "mean",
        batch_size: int = 32,
        leading_space: bool = False,
    ) -> np.ndarray:
        """Each word alone as the input (plus the model's own special tokens):
        float32 (n_words, n_layers_selected, dim).

        ``leading_space`` feeds ``" word"`` and pools the word's pieces only: the
        word-start form a SentencePiece or byte-level BPE tokenizer gives a word
        inside a sentence (Gemma's ``▁apple``, GPT-2's ``Ġapple``), where the
        bare ``"apple"`` is a different, sentence-initial token.  WordPiece
        tokenizers give the same tokens either way.
        """
        words = [str(w) for w in words]
        for i, w in enumerate(words):
            if not w.strip():
                raise ShapeError(f"word {i} ({w!r}) is empty in model {self.name!r}")
        if leading_space:  # the same extraction (and cache entry) as the equivalent occurrences
            return self.embed_occurrences([(" " + w, 1, 1 + len(w)) for w in words], layers=layers,
                                          pooling=pooling, batch_size=batch_size)
        sel = self._layers(layers)
        pooling = self._pooling(pooling)
        batch_size = _batch_size(batch_size)
        occs = [(w, 0, len(w)) for w in words]
        key = self._key("decontextualized", sel, pooling, batch_size, words)
        return self._cached(key, lambda: self._extract(occs, sel, pooling, batch_size))

    def context_pooled(
        self,
        contexts: Mapping[str, Sequence[Occurrence]],
        *,
        max_contexts: int = 10,
        layers: Sequence[int] | int | None = None,
        pooling: Literal["mean", "first", "last"] = "mean",
        batch_size: int = 32,
    ) -> tuple[list[str], np.ndarray]:
        """Mean over the first ``max_contexts`` occurrences of each word (Bommasani et al. 2020).

        Returns ``(words, vectors)`` with vectors float32 (n_words, n_layers_selected,
        dim), in the mapping's order; words with no occurrence are left out of
        ``words`` (callers count them as uncovered).
        """
        if isinstance(max_contexts, bool) or not isinstance(max_contexts, (int, np.integer)) or max_contexts < 1:
            raise ShapeError(f"max_contexts must be a positive integer, got {max_contexts!r}")
        sel = self._layers(layers)
        pooling = self._pooling(pooling)
        batch_size = _batch_size(batch_size)
        words: list[str] = []
        occs: list[Occurrence] = []
        groups: list[int] = []
        inputs = []
        for word, word_occs in contexts.items():
            chosen = list(word_occs)[: int(max_contexts)]
            if not chosen:
                continue
            try:
                checked = self._occurrences(chosen)
            except ShapeError as exc:
                raise ShapeError(f"word {word!r}: {exc}") from None
            inputs.append([str(word), [list(o) for o in checked]])
            groups.extend([len(words)] * len(checked))
            occs.extend(checked)
            words.append(str(word))
        if not words:
            return [], np.zeros((0, len(sel), self.dim), dtype=np.float32)
        key = self._key("context_pooled", sel, pooling, batch_size, inputs)
        vectors = self._cached(
            key, lambda: self._extract(occs, sel, pooling, batch_size, groups=groups, n_groups=len(words))
        )
        return words, vectors

    def static_embeddings(
        self,
        *,
        source: Literal["input", "decontextualized"] = "input",
        layer: int | Literal["mid", "last"] = "last",
        max_words: int = 5_000,
        tail_stride: int = 4,
        extra_words: Sequence[str] = (),
    ) -> StaticEmbeddings:
        """A static space of this model: its input embeddings, or one layer's decontextualised vectors.

        ``decontextualized``: wordfreq's plain words (the reference list, rank order) -- the
        ``max_words`` most frequent, then every ``tail_stride``-th one down to the end of the list
        (so that every frequency band has words of its own, e.g. for a frequency-matched null) --
        plus ``extra_words`` (e.g. category words).  Every word is embedded the same way,
        whatever its tokenisation: fed alone with a leading space (``" apple"``, the word-start
        form a SentencePiece or byte-level tokenizer gives inside a sentence), its pieces
        mean-pooled.  All layers are extracted (and cached) once, ``layer`` picks one: an index,
        ``"mid"`` (num_layers // 2) or ``"last"``.
        """
        emb = self.input_embeddings()
        if source == "input":
            return emb
        if source != "decontextualized":
            raise UnknownNameError(f"model {self.name!r}: static_embeddings source {source!r} is not "
                                   "'input' or 'decontextualized'")
        from benchmark.data.vocabulary import reference_words

        index = {"mid": self.num_layers // 2, "last": self.num_layers - 1}.get(layer, layer)
        if not isinstance(index, int) or not 0 <= index < self.num_layers:
            raise ShapeError(f"model {self.name!r}: layer {layer!r} is not in 0..{self.num_layers - 1}")
        if not isinstance(tail_stride, int) or tail_stride < 1:
            raise ShapeError(f"model {self.name!r}: tail_stride must be an integer >= 1, got {tail_stride!r}")
        ref = reference_words()
        words = list(dict.fromkeys([*ref[:max_words], *ref[max_words::tail_stride],
                                    *(w for w in extra_words if w and not w.isspace())]))
        if self._static_memo is None or self._static_memo[0] != tuple(words):
            self._static_memo = (tuple(words), self.decontextualized(words, leading_space=True,
                                                                     batch_size=VIEW_BATCH_SIZE))
        vectors = self._static_memo[1]
        return StaticEmbeddings(
            name=f"{self.name}@{index}", words=tuple(words), vectors=vectors[:, index],
            revision=f"{self.revision} decontextualized layer {index}", frequency_ordered=False,
            source=f"{self.source}: layer {index} of {self.num_layers}, each word alone",
        )

    def input_embeddings(self) -> StaticEmbeddings:
        """The input-embedding matrix restricted to whole-word, alphabetic, single tokens.

        WordPiece: tokens without the ``##`` continuation prefix.  Byte-level BPE
        (GPT-2): tokens starting with ``Ġ`` (a word after a space), bytes decoded,
        marker stripped.  SentencePiece: tokens starting with ``▁``, marker
        stripped.  Other tokenizers: every token.  Kept when the word form is
        alphabetic (``str.isalpha``), case as the tokenizer has it; special
        tokens are dropped; the first token id wins a duplicate form.
        ``frequency_ordered`` is false (token ids are not a frequency ranking).
        Read once per loaded model (a vocabulary scan: ~1.5 s for Gemma's 262k tokens).
        """
        if self._input_embeddings is None:
            self._input_embeddings = self._read_input_embeddings()
        return self._input_embeddings

    def _read_input_embeddings(self) -> StaticEmbeddings:
        tok = self.tokenizer
        backend = tok.backend_tokenizer
        vocab = tok.get_vocab()
        weight = self._model.get_input_embeddings().weight
        n_rows = int(weight.shape[0])
        special = set(self._special_ids)
        for idx, added in getattr(tok, "added_tokens_decoder", {}).items():
            if getattr(added, "special", False):
                special.add(int(idx))
        model_kind = type(backend.model).__name__
        byte_level = "ByteLevel" in repr(backend.pre_tokenizer) or "ByteLevel" in repr(backend.decoder)
        scheme = "plain"
        if model_kind == "WordPiece":
            scheme = "wordpiece"
            prefix = getattr(backend.model, "continuing_subword_prefix", "##") or "##"
        elif byte_level:
            scheme = "bytelevel"
            inverse = {c: b for b, c in _bytes_to_unicode().items()}
        elif any(t.startswith("▁") for t in vocab):
            scheme = "sentencepiece"

        words: list[str] = []
        ids: list[int] = []
        seen: set[str] = set()
        for token, idx in sorted(vocab.items(), key=lambda kv: kv[1]):
            if idx in special or idx >= n_rows:
                continue
            if scheme == "wordpiece":
                if token.startswith(prefix):
                    continue
                form = token
            elif scheme == "bytelevel":
                if not token.startswith("Ġ"):
                    continue
                try:
                    form = bytes(inverse[c] for c in token).decode("utf-8")[1:]
                except (KeyError, UnicodeDecodeError):
                    continue
            elif scheme == "sentencepiece":
                if not token.startswith("▁"):
                    continue
                form = token[1:]
            else:
                form = token
            if not form.isalpha() or form in seen:
                continue
            seen.add(form)
            words.append(form)
            ids.append(int(idx))
        if not words:
            raise ShapeError(f"model {self.name!r}: no whole-word alphabetic tokens in the vocabulary")
        torch = _lazy_torch()
        with torch.inference_mode():
            rows = weight.detach()[torch.as_tensor(ids, device=weight.device)]
            vectors = rows.to(torch.float32).cpu().numpy()
        return StaticEmbeddings(
            name=self.name,
            words=tuple(words),
            vectors=vectors,
            revision=self.revision,
            frequency_ordered=False,
            source=f"{self.source} (input embeddings, {scheme} whole-word tokens)",
        )

    # ------------------------------------------------------------------ core
    def _extract(self, occs: list[Occurrence], layers: tuple[int, ...], pooling: str, batch_size: int,
                 groups: Sequence[int] | None = None, n_groups: int | None = None) -> np.ndarray:
        """Run the model; row ``groups[i]`` of the output is the mean of the pooled
        vectors of the occurrences in that group (identity when ``groups`` is None)."""
        torch = _lazy_torch()
        n_out = len(occs) if groups is None else int(n_groups)
        groups = list(range(len(occs))) if groups is None else list(groups)
        sums = np.zeros((n_out, len(layers), self.dim), dtype=np.float64)
        counts = np.zeros(n_out, dtype=np.int64)
        if not occs:
            return sums.astype(np.float32)

        # unique sentences, tokenised once
        sentence_index: dict[str, int] = {}
        by_sentence: list[list[int]] = []
        for i, (sentence, _, _) in enumerate(occs):
            j = sentence_index.setdefault(sentence, len(sentence_index))
            if j == len(by_sentence):
                by_sentence.append([])
            by_sentence[j].append(i)
        sentences = list(sentence_index)
        enc = self.tokenizer(
            sentences,
            add_special_tokens=True,
            return_offsets_mapping=True,
            return_special_tokens_mask=True,
            return_attention_mask=False,
            return_token_type_ids=False,
            truncation=False,
        )
        all_ids = enc["input_ids"]
        token_sel: list[list[int]] = [None] * len(occs)  # type: ignore[list-item]
        for j, sentence in enumerate(sentences):
            ids = all_ids[j]
            if self.max_length is not None and len(ids) > self.max_length:
                first = by_sentence[j][0]
                raise ShapeError(
                    f"occurrence {first}: sentence {_clip(sentence)!r} is {len(ids)} tokens long, more than "
                    f"the {self.max_length} positions of model {self.name!r}"
                )
            offsets = enc["offset_mapping"][j]
            smask = enc["special_tokens_mask"][j]
            spans = []
            for t, ((s, e), is_special) in enumerate(zip(offsets, smask)):
                if is_special or ids[t] in self._unpoolable_ids:
                    spans.append(None)
                    continue
                while s < e and sentence[s].isspace():
                    s += 1
                while e > s and sentence[e - 1].isspace():
                    e -= 1
                spans.append((s, e) if s < e else None)
            for i in by_sentence[j]:
                _, start, end = occs[i]
                toks = [t for t, sp in enumerate(spans) if sp is not None and sp[0] < end and sp[1] > start]
                if not toks:
                    raise ShapeError(
                        f"occurrence {i}: span ({start}, {end}) of {sentence[start:end]!r} maps to no token "
                        f"in model {self.name!r}"
                    )
                token_sel[i] = toks

        order = sorted(range(len(sentences)), key=lambda j: -len(all_ids[j]))
        base = self._model.base_model
        layer_index = list(layers)
        with torch.inference_mode():
            for b0 in range(0, len(order), batch_size):
                batch = order[b0:b0 + batch_size]
                width = max(len(all_ids[j]) for j in batch)
                input_ids = torch.full((len(batch), width), self._pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for r, j in enumerate(batch):
                    ids = all_ids[j]
                    input_ids[r, : len(ids)] = torch.as_tensor(ids, dtype=torch.long)
                    mask[r, : len(ids)] = 1
                kwargs = {"input_ids": input_ids.to(self.device), "attention_mask": mask.to(self.device),
                          "output_hidden_states": True, "return_dict": True}
                if self.architecture == "causal":
                    kwargs["use_cache"] = False
                out = base(**kwargs)
                self.forward_batches += 1
                hidden = out.hidden_states
                if hidden is None or len(hidden) != self.num_layers:
                    got = None if hidden is None else len(hidden)
                    raise ShapeError(
                        f"model {self.name!r}: expected {self.num_layers} hidden-state outputs, got {got}"
                    )
                # (B, L, T, D) on the CPU: one transfer per batch, pooling in float32
                stacked = torch.stack([hidden[l] for l in layer_index], dim=1).float().cpu()
                for r, j in enumerate(batch):
                    for i in by_sentence[j]:
                        toks = token_sel[i]
                        if pooling == "first":
                            vec = stacked[r, :, toks[0], :]
                        elif pooling == "last":
                            vec = stacked[r, :, toks[-1], :]
                        else:
                            vec = stacked[r, :, toks, :].mean(dim=1)
                        g = groups[i]
                        sums[g] += vec.numpy().astype(np.float64)
                        counts[g] += 1
        result = sums / np.maximum(counts, 1)[:, None, None]
        out = result.astype(np.float32)
        if not np.isfinite(out).all():
            raise ShapeError(f"model {self.name!r}: non-finite hidden states")
        return out


def _batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ShapeError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


"""The five packages whose parts (``input/all-mpnet-base-v2.zip.001`` …) make up all-mpnet-base-v2's zip."""

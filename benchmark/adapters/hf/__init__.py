"""Contextual models through Hugging Face transformers.

:class:`TransformersModel` wraps an encoder (BERT family) or a causal LM (GPT-2,
Gemma ...) and extracts, for every hidden-state output (layer 0 = the
embedding output, ``num_layers`` outputs in all), vectors of words:

* :meth:`TransformersModel.embed_occurrences` -- a word occurrence given as a
  character span ``(sentence, start, end)``; the subword tokens whose
  character offsets overlap the span are pooled (``mean``, ``first`` or
  ``last``).  Special tokens (CLS, SEP, BOS ...) are never pooled.
* :meth:`TransformersModel.decontextualized` -- the word alone as the input.
* :meth:`TransformersModel.context_pooled` -- the mean over up to
  ``max_contexts`` occurrences per word (Bommasani et al., 2020).
* :meth:`TransformersModel.input_embeddings` -- the input-embedding matrix
  restricted to whole-word tokens, as :class:`StaticEmbeddings`.

Every extraction goes through the on-disk :class:`EmbeddingCache`, keyed by
(model revision, layers, pooling, batch size, sha256 of the inputs).  Vectors are float32.

Nothing heavy is imported at module level: torch and transformers are
imported when a model is loaded, so ``import benchmark`` stays light.
Never ``trust_remote_code``; ``local_files_only=True`` except for a hub id
that is not in the local Hugging Face cache while the hub is reachable
(``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` unset).

Pieces: :mod:`.loading` (resolving and loading a model folder or GGUF file, hashing it),
:mod:`.tokens` (tokenizer checks and word forms), :mod:`.model` (:class:`TransformersModel`: extraction,
pooling, caching), :mod:`.packaged` (the default catalog's contextual models).
"""

from benchmark.adapters.hf.model import EXTRACTOR_VERSION, Occurrence, TransformersModel
from benchmark.adapters.hf.packaged import load_gemma3_270m, load_minilm_l6, load_mpnet_base
from benchmark.adapters.hf.tokens import check_tokenizer

__all__ = ["TransformersModel", "check_tokenizer", "Occurrence", "load_minilm_l6", "load_gemma3_270m", "load_mpnet_base", "EXTRACTOR_VERSION"]

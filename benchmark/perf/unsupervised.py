"""Speed and memory of one unsupervised alignment: ``python -m benchmark.perf.unsupervised``.

One pair of 20,000-word spaces aligned with no dictionary, with the settings of
``python -m benchmark translate --method unsupervised`` (:data:`benchmark.translate.job.UNSUPERVISED`):
similarity-distribution initialisation on the most frequent words, CSLS self-learning
within the frequency cutoff, the unsupervised criterion. Reports wall time per stage,
peak resident memory (``ru_maxrss``, which also sees BLAS buffers) and P@1 against the
known answer. Target: ≤ 3 minutes on 2 cores, bounded memory.

The default pair is synthetic: a 300-d source whose variance decays like 1/√rank
(embedding spectra do), and its noisy rotated copy into 320 d with rows permuted
within blocks of 50 (frequency ranks that roughly, not exactly, agree) and words
renamed. ``--models A B`` aligns two registered static models instead (their first
20,000 plain words; P@1 over the shared words). Speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

N_WORDS = 20_000
TARGET_SECONDS = 180.0


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def synthetic_pair(n: int, d_source: int = 300, d_target: int = 320, *, noise: float = 0.1, block: int = 50,
                   seed: int = 0):
    """(X, Y, gold): Y's row gold[i] is source word i, rotated, with relative noise ``noise``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d_source)) / np.sqrt(np.arange(1, d_source + 1))
    Q = np.linalg.qr(rng.standard_normal((d_target, d_target)))[0][:d_source]
    Y = X @ Q
    Y += noise * rng.standard_normal(Y.shape) * np.linalg.norm(Y, axis=1, keepdims=True) / np.sqrt(d_target)
    perm = np.concatenate([b0 + rng.permutation(min(block, n - b0)) for b0 in range(0, n, block)])
    out = np.empty_like(Y)
    out[perm] = Y  # source word i sits at target row perm[i]
    return X.astype(np.float32), out.astype(np.float32), perm


def _model_pair(a: str, b: str, n: int):
    from benchmark.data.vocabulary import search_space
    from benchmark.models import load_model

    S, T = search_space(load_model(a), n), search_space(load_model(b), n)
    shared = [w for w in S.words if w in T.position]
    gold = np.full(len(S.words), -1, dtype=np.int64)
    for w in shared:
        gold[S.position[w]] = T.position[w]
    return S.vectors, T.vectors, gold


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.perf.unsupervised", description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs=2, metavar=("SRC", "TGT"), help="two registered static models")
    parser.add_argument("--words", type=int, default=N_WORDS, help=f"words per space (default {N_WORDS})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args(argv)

    from benchmark.scoring import normalize, retrieve, self_learning, similarity_init, unsupervised_criterion
    from benchmark.translate.job import UNSUPERVISED as u

    rss0 = _maxrss_bytes()
    if args.models:
        Xr, Yr, gold = _model_pair(args.models[0], args.models[1], args.words)
        pair = f"{args.models[0]} → {args.models[1]}"
    else:
        Xr, Yr, gold = synthetic_pair(args.words, seed=args.seed)
        pair = "synthetic noisy rotation (300 d → 320 d, block-permuted rows)"
    t0 = time.perf_counter()
    X, Y = normalize(Xr, "unit+center+unit"), normalize(Yr, "unit+center+unit")
    init = similarity_init(X, Y, n_words=u["init_vocab"])
    t_init = time.perf_counter() - t0
    fit = self_learning(X, Y, init, vocab_cutoff=u["vocab_cutoff"], keep_prob=u["keep_prob"],
                        keep_multiplier=u["keep_multiplier"], patience=u["patience"], threshold=u["threshold"],
                        max_iterations=u["max_iterations"], seed=args.seed)
    t_learn = time.perf_counter() - t0 - t_init
    mapped = (X @ fit.fit.W).astype(np.float32)
    criterion = unsupervised_criterion(mapped, Y, n_words=u["criterion_vocab"])
    wall = time.perf_counter() - t0
    known = np.flatnonzero(gold >= 0)
    frequent = known[known < u["vocab_cutoff"]]
    hits = retrieve(mapped[frequent], Y.astype(np.float32), criterion="nn", topk=1)[:, 0] == gold[frequent]
    report = {
        "pair": pair, "words": [int(X.shape[0]), int(Y.shape[0])], "dims": [int(X.shape[1]), int(Y.shape[1])],
        "settings": dict(u), "seconds": {"init": round(t_init, 1), "self_learning": round(t_learn, 1),
                                         "total": round(wall, 1)},
        "iterations": fit.iterations, "converged": fit.converged, "criterion": round(criterion, 4),
        "p@1_nn_frequent": round(float(hits.mean()), 4), "frequent_words_scored": int(frequent.size),
        "peak_rss_mib": round(_maxrss_bytes() / 2**20, 1), "peak_rss_growth_mib": round((_maxrss_bytes() - rss0) / 2**20, 1),
        "target_seconds": TARGET_SECONDS, "within_target": wall <= TARGET_SECONDS,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"unsupervised alignment, {pair}: {report['words'][0]:,} × {report['words'][1]:,} words")
    print(f"  init {t_init:.1f} s + self-learning {t_learn:.1f} s ({fit.iterations} iterations, "
          f"{'converged' if fit.converged else 'max iterations'}) = {wall:.1f} s "
          f"(target ≤ {TARGET_SECONDS:.0f} s: {'ok' if report['within_target'] else 'MISSED'})")
    print(f"  peak RSS {report['peak_rss_mib']:.0f} MiB "
          f"(+{report['peak_rss_growth_mib']:.0f} MiB since start, inputs included)")
    print(f"  criterion {criterion:.4f}; P@1 (NN) on the {frequent.size:,} frequent words with a known answer: "
          f"{report['p@1_nn_frequent']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

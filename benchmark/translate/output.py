"""The presentation of ``python -m benchmark translate``: the printed table and the files ``--out``/``--export`` write."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmark.translate.job import Translation, record


def _word2vec_text(words, vectors: np.ndarray) -> bytes:
    lines = [f"{vectors.shape[0]} {vectors.shape[1]}"]
    lines += [w + " " + " ".join(f"{x:.6g}" for x in row) for w, row in zip(words, vectors)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _array_bytes(array: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def write_outputs(args, outcome: Translation) -> list[Path]:
    """Write the Result (``--out``) and the exported map (``--export``); returns the paths written."""
    from benchmark.run.atomic import atomic_write_bytes
    from benchmark.run.results import write_result

    written = []
    if args.export:
        export = Path(args.export)
        written.append(atomic_write_bytes(export / "W.npy", _array_bytes(outcome.W)))
        if outcome.b is not None:
            written.append(atomic_write_bytes(export / "b.npy", _array_bytes(outcome.b)))
        written.append(atomic_write_bytes(export / "mapped_source.vec",
                                          _word2vec_text(outcome.source_words, outcome.mapped)))
    if args.out:
        written.append(write_result(record(args, outcome), Path(args.out) / "results"))
    return written


def report(outcome: Translation) -> str:
    """The printed table: P@k under NN, CSLS and inverted softmax with CIs, and coverage."""
    from tabulate import tabulate

    m, s, details = outcome.metrics, outcome.sizes, outcome.details
    rows = []
    for criterion, label in (("nn", "NN"), ("csls", "CSLS"), ("isf", f"ISF (β = {details['isf_beta']:g})")):
        rows.append([label] + [f"{m[f'p@{k}/{criterion}']:.4f} [{m[f'p@{k}/{criterion}:ci_low']:.4f}, "
                               f"{m[f'p@{k}/{criterion}:ci_high']:.4f}]" for k in (1, 5, 10)])
    table = tabulate(rows, headers=["retrieval", "P@1", "P@5", "P@10"], tablefmt="github", disable_numparse=True)
    criterion = f"unsupervised criterion {m['criterion']:.4f}; " if "criterion" in m else ""
    return (f"{table}\n{s['test']} test source words; coverage {m['coverage']:.4f} "
            f"({s['test_pairs'] - s['test_pairs_missing']} of {s['test_pairs']} test pairs have both words in the "
            f"spaces); {criterion}method {details['method']}")

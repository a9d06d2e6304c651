"""``python -m benchmark translate``: map the user's own SRC space onto TGT and score a MUSE-format test dictionary.

:mod:`~benchmark.translate.job` reads the inputs and computes (a
:class:`~benchmark.translate.job.Translation`), :mod:`~benchmark.translate.output` prints
the table and writes the files; this module is the command line.
"""

from __future__ import annotations

import argparse

from benchmark.translate.job import (
    METHODS,
    NORMALIZATIONS,
    TASK_NAME,
    UNSUPERVISED,
    Translation,
    TranslationPairs,
    read_dictionary,
    record,
    translate,
)
from benchmark.translate.output import report, write_outputs

__all__ = ["METHODS", "NORMALIZATIONS", "TASK_NAME", "UNSUPERVISED", "Translation", "TranslationPairs", "add_parser",
           "read_dictionary", "record", "report", "run", "translate", "write_outputs"]


def add_parser(sub) -> argparse.ArgumentParser:
    """Register the ``translate`` subcommand on an ``argparse`` subparsers object."""
    p = sub.add_parser("translate", help="map your own SRC space onto TGT and score a MUSE-format test dictionary")
    p.add_argument("src", help="source vectors file")
    p.add_argument("tgt", help="target vectors file")
    p.add_argument("--src-format", required=True, help="word2vec | word2vec-binary | glove | fasttext | numpy")
    p.add_argument("--tgt-format", required=True, help="word2vec | word2vec-binary | glove | fasttext | numpy")
    p.add_argument("--src-words", help="word list of SRC for --src-format numpy (one word per line)")
    p.add_argument("--tgt-words", help="word list of TGT for --tgt-format numpy (one word per line)")
    p.add_argument("--train-dict", help="MUSE-format train dictionary (not used by --method unsupervised)")
    p.add_argument("--test-dict", required=True, help="MUSE-format test dictionary ('src tgt' per line)")
    p.add_argument("--method", choices=METHODS, default="procrustes",
                   help="procrustes (orthogonal, default) | lstsq (least squares with bias) | unsupervised")
    p.add_argument("--normalize", choices=NORMALIZATIONS, default="unit+center+unit",
                   help="normalisation of both spaces (default unit+center+unit)")
    p.add_argument("--max-vocab", type=int, default=200_000, help="first rows of each file read, the rest is not read (default 200000, as MUSE)")
    p.add_argument("--isf-beta", type=float, default=30.0, help="inverted-softmax inverse temperature (default 30)")
    p.add_argument("--out", default=None, help="write a Result to DIR/results/ (same metric keys as static_static)")
    p.add_argument("--export", default=None, help="write W.npy (and b.npy for lstsq) and the mapped source "
                                                  "vectors (word2vec text) into DIR")
    p.add_argument("--seed", type=int, default=0, help="bootstrap and stochastic-induction seed (default 0)")
    return p



def run(args) -> int:
    outcome = translate(args)
    print(report(outcome))
    for path in write_outputs(args, outcome):
        print(f"wrote {path}")
    return 0

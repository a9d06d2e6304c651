"""The computation of ``python -m benchmark translate``: MUSE's and VecMap's job on the user's own pair of spaces.

Two vectors files (any format :func:`benchmark.adapters.static.load_vectors_file` reads),
dictionaries in MUSE's format (``source target`` per line, whitespace separated, several
gold targets per source word allowed), a map fitted on the train dictionary (orthogonal
Procrustes or least squares with bias) or with no dictionary at all (the unsupervised
engine of :mod:`benchmark.scoring.unsupervised`), and P@1/5/10 under NN, CSLS and
inverted softmax with bootstrap CIs over the test source words.

Conventions (as VecMap and MUSE): both spaces are the first ``--max-vocab`` rows of their
files (file order is frequency order for fastText and MUSE files), normalised the same
declared way; CSLS neighbourhoods (k = 10) and the inverted-softmax normaliser run over
both full spaces; a test source word is a query when it and at least one of its gold
targets are in the spaces, and P@k is over those queries. Test pairs with a word missing
from either space are counted in ``coverage`` (never dropped silently). ``--method unsupervised``
also reports Conneau et al.'s unsupervised criterion, the one that selected its run.

Every input is read and checked, and every number computed, before anything is written:
a bad file fails with one named error (file and line) and leaves no output. Nothing here
prints or writes; :mod:`benchmark.translate.output` does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from benchmark.errors import BenchmarkError, DataFormatError

METHODS = ("procrustes", "lstsq", "unsupervised")
NORMALIZATIONS = ("none", "unit", "center", "unit+center+unit")
TASK_NAME = "translate"
#: Settings of the unsupervised engine used by ``--method unsupervised``.
UNSUPERVISED = {"init_vocab": 4_000, "vocab_cutoff": 10_000, "keep_prob": 0.1, "keep_multiplier": 2.0,
                "patience": 2, "threshold": 1e-3, "max_iterations": 50, "criterion_vocab": 10_000}


@dataclass(frozen=True)
class TranslationPairs:
    """A MUSE-format dictionary resolved against two vocabularies.

    Attributes
    ----------
    path : Path
    n_pairs : int
        Distinct (source, target) pairs in the file.
    pairs : list of (int, int)
        Pairs whose two words are both in the spaces (row indices).
    missing : int
        Pairs with a word missing from either space.
    """

    path: Path
    n_pairs: int
    pairs: list[tuple[int, int]]
    missing: int


def read_dictionary(path, source_index: dict[str, int], target_index: dict[str, int]) -> TranslationPairs:
    """Read a MUSE-format dictionary: one ``source target`` pair per line, UTF-8.

    Blank lines are skipped; repeated pairs count once. Raises
    :class:`~benchmark.errors.DataFormatError` naming the file (and the line where there
    is one) for a missing file, bytes that are not UTF-8, a line without exactly two
    fields, a file with no pair, and a file none of whose pairs has both words in the
    spaces.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, "no such dictionary file")
    seen: set[tuple[str, str]] = set()
    pairs, missing, first_missing = [], 0, None
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataFormatError(path, f"invalid UTF-8 byte at column {exc.start + 1} (dictionaries are "
                                            "UTF-8 text)", line=line_no) from None
            fields = text.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise DataFormatError(path, f"expected two fields 'source target', got {len(fields)}: "
                                            f"{text.strip()[:80]!r}", line=line_no)
            pair = (fields[0], fields[1])
            if pair in seen:
                continue
            seen.add(pair)
            s, t = source_index.get(pair[0]), target_index.get(pair[1])
            if s is None or t is None:
                missing += 1
                if first_missing is None:
                    word, side = (pair[0], "source") if s is None else (pair[1], "target")
                    first_missing = (line_no, word, side)
                continue
            pairs.append((s, t))
    if not seen:
        raise DataFormatError(path, "empty dictionary: no 'source target' pair")
    if not pairs:
        line_no, word, side = first_missing
        raise DataFormatError(path, f"none of the {len(seen)} pairs has both words in the spaces (first: "
                                    f"{word!r} is not in the {side} space)", line=line_no)
    return TranslationPairs(path=path, n_pairs=len(seen), pairs=pairs, missing=missing)


def _load(path: str, fmt: str, words: str | None, max_vocab: int, name: str):
    from benchmark.adapters.static import load_vectors_file

    emb = load_vectors_file(Path(path), fmt, name=name, words_path=words, max_vocab=max_vocab)
    n = min(max_vocab, len(emb.words))
    if n < 11:
        raise DataFormatError(path, f"{n} words: need at least 11 (CSLS k = 10)")
    return emb, list(emb.words[:n]), emb.vectors[:n]


def _queries(pairs: TranslationPairs) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    gold: dict[int, list[int]] = {}
    for s, t in pairs.pairs:
        gold.setdefault(s, []).append(t)
    sources = np.array(list(gold), dtype=np.int64)
    return sources, [tuple(sorted(gold[int(s)])) for s in sources]


@dataclass(frozen=True)
class Translation:
    """What one ``translate`` run computed.

    Attributes
    ----------
    metrics : dict of str to float
        P@1/5/10 under ``nn``, ``csls`` and ``isf`` with their CI bounds, ``coverage``,
        ``residual`` and, with ``--method unsupervised``, the unsupervised ``criterion``.
    sizes, details : dict
        As in the Result.
    W : ndarray, shape (d_source, d_target)
    b : ndarray, shape (d_target,), or None
        The bias (``lstsq`` only).
    mapped : ndarray, shape (n_source, d_target)
        Every normalised source vector mapped, float64.
    source_words : list of str
        The words of the rows of ``mapped``.
    revisions : dict of str to str
    seconds : float
    """

    metrics: dict
    sizes: dict
    details: dict
    W: np.ndarray
    b: np.ndarray | None
    mapped: np.ndarray
    source_words: list
    revisions: dict
    seconds: float


def translate(args) -> Translation:
    """Read and check the inputs of the ``translate`` command, fit the map and score it; writes nothing."""
    from benchmark.scoring import (
        LinearFit,
        bootstrap_ci,
        csls_penalty_and_isf_normalizer,
        hits_at_k,
        linear_map,
        normalize,
        orthogonal_procrustes,
        precision_at_k,
        procrustes_residual,
        retrieve,
        self_learning,
        similarity_init,
        unsupervised_criterion,
    )

    if args.max_vocab < 11:
        raise BenchmarkError(f"--max-vocab {args.max_vocab}: need at least 11 words per space (CSLS k = 10)")
    if args.method != "unsupervised" and not args.train_dict:
        raise BenchmarkError(f"--method {args.method} needs --train-dict (or use --method unsupervised)")
    t0 = time.perf_counter()
    src, src_words, src_vectors = _load(args.src, args.src_format, args.src_words, args.max_vocab, "source")
    tgt, tgt_words, tgt_vectors = _load(args.tgt, args.tgt_format, args.tgt_words, args.max_vocab, "target")
    src_index = {w: i for i, w in enumerate(src_words)}
    tgt_index = {w: i for i, w in enumerate(tgt_words)}
    test = read_dictionary(args.test_dict, src_index, tgt_index)
    train = read_dictionary(args.train_dict, src_index, tgt_index) if args.train_dict else None

    X = normalize(src_vectors, args.normalize)
    Y = normalize(tgt_vectors, args.normalize)
    details: dict = {"method": args.method}
    bias = None
    if args.method == "unsupervised":
        u = UNSUPERVISED
        init = similarity_init(X, Y, n_words=u["init_vocab"], csls_k=10)
        fit = self_learning(X, Y, init, vocab_cutoff=u["vocab_cutoff"], keep_prob=u["keep_prob"],
                            keep_multiplier=u["keep_multiplier"], patience=u["patience"],
                            threshold=u["threshold"], max_iterations=u["max_iterations"], seed=args.seed)
        W = fit.fit.W
        details.update(iterations=fit.iterations, converged=fit.converged, engine=dict(u))
    else:
        rows = np.array(train.pairs, dtype=np.int64)
        if args.method == "procrustes":
            W = orthogonal_procrustes(X[rows[:, 0]], Y[rows[:, 1]]).W
        else:
            lsq = linear_map(X[rows[:, 0]], Y[rows[:, 1]], bias=True)
            W, bias = lsq.W, lsq.b
    mapped64 = X @ W + (0.0 if bias is None else bias)
    mapped = mapped64.astype(np.float32)
    targets = Y.astype(np.float32)

    queries, gold = _queries(test)
    beta = float(args.isf_beta)
    penalty, log_norm = csls_penalty_and_isf_normalizer(targets, mapped, 10, beta)  # one pass for both
    ranked = {
        "nn": retrieve(mapped[queries], targets, criterion="nn", topk=10),
        "csls": retrieve(mapped[queries], targets, criterion="csls", k=10, topk=10, sources=mapped,
                         target_penalty=penalty),
        "isf": retrieve(mapped[queries], targets, criterion="isf", beta=beta, topk=10, sources=mapped,
                        target_log_normalizer=log_norm[0]),
    }
    metrics: dict[str, float] = {}
    for criterion, r in ranked.items():
        for kk, value in precision_at_k(r, gold, ks=(1, 5, 10)).items():
            key = f"p@{kk}/{criterion}"
            metrics[key] = float(value)
            metrics[f"{key}:ci_low"], metrics[f"{key}:ci_high"] = bootstrap_ci(
                hits_at_k(r, gold, kk).astype(np.float64), seed=args.seed)
    metrics["coverage"] = (test.n_pairs - test.missing) / test.n_pairs
    test_rows = np.array(test.pairs, dtype=np.int64)
    the_map = LinearFit(W=W, b=np.zeros(W.shape[1]) if bias is None else bias)
    metrics["residual"] = procrustes_residual(X[test_rows[:, 0]], Y[test_rows[:, 1]], the_map)
    if args.method == "unsupervised":  # the criterion that selects and stops an unsupervised run
        metrics["criterion"] = unsupervised_criterion(mapped, targets, n_words=UNSUPERVISED["criterion_vocab"])
    details.update(isf_beta=beta, normalization=args.normalize)
    sizes = {"train": 0 if train is None else len(train.pairs), "test": int(queries.size),
             "test_pairs": test.n_pairs, "test_pairs_missing": test.missing,
             "train_pairs_missing": 0 if train is None else train.missing,
             "source_space": len(src_words), "target_space": len(tgt_words),
             "source_dim": int(X.shape[1]), "target_dim": int(Y.shape[1])}
    return Translation(metrics=metrics, sizes=sizes, details=details, W=W, b=bias, mapped=mapped64,
                       source_words=src_words, revisions={"source": src.revision, "target": tgt.revision},
                       seconds=time.perf_counter() - t0)


def record(args, outcome: Translation):
    """The :class:`~benchmark.run.results.Result` of a run (what ``--out`` writes), stamped now."""
    from benchmark.run.results import Result
    from benchmark.run.runner import provenance

    return Result(
        task=TASK_NAME, task_version="1.0", family=TASK_NAME, models=[Path(args.src).name, Path(args.tgt).name],
        metrics=outcome.metrics, seed=args.seed, status="passed", main_metric="p@1/csls",
        higher_is_better=True, sizes=outcome.sizes, details=outcome.details,
        params={"method": args.method, "normalization": args.normalize, "max_vocab": args.max_vocab,
                "isf_beta": args.isf_beta, "csls_k": 10, "ks": [1, 5, 10], "n_bootstrap": 1000,
                "train_dict": args.train_dict, "test_dict": args.test_dict},
        revisions=outcome.revisions, provenance=provenance(),
        timing={"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "seconds": round(outcome.seconds, 3)},
    )

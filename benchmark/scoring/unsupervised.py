"""Fully unsupervised mapping between two embedding spaces: no dictionary at all.

Rows of ``X`` (n_x, d_x) and ``Y`` (n_y, d_y) are words **in frequency order** (most
frequent first), already normalised the task's declared way (``unit+center+unit``
typically); the two vocabularies need not overlap and the dimensions may differ.

* :func:`similarity_init` -- Artetxe et al. (2018)'s initial dictionary: the sorted rows of
  √(X·Xᵀ) over the most frequent words are a rotation- and dimension-free signature of
  each word; CSLS between signatures, in both directions, gives a first dictionary.
* :func:`gromov_wasserstein_init` (in :mod:`benchmark.scoring.transport`) -- the second,
  independent initialisation.
* :func:`self_learning` -- Artetxe et al. (2018)'s refinement: orthogonal Procrustes on the
  current dictionary → CSLS induction in both directions over the ``vocab_cutoff`` most
  frequent words → new dictionary, with stochastic dictionary induction (a word's chosen
  translation is the best of a random ``keep_prob`` share of candidates; ``keep_prob``
  doubles whenever the objective stalls for ``patience`` iterations) and a stopping rule
  (stall at ``keep_prob = 1``, or ``max_iterations``).
* :func:`unsupervised_criterion` -- Conneau et al. (2018)'s model-selection criterion:
  mean cosine between the most frequent mapped source words and their CSLS translations.

Every similarity search is the blocked :func:`~benchmark.scoring.retrieval.retrieve` /
:func:`~benchmark.scoring.retrieval.csls_penalty`, so memory stays
O(n · d + block²) except for the (n_init, n_init) signature matrices of the
initialisation. Only orthogonal maps are fitted (no whitening or re-weighting), so the
result is a :class:`~benchmark.scoring.procrustes.ProcrustesFit`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from benchmark.errors import ShapeError
from benchmark.scoring.normalize import check_matrix, check_positive_int, normalize
from benchmark.scoring.procrustes import ProcrustesFit, orthogonal_procrustes
from benchmark.scoring.retrieval import _unit_f32, csls_penalty, retrieve

__all__ = ["Dictionary", "SelfLearningFit", "similarity_init", "self_learning", "unsupervised_criterion",
           "induce_dictionary"]

#: Candidates kept per word for stochastic induction: the chance that none of them
#: survives the dropout is at most this.
_MISS_PROBABILITY = 1e-3


@dataclass(frozen=True)
class Dictionary:
    """Index pairs: source row ``source[i]`` translates to target row ``target[i]``.

    Attributes
    ----------
    source, target : ndarray, shape (m,), int64
    """

    source: np.ndarray
    target: np.ndarray

    def __len__(self) -> int:
        return int(self.source.size)


@dataclass(frozen=True)
class SelfLearningFit:
    """The outcome of :func:`self_learning`.

    Attributes
    ----------
    fit : ProcrustesFit
        The final orthogonal map (fitted on ``dictionary``).
    dictionary : Dictionary
        The last induced dictionary (deterministic: induced with ``keep_prob = 1``).
    objective : float
        Best value of the objective (mean cosine of the CSLS translations over both
        directions, within the cutoff).
    iterations : int
        Procrustes → induction rounds run.
    converged : bool
        False when ``max_iterations`` stopped it before the stopping rule did.
    history : tuple of float
        The objective after every iteration.
    """

    fit: ProcrustesFit
    dictionary: Dictionary
    objective: float
    iterations: int
    converged: bool
    history: tuple[float, ...]


def _check_pair(X, Y) -> tuple[np.ndarray, np.ndarray]:
    return check_matrix(X, "X", min_rows=2), check_matrix(Y, "Y", min_rows=2)


def _check_prob(value, name: str) -> float:
    p = float(value)
    if not 0.0 < p <= 1.0:
        raise ShapeError(f"{name} must be in (0, 1], got {value!r}")
    return p


def _signatures(X: np.ndarray, n: int) -> np.ndarray:
    """Sorted rows of √(X[:n]·X[:n]ᵀ), normalised unit+center+unit; shape (n, n), float64."""
    U, s, _ = np.linalg.svd(X[:n], full_matrices=False)
    sim = (U * s) @ U.T  # √(X Xᵀ) = U S Uᵀ
    sim.sort(axis=1)
    return normalize(sim, "unit+center+unit")


def induce_dictionary(mapped, targets, *, csls_k: int = 10, keep_prob: float = 1.0,
                      rng: np.random.Generator | None = None,
                      block_size: int | None = None) -> tuple[Dictionary, float]:
    """CSLS translations in both directions, joined into one dictionary.

    Parameters
    ----------
    mapped : array_like, shape (n, d)
        Source words already in the target space (or any common space), most frequent first.
    targets : array_like, shape (m, d)
    csls_k : int
        CSLS neighbourhood size, 1 <= csls_k <= min(n, m).
    keep_prob : float
        Stochastic induction: each word's translation is the best of a random share
        ``keep_prob`` of the candidates (the rank of the chosen candidate is geometric
        with parameter ``keep_prob``, drawn among the top ⌈log 10⁻³ / log(1 − keep_prob)⌉).
        ``1`` is the deterministic CSLS argmax.
    rng : numpy Generator, optional
        Required when ``keep_prob < 1``.
    block_size : int, optional
        Passed to :func:`retrieve`.

    Returns
    -------
    dictionary : Dictionary
        ``n + m`` pairs: every source word with its forward translation, then every
        target word with its backward translation.
    objective : float
        Mean cosine of the deterministic (top-1) CSLS translations, averaged over the
        two directions.
    """
    A = _unit_f32(mapped, "mapped")
    B = _unit_f32(targets, "targets")
    keep_prob = _check_prob(keep_prob, "keep_prob")
    if keep_prob < 1.0 and rng is None:
        raise ShapeError("stochastic induction (keep_prob < 1) needs an rng")
    pen_b = csls_penalty(B, A, csls_k, block_size=block_size)
    pen_a = csls_penalty(A, B, csls_k, block_size=block_size)
    picks, best_cos = [], []
    for Q, T, pen in ((A, B, pen_b), (B, A, pen_a)):
        topk = 1 if keep_prob >= 1.0 else min(
            T.shape[0], max(1, math.ceil(math.log(_MISS_PROBABILITY) / math.log1p(-keep_prob))))
        ranked = retrieve(Q, T, criterion="csls", k=csls_k, topk=topk, target_penalty=pen,
                          block_size=block_size)
        best_cos.append(float(np.einsum("ij,ij->i", Q, T[ranked[:, 0]], dtype=np.float64).mean()))
        if topk == 1:
            picks.append(ranked[:, 0])
        else:
            rank = np.minimum(rng.geometric(keep_prob, size=Q.shape[0]) - 1, topk - 1)
            picks.append(ranked[np.arange(Q.shape[0]), rank])
    n, m = A.shape[0], B.shape[0]
    dictionary = Dictionary(
        source=np.concatenate([np.arange(n, dtype=np.int64), picks[1]]),
        target=np.concatenate([picks[0], np.arange(m, dtype=np.int64)]),
    )
    return dictionary, 0.5 * (best_cos[0] + best_cos[1])


def similarity_init(X, Y, *, n_words: int = 4_000, csls_k: int = 10,
                    block_size: int | None = None) -> Dictionary:
    """Initial dictionary from the similarity distributions (Artetxe et al., 2018).

    Each of the ``n_words`` most frequent words of a space gets the signature
    sort(√(X·Xᵀ) row), normalised unit+center+unit; signatures are rotation invariant and
    of length ``n_words`` whatever the embedding dimension, so 50d ↔ 300d works. Words are
    matched by CSLS between signatures in both directions.

    Parameters
    ----------
    X : array_like, shape (n_x, d_x)
    Y : array_like, shape (n_y, d_y)
        Normalised spaces, rows most frequent first.
    n_words : int
        Words per side used, capped at min(n_x, n_y). Memory O(n_words²) (the
        signatures), time O(n_words³).
    csls_k : int
        CSLS neighbourhood size.
    block_size : int, optional
        Passed to :func:`retrieve`.

    Returns
    -------
    Dictionary
        2 · n pairs (forward then backward), indices into the rows of X and Y.

    Raises
    ------
    ShapeError
        Bad arrays, ``n_words`` < 1, or ``csls_k`` larger than the words used.
    """
    X, Y = _check_pair(X, Y)
    n = min(check_positive_int(n_words, "n_words"), X.shape[0], Y.shape[0])
    if csls_k > n:
        raise ShapeError(f"csls_k={csls_k} is larger than the {n} words of the initialisation")
    dictionary, _ = induce_dictionary(_signatures(X, n), _signatures(Y, n), csls_k=csls_k,
                                      block_size=block_size)
    return dictionary


def self_learning(
    X,
    Y,
    init: Dictionary,
    *,
    vocab_cutoff: int = 10_000,
    csls_k: int = 10,
    keep_prob: float = 0.1,
    keep_multiplier: float = 2.0,
    patience: int = 3,
    threshold: float = 1e-6,
    max_iterations: int = 100,
    seed: int = 0,
    block_size: int | None = None,
) -> SelfLearningFit:
    """Self-learning refinement of a dictionary (Artetxe et al., 2018).

    Each iteration fits W by orthogonal Procrustes on the current dictionary, maps the
    ``vocab_cutoff`` most frequent source words and induces a new dictionary by CSLS in
    both directions against the ``vocab_cutoff`` most frequent target words
    (:func:`induce_dictionary`). Stochastic induction starts at ``keep_prob``; when the
    objective has not improved by ``threshold`` for ``patience`` iterations, the keep
    probability is multiplied by ``keep_multiplier`` (capped at 1); a stall at 1 ends the
    loop, and a last Procrustes fit on the deterministic dictionary gives the map.

    Parameters
    ----------
    X : array_like, shape (n_x, d_x)
    Y : array_like, shape (n_y, d_y)
        Normalised spaces, rows most frequent first.
    init : Dictionary
        The initial dictionary (indices into X and Y), e.g. :func:`similarity_init`.
    vocab_cutoff : int
        Frequency cutoff of the induction (both sides); the map applies to all rows.
    csls_k : int
        CSLS neighbourhood size.
    keep_prob, keep_multiplier : float
        Initial keep probability in (0, 1] and its growth factor (> 1).
    patience : int
        Iterations without improvement before the keep probability grows (or, at 1, the
        loop stops).
    threshold : float
        Smallest objective gain counted as an improvement.
    max_iterations : int
        Hard cap on the iterations (``converged`` is False when it is reached).
    seed : int
        Seed of the stochastic induction.
    block_size : int, optional
        Passed to :func:`retrieve`.

    Returns
    -------
    SelfLearningFit

    Raises
    ------
    ShapeError
        Bad arrays, an empty or out-of-range initial dictionary, or bad settings.
    """
    X, Y = _check_pair(X, Y)
    cutoff = check_positive_int(vocab_cutoff, "vocab_cutoff")
    n, m = min(cutoff, X.shape[0]), min(cutoff, Y.shape[0])
    if csls_k > min(n, m):
        raise ShapeError(f"csls_k={csls_k} is larger than the {min(n, m)} words within the cutoff")
    p = _check_prob(keep_prob, "keep_prob")
    if not float(keep_multiplier) > 1.0:
        raise ShapeError(f"keep_multiplier must be > 1, got {keep_multiplier!r}")
    patience = check_positive_int(patience, "patience")
    max_iterations = check_positive_int(max_iterations, "max_iterations")
    src, tgt = np.asarray(init.source, dtype=np.int64), np.asarray(init.target, dtype=np.int64)
    if src.size == 0 or src.shape != tgt.shape:
        raise ShapeError(f"the initial dictionary needs pairs of equal length, got {src.shape} and {tgt.shape}")
    if src.min() < 0 or src.max() >= X.shape[0] or tgt.min() < 0 or tgt.max() >= Y.shape[0]:
        raise ShapeError(f"the initial dictionary indexes rows outside X {X.shape} or Y {Y.shape}")

    rng = np.random.default_rng(seed)
    targets = Y[:m].astype(np.float32)
    best, last_improvement, history = -np.inf, 0, []
    converged = False
    dictionary = Dictionary(src, tgt)
    it = 0
    while it < max_iterations:
        if it - last_improvement >= patience:
            if p >= 1.0:
                converged = True
                break
            p = min(1.0, p * float(keep_multiplier))
            last_improvement = it
        fit = orthogonal_procrustes(X[dictionary.source], Y[dictionary.target])
        mapped = (X[:n] @ fit.W).astype(np.float32)
        dictionary, objective = induce_dictionary(mapped, targets, csls_k=csls_k, keep_prob=p, rng=rng,
                                                  block_size=block_size)
        history.append(objective)
        if objective - best >= threshold:
            best, last_improvement = objective, it
        it += 1
    if not converged:  # max_iterations reached: the final dictionary must be the deterministic one
        fit = orthogonal_procrustes(X[dictionary.source], Y[dictionary.target])
        dictionary, _ = induce_dictionary((X[:n] @ fit.W).astype(np.float32), targets, csls_k=csls_k,
                                          block_size=block_size)
    fit = orthogonal_procrustes(X[dictionary.source], Y[dictionary.target])
    return SelfLearningFit(fit=fit, dictionary=dictionary, objective=float(best), iterations=it,
                           converged=converged, history=tuple(history))


def unsupervised_criterion(mapped, targets, *, n_words: int = 10_000, csls_k: int = 10,
                           block_size: int | None = None) -> float:
    """Conneau et al. (2018)'s unsupervised model-selection criterion.

    The mean cosine between each of the ``n_words`` most frequent mapped source words and
    its CSLS translation among the ``n_words`` most frequent target words. It needs no
    dictionary and correlates with translation accuracy, so it selects among runs
    (seeds, initialisations) and stops training.

    Parameters
    ----------
    mapped : array_like, shape (n, d)
        Mapped source vectors, most frequent first.
    targets : array_like, shape (m, d)
        Target vectors, most frequent first.
    n_words : int
        Words per side (capped at n and m).
    csls_k : int
        CSLS neighbourhood size.
    block_size : int, optional
        Passed to :func:`retrieve`.

    Returns
    -------
    float
        In [-1, 1]; higher is better.
    """
    n_words = check_positive_int(n_words, "n_words")
    A = _unit_f32(mapped, "mapped")[:n_words]
    B = _unit_f32(targets, "targets")[:n_words]
    pen = csls_penalty(B, A, csls_k, block_size=block_size)
    ranked = retrieve(A, B, criterion="csls", k=csls_k, topk=1, target_penalty=pen, block_size=block_size)
    return float(np.einsum("ij,ij->i", A, B[ranked[:, 0]], dtype=np.float64).mean())

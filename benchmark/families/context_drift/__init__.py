"""context_drift: how far a contextual model's word vectors move across contexts, per layer.

One item = one contextual model.  For every hidden-state output l
(``hidden_states[l]``, 0 = embedding output):

* **Ethayarajh (2019) measures** on corpus words: ``n_words`` words of wordfreq
  ranks ``rank_range`` (at least 3 letters, at least ``n_contexts`` corpus
  contexts; evenly spaced in rank order), each with exactly ``n_contexts``
  occurrences mined from the corpus (:mod:`benchmark.data.contexts`).

  - ``self_similarity``: mean over words of the mean pairwise cosine of the
    word's occurrence vectors (raw vectors, as in the paper).
  - ``mev``: maximum explainable variance, σ₁² / Σσ² of the word's raw
    (uncentred) occurrence matrix -- the share a single static vector can
    explain.
  - Baselines (anisotropy): the same two statistics on groups of
    ``n_contexts`` *random words in random contexts* -- ``n_random`` tokens
    drawn uniformly from the drift sentences (any letter run, function words
    included), grouped so that a group never repeats a sentence or a word
    (case-folded).  ``…/adjusted`` = measure − baseline.  Its CI is a joint
    bootstrap over words and baseline groups (rows of both resampled together).
  - ``z/…``: the same on vectors centred and divided by the per-dimension
    standard deviation of the random occurrences (with ``standardize``; plain
    centring otherwise).  On raw vectors Gemma's massive-activation dimensions
    make every cosine ≈ 0.9-0.97 in the middle layers, so the raw adjusted
    values mostly measure that anisotropy; the ``z/`` values measure context
    sensitivity in the remaining directions.

* **Sense separation** on ``datasets/contexts/senses.jsonl`` (33 words × 2
  senses × 8 sentences).  Vectors are centred by the layer mean (the mean of
  the random occurrences) and, with ``standardize`` (default), divided by their
  per-dimension standard deviation -- Gemma's few massive-activation
  dimensions otherwise decide every cosine -- then compared by cosine.  The words are split by seed
  into a dev half (the layer choice) and a test half (every reported number).

  - ``sense/separation``: per word, mean within-sense cosine minus mean
    across-sense cosine, averaged over words.
  - ``sense/accuracy``: leave-one-out nearest-centroid sense accuracy (each
    occurrence against the centroids of its word's senses, itself left out;
    cosine to the centroid; ties to the first sense label).
  - ``sense/baseline/shuffled``: the same with sense labels permuted within
    each word (``n_shuffles`` permutations, averaged per occurrence).  LOO
    nearest-centroid is biased *below* 0.5 under shuffled labels, which is why
    the baseline is measured rather than assumed.
  - ``sense/ci_separation``: CI low of the accuracy minus CI high of the
    baseline; > 0 means the two 95 % CIs do not overlap.  Both CIs resample
    whole test words (a word's occurrences are not independent);
    ``details["sense_per_word"]`` = {test word: [correct, total]} lets anyone
    recompute them.

* **Drift from the static anchor**: the anchor of a word is the model's own
  decontextualised vector of the lemma at the same layer (the word alone with
  a leading space, so SentencePiece/BPE give the word-start token), centred
  (and standardised) like the occurrences.  ``drift/anchor_cos`` = mean cosine of each sense
  occurrence to its anchor (surface forms may be inflected: ``banks``);
  ``drift/sense_gap`` = mean over words of |anchor cosine of sense A − of
  sense B| (which sense the context-free vector stands for);
  ``drift/corpus_anchor_cos`` = the same cosine for the corpus words.

The reported layer is the first best by **dev** sense accuracy; every metric
in ``metrics`` is taken at that layer (sense metrics on the test half), and
the full per-layer curves are in ``details["layers"]``.  CIs: percentile
bootstrap resampling the independent unit -- whole test words for the
occurrence-level numbers (accuracy, baseline, anchor cosine: a resample draws
words and keeps all their occurrences), test words (separation, gap), corpus
words (Ethayarajh measures); an adjusted value (measure − baseline) resamples
the corpus words and the random groups each on their own."""

from benchmark.families.base import TaskFamily
from benchmark.families.context_drift import evaluate, render
from benchmark.families.context_drift.params import ContextDriftParams

FAMILY = TaskFamily(evaluate=evaluate.evaluate, render=render.render_section, summary=render.SUMMARY,
                    params=ContextDriftParams)

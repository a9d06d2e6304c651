"""static_contextual: map a static space onto each layer of a contextual model.

One item = an ordered pair (static model → contextual model).  Protocol:

1. Contextual word set (independent of the static model, so its extraction is
   cached once per contextual model): the model's single-token whole words
   (:meth:`TransformersModel.input_embeddings`: WordPiece tokens without ``##``,
   SentencePiece ``▁word`` / byte-level ``Ġword`` tokens) that are plain words
   (:mod:`benchmark.data.vocabulary`), ranked by wordfreq, keeping words with at least
   ``min_contexts`` corpus contexts (:mod:`benchmark.data.contexts`), the first
   ``target_vocab`` of them.  This is the **target search space** of every layer.
2. Vectors of those words at every hidden-state output ``l = 0 .. L-1``
   (``hidden_states[l]``; ``l = 0`` is the embedding *output*: token embedding
   (+ position/type embeddings and LayerNorm for BERT, × √d for Gemma)):

   * ``pooled`` (headline): mean over up to ``max_contexts`` corpus occurrences
     (Bommasani et al. 2020), subword tokens mean-pooled.  Sentences are mined
     with a quota of ``min_contexts`` per word and shared between words
     (:func:`benchmark.data.contexts.mine_contexts`), so rare words get
     ``min_contexts`` contexts and frequent words up to ``max_contexts``;
   * ``decontextualized``: the word alone, written with a leading space
     (``" apple"``) so that SentencePiece / byte-level tokenisers produce the
     word-start token (``▁apple``) that step 1 selected; special tokens
     (CLS/SEP/BOS) are never pooled;
   * ``input``: the raw rows of the input-embedding matrix (no position
     embedding, no scaling, no LayerNorm) -- a context-free reference point,
     reported apart, never a candidate layer.

3. Source space: the static model's plain words, frequency ordered, first
   ``search_vocab``.  Dictionary: identity over the words shared with the
   target space, ranked by wordfreq, the most frequent ``n_train + n_dev +
   n_test`` split by seed (:func:`benchmark.data.vocabulary.identity_dictionary`;
   train shrinks when fewer are shared).  The split is the same for every layer
   and variant.
4. Per variant and layer: with ``standardize`` (default) each dimension of the
   contextual space is z-scored over the target words first (mean 0, variance 1;
   label-free, like centring).  Reason: Gemma's residual stream carries a few
   "massive activation" dimensions (one holds 30-45 % of the variance at layers
   1-3) that swamp every cosine.  The choice was made on the **dev** split
   (300 words): glove-6b-50d → gemma3-270m (seed 0), pooled dev P@1 CSLS raw
   0.68 at layer 0, then 0.05-0.18 at layers 1-9 and at most 0.33 after;
   z-scored 0.59-0.72 at layers 0-7, declining to 0.36 at layer 18.  For
   MiniLM the dev curves of the four static models move by at most 0.057
   either way.  The raw curve of the pooled variant is kept
   (``pooled_raw``) so the effect stays visible.  Then normalisation
   ``normalization`` of both spaces, orthogonal Procrustes on train, dev P@1
   under CSLS (k = ``csls_k``) picks the layer (first best on ties); test P@1
   NN/CSLS and the mean cosine of mapped test pairs make the layer curve (details, and the PNG on the
   leaderboard).
5. At the dev-chosen layer of each variant, and for ``input``, the full
   static_static protocol runs unchanged (:func:`benchmark.families.static_static.evaluate`
   on the two spaces): P@k under NN/CSLS/inverted softmax (β on dev), residual,
   bootstrap CIs, shuffled-dictionary baseline, least squares, CKA.  Headline
   keys come from the pooled variant; ``decontextualized/…`` and ``input/…``
   prefix the others.
6. ``coverage``: share of wordfreq's 10,000 most frequent plain words that are
   both a plain word of the static model and a single-token whole word of the
   contextual model (before the ``target_vocab`` cap)."""

from benchmark.families.base import TaskFamily
from benchmark.families.static_contextual import evaluate, render
from benchmark.families.static_contextual.params import StaticContextualParams

FAMILY = TaskFamily(evaluate=evaluate.evaluate, render=render.render_section, summary=render.SUMMARY,
                    params=StaticContextualParams)

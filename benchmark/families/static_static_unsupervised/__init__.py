"""static_static_unsupervised: map one static space onto another with no dictionary at all.

Protocol (one item = an ordered pair source → target):

1. Search spaces, identity dictionary, normalisation and test split exactly as in
   :mod:`benchmark.families.static_static` (same parameters and seed), the split used for
   evaluation only; the supervised orthogonal Procrustes map of that task is refitted
   here on its train split as the reference.
2. Unsupervised runs (no pair seen): the similarity-distribution initialisation
   (Artetxe et al. 2018, the ``init_vocab`` most frequent words) followed by
   self-learning for each of ``n_seeds`` seeds (the seed drives the stochastic
   dictionary induction), and one Gromov-Wasserstein initialisation (POT, the
   ``gw_vocab`` most frequent words) with the same self-learning (first seed).
3. Model selection without a dictionary: the run with the highest unsupervised
   criterion (Conneau et al. 2018: mean cosine of the CSLS translations of the
   ``criterion_vocab`` most frequent source words) is the headline.
4. Every run is scored like ``static_static``: test queries are mapped source vectors,
   targets the full target search space, NN and CSLS (k neighbourhoods over both full
   spaces); P@k with bootstrap CIs for the selected run, P@1 for every run (success =
   P@1 CSLS > ``success_threshold``).
5. Isomorphism measures, all without the test split: eigenvector similarity of the
   kNN-graph Laplacians of each space's most frequent words (no pairs), IsoScore of each
   space (no pairs), and relational similarity, CKA, RSA and mutual kNN on the first
   ``predictor_pairs`` train pairs. The leaderboard reports each measure's Spearman ρ
   with supervised and with unsupervised P@1 across pairs, with a bootstrap CI over pairs."""

from benchmark.families.base import TaskFamily
from benchmark.families.static_static_unsupervised import evaluate, render
from benchmark.families.static_static_unsupervised.params import UnsupervisedParams

FAMILY = TaskFamily(evaluate=evaluate.evaluate, render=render.render_section, summary=render.SUMMARY,
                    params=UnsupervisedParams)

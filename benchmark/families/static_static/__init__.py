"""static_static: map one static space onto another and retrieve translations.

Protocol (one item = an ordered pair source → target):

1. Search spaces: each model's plain words (see :mod:`benchmark.data.vocabulary`),
   frequency ordered, the first ``search_vocab`` of them.
2. Identity dictionary: shared plain words ranked by wordfreq; the most
   frequent ``train + dev + test`` are split by seed (train shrinks, stated,
   when the overlap is small).
3. Both full search spaces are normalised the same declared way
   (``unit+center+unit`` by default), in float64.
4. Solvers fitted on train: orthogonal Procrustes (headline), scaled
   orthogonal, least squares with bias; a shuffled-dictionary orthogonal map
   is the baseline.
5. Test queries are mapped source vectors; targets are the full target
   search space; gold = the same word.  NN, CSLS (k = 10 neighbourhoods over
   both full spaces) and inverted softmax (β chosen on dev) rank targets.
6. Bootstrap 95 % CIs over test words (percentile, ``n_bootstrap``
   resamples, seeded).  ``baseline/shuffled/ci_separation`` = CI low of P@1
   CSLS − CI high of the shuffled-dictionary baseline's (> 0: the map beats the
   baseline beyond both intervals; the task's expectation on every pair)."""

from benchmark.families.base import TaskFamily
from benchmark.families.static_static import evaluate, render
from benchmark.families.static_static.params import StaticStaticParams

FAMILY = TaskFamily(evaluate=evaluate.evaluate, render=render.render, summary=render.SUMMARY,
                    params=StaticStaticParams)

"""spectrum_layers: category sharpness at every layer of a contextual model.

One item = one contextual model.  For every hidden-state output ``l`` (0 =
embedding output, ``num_layers`` in all) the model's decontextualised word
vectors at ``l`` (each word fed alone, :meth:`static_embeddings`) form a static
space, and that space is measured exactly as :mod:`spectrum_by_category`
measures a static model: the same categories and controls, key rule,
coverage threshold, frequency-matched null (same ``n_null``, same per-set
seeds at every layer, so layers are compared on paired draws), Holm
correction.  The shipped sets (WEAT lists, analogy sections) are measured at
the input, mid and last views only (``spectrum_contextual_*``), unless
``shipped_every_layer``: they hold the largest sets and cost about twice the
categories' null draws per layer.  Their words stay out of the null pool at
every layer, so the categories' z values are the same either way.

Per layer the Result keeps the summary metrics under ``layer/<l>/...``:
median category z, fraction of categories sharper than the null (Holm and
uncorrected), median σ1 share and its null, letters / digits / Gaussian
controls (shipped sets with ``shipped_every_layer``), and the Spearman ρ of the category z ranking with
layer 0 and with the previous layer (does the structure persist through the
network?).  The per-set z and σ1 share of every layer are in the details.

Main metric: ``layers/mean_median_z``, the mean over *all* layers of the
median category z — no layer is selected, so there is nothing to tune.
The sharpest layer is reported as a description of the curve, not as a score."""

from benchmark.families.base import TaskFamily
from benchmark.families.spectrum_layers import evaluate, render
from benchmark.families.spectrum_layers.params import SpectrumLayersParams

FAMILY = TaskFamily(evaluate=evaluate.evaluate, render=render.render_section, summary=render.SUMMARY,
                    params=SpectrumLayersParams)

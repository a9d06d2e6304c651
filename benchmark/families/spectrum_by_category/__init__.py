"""spectrum_by_category: how sharp is the singular spectrum of a word category?

Protocol (one item = one model that provides a :class:`StaticEmbeddings`):

1. Category sets: ``categories.json`` (semantic categories, and the controls
   ``letters`` a–z and ``digits`` 0–9), plus, reported in a separate block,
   the sets that installed packages ship (``weat:*``, ``analogy:*``;
   :func:`benchmark.data.categories.load_shipped_categories`).
2. Key rule.  Controls (letters, digits): the exact key only (a model
   without ``"7"`` or ``"q"`` simply lacks it).  Categories (lowercase) and
   shipped sets (cased: ``Adam``, ``Athens``): the exact key, else the other
   case form when the exact key is missing — the lowercase form for
   lowercase-only models such as GloVe, the capitalised form for proper nouns
   in cased models (``january`` → ``January`` in spaCy, word2vec).  The
   folded words are listed in the details.  Words that land on the same
   vector row count once.
3. Coverage = words found / words in the set.  Below ``min_coverage`` (or
   fewer than ``min_words`` rows) the set is skipped with a stated reason
   in the result's details — never a crash.
4. Spectrum: singular values of the N×D matrix of the covered words, rows
   mean-centred (:mod:`benchmark.scoring.spectrum`, float64).  Metrics: σ1
   share, top-k share, effective rank, participation ratio, σ1/σ2, and the
   zero tail σ_min/σ1 (≈ 0 after centring when N ≤ D).
5. Null: ``n_null`` random word sets of the same size N from the same
   model, frequency-matched to the set (:func:`frequency_matched_sampler`,
   quantile bins of log(1 + rank)).  Pool: the model's plain words
   (``isalpha()`` and ``islower()``) that have a rank in wordfreq's English
   list (:func:`benchmark.data.vocabulary.reference_words`), vector rows equal
   up to float rounding (:func:`benchmark.scoring.duplicates.duplicate_groups`,
   relative distance ≤ 1e-5) deduplicated (the most frequent word keeps the
   row), minus the rows of
   *every* evaluated set (categories, controls, shipped sets): a null draw
   never holds another set's member, and each set records
   ``frequency_match.pool_other_sets_share`` (the share of its candidate pool
   that belongs to other evaluated sets: 0 by construction, checked by the
   task's expectation ``null/max_pool_other_sets_share ≤ 0.05``).  A set whose
   rank range the remaining pool cannot serve is skipped with that reason.  Rank of a set word: its position in that list (plain-word ranks;
   wordfreq is case-insensitive, so ``Adam`` has ``adam``'s rank; digits and
   other non-plain tokens get the plain-word rank of their position in the
   unfiltered ``top_n_list``; words outside it get the tail rank
   ``len(reference_words())``).  Each set's null is seeded from the item seed
   and the set's name (crc32), so results do not depend on set order.
6. Main sharpness metric: the z-score of the σ1 share against the set's
   null (positive = sharper than random words), with the one-sided empirical
   p-value (1 + #null ≥ observed) / (1 + n_null), Holm-corrected over the
   semantic categories of a model (and separately over the shipped sets).
7. Controls: letters and digits (measured like a category, with their own
   null), the null itself, and an isotropic Gaussian N×D matrix (seeded; N =
   the median size of the covered semantic categories).

Contextual models plug in through :func:`static_view`: any model object with
a ``static_embeddings(**params.view)`` method (input embeddings, or one
layer's decontextualised vectors) is measured exactly like a static model.
The leaderboard section (:func:`render_section`) is a pure function of the
Result files: per-model tables, the claim summary, cross-model Spearman
correlations of the category rankings and scree plots."""

from benchmark.families.base import TaskFamily
from benchmark.families.spectrum_by_category import evaluate, render
from benchmark.families.spectrum_by_category.params import SpectrumParams

FAMILY = TaskFamily(evaluate=evaluate.evaluate, render=render.render_section, summary=render.SUMMARY,
                    render_across_tasks=render.render_across_tasks,
                    params=SpectrumParams)

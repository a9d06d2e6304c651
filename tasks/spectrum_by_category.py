"""spectrum_by_category — how sharp is the singular spectrum of a word category?

One item per static model; contextual models are measured through the same
protocol on a static view (``static_embeddings()``): the tasks at the end of
this file.  Protocol:

- Sets: the 28 semantic categories and the letters (a–z) / digits (0–9)
  controls of ``datasets/categories/categories.json``; in a separate block
  the sets shipped by installed packages (wefe's WEAT lists, sections of
  gensim's Google analogy file).
- Keys: the letters/digits controls by exact key only (models without
  digits or single letters just lack them); categories and shipped sets by
  the exact key, else its lowercase form, else its capitalised form (proper
  nouns in cased models: january → January).  Coverage =
  found / listed; below 80 % a set is skipped with the reason recorded.
- Spectrum: singular values of the mean-centred N×D matrix (float64);
  σ1 share, top-3 share, effective rank (exp entropy of σ²/Σσ²),
  participation ratio, σ1/σ2, zero tail σ_N/σ1 (≈ 0 when N ≤ D).
- Null: 1,000 random word sets of the same size from the same model,
  frequency-matched to the set with wordfreq ranks (pool: the model's plain
  words with a wordfreq rank, rows equal up to float rounding (relative
  distance ≤ 1e-5) deduplicated, minus the rows of every evaluated set, so no draw holds another set's member), seeded from
  the item seed and the set name.  Expectation checked on every item: the
  share of a set's pool that belongs to other evaluated sets is ≤ 0.05.
- Main sharpness metric: z of the σ1 share vs that null (positive = sharper),
  one-sided empirical p, Holm-corrected over a model's semantic categories.
  The headline per model is the median z over its covered categories.
- Controls beside the categories: letters, digits, the null, and an
  isotropic Gaussian N×D matrix.  The leaderboard adds Spearman ρ of the
  category rankings between every model pair and scree plots.
"""

from benchmark.families.spectrum_by_category.params import SpectrumParams
from benchmark.families.spectrum_layers.params import DECONTEXTUALIZED, SpectrumLayersParams
from benchmark.tasks import Expectation, Task, register_task

# SpectrumParams(): min coverage 0.8, 1,000 null draws, Holm at alpha 0.05, shipped sets on;
# --quick (SpectrumParams.QUICK): 200 null draws, no shipped sets
# the null is never drawn from the evaluated sets (a protocol guarantee, checked on every item)
_NULL_IS_RANDOM_WORDS = (Expectation("null/max_pool_other_sets_share", maximum=0.05),)

register_task(
    Task(
        name="spectrum_by_category",
        # 1.1: null pool excludes every evaluated set's words; 1.2: full typed params recorded;
        # 1.3: rows equal up to float rounding are one vector in the pool (bit equality flipped across CPUs);
        # 1.4: null draws vectorised over draws (uniform_subsets): another random stream, the same protocol
        version="1.4",
        family="spectrum_by_category",
        description="Singular-spectrum sharpness of word categories vs a frequency-matched null",
        main_metric="categories/median_z",
        higher_is_better=True,
        model_kinds=("static",),
        params=SpectrumParams(),
        data_files=("datasets/categories/categories.json",),
        expectations=_NULL_IS_RANDOM_WORDS,
    )
)


# Contextual models: the same protocol on one static view of the model — its
# input-embedding matrix (single-token whole words), or the decontextualised
# vectors (each word fed alone, pieces mean-pooled) of the middle or the last
# layer over wordfreq's 5,000 most frequent plain words, every 4th one after
# them down to rank 50k (every frequency band then has words of no evaluated
# set for the null), and every category and shipped-set word.
# 1.1: shipped sets measured too; 1.2: null pool of no evaluated set, wider view;
# 1.3: full typed params recorded; 1.4: rows equal up to float rounding are one vector in the pool;
# 1.5 (mid, last): the view is extracted in batches of 256 words, not 32 (vectors move at float rounding);
# 1.5 (input), 1.6 (mid, last): null draws vectorised over draws: another random stream, the same protocol
for _suffix, _view, _version in (
    ("input", {"source": "input"}, "1.5"),
    ("mid", {**DECONTEXTUALIZED, "layer": "mid"}, "1.6"),
    ("last", {**DECONTEXTUALIZED, "layer": "last"}, "1.6"),
):
    register_task(
        Task(
            name=f"spectrum_contextual_{_suffix}",
            version=_version,
            family="spectrum_by_category",
            description=f"spectrum_by_category on a contextual model's {_suffix} view "
                        f"({'input embeddings' if _suffix == 'input' else _suffix + ' layer, decontextualised'})",
            main_metric="categories/median_z",
            higher_is_better=True,
            model_kinds=("contextual",),
            params=SpectrumParams(view=_view),
            data_files=("datasets/categories/categories.json",),
            expectations=_NULL_IS_RANDOM_WORDS,
        )
    )

# Every layer (0 = embedding output … last) of a contextual model, each measured like
# spectrum_contextual_mid; headline = mean over layers of the median category z.
register_task(
    Task(
        name="spectrum_contextual_layers",
        # 1.1: null pool of no evaluated set, wider decontextualised view; 1.2: full typed params recorded;
        # 1.3: rows equal up to float rounding are one vector in the pool; 1.4: the view is extracted in
        # batches of 256 words, not 32 (vectors move at float rounding); 1.5: null draws vectorised over
        # draws (another random stream, the same protocol); 1.6: the shipped sets are measured at the input, mid
        # and last views only, no longer at every layer (shipped_every_layer; the categories' z values are unchanged)
        version="1.6",
        family="spectrum_layers",
        description="spectrum_by_category at every layer of a contextual model (decontextualised words)",
        main_metric="layers/mean_median_z",
        higher_is_better=True,
        model_kinds=("contextual",),
        params=SpectrumLayersParams(),  # the view DECONTEXTUALIZED, every layer
        data_files=("datasets/categories/categories.json",),
        expectations=_NULL_IS_RANDOM_WORDS,
    )
)

"""static_contextual — at which layer is a contextual model a rotated copy of a static one?

Every ordered pair (static model → contextual model).  For each hidden-state
output l of the contextual model (l = 0 is the embedding *output*), orthogonal
Procrustes maps the static space onto the layer's word vectors, in two
variants: **pooled** (mean over 2 to 10 corpus contexts per word; headline) and
**decontextualized** (the word alone); the raw input-embedding rows are a
third, context-free reference ("input").  Every contextual space is z-scored
per dimension first (Gemma's massive-activation dimensions otherwise swamp
cosine; the raw pooled curve stays in the details and on the plot).  The
layer is chosen by dev P@1 CSLS,
never test; the whole curve is in the result's details and on the leaderboard
plot.

Bounded by extraction cost (one forward pass per distinct context sentence):
the target search space is the contextual model's first 3,000 single-token
plain words (wordfreq order) with at least 2 corpus contexts; the dictionary
is train 2,000 / dev 300 / test 700 of the words shared with the static model
(train shrinks when fewer are shared, e.g. to ≈ 1,990 for GloVe); the source
space is the static model's first 10,000 plain words.  Contexts: sentences
mined at run time from gensim's lee_background.cor and shortened enwiki dump
(benchmark/data/contexts.py) with a quota of 2 per word, shared between words, so
that frequent words get up to 10 from the same ≈ 1,950 sentences.  Extraction
is cached on disk per contextual model and shared by all static models.

Expectation (every pair): at the dev-chosen layer the map beats the
shuffled-dictionary baseline beyond both 95 % CIs
(``baseline/shuffled/ci_separation`` ≥ 0).
"""

from benchmark.families.static_contextual.params import StaticContextualParams
from benchmark.tasks import Expectation, Task, register_task

register_task(
    Task(
        name="static_contextual",
        # 1.1: scaled-Procrustes scale fixed, mean cos, WordLlama words, shuffled CI separation;
        # 1.2: full typed params recorded; 1.3: layer curves retrieve in the span of the mapped sources
        # (the same cosines in d_static + 1 dimensions; scores move at float32 rounding)
        version="1.3",
        family="static_contextual",
        description="Procrustes from a static space to every layer of a contextual model; dev-chosen layer",
        main_metric="p@1/csls",
        higher_is_better=True,
        model_kinds=("static", "contextual"),
        params=StaticContextualParams(),  # the protocol above; --quick: StaticContextualParams.QUICK
        expectations=(
            # at the dev-chosen layer the map beats the shuffled-dictionary baseline beyond both CIs
            Expectation("baseline/shuffled/ci_separation", minimum=0.0),
        ),
    )
)

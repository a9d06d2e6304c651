"""static_static — translate one static embedding space into another.

Every ordered pair of static models.  Dictionary: the identity translation
over the shared vocabulary.  Key normalisation: a key takes part when it is a
plain word (``isalpha()`` and ``islower()``), matched exactly with no case
folding — GoogleNews phrases with ``_``, capitalised keys, digits and
punctuation are left out; WordLlama's vocabulary is wordfreq's plain words
embedded the way the library embeds text (``WordLlama.embed``: its tokenizer,
then the average of the token embeddings) plus its whole-word ``▁word``
pieces.  Shared
words are ranked by wordfreq's English list (word2vec-gnews is alphabetical
and carries no counts), the 7,000 most frequent are split by seed into
train 5,000 / dev 500 / test 1,500; with fewer shared words train shrinks
and test stays at 1,500 (recorded in the result's sizes).
"""

from benchmark.families.static_static.params import StaticStaticParams
from benchmark.tasks import Expectation, Task, register_task

register_task(
    Task(
        name="static_static",
        # 1.1: scaled-Procrustes scale fixed, mean cos of mapped test pairs, WordLlama words;
        # 1.2: full typed params recorded
        version="1.2",
        family="static_static",
        description="Orthogonal Procrustes between two static spaces; P@k under NN, CSLS, inverted softmax",
        main_metric="p@1/csls",
        higher_is_better=True,
        model_kinds=("static", "static"),
        params=StaticStaticParams(),  # the protocol above; --quick: StaticStaticParams.QUICK
        # MUSE's protocol (Conneau et al. 2018): targets searched over the first 200,000 words of each space where
        # the model has them (GloVe 6B: 400k), CSLS neighbourhoods over the same spaces; `run --profile muse-200k`
        profiles={"muse-200k": {"search_vocab": 200_000}},
        expectations=(
            # every pair: a map fitted on the real dictionary beats one fitted on a shuffled dictionary,
            # beyond both 95 % CIs (any two English spaces share enough structure for that)
            Expectation("baseline/shuffled/ci_separation", minimum=0.0),
            Expectation("p@1/csls", minimum=0.75, models=("word2vec-gnews", "spacy-md-300")),
            Expectation("p@1/csls", minimum=0.75, models=("spacy-md-300", "word2vec-gnews")),
        ),
    )
)

"""Leaderboard rendering of ``python -m benchmark translate`` Results (the command is in :mod:`benchmark.translate`).

Not a registered task family: no task runs it; ``python -m benchmark leaderboard --results DIR``
reads these columns and the protocol to render the Results the command writes.
"""

from __future__ import annotations

from benchmark.leaderboard import Column

TABLE_COLUMNS = (
    Column("P@1 NN ↑", "p@1/nn", ci=True),
    Column("P@1 CSLS ↑", "p@1/csls", ci=True),
    Column("P@1 ISF ↑", "p@1/isf", ci=True),
    Column("P@10 CSLS ↑", "p@10/csls"),
    Column("residual ↓", "residual"),
    Column("coverage ↑", "coverage"),
    Column("criterion", "criterion"),
)


def protocol_text(result) -> str:
    p = result.params
    return "\n".join([
        f"- Method `{p['method']}`; normalisation `{p['normalization']}` of both spaces (first {p['max_vocab']:,} "
        f"rows of each file); train dictionary `{p['train_dict']}`, test dictionary `{p['test_dict']}` (MUSE format).",
        f"- Retrieval over the full target space: NN cosine, CSLS with k = {p['csls_k']} over both spaces, inverted "
        f"softmax with β = {p['isf_beta']}; P@k over the test source words with a gold target in the spaces "
        "(coverage: share of test pairs with both words present). Residual ‖f(X) − Y‖_F / ‖Y‖_F over the test "
        "pairs present.",
        f"- CIs: percentile bootstrap, {p['n_bootstrap']:,} resamples of test source words.",
    ])

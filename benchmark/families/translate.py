"""Leaderboard rendering of ``python -m benchmark translate`` Results (the command is in :mod:`benchmark.translate`).

Registered as a family so that the leaderboard renders the Results the command writes
(``python -m benchmark leaderboard --results DIR``); no task evaluates it.
"""

from __future__ import annotations

from benchmark.errors import TaskError
from benchmark.families.base import TaskFamily
from benchmark.report.columns import COVERAGE, P1_NN_CSLS_ISF, p_at
from benchmark.report.leaderboard import Column, Summary, table_section

TABLE_COLUMNS = (
    *P1_NN_CSLS_ISF,
    p_at(10, "csls"),
    Column("residual ↓", "residual"),
    COVERAGE,
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


SUMMARY = Summary(
    question="Does the map `translate` fitted (or found without a dictionary) send the test words onto their "
             "translations?",
    columns=TABLE_COLUMNS[:6],
    coverage=COVERAGE.metric,
)


def evaluate(task, models, *, seed: int):
    raise TaskError(f"task {task.name!r}: the translate family is written by `python -m benchmark translate`; "
                    "no task evaluates it")


def render(results, plots_dir=None) -> str:
    """The page of ``translate`` Results: the full table and the protocol."""
    return table_section(list(results), TABLE_COLUMNS, protocol_text)


FAMILY = TaskFamily(evaluate=evaluate, render=render, summary=SUMMARY)

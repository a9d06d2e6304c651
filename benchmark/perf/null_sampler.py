"""Speed of the frequency-matched null draws, vectorised over draws vs one draw at a time:
``python -m benchmark.perf.null_sampler [--model glove-6b-50d] [--repeats 3]``.

Measures one static model's ``spectrum_by_category`` item (default parameters:
1,000 null draws per set) in one process, alternately with
:meth:`FrequencyMatchedSampler.draws` (what the benchmark does: one
``uniform_subsets`` call per frequency bin) and with the reference it
replaced, defined here: one ``Generator.choice(..., replace=False)`` per bin
per draw.  It prints, per arm, the sampler's own time summed over the sets,
the whole item's time and the headline values, then the ratios of the
vectorised arm to the reference.  The two arms use different random streams,
so their null-based values differ at Monte-Carlo level only; every draw of
both arms is checked (distinct rows, the sampler's per-bin counts).  Speed is
reported, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

#: Values printed for both arms: null-based ones agree at Monte-Carlo level, observed ones exactly.
HEADLINE = ("categories/median_z", "categories/frac_sharper_than_null", "categories/median_null_sigma1_share",
            "categories/median_sigma1_share", "shipped/median_z", "shipped/frac_sharper_than_null")


def per_draw_reference(sampler, rng: np.random.Generator, n_draws: int) -> np.ndarray:
    """The replaced sampler: per draw, one ``rng.choice`` without replacement per bin, in bin order."""
    members = [np.flatnonzero(sampler.pool_bins == b) for b in range(len(sampler.target_counts))]
    out = np.empty((int(n_draws), sampler.set_size), dtype=np.intp)
    for i in range(int(n_draws)):
        out[i] = np.concatenate([rng.choice(m, size=int(c), replace=False)
                                 for m, c in zip(members, sampler.target_counts) if c > 0])
    return out


def _checked(sampler, draws: np.ndarray) -> np.ndarray:
    rows = np.sort(draws, axis=1)
    assert not (rows[:, 1:] == rows[:, :-1]).any(), "a draw repeats a row"
    bins = sampler.pool_bins[draws]
    for b, c in enumerate(sampler.target_counts):
        assert ((bins == b).sum(axis=1) == c).all(), f"a draw misses bin {b}'s count {c}"
    return draws


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.perf.null_sampler", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="glove-6b-50d", help="a registered static model (default glove-6b-50d)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per arm, alternating (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from benchmark.families.spectrum_by_category import measure
    from benchmark.families.spectrum_by_category.evaluate import evaluate_embeddings
    from benchmark.families.spectrum_by_category.params import as_params
    from benchmark.families.spectrum_by_category.views import static_view
    from benchmark.models import load_model
    from benchmark.scoring import spectrum
    from benchmark.scoring.null_draws import NullDrawMemo
    from benchmark.tasks import get_task

    task = get_task("spectrum_by_category")
    emb = static_view(load_model(args.model), task.params)
    vectorised = spectrum.FrequencyMatchedSampler.draws
    sampler_time = {"vectorised": 0.0, "per-draw": 0.0}

    def timed(arm, impl):
        def draws(self, rng, n_draws):
            t0 = time.perf_counter()
            out = impl(self, rng, n_draws)
            sampler_time[arm] += time.perf_counter() - t0
            return _checked(self, out)
        return draws

    arms = {"vectorised": timed("vectorised", vectorised), "per-draw": timed("per-draw", per_draw_reference)}
    item, sampler_share, headline = {a: [] for a in arms}, {a: [] for a in arms}, {}
    saved_memo = measure.NULL_DRAWS
    try:
        measure.NULL_DRAWS = NullDrawMemo(max_bytes=0)  # every set draws afresh
        for _ in range(max(1, args.repeats)):
            for arm, impl in arms.items():
                spectrum.FrequencyMatchedSampler.draws = impl
                sampler_time[arm] = 0.0
                t0 = time.perf_counter()
                result = evaluate_embeddings(emb, task.params, seed=args.seed)
                item[arm].append(time.perf_counter() - t0)
                sampler_share[arm].append(sampler_time[arm])
                headline[arm] = result.metrics
    finally:
        spectrum.FrequencyMatchedSampler.draws = vectorised
        measure.NULL_DRAWS = saved_memo

    print(f"{args.model}: spectrum_by_category v{task.version}, {as_params(task.params).n_null} null draws per set, "
          f"median of {max(1, args.repeats)} alternating runs per arm")
    for arm in arms:
        print(f"  {arm:10s} sampler {statistics.median(sampler_share[arm]):7.2f} s   "
              f"item {statistics.median(item[arm]):7.2f} s")
    v, r = (statistics.median(sampler_share[a]) for a in ("vectorised", "per-draw"))
    iv, ir = (statistics.median(item[a]) for a in ("vectorised", "per-draw"))
    print(f"  sampler per-draw / vectorised = {r / v:.1f}x; item per-draw / vectorised = {ir / iv:.2f}x")
    for k in HEADLINE:
        print(f"  {k:40s} vectorised {headline['vectorised'][k]: .4f}   per-draw {headline['per-draw'][k]: .4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

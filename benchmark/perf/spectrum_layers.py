"""Speed of one spectrum layer sweep with and without shared null draws:
``python -m benchmark.perf.spectrum_layers [--model minilm-l6] [--full]``.

Runs the ``spectrum_contextual_layers`` family on one contextual model three
times in one process: drawing every layer's null afresh (the memo holds
nothing), reusing the draws across layers (:data:`NULL_DRAWS`, what the
benchmark does), and afresh again; prints each time, the ratio of the reusing
run to the mean of the two others, and whether the results are identical
(they must be).  The model's vectors come from the embedding cache (the first
run may extract them).  ``--full`` uses the default parameters (1,000 null
draws) instead of the quick ones.  Speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.perf.spectrum_layers", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="minilm-l6", help="a registered contextual model (default minilm-l6)")
    parser.add_argument("--full", action="store_true", help="default parameters (1,000 null draws), not the quick ones")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from benchmark.families.spectrum_by_category import measure as spectrum_by_category
    from benchmark.families.spectrum_layers.evaluate import evaluate as evaluate_layers
    from benchmark.models import load_model
    from benchmark.scoring.null_draws import NullDrawMemo
    from benchmark.tasks import get_task

    task = get_task("spectrum_contextual_layers")
    task = task if args.full else task.quick()
    model = load_model(args.model)
    saved = spectrum_by_category.NULL_DRAWS
    timings, results = {}, {}
    try:
        for label, memo in (("afresh", NullDrawMemo(max_bytes=0)), ("shared", NullDrawMemo()),
                            ("afresh again", NullDrawMemo(max_bytes=0))):
            spectrum_by_category.NULL_DRAWS = memo
            t0 = time.perf_counter()
            measurement = evaluate_layers(task, [model], seed=args.seed)
            timings[label] = time.perf_counter() - t0
            results[label] = json.dumps([measurement.metrics, measurement.details], sort_keys=True, default=str)
            print(f"{label:13s} {timings[label]:7.1f} s  (memo hits {memo.hits}, misses {memo.misses})")
    finally:
        spectrum_by_category.NULL_DRAWS = saved
    reference = (timings["afresh"] + timings["afresh again"]) / 2
    same = results["afresh"] == results["shared"] == results["afresh again"]
    print(f"{args.model} ({model.num_layers} layers, {'full' if args.full else 'quick'}): shared / afresh = "
          f"{timings['shared'] / reference:.2f}; identical results: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m benchmark.perf``: the retrieval benchmark (:mod:`benchmark.perf.retrieval`)."""

from benchmark.perf.retrieval import main

raise SystemExit(main())

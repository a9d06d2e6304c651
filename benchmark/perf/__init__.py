"""Speed and memory benchmarks: each prints ratios to a reference measured in the same run (never a timed test)."""

"""Where items run: in this process (``local``, the default) or as Ray tasks (``ray``), one item a task.

``python -m benchmark run --executor ray [--address ADDR]`` sends every item to a Ray cluster:
an existing one (``--address ray://HOST:10001`` or ``auto`` on a cluster node) or, without an
address, a local instance started for the run (``--ray-cpus N`` caps its CPUs).  Each task runs
the same :func:`benchmark.run.runner.execute` as the local runner -- per-item lock, reuse of a
current Result, atomic write -- into the shared results directory (it must be one path that every
worker can read and write: a shared file system on a real cluster); the driver then builds the
leaderboard from the Result files, so a cluster run and a local run give the same metrics and the
same tables (P@k exactly; float64 sums may differ in their last bit, as a Ray task gets one CPU and
BLAS then sums in another order than a multi-threaded local process).  Items with a contextual model ask for one GPU when the cluster has any; the others
ask for one CPU.  The model specs travel with the item (cloudpickle), so models registered in the
driver (config files, entry points, ``score``) load on the workers too.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Sequence

from benchmark.run.runner import DEFAULT_SEED, Item, RunSummary, execute, prepare_output


def _execute_on_worker(item: Item, specs, results_dir: str, seed: int, force: bool, since: float,
                       device: str = "auto"):
    """One item on a Ray worker: register the driver's model specs it lacks, resolve ``--device`` here, then the
    local runner's step."""
    from benchmark.errors import UnknownNameError
    from benchmark.models import get_model_spec, register_model
    from benchmark.run.device import on_device, resolve_device

    for spec in specs:
        try:
            get_model_spec(spec.name)  # the worker's own catalog, config and entry points first
        except UnknownNameError:
            register_model(spec)
    with on_device(resolve_device(device)):
        result, reused = execute(item, Path(results_dir), seed=seed, force=force, since=since)
    return result.to_json(), reused


def run_on_ray(
    items: Sequence[Item],
    *,
    out_dir: str | os.PathLike,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    skip_invalid: bool = False,
    address: str | None = None,
    num_cpus: int | None = None,
    device: str = "auto",
) -> RunSummary:
    """Run ``items`` as Ray tasks writing into ``out_dir/results``, then write the leaderboard here.

    Parameters
    ----------
    items
        Planned items (:func:`benchmark.run.runner.plan_items`).
    out_dir
        Output folder; ``results/`` under it must be reachable by every worker at the same path.
    address
        A running cluster (``ray://host:10001``, ``auto``); ``None`` starts a local instance.
    num_cpus
        CPUs of the local instance (ignored with ``address``).
    device
        ``--device`` as given (``auto``, ``cpu``, ``cuda``): each worker resolves it for itself.
    """
    import json

    import ray

    from benchmark.models import get_model_spec
    from benchmark.report.leaderboard import write_leaderboard
    from benchmark.run.results import Result

    since = time.time()
    results_dir = prepare_output(out_dir, skip_invalid=skip_invalid)
    started_here = not ray.is_initialized()
    if started_here:
        kwargs = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address is None:
            ray.init(num_cpus=num_cpus, **kwargs)
        else:
            ray.init(address=address, **kwargs)
    try:
        gpus = ray.cluster_resources().get("GPU", 0)
        remote = ray.remote(_execute_on_worker)
        refs = []
        for item in items:
            specs = [get_model_spec(m) for m in item.models]
            wants_gpu = gpus > 0 and any(s.kind == "contextual" for s in specs)
            options = {"num_cpus": 1, "num_gpus": 1 if wants_gpu else 0, "max_retries": 0}
            refs.append(remote.options(**options).remote(item, specs, str(results_dir.resolve()), seed, force, since,
                                                    device))
        summary = RunSummary([], [])
        for item, (text, reused) in zip(items, ray.get(refs)):
            if reused:
                summary.reused.append(item.id)
            else:
                summary.computed.append(Result.from_dict(json.loads(text)))
    finally:
        if started_here:
            ray.shutdown()
    write_leaderboard(out_dir, skip_invalid=skip_invalid, warn=False)
    return summary

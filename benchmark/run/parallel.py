"""Items on several local processes at once: ``python -m benchmark run --jobs N`` (default ``auto``).

Much of an item runs on one core whatever the machine has (Python loops, small matrices, tokenisation,
LAPACK on small blocks): on 2 cores a ``static_contextual`` item takes 86 s with two BLAS threads and 90 s
with one.  So a run with N worker processes, each held to ``cores // N`` threads (BLAS, OpenMP, torch
and the retrieval blocks), does more per second than one process with every thread.

Scheduling keeps what a process caches useful: every item that uses a contextual model goes to the
same worker, in run order (the model is loaded once, its extracted vectors are computed once and the
layer sweeps share their null draws); the other items are handed out one at a time to whichever worker
is free.  Each item runs through :func:`benchmark.run.runner.execute` exactly as in the sequential
runner (per-item lock, reuse of a current Result, atomic write), and the driver writes the leaderboard
from the Result files, so the tables are those of a sequential run.  Values computed with another
number of BLAS threads can differ in their last bits (float sums in another order); P@k never does.

Workers are fresh interpreters (``python -m benchmark.run.parallel``, never a fork of a process that
may hold torch or CUDA state, and never a re-import of the caller's ``__main__``), each talking to the
driver over its own pipe.  Models registered in the driver (config files, entry points, ``score``, a
test's models) travel to them, pickled by cloudpickle.  A worker's error stops the run: the other
workers are stopped, every Result already written is kept, and the error (one line, exit status 2 for
a :class:`~benchmark.errors.BenchmarkError`) is raised in the driver; a worker that dies (killed for
memory, say) is named with its exit status.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Callable, Sequence

from benchmark.scoring.threads import usable_cores

#: Environment variables that set the thread pools of BLAS, OpenMP and torch in a worker process.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

#: At most this many workers by default: beyond it, more threads per worker serve a run better.
MAX_AUTO_JOBS = 4


def auto_jobs(cores: int | None = None) -> int:
    """``--jobs auto``: one worker per core up to :data:`MAX_AUTO_JOBS` (1 on a one-core machine)."""
    cores = usable_cores() if cores is None else max(1, int(cores))
    return max(1, min(cores, MAX_AUTO_JOBS))


def threads_per_job(jobs: int, cores: int | None = None) -> int:
    """The threads each of ``jobs`` workers gets: the cores shared out, at least one."""
    cores = usable_cores() if cores is None else max(1, int(cores))
    return max(1, cores // max(1, int(jobs)))


def affinity_groups(items: Sequence, is_contextual: Callable[[str], bool]) -> list[list]:
    """The items in the groups one worker runs each, in the order they are handed out.

    Items that share a contextual model are one group (in run order; an item with two contextual
    models joins their groups into one); every other item is a group of its own.  Groups with a
    contextual model come first, the largest first (they are the longest), then the others in run order.
    """
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, item in enumerate(items):
        find(i)
        for name in item.models:
            if is_contextual(name):
                if name in owner:
                    parent[find(i)] = find(owner[name])
                else:
                    owner[name] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    contextual = {find(i) for i in owner.values()}
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] not in contextual,
                                                     -len(kv[1]) if kv[0] in contextual else 0, kv[1][0]))
    return [[items[i] for i in members] for _, members in ordered]


# ---------------------------------------------------------------- worker side
def _error_record(exc: BaseException) -> dict:
    from benchmark.errors import BenchmarkError, os_error_line

    message = os_error_line(exc) if isinstance(exc, OSError) and not isinstance(exc, BenchmarkError) else str(exc)
    return {"type": type(exc).__name__, "message": message,
            "user_error": isinstance(exc, (BenchmarkError, OSError)),
            "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))}


def _register(specs: bytes | None) -> None:
    if specs is None:
        return
    from benchmark.errors import UnknownNameError
    from benchmark.models import get_model_spec, register_model

    for spec in pickle.loads(specs):
        try:
            get_model_spec(spec.name)  # the worker's own catalog, config and entry points first
        except UnknownNameError:
            register_model(spec)


def worker_main(read_fd: int, write_fd: int) -> int:
    """A worker's loop: set up from the driver's first message, then run each group it sends until ``stop``."""
    from multiprocessing.connection import Connection

    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    try:
        _, threads, device_choice, specs = inbox.recv()
        from benchmark.run.device import on_device, resolve_device
        from benchmark.run.runner import execute
        from benchmark.scoring import retrieval
        from benchmark.scoring import threads as scoring_threads

        scoring_threads.WORKERS = retrieval.WORKERS = threads
        _register(specs)
        device = resolve_device(device_choice)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(threads)
    except BaseException as exc:  # noqa: BLE001 - reported to the driver, which stops the run
        outbox.send(("error", _error_record(exc)))
        return 1
    outbox.send(("ready",))
    with on_device(device):
        while True:
            message = inbox.recv()
            if message[0] == "stop":
                return 0
            _, items, results_dir, seed, force, since = message
            try:
                for item in items:
                    outbox.send(("start", item.id))
                    result, reused = execute(item, Path(results_dir), seed=seed, force=force, since=since)
                    outbox.send(("done", item.id, result.to_json(), reused))
            except BaseException as exc:  # noqa: BLE001
                outbox.send(("error", _error_record(exc)))
                return 1
            outbox.send(("ready",))


# ---------------------------------------------------------------- driver side
def model_specs_payload(names) -> bytes | None:
    """The driver's specs of the models ``names`` for the workers, pickled by cloudpickle (a loader may be a
    closure); ``None`` without cloudpickle: the workers then find the models in their own catalog and config."""
    from benchmark.models import get_model_spec

    try:
        import cloudpickle
    except ImportError:  # pragma: no cover - a dependency
        return None
    return cloudpickle.dumps([get_model_spec(name) for name in sorted(set(names))])


class _Worker:
    def __init__(self, threads: int, stderr):
        from multiprocessing.connection import Connection

        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        env = {**os.environ, **{var: str(threads) for var in THREAD_ENV}}
        self.proc = subprocess.Popen([sys.executable, "-m", "benchmark.run.parallel", str(to_r), str(from_w)],
                                     pass_fds=(to_r, from_w), env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL if stderr is not None else None, stderr=stderr)
        os.close(to_r)
        os.close(from_w)
        self.inbox = Connection(from_r, writable=False)
        self.outbox = Connection(to_w, readable=False)

    def stop(self) -> None:
        for conn in (self.outbox, self.inbox):
            conn.close()
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a worker stuck in native code
            self.proc.kill()
            self.proc.wait()


def run_groups(groups: Sequence[list], *, results_dir: Path, seed: int, force: bool, since: float, jobs: int,
               device: str, on_start: Callable[[str], None], on_done: Callable[[str], None],
               worker_stderr=None) -> list[tuple]:
    """Run ``groups`` on ``jobs`` worker processes; ``[(Result, reused), ...]`` in completion order.

    ``on_start(item_id)`` / ``on_done(item_id)`` are called in this process as the workers report;
    ``worker_stderr`` is where the workers' stderr goes (a file object, ``subprocess.DEVNULL``, or ``None``:
    this process's, and then their stdout too).
    """
    from multiprocessing.connection import wait

    from benchmark.errors import TaskError
    from benchmark.run.results import Result

    threads = threads_per_job(jobs)
    specs = model_specs_payload(name for group in groups for item in group for name in item.models)
    todo = [list(g) for g in groups]
    workers = [_Worker(threads, worker_stderr) for _ in range(min(jobs, len(groups)))]
    out: list[tuple] = []
    try:
        for w in workers:
            w.outbox.send(("init", threads, device, specs))
        busy = {w.inbox: w for w in workers}
        while busy:
            for conn in wait(list(busy)):
                w = busy[conn]
                try:
                    message = conn.recv()
                except EOFError:
                    status = w.proc.wait()
                    raise TaskError(f"a worker process ended with exit status {status} while running items"
                                    + (" (killed: out of memory?)" if status in (-9, 137) else "")) from None
                kind = message[0]
                if kind == "start":
                    on_start(message[1])
                elif kind == "done":
                    out.append((Result.from_dict(json.loads(message[2])), message[3]))
                    on_done(message[1])
                elif kind == "error":
                    error = message[1]
                    if error["user_error"]:
                        raise TaskError(error["message"])
                    raise RuntimeError(f"a worker failed with {error['type']}: {error['message']}\n"
                                       f"{error['traceback']}")
                elif todo:  # ready
                    w.outbox.send(("group", todo.pop(0), str(results_dir), seed, force, since))
                else:
                    w.outbox.send(("stop",))
                    del busy[conn]
    finally:
        for w in workers:
            w.stop()
    return out


if __name__ == "__main__":
    raise SystemExit(worker_main(int(sys.argv[1]), int(sys.argv[2])))

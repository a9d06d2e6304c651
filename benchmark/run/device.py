"""``--device``: where contextual models and retrieval run, resolved where the item runs.

The choice (``auto``, ``cpu``, ``cuda``) travels to Ray workers as given and each worker resolves it
itself, so a GPU worker of a cluster uses its GPU whatever the driver has.
"""

from __future__ import annotations

import importlib.util
import os
from contextlib import contextmanager

from benchmark.errors import BenchmarkError

#: Read by the contextual model loaders (:mod:`benchmark.models.catalog`).
DEVICE_ENV = "ROSETTA_DEVICE"
DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(choice: str) -> str | None:
    """``--device`` → the CUDA device retrieval and contextual models use, or ``None`` for the CPU."""
    if choice not in DEVICE_CHOICES:
        raise BenchmarkError(f"--device {choice!r}: choose one of {', '.join(DEVICE_CHOICES)}")
    if choice == "cpu" or (choice == "auto" and importlib.util.find_spec("torch") is None):
        return None
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if choice == "cuda":
        raise BenchmarkError("--device cuda: torch sees no CUDA device (use --device auto or cpu)")
    return None


@contextmanager
def on_device(device: str | None):
    """Within the block, contextual models load on ``device`` and retrieval runs there (``None``: the CPU)."""
    from benchmark.scoring.retrieval import use_torch_device

    saved = os.environ.get(DEVICE_ENV)
    os.environ[DEVICE_ENV] = device or "cpu"
    try:
        with use_torch_device(device):
            yield
    finally:
        if saved is None:
            os.environ.pop(DEVICE_ENV, None)
        else:
            os.environ[DEVICE_ENV] = saved

"""One measurement per embedding space in a process, shared by the items that measure it alike.

``spectrum_contextual_mid`` and ``_last`` measure one layer of a contextual model's
decontextualised view; ``spectrum_contextual_layers`` measures every layer of the same
view with the same seed.  When it measures the same sets (``shipped_every_layer``, or
no shipped sets at all), two of its layers are those items exactly; by default it skips
the shipped sets, and shares only the null draws (:mod:`benchmark.scoring.null_draws`).
:func:`shared_measurement` computes a space once per (space content, parameters except
the view, seed) and hands every later caller a copy; what the caller gets is identical
whichever item computed it (the view only chooses the space, which the key holds).
"""

from __future__ import annotations

import copy
import hashlib
import logging
from collections import OrderedDict
from typing import Any, Callable, Mapping

import numpy as np

from benchmark.adapters.base import StaticEmbeddings
from benchmark.families.base import Measurement

log = logging.getLogger(__name__)

#: Measurements kept, oldest dropped first: enough for every layer of the default models (7 + 13 + 19), since
#: ``spectrum_contextual_mid`` runs after the sweeps of all models (a layer's Result is about 0.3 MB).
MAX_ENTRIES = 64

_MEMO: OrderedDict[str, Measurement] = OrderedDict()


def space_key(emb: StaticEmbeddings, params: Mapping[str, Any], seed: int) -> str:
    """sha256 over the space (name, revision, words, float32 rows), the parameters but ``view`` and the seed."""
    digest = hashlib.sha256()
    rest = {k: v for k, v in sorted(params.items()) if k != "view"}
    for part in (emb.name, emb.revision, repr(rest), str(int(seed)), str(emb.vectors.shape)):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update("\n".join(emb.words).encode("utf-8") + b"\0")
    digest.update(np.ascontiguousarray(emb.vectors, dtype=np.float32).tobytes())
    return digest.hexdigest()


def shared_measurement(emb: StaticEmbeddings, params: Mapping[str, Any], seed: int,
                       compute: Callable[[], Measurement]) -> Measurement:
    """``compute()`` the first time this space is measured with these parameters and seed, a copy of it after."""
    key = space_key(emb, params, seed)
    if key in _MEMO:
        _MEMO.move_to_end(key)
        log.debug("spectrum of %s: measured earlier in this process", emb.name)
        return copy.deepcopy(_MEMO[key])
    measurement = compute()
    _MEMO[key] = copy.deepcopy(measurement)
    while len(_MEMO) > MAX_ENTRIES:
        _MEMO.popitem(last=False)
    return measurement


def clear() -> None:
    _MEMO.clear()

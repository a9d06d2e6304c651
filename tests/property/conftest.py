"""Hypothesis profiles for the property tests.

``HYPOTHESIS_PROFILE=ci`` (derandomized, 50 examples, prints reproduction blobs) in CI;
``dev`` (25 random examples) by default. Registered here so that the profiles exist
whether ``tests/property`` is run alone or as part of ``tests/``.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=50, print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=25)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

"""Hypothesis profiles, chosen by HYPOTHESIS_PROFILE: "default" (``make test``: a fixed
seed, few examples, fast) and "fuzz" (``make fuzz``: many more examples)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "database": None, "print_blob": True}

settings.register_profile(
    "default",
    derandomize=True,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
    **_COMMON,
)
settings.register_profile(
    "fuzz",
    max_examples=3000,
    suppress_health_check=[HealthCheck.too_slow],
    **_COMMON,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

"""Shared test configuration."""

import os

import matplotlib
import torch
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# The suite runs under pytest-xdist with one worker per core; torch's own thread pool on top of
# that only oversubscribes the 2 CI cores with tiny models.
torch.set_num_threads(1)

# CI runs derandomized so a property test cannot pass on one run and fail on the next;
# locally hypothesis explores new examples on every run.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

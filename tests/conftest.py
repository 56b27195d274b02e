import os

import pytest

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two workers on two cores: one math thread each (and in the runs they start), or torch's
    # threads fight over the cores and decode steps run many times slower.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")

from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def _private_index_cache(tmp_path_factory, monkeypatch):
    """Token indexes and converted models go to a per-session temporary cache, never the user's
    (one cache for the whole session, so the real model is converted at most once)."""
    monkeypatch.setenv("LTLAGENT_CACHE", str(tmp_path_factory.getbasetemp() / "ltlagent-cache"))
